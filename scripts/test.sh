#!/usr/bin/env bash
# Sets up what the tests need and runs every test of the project, then builds
# the packages as users get them and tests each from a clean place
# (scripts/package_test.sh).
# Usage: ./scripts/test.sh        (from anywhere; idempotent)
#   VERBOSE=1  show every step's output (default: one line per step; the
#              whole log of a step that fails; all logs in target/test-logs/)
#   FRESH=1    rebuild and retest the artefacts even when their inputs did
#              not change (stamps in target/stamps/)
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/common.sh
source scripts/package_test.sh
trap report EXIT
status_before=$(git status --porcelain --untracked-files=all)

# --- set-up (each step is a no-op when already done) ---
run "rustup components (rustfmt, clippy)" rustup component add rustfmt clippy
run "cargo fetch" cargo fetch --locked

# --- checks and tests ---
run "cargo fmt --check" cargo fmt --all -- --check
run "cargo clippy -D warnings" cargo clippy --workspace --all-targets --locked -- -D warnings
run "cargo test (unit, integration, benches once)" cargo test --workspace --all-targets --locked
run "cargo test --doc" cargo test --workspace --doc --locked
run "cargo doc -D warnings (core, CLI)" env RUSTDOCFLAGS="-D warnings" cargo doc -p clv -p clv-cli --no-deps --locked
# The contributors' view too: every link of a private item's doc resolves.
run "cargo doc -D warnings, private items (core, CLI)" env RUSTDOCFLAGS="-D warnings" \
  cargo doc -p clv -p clv-cli --no-deps --document-private-items --locked
# NUTS posteriors on CDNOW, the BG/NBD and Pareto/NBD simulation-based
# calibrations and the hierarchical recovery are skipped unoptimised
# (minutes); here they run in release (about 4 min).
run "cargo test --release (NUTS posteriors, SBC, hierarchical)" cargo test --release -p clv --test bayes --test hierarchical --locked
# Without rayon (as bindings/wasm builds it): the library and its tests and
# benches compile, clippy-clean.
run "core without default features: clippy, all targets" \
  cargo clippy -p clv --no-default-features --all-targets --locked -- -D warnings
# The `clv` binary that `cargo test` built for the CLI tests: `cargo run -p
# clv-cli` would build the dependencies once more for that package's feature
# set alone (44 and 88 s of two CI runs; the binary runs the report in 0.1 s).
clv_built() { "${CARGO_TARGET_DIR:-target}/debug/clv" "$@"; }
run "clv report (bundled data) runs" clv_built report --top 3
run "clv portfolio (bundled data) runs" clv_built portfolio --transactions --margin-rate 0.3 --top 3

# --- Python binding (bindings/python): venv, wheel, type checks, pytest ---
run "python venv (.venv)" python_venv
run "pip install requirements-dev" python_requirements
run "java 17 for pyspark (apt-get, if missing)" java_runtime
run "maturin build + pip install wheel" python_wheel
run "python: committed models.pyi = generated one" .venv/bin/python bindings/python/scripts/gen_models.py --check
run "stubtest clv._clv (.pyi vs module)" .venv/bin/python -m mypy.stubtest clv._clv
run "mypy clv package" .venv/bin/python -m mypy bindings/python/python/clv
run "pytest bindings/python" env MPLBACKEND=Agg .venv/bin/python -m pytest -q bindings/python/tests

# ============================================================================
# JavaScript bindings: @clv/node (napi-rs), @clv/wasm (wasm-bindgen), the
# browser demo (bindings/wasm/www) and the JS test suite (tests/js).
# Set-up steps are no-ops when already done. See docs/api/javascript.md.
# ============================================================================
js_chromium() {
  command -v chromium >/dev/null 2>&1 && return 0
  local sudo=""
  [ "$(id -u)" -eq 0 ] || sudo="sudo"
  $sudo apt-get update && $sudo apt-get install -y --no-install-recommends chromium
}
js_wasm_bindgen_cli() {
  local want have
  want=$(awk '$0=="name = \"wasm-bindgen\""{getline; gsub(/"/,"",$3); print $3}' Cargo.lock)
  have=$(wasm-bindgen --version 2>/dev/null | awk '{print $2}' || true)
  [ "$have" = "$want" ] && return 0
  # The CLI must be exactly the crate's version. `--locked` fails on this
  # registry mirror (the CLI's own lockfile pins a webpki-roots the mirror does
  # not serve); then the same exact version is installed without it.
  cargo install --locked wasm-bindgen-cli --version "$want" --no-default-features --bin wasm-bindgen \
    || cargo install wasm-bindgen-cli --version "$want" --no-default-features --bin wasm-bindgen
}
js_typecheck() {
  local tsc=bindings/node/node_modules/.bin/tsc
  "$tsc" -p tests/js/types/tsconfig.node.json && "$tsc" -p tests/js/types/tsconfig.wasm.json
}
run "js: chromium (apt-get, if missing)" js_chromium
run "js: rustup target wasm32-unknown-unknown" rustup target add wasm32-unknown-unknown
run "js: wasm-bindgen CLI of the crate's version" js_wasm_bindgen_cli
run "js: npm ci bindings/node" npm_deps bindings/node
run "js: npm ci bindings/wasm" npm_deps bindings/wasm
run "js: build @clv/node (napi build --release)" node_addon
run "js: committed index.d.ts = generated one" git diff --exit-code -- bindings/node/index.d.ts
run "js: build @clv/wasm (pkg-node/, pkg-web/)" wasm_package
run "js: tsc --noEmit on a TS usage file" js_typecheck
run "js: node --test (vectors, API, browser demo)" node --test tests/js/

# --- the packages as users get them, each installed into a clean place ---
package_test_steps

# --- the run wrote nothing that git sees (lockfiles stay as committed) ---
git_status_unchanged() {
  local now
  now=$(git status --porcelain --untracked-files=all)
  [ "$now" = "$status_before" ] && return 0
  echo "git status changed during the run:"
  diff <(echo "$status_before") <(echo "$now") || true
  return 1
}
run "git status unchanged by the run" git_status_unchanged
