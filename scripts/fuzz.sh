#!/usr/bin/env bash
# Runs every cargo-fuzz target of fuzz/ for FUZZ_SECONDS (default 60) each,
# from the committed seeds (fuzz/seeds/<target>) into a scratch corpus under
# fuzz/target; a crash, a failed assertion or a leak fails the script, and
# the input is left in fuzz/artifacts/<target>/ (keep it as a regression test
# in crates/clv/tests/fuzz_regressions.rs).
# Needs the nightly toolchain and cargo-fuzz; installs them when missing.
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="${CARGO_HOME:-$HOME/.cargo}/bin:$PATH"
seconds="${FUZZ_SECONDS:-60}"
if ! rustup run nightly rustc --version >/dev/null 2>&1; then
  rustup toolchain install nightly --profile minimal
fi
if ! cargo fuzz --version >/dev/null 2>&1; then
  cargo install cargo-fuzz --version 0.13.2 --locked
fi
cd fuzz
rm -rf artifacts
cargo +nightly fuzz build -O
for target in $(cargo +nightly fuzz list); do
  corpus="target/corpus/$target"
  mkdir -p "$corpus"
  echo "== fuzz $target (${seconds} s)"
  cargo +nightly fuzz run -O "$target" "$corpus" "seeds/$target" -- \
    -max_total_time="$seconds" -print_final_stats=1 -close_fd_mask=1 2>&1 | grep -E '^(Done|stat::number_of_executed_units|==[0-9]+==|thread .* panicked)|SUMMARY' || true
  # cargo fuzz exits non-zero on a crash; the pipeline above hides it, so check the artifacts
  if compgen -G "artifacts/$target/*" >/dev/null; then
    echo "fuzz target $target failed; inputs in fuzz/artifacts/$target/" >&2
    exit 1
  fi
done
