#!/usr/bin/env bash
# Builds the five packages as users get them and tests each one from a clean
# place, outside the repository, with the README's example for its runtime:
#   clv-X.Y.Z.crate            `cargo package -p clv` → a fresh cargo project
#   clv-X.Y.Z-cp39-abi3-*.whl  `maturin build --release` → a fresh venv
#   clv-node-X.Y.Z.tgz         `npm pack` of @clv/node (with the linux-x64-gnu addon) → a fresh npm project
#   clv-wasm-X.Y.Z.tgz         `npm pack` of @clv/wasm → a fresh npm project, in Node and in headless Chromium
#   clv-X.Y.Z-x86_64-unknown-linux-gnu.tar.gz  the `clv` command, statically linked → a fresh folder
# The packages land in target/packages/. The examples are read from README.md
# (the code block after each `<!-- package-test: NAME -->` line), so the
# README shows what is tested. Any failure fails the script, with its log.
# Also checks the version policy (CHANGELOG.md): one version everywhere.
# Usage: ./scripts/package_test.sh  (scripts/test.sh runs the same steps)
#   VERBOSE=1, FRESH=1 as in scripts/test.sh.

PACKAGES="$PWD/target/packages"

# The code block that follows `<!-- package-test: NAME -->` in README.md.
readme_block() {
  awk -v m="<!-- package-test: $1 -->" '
    $0 == m { found = 1; next }
    found == 1 && /^```/ { found = 2; next }
    found == 2 && /^```/ { exit }
    found == 2 { print }' README.md
}
scratch_dir() { # a fresh folder outside the repository; removed when its step passes, kept when it fails
  local d; d=$(mktemp -d "${TMPDIR:-/tmp}/clv-package-test-$1.XXXXXX")
  echo "scratch folder: $d" >&2
  echo "$d"
}
workspace_version() {
  awk '/^\[workspace.package\]/{p=1} p && /^version *=/{gsub(/"/,"",$3); print $3; exit}' Cargo.toml
}
expect_output() { # expect_output FILE "TEXT | TEXT...": every TEXT occurs in FILE
  local file="$1" t texts=()
  [ -n "$2" ] || { echo "no expected output given (the README's 'prints:' line)"; return 1; }
  while IFS= read -r t; do texts+=("$t"); done < <(printf '%s\n' "$2" | sed 's/ | /\n/g')
  for t in "${texts[@]}"; do
    grep -qF -- "$t" "$file" || { echo "expected '$t' in the output:"; cat "$file"; return 1; }
  done
}

# --- one version for the crate, the wheel and both npm packages ---
pkg_versions() {
  local v bad=0 name got
  v=$(workspace_version)
  echo "workspace version (Cargo.toml): $v"
  check() { echo "$1: $2"; [ "$2" = "$v" ] || { echo "  ^ differs from $v" >&2; bad=1; }; }
  for name in bindings/node bindings/wasm; do
    check "$name/package.json" "$(node -p "require('./$name/package.json').version")"
    check "$name/package-lock.json" "$(node -p "require('./$name/package-lock.json').packages[''].version")"
  done
  got=$(sed -n 's/^__version__ = "\(.*\)"$/\1/p' bindings/python/python/clv/__init__.py)
  check "bindings/python/python/clv/__init__.py __version__" "$got"
  grep -q '^dynamic = \["version"\]' bindings/python/pyproject.toml \
    || { echo "pyproject.toml must take the version from Cargo (dynamic)" >&2; bad=1; }
  for name in $(cargo metadata --no-deps --format-version 1 --locked \
      | node -e 'for (const p of JSON.parse(require("fs").readFileSync(0)).packages) console.log(`${p.name}=${p.version}`)'); do
    check "crate ${name%=*}" "${name#*=}"
  done
  got=$(sed -n 's/^## \[\([0-9][^]]*\)\].*/\1/p' CHANGELOG.md | head -1)
  check "CHANGELOG.md latest entry" "$got"
  # npm packs no symlinks: the npm packages hold copies of LICENSE.
  for name in bindings/node/LICENSE bindings/wasm/LICENSE; do
    cmp -s LICENSE "$name" || { echo "$name differs from LICENSE" >&2; bad=1; }
  done
  return "$bad"
}

