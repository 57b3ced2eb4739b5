#!/usr/bin/env bash
# Builds every libFuzzer target (tests/fuzz/) in build-fuzz/ with clang and runs each for
# SECONDS (default 60), starting from its committed seed corpus. Exits non-zero on the first
# crash, leak, timeout or out-of-memory; the input that caused it is left in
# build-fuzz/artifacts/<target>/ and its path is printed.
#   scripts/fuzz.sh [SECONDS]
set -euo pipefail

seconds="${1:-60}"
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
build="$root/build-fuzz"

cmake -S "$root" -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo "-DCMAKE_CXX_FLAGS_RELWITHDEBINFO=-O2 -g1 -DNDEBUG" \
  -DCMAKE_CXX_COMPILER=clang++ -DGGUFD_BUILD_FUZZERS=ON -DGGUFD_BUILD_TESTS=OFF >/dev/null
cmake --build "$build" -j "$(nproc)" --target fuzzers

status=0
for fuzzer in "$build"/fuzz_*; do
  [ -x "$fuzzer" ] || continue
  name="$(basename "$fuzzer")"
  seeds="$root/tests/fuzz/corpus/${name#fuzz_}"
  corpus="$build/corpus/$name"        # grows as the fuzzer finds new inputs; seeds stay untouched
  artifacts="$build/artifacts/$name/"
  mkdir -p "$corpus" "$artifacts"
  echo "== $name for ${seconds}s (seeds: $seeds)"
  if ! "$fuzzer" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 -print_final_stats=1 \
       -artifact_prefix="$artifacts" "$corpus" $( [ -d "$seeds" ] && echo "$seeds" ) 2>"$build/$name.log"; then
    echo "!! $name failed; last lines of $build/$name.log:"
    tail -n 40 "$build/$name.log"
    ls -1 "$artifacts"
    status=1
  else
    grep -E '^stat::(number_of_executed_units|peak_rss_mb)|^Done' "$build/$name.log" || true
  fi
done
exit "$status"
