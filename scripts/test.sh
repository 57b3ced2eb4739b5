#!/usr/bin/env bash
# The whole test suite from a fresh Debian 12 machine: installs what it needs, builds, and runs
# the unit, integration, e2e (real llama-server) and client (OpenAI SDK, curl) tests; then the
# same suite under AddressSanitizer + UndefinedBehaviorSanitizer; then every fuzzer.
#   scripts/test.sh [--quick]       --quick: the plain build only (no sanitizers, no fuzzing)
#   FUZZ_SECONDS=60                 how long each fuzzer runs
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
quick=false
[ "${1:-}" = "--quick" ] && quick=true

"$root/scripts/setup.sh" --test
(cd "$root/tests/clients" && npm ci --no-audit --no-fund --loglevel=error)
"$root/scripts/get-promtool.sh" >/dev/null || echo "*** NOTE: no promtool: metrics_parsers will be SKIPPED ***"

if [ -z "${GGUFD_TEST_LLAMA_SERVER:-}" ] && [ ! -x "$root/../shared/llama.cpp/llama-server" ] && ! command -v llama-server >/dev/null; then
  echo "*** NOTE: no llama-server found (GGUFD_TEST_LLAMA_SERVER, ../shared/llama.cpp/llama-server, PATH): the e2e tests will be SKIPPED ***"
fi

summary=()
passed=0
failed=0
run_suite() {  # run_suite NAME BUILD_DIR [CMAKE_ARGS...]
  local name="$1" build="$2"
  shift 2
  echo "=== $name: build ($build)"
  "$root/scripts/build.sh" "$build" "$@"
  echo "=== $name: tests"
  local log="$build/ctest.log" status=0
  ctest --test-dir "$build" --output-on-failure -j "$(nproc)" 2>&1 | tee "$log" || status=1
  local line total fails
  line=$(grep -E "tests passed, [0-9]+ tests failed out of [0-9]+" "$log" | tail -n1 || true)
  total=$(sed -E 's/.* out of ([0-9]+).*/\1/' <<<"$line")
  fails=$(sed -E 's/.*passed, ([0-9]+) tests failed.*/\1/' <<<"$line")
  [ -n "$total" ] || { total=0; fails=1; }
  passed=$((passed + total - fails))
  failed=$((failed + fails))
  summary+=("$name: $((total - fails)) passed, $fails failed")
  [ "$status" -eq 0 ] && [ "$fails" -eq 0 ] || overall=1
}

# ThreadSanitizer over the concurrency suites only (net, gateway, supervisor, and the daemon under
# the integration suite): building everything under TSan would double CI time. A race kills the
# process that has it (halt_on_error), which fails the test.
run_tsan() {
  local build="$root/build-tsan" status=0 ok bad binary
  local log="$build/tests.log"
  echo "=== tsan: build ($build: net, gateway, supervisor, integration)"
  cmake -S "$root" -B "$build" -G Ninja "${optimised_flags[@]}" -DGGUFD_SANITIZE=thread >/dev/null
  cmake --build "$build" -j "$(nproc)" --target unit_net unit_gateway unit_supervisor integration_tests ggufd fake-llama-server
  echo "=== tsan: tests"
  : >"$log"
  for binary in unit_net unit_gateway unit_supervisor "integration_tests --gtest_filter=-DoctorTest.*"; do
    # shellcheck disable=SC2086  # the filter is a separate word
    TSAN_OPTIONS="halt_on_error=1 second_deadlock_stack=1 suppressions=$root/tests/tsan.supp" "$build"/$binary 2>&1 | tee -a "$log" || status=1
  done
  ok=$(grep -c '^\[       OK \]' "$log" || true)
  bad=$(grep -cE '^\[  FAILED  \] .* \([0-9]+ ms\)$' "$log" || true)
  # A binary halted by a race leaves no FAILED line for the test it was in.
  [ "$status" -eq 0 ] || [ "$bad" -gt 0 ] || bad=1
  passed=$((passed + ok))
  failed=$((failed + bad))
  summary+=("tsan: $ok passed, $bad failed")
  [ "$bad" -eq 0 ] || overall=1
}

# Line tables only (-g1): enough for backtraces and sanitizer reports, and a third less compile
# time than full debug info on CI's 2-core machine.
optimised_flags=(-DCMAKE_BUILD_TYPE=RelWithDebInfo "-DCMAKE_CXX_FLAGS_RELWITHDEBINFO=-O2 -g1 -DNDEBUG")
debug_flags=(-DCMAKE_BUILD_TYPE=Debug -DCMAKE_CXX_FLAGS_DEBUG=-g1)

overall=0
run_suite "plain" "$root/build" "${optimised_flags[@]}" -DGGUFD_WERROR=ON
if ! $quick; then
  run_suite "asan+ubsan" "$root/build-asan" "${debug_flags[@]}" -DGGUFD_SANITIZE=address
  run_tsan
  echo "=== fuzzers: ${FUZZ_SECONDS:-60}s each"
  if "$root/scripts/fuzz.sh" "${FUZZ_SECONDS:-60}"; then
    summary+=("fuzzers: clean for ${FUZZ_SECONDS:-60}s each")
  else
    summary+=("fuzzers: FAILED (see above)")
    failed=$((failed + 1))
    overall=1
  fi
fi

echo
printf '%s\n' "${summary[@]}"
echo "$passed passed, $failed failed"
exit "$overall"