# --- Rust: the crates.io package, used by a fresh cargo project ---
CRATE_INPUTS=(Cargo.toml Cargo.lock .cargo crates/clv README.md LICENSE "cmd:rustc -vV")
pkg_crate() {
  local v; v=$(workspace_version)
  if [ -f "$PACKAGES/clv-$v.crate" ] && stamp_fresh crate "${CRATE_INPUTS[@]}" "$PACKAGES/clv-$v.crate"; then
    skipped "cargo package -p clv"; return 0
  fi
  # --allow-dirty: package the working tree as it is (a clean checkout in CI).
  cargo package -p clv --locked --allow-dirty
  mkdir -p "$PACKAGES"
  cp "${CARGO_TARGET_DIR:-target}/package/clv-$v.crate" "$PACKAGES/"
  tar -tzf "$PACKAGES/clv-$v.crate" | sed 's/^/  /'
  stamp_write crate "${CRATE_INPUTS[@]}" "$PACKAGES/clv-$v.crate"
}
pkg_crate_example() {
  local v dir tdir="${CARGO_TARGET_DIR:-$PWD/target}"; v=$(workspace_version)
  local inputs=("$PACKAGES/clv-$v.crate" README.md scripts/package_test.sh "cmd:rustc -vV")
  if stamp_fresh crate-example "${inputs[@]}"; then skipped "crate example"; return 0; fi
  dir=$(scratch_dir rust)
  tar -xzf "$PACKAGES/clv-$v.crate" -C "$dir"
  mkdir -p "$dir/app/src"
  cat >"$dir/app/Cargo.toml" <<EOF
[package]
name = "readme-example"
version = "0.0.0"
edition = "2024"
publish = false

[dependencies]
clv = { path = "../clv-$v" }
EOF
  # The README's block is a doctest body: its `# ` lines are hidden setup.
  { echo 'fn main() -> Result<(), clv::Error> {'
    readme_block rust | sed -e '/^# Ok::<(), clv::Error>(())$/d' -e 's/^# //'
    echo '    Ok(())'
    echo '}'; } >"$dir/app/src/main.rs"
  cat "$dir/app/src/main.rs"
  # The crate's own lockfile: the versions it was tested with.
  cp "$dir/clv-$v/Cargo.lock" "$dir/app/Cargo.lock"
  # The build shares the target directory (dependencies compiled once).
  (cd "$dir/app" && CARGO_TARGET_DIR="$tdir" cargo run --quiet) | tee "$dir/out.txt"
  expect_output "$dir/out.txt" "$(readme_expected rust)"
  rm -rf "$dir"
  stamp_write crate-example "${inputs[@]}"
}
# --- The command line: one static binary for Linux x86-64, run from a fresh folder ---
# glibc linked in (crt-static, for the binary alone: --target keeps the flag
# off build scripts and proc-macros, which cannot be static): nothing to load
# before `main`, about 0.5 ms of a 10 ms `clv fit` (docs/performance.md), and it
# runs where no Rust toolchain is installed. Symbols stripped.
CLI_TARGET=x86_64-unknown-linux-gnu
CLI_INPUTS=(Cargo.toml Cargo.lock .cargo crates/clv crates/clv-cli LICENSE "cmd:rustc -vV")
cli_package() { echo "$PACKAGES/clv-$(workspace_version)-$CLI_TARGET.tar.gz"; }
pkg_cli() {
  local v name tgz bin stage; v=$(workspace_version); name="clv-$v-$CLI_TARGET"; tgz=$(cli_package)
  if [ -f "$tgz" ] && stamp_fresh cli "${CLI_INPUTS[@]}" "$tgz"; then
    skipped "static clv binary"; return 0
  fi
  RUSTFLAGS="-C target-feature=+crt-static -C strip=symbols" \
    cargo build --release --locked -p clv-cli --target "$CLI_TARGET"
  bin="${CARGO_TARGET_DIR:-target}/$CLI_TARGET/release/clv"
  # Static: no program interpreter (ld.so) and no shared library needed.
  local headers; headers=$(readelf -l -d "$bin")
  if grep -q 'program interpreter' <<<"$headers" || grep -q NEEDED <<<"$headers"; then
    echo "$bin is not statically linked" >&2; return 1
  fi
  stage=$(mktemp -d)
  mkdir "$stage/$name"
  cp "$bin" LICENSE "$stage/$name/"
  mkdir -p "$PACKAGES"
  tar -czf "$tgz" -C "$stage" "$name"
  rm -rf "$stage"
  tar -tzvf "$tgz" | sed 's/^/  /'
  stamp_write cli "${CLI_INPUTS[@]}" "$tgz"
}
pkg_cli_example() {
  local tgz dir v; v=$(workspace_version); tgz=$(cli_package)
  local inputs=("$tgz" README.md scripts/package_test.sh)
  if stamp_fresh cli-example "${inputs[@]}"; then skipped "clv binary example"; return 0; fi
  dir=$(scratch_dir cli)
  tar -xzf "$tgz" -C "$dir"
  readme_block cli | tee "$dir/example.sh"
  # Only the unpacked binary on the PATH's front; run from the fresh folder.
  (cd "$dir" && PATH="$dir/clv-$v-$CLI_TARGET:$PATH" bash -euo pipefail example.sh) | tee "$dir/out.txt"
  expect_output "$dir/out.txt" "$(readme_expected cli)"
  rm -rf "$dir"
  stamp_write cli-example "${inputs[@]}"
}

