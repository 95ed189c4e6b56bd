#!/usr/bin/env bash
# Sets up what the tests need and runs every test of the project.
# Usage: ./scripts/test.sh        (from anywhere; idempotent)
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="${CARGO_HOME:-$HOME/.cargo}/bin:$PATH"

declare -a STEP_NAMES=() STEP_TIMES=()
step_start=0
report() {
  local rc=$?
  echo
  echo "== step timings =="
  for i in "${!STEP_NAMES[@]}"; do printf '  %-45s %8.1f s\n' "${STEP_NAMES[$i]}" "${STEP_TIMES[$i]}"; done
  [ "$rc" -eq 0 ] && echo "== all tests passed ==" || echo "== FAILED (exit $rc) =="
}
trap report EXIT
run() {
  local name="$1"; shift
  echo
  echo "== $name =="
  local t0=$EPOCHREALTIME
  "$@"
  STEP_NAMES+=("$name")
  STEP_TIMES+=("$(awk -v a="$t0" -v b="$EPOCHREALTIME" 'BEGIN{printf "%.1f", b-a}')")
}

# --- set-up (each step is a no-op when already done) ---
run "rustup components (rustfmt, clippy)" rustup component add rustfmt clippy
run "cargo fetch" cargo fetch --locked

# --- checks and tests ---
run "cargo fmt --check" cargo fmt --all -- --check
run "cargo clippy -D warnings" cargo clippy --workspace --all-targets --locked -- -D warnings
run "cargo test (unit, integration, benches once)" cargo test --workspace --all-targets --locked
run "cargo test --doc" cargo test --workspace --doc --locked
run "core builds without default features" cargo check -p clv --no-default-features --locked
run "clv report (bundled data) runs" cargo run --quiet --locked -p clv-cli -- report --top 3
run "clv portfolio (bundled data) runs" cargo run --quiet --locked -p clv-cli -- portfolio --transactions --margin-rate 0.3 --top 3

# --- Python binding (bindings/python): venv, wheel, type checks, pytest ---
python_venv() {
  if [ -x .venv/bin/python ]; then return 0; fi
  if ! python3 -m venv .venv; then
    rm -rf .venv
    local sudo=""; [ "$(id -u)" -eq 0 ] || sudo="sudo"
    $sudo apt-get update && $sudo apt-get install -y --no-install-recommends python3-venv
    python3 -m venv .venv
  fi
}
python_wheel() {
  rm -rf target/wheels-python
  VIRTUAL_ENV="$PWD/.venv" .venv/bin/maturin build --release --locked -m bindings/python/Cargo.toml \
    -i .venv/bin/python -o target/wheels-python
  .venv/bin/pip install --quiet --force-reinstall --no-deps target/wheels-python/clv-*.whl
}
run "python venv (.venv)" python_venv
run "pip install requirements-dev" .venv/bin/pip install --quiet --disable-pip-version-check -r bindings/python/requirements-dev.txt
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
run "js: npm install bindings/node" npm install --prefix bindings/node --no-audit --no-fund
run "js: npm install bindings/wasm" npm install --prefix bindings/wasm --no-audit --no-fund
run "js: build @clv/node (napi build --release)" npm run --prefix bindings/node build
run "js: committed index.d.ts = generated one" git diff --exit-code -- bindings/node/index.d.ts
run "js: build @clv/wasm (pkg-node/, pkg-web/)" npm run --prefix bindings/wasm build
run "js: tsc --noEmit on a TS usage file" js_typecheck
run "js: node --test (vectors, API, browser demo)" node --test tests/js/
