# Shared by scripts/test.sh and scripts/package_test.sh (sourced, not run).
#
# - `run NAME CMD...` runs one step with `set -e` semantics, its output in
#   target/test-logs/NN-name.log; the terminal shows one line per step and,
#   when a step fails, its whole log. VERBOSE=1 shows every step's output as
#   it runs (and still writes the logs).
# - An EXIT trap prints the step table (time and result of every step) and
#   the verdict, also when a step fails.
# - `stamp_fresh NAME INPUTS...` / `stamp_write NAME INPUTS...`: a step whose
#   inputs (file contents, tool versions) hash to what the stamp under
#   target/stamps/ recorded at its last success is skipped ("unchanged").
#   FRESH=1 ignores the stamps.
# - The build steps of the three artefacts (wheel, Node addon, WASM package).

export PATH="${CARGO_HOME:-$HOME/.cargo}/bin:$PATH"
LOG_DIR="$PWD/target/test-logs"
STAMP_DIR="$PWD/target/stamps"
mkdir -p "$LOG_DIR" "$STAMP_DIR"
rm -f "$LOG_DIR"/*.log

declare -a STEP_NAMES=() STEP_TIMES=() STEP_RESULTS=()
STEP_SKIPPED=0 # set to 1 by a step (in its log) that found its inputs unchanged
RUN_T0=$EPOCHREALTIME

elapsed() { awk -v a="$1" -v b="$EPOCHREALTIME" 'BEGIN{printf "%.1f", b-a}'; }

report() {
  local rc=$?
  echo
  echo "== step timings (logs: ${LOG_DIR#"$PWD"/}/) =="
  for i in "${!STEP_NAMES[@]}"; do
    printf '  %-50s %7s s  %s\n' "${STEP_NAMES[$i]}" "${STEP_TIMES[$i]}" "${STEP_RESULTS[$i]}"
  done
  printf '  %-50s %7s s\n' "total" "$(elapsed "$RUN_T0")"
  if [ "$rc" -eq 0 ]; then echo "== all tests passed =="; else echo "== FAILED (exit $rc) =="; fi
}

run() {
  local name="$1"; shift
  local n slug log t0 rc
  n=$(printf '%02d' $((${#STEP_NAMES[@]} + 1)))
  slug=$(printf '%s' "$name" | tr -c 'A-Za-z0-9' '-' | tr -s '-' | cut -c1-60)
  log="$LOG_DIR/$n-${slug%-}.log"
  printf '%-54s' "$n $name"
  [ "${VERBOSE:-0}" = 1 ] && echo
  t0=$EPOCHREALTIME
  set +e
  if [ "${VERBOSE:-0}" = 1 ]; then
    ( set -e; "$@" ) 2>&1 | tee "$log"
    rc=${PIPESTATUS[0]}
  else
    ( set -e; "$@" ) >"$log" 2>&1 </dev/null
    rc=$?
  fi
  set -e
  STEP_NAMES+=("$name")
  STEP_TIMES+=("$(elapsed "$t0")")
  local result=ok
  [ "$rc" -ne 0 ] && result="FAILED (exit $rc)"
  [ "$rc" -eq 0 ] && grep -q '^== unchanged, skipped' "$log" && result="unchanged, skipped"
  STEP_RESULTS+=("$result")
  [ "${VERBOSE:-0}" = 1 ] && printf '%-54s' "$n $name"
  printf '%7s s  %s\n' "${STEP_TIMES[-1]}" "$result"
  if [ "$rc" -ne 0 ]; then
    if [ "${VERBOSE:-0}" != 1 ]; then
      echo "---- log of step '$name' (${log#"$PWD"/}) ----"
      cat "$log"
      echo "---- end of log ----"
    fi
    exit "$rc"
  fi
}

# --- stamps: skip a step whose inputs did not change since it last passed ---
# Inputs: files or directories (their tracked and untracked, not ignored
# files; contents hashed), or `cmd:COMMAND` (its output, e.g. a tool version).
inputs_hash() {
  local arg
  for arg in "$@"; do
    case "$arg" in
      cmd:*) echo "$arg"; bash -c "${arg#cmd:}" 2>&1 ;;
      *)
        if [ -e "$arg" ] && ! git ls-files --error-unmatch -- "$arg" >/dev/null 2>&1 \
            && [ -z "$(git ls-files -co --exclude-standard -- "$arg")" ]; then
          # an ignored file or directory (a build output used as input): hash it directly
          find "$arg" -type f -print0 | sort -z | xargs -0 -r sha256sum
        else
          git ls-files -co --exclude-standard -z -- "$arg" | sort -z | xargs -0 -r sha256sum
        fi
        [ -e "$arg" ] || echo "missing $arg"
        ;;
    esac
  done | sha256sum | cut -d' ' -f1
}
# stamp_fresh NAME INPUTS... : true when the stamp NAME matches (and FRESH is not 1).
stamp_fresh() {
  local name="$1"; shift
  [ "${FRESH:-0}" != 1 ] || return 1
  [ -f "$STAMP_DIR/$name" ] || return 1
  [ "$(cat "$STAMP_DIR/$name")" = "$(inputs_hash "$@")" ]
}
stamp_write() {
  local name="$1"; shift
  inputs_hash "$@" >"$STAMP_DIR/$name"
}
skipped() { echo "== unchanged, skipped: $* (stamp target/stamps/; FRESH=1 to redo)"; }

# --- the inputs of each artefact ---
CORE_INPUTS=(Cargo.toml Cargo.lock .cargo crates/clv/Cargo.toml crates/clv/src "cmd:rustc -vV")
WHEEL_INPUTS=("${CORE_INPUTS[@]}" bindings/python/Cargo.toml bindings/python/pyproject.toml
  bindings/python/src bindings/python/python bindings/python/README.md LICENSE)
NODE_INPUTS=("${CORE_INPUTS[@]}" bindings/js-common bindings/node/Cargo.toml bindings/node/build.rs
  bindings/node/src bindings/node/package.json bindings/node/node_modules/.package-lock.json)
WASM_INPUTS=("${CORE_INPUTS[@]}" bindings/js-common bindings/node/index.d.ts bindings/wasm/Cargo.toml
  bindings/wasm/build.rs bindings/wasm/src bindings/wasm/scripts/build.mjs bindings/wasm/package.json
  crates/clv-cli/data/CDNOW_sample.txt "cmd:wasm-bindgen --version")

# --- set-up steps (no-ops when done) ---
python_venv() {
  if [ -x .venv/bin/python ]; then return 0; fi
  if ! python3 -m venv .venv; then
    rm -rf .venv
    local sudo=""; [ "$(id -u)" -eq 0 ] || sudo="sudo"
    $sudo apt-get update && $sudo apt-get install -y --no-install-recommends python3-venv
    python3 -m venv .venv
  fi
}
# Java (17 or later) for the local Spark of tests/test_spark.py, from Debian.
java_runtime() {
  if java -version 2>&1 | grep -Eq 'version "(1[7-9]|2[0-9])'; then return 0; fi
  local sudo=""; [ "$(id -u)" -eq 0 ] || sudo="sudo"
  $sudo apt-get update && $sudo apt-get install -y --no-install-recommends openjdk-17-jre-headless
}
python_requirements() {
  local inputs=(bindings/python/requirements-dev.txt "cmd:.venv/bin/python -VV")
  if stamp_fresh pip-requirements "${inputs[@]}"; then skipped "pip install -r requirements-dev.txt"; return 0; fi
  .venv/bin/pip install --quiet --disable-pip-version-check -r bindings/python/requirements-dev.txt
  stamp_write pip-requirements "${inputs[@]}"
}
# npm ci (the committed lockfile, exactly) when the lockfile changed since the
# last install, else nothing; `npm install` where `npm ci` rejects the lockfile
# (TOOLCHAIN.md P7: this registry mirror lacks some other platforms' optional
# packages); the lockfile is left as committed either way.
npm_deps() {
  local dir="$1"
  local inputs=("$dir/package.json" "$dir/package-lock.json" "$dir/node_modules/.package-lock.json" "cmd:node --version")
  if [ -d "$dir/node_modules" ] && stamp_fresh "npm-$(basename "$dir")" "${inputs[@]}"; then
    skipped "npm ci in $dir"; return 0
  fi
  if ! npm ci --prefix "$dir" --no-audit --no-fund; then
    echo "npm ci failed; npm install with the same lockfile instead"
    npm install --prefix "$dir" --no-audit --no-fund
    git diff --quiet -- "$dir/package-lock.json" || {
      echo "npm install changed $dir/package-lock.json: commit it as npm wrote it" >&2; return 1; }
  fi
  stamp_write "npm-$(basename "$dir")" "${inputs[@]}"
}

# --- the three artefacts ---
# The wheel (abi3, release) in target/wheels-python/, installed into .venv.
python_wheel() {
  local so
  so=$(ls .venv/lib/python*/site-packages/clv/_clv*.so 2>/dev/null | head -1 || true)
  if [ -n "$so" ] && compgen -G 'target/wheels-python/clv-*.whl' >/dev/null \
      && stamp_fresh wheel "${WHEEL_INPUTS[@]}" target/wheels-python "$so"; then
    skipped "maturin build + pip install (wheel inputs unchanged)"; return 0
  fi
  rm -rf target/wheels-python
  VIRTUAL_ENV="$PWD/.venv" .venv/bin/maturin build --release --locked -m bindings/python/Cargo.toml \
    -i .venv/bin/python -o target/wheels-python
  .venv/bin/pip install --quiet --force-reinstall --no-deps target/wheels-python/clv-*.whl
  so=$(ls .venv/lib/python*/site-packages/clv/_clv*.so | head -1)
  stamp_write wheel "${WHEEL_INPUTS[@]}" target/wheels-python "$so"
}
# @clv/node: index.js, index.d.ts and clv.linux-x64-gnu.node in bindings/node.
node_addon() {
  local outputs=(bindings/node/index.js bindings/node/index.d.ts bindings/node/clv.linux-x64-gnu.node)
  if [ -e bindings/node/clv.linux-x64-gnu.node ] && [ -e bindings/node/index.js ] \
      && stamp_fresh node-addon "${NODE_INPUTS[@]}" "${outputs[@]}"; then
    skipped "napi build (inputs unchanged)"; return 0
  fi
  npm run --prefix bindings/node build
  stamp_write node-addon "${NODE_INPUTS[@]}" "${outputs[@]}"
}
# @clv/wasm: pkg-node/ and pkg-web/ in bindings/wasm (and the demo's data copy).
wasm_package() {
  local outputs=(bindings/wasm/pkg-node bindings/wasm/pkg-web bindings/wasm/www/data)
  if [ -d bindings/wasm/pkg-node ] && [ -d bindings/wasm/pkg-web ] && [ -d bindings/wasm/www/data ] \
      && stamp_fresh wasm-package "${WASM_INPUTS[@]}" "${outputs[@]}"; then
    skipped "wasm build (inputs unchanged)"; return 0
  fi
  npm run --prefix bindings/wasm build
  stamp_write wasm-package "${WASM_INPUTS[@]}" "${outputs[@]}"
}