# The expected output of an example: the README's `<!-- package-test: NAME prints: TEXT -->` line.
readme_expected() {
  sed -n "s/^<!-- package-test: $1 prints: \(.*\) -->$/\1/p" README.md
}

# --- Python: the abi3 wheel in a fresh venv, outside the repository ---
pkg_wheel() {
  local whl dir
  whl=$(ls target/wheels-python/clv-*.whl)
  mkdir -p "$PACKAGES"
  cp "$whl" "$PACKAGES/"
  whl="$PACKAGES/$(basename "$whl")"
  echo "$whl"
  case "$whl" in *-cp39-abi3-*) ;; *) echo "not an abi3 (cp39-abi3) wheel: $whl" >&2; return 1 ;; esac
  local inputs=("$whl" README.md scripts/package_test.sh "cmd:python3 -VV")
  if stamp_fresh wheel-example "${inputs[@]}"; then skipped "wheel example"; return 0; fi
  # the extras users install
  python3 - "$whl" <<'EOF'
import sys, zipfile
z = zipfile.ZipFile(sys.argv[1])
meta = z.read(next(n for n in z.namelist() if n.endswith(".dist-info/METADATA"))).decode()
extras = {l.split(":", 1)[1].strip() for l in meta.splitlines() if l.startswith("Provides-Extra:")}
print("extras:", sorted(extras))
assert {"plot", "polars", "spark"} <= extras, extras
EOF
  dir=$(scratch_dir python)
  python3 -m venv "$dir/venv"
  "$dir/venv/bin/pip" install --quiet --disable-pip-version-check "$whl"
  readme_block python >"$dir/example.py"
  cat "$dir/example.py"
  # -I: isolated (no PYTHONPATH, no user site, not the script's folder)
  (cd "$dir" && venv/bin/python -I -c 'import clv, sys; print(clv.__file__); assert clv.__file__.startswith(sys.prefix)' \
    && venv/bin/python -I example.py) | tee "$dir/out.txt"
  expect_output "$dir/out.txt" "$(readme_expected python)"
  rm -rf "$dir"
  stamp_write wheel-example "${inputs[@]}"
}

