#!/usr/bin/env bash
# Builds the fuzz targets with libFuzzer on the stable toolchain (SanitizerCoverage through
# stable -C flags; no nightly, no cargo-fuzz needed) and runs each for a while.
#
#   fuzz/run.sh [SECONDS_PER_TARGET] [TARGET…]
#
# Corpora are seeded from the golden vectors; crashes land in fuzz/artifacts/TARGET/.
# FUZZ_SEED=N fixes libFuzzer's random seed: from the same corpus (CI's is always the seeds
# alone) a run makes the same inputs in the same order, as far as its time allows, so CI is
# the same gate on every run. A crash is reproduced from the file it leaves in artifacts/.
# Without FUZZ_SEED every run explores afresh; corpus/ grows from run to run.
set -euo pipefail
cd "$(dirname "$0")"
seconds=${1:-60}
shift || true
targets=("$@")
if [ ${#targets[@]} -eq 0 ]; then
  mapfile -t targets < <(sed -n 's/^name = "\(.*\)"$/\1/p' Cargo.toml | grep -v '^qrpay-fuzz$')
fi

export RUSTFLAGS="--cfg fuzzing -Cpasses=sancov-module -Cllvm-args=-sanitizer-coverage-level=4 \
-Cllvm-args=-sanitizer-coverage-inline-8bit-counters -Cllvm-args=-sanitizer-coverage-pc-table \
-Cllvm-args=-sanitizer-coverage-trace-compares -Cdebug-assertions -Coverflow-checks"
# With an explicit --target, RUSTFLAGS reach only the fuzzed code, not build scripts.
host=$(rustc -vV | sed -n 's/^host: //p')
cargo build --release --bins --quiet --target "$host"

./seed.sh
for t in "${targets[@]}"; do
  mkdir -p "corpus/$t" "artifacts/$t"
  echo "fuzzing $t for ${seconds}s"
  "target/$host/release/$t" "corpus/$t" "seeds/$(./seed.sh --dir-for "$t")" \
    ${FUZZ_SEED:+-seed="$FUZZ_SEED"} -max_total_time="$seconds" -max_len=4096 -artifact_prefix="artifacts/$t/" -print_final_stats=1 \
    2>&1 | grep -E "^(#[0-9]+ *DONE|stat::number_of_executed_units|==|SUMMARY|Done)" || true
  if compgen -G "artifacts/$t/crash-*" > /dev/null; then
    echo "fuzz target $t crashed: see fuzz/artifacts/$t" >&2
    exit 1
  fi
done