# --- JavaScript: npm pack, then npm install of the tarball into a fresh project ---
npm_pack() { # npm_pack DIR → prints the tarball's path
  local file
  mkdir -p "$PACKAGES"
  file=$(cd "$1" && npm pack --pack-destination "$PACKAGES" --json | node -e \
    'console.log(JSON.parse(require("fs").readFileSync(0))[0].filename)')
  echo "$PACKAGES/$file"
}
npm_fresh_project() { # npm_fresh_project DIR TARBALL
  (cd "$1" && npm init -y >/dev/null && npm install --offline --no-audit --no-fund "$2")
}
pkg_node() {
  local tgz dir
  tgz=$(npm_pack bindings/node)
  local files; files=$(tar -tzf "$tgz")
  echo "$files" | sed 's/^/  /'
  grep -qx 'package/clv.linux-x64-gnu.node' <<<"$files" || { echo "no linux-x64-gnu addon in $tgz" >&2; return 1; }
  local inputs=("$tgz" README.md scripts/package_test.sh "cmd:node --version")
  if stamp_fresh node-example "${inputs[@]}"; then skipped "@clv/node example"; return 0; fi
  dir=$(scratch_dir node)
  npm_fresh_project "$dir" "$tgz"
  readme_block node >"$dir/example.js"
  cat "$dir/example.js"
  (cd "$dir" && node example.js) | tee "$dir/out.txt"
  expect_output "$dir/out.txt" "$(readme_expected node)"
  rm -rf "$dir"
  stamp_write node-example "${inputs[@]}"
}
pkg_wasm() {
  local tgz dir
  tgz=$(npm_pack bindings/wasm)
  local files; files=$(tar -tzf "$tgz")
  echo "$files" | sed 's/^/  /'
  local f
  for f in pkg-node/clv_wasm.js pkg-node/clv_wasm_bg.wasm pkg-web/clv_wasm.js pkg-web/clv_wasm_bg.wasm; do
    grep -qx "package/$f" <<<"$files" || { echo "no $f in $tgz" >&2; return 1; }
  done
  local inputs=("$tgz" README.md scripts/package_test.sh "cmd:node --version" "cmd:chromium --version")
  if stamp_fresh wasm-example "${inputs[@]}"; then skipped "@clv/wasm examples"; return 0; fi
  dir=$(scratch_dir wasm)
  npm_fresh_project "$dir" "$tgz"
  # Node: the same example on @clv/wasm (the README: "or require('@clv/wasm')").
  readme_block node | sed "s#require('@clv/node')#require('@clv/wasm')#" >"$dir/example.js"
  grep -q "require('@clv/wasm')" "$dir/example.js"
  (cd "$dir" && node example.js) | tee "$dir/out.txt"
  expect_output "$dir/out.txt" "$(readme_expected node)"
  # Browser: the README's page, served from the project, in headless Chromium.
  readme_block browser >"$dir/index.html"
  cat "$dir/index.html"
  cat >"$dir/serve.mjs" <<'EOF'
import { createReadStream, existsSync, statSync } from 'node:fs';
import { createServer } from 'node:http';
import { extname, join, normalize } from 'node:path';
const root = process.cwd();
const types = { '.html': 'text/html', '.js': 'text/javascript', '.wasm': 'application/wasm' };
const server = createServer((req, res) => {
  let file = normalize(join(root, decodeURIComponent(new URL(req.url, 'http://x').pathname)));
  if (file.endsWith('/')) file += 'index.html';
  if (!file.startsWith(root) || !existsSync(file) || !statSync(file).isFile()) { res.writeHead(404); return res.end(); }
  res.writeHead(200, { 'content-type': types[extname(file)] ?? 'application/octet-stream' });
  createReadStream(file).pipe(res);
});
server.listen(0, '127.0.0.1', () => console.log(server.address().port));
EOF
  (cd "$dir" && exec node serve.mjs >port.txt) &
  local server=$! port=""
  for _ in $(seq 50); do port=$(cat "$dir/port.txt" 2>/dev/null || true); [ -n "$port" ] && break; sleep 0.1; done
  chromium --headless --no-sandbox --disable-gpu --disable-quic --disable-background-networking \
    --disable-component-update --disable-sync --no-first-run --user-data-dir="$dir/profile" \
    --virtual-time-budget=10000 --dump-dom "http://127.0.0.1:$port/" >"$dir/dom.html" 2>"$dir/chromium.log" || true
  kill "$server" 2>/dev/null || true
  wait "$server" 2>/dev/null || true
  cat "$dir/dom.html"
  expect_output "$dir/dom.html" "$(readme_expected browser)"
  rm -rf "$dir"
  stamp_write wasm-example "${inputs[@]}"
}

package_test_steps() {
  run "package: one version everywhere, LICENSE copies" pkg_versions
  run "package: cargo package -p clv" pkg_crate
  run "package: crate in a fresh cargo project" pkg_crate_example
  run "package: wheel in a fresh venv" pkg_wheel
  run "package: npm pack @clv/node, in a fresh project" pkg_node
  run "package: npm pack @clv/wasm, Node and Chromium" pkg_wasm
  run "package: static clv binary (linux x86-64)" pkg_cli
  run "package: clv binary in a fresh folder" pkg_cli_example
}

if [ "${BASH_SOURCE[0]}" = "$0" ]; then
  set -euo pipefail
  cd "$(dirname "$0")/.."
  PACKAGES="$PWD/target/packages"
  source scripts/common.sh
  trap report EXIT
  # The artefacts, built as scripts/test.sh builds them (skipped when unchanged).
  run "python venv (.venv)" python_venv
  run "pip install requirements-dev" python_requirements
  run "maturin build (wheel)" python_wheel
  run "npm ci bindings/node" npm_deps bindings/node
  run "npm ci bindings/wasm" npm_deps bindings/wasm
  run "build @clv/node (napi build --release)" node_addon
  run "build @clv/wasm" wasm_package
  package_test_steps
fi
