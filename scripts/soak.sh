#!/usr/bin/env bash
# The soak (issue 12): ggufd supervising real llama-servers (when one is found) and fake ones for
# MINUTES minutes under streaming and plain requests, random SIGKILL, SIGSTOP/SIGCONT,
# stop/start, restart and SIGHUP reloads. Prints requests, ok, clean errors, hung, silent
# truncations, orphans and the daemon's RSS/fd trend; exits 1 on a crash, a hang, a truncation
# or an orphan. docs/RELIABILITY.md has the figures and how to read them.
#   scripts/soak.sh [MINUTES]        default 10; SOAK_SEED=N repeats a run's random choices
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
minutes="${1:-10}"
build="$root/build"

[ -f "$build/CMakeCache.txt" ] || cmake -S "$root" -B "$build" -G Ninja >/dev/null
cmake --build "$build" -j "$(nproc)" --target ggufd fake-llama-server gguf-mkmodel >/dev/null

llama="${GGUFD_TEST_LLAMA_SERVER:-}"
[ -n "$llama" ] || { [ -x "$root/../shared/llama.cpp/llama-server" ] && llama="$root/../shared/llama.cpp/llama-server"; } || true
[ -n "$llama" ] || llama="$(command -v llama-server || true)"
[ -n "$llama" ] || echo "*** NOTE: no llama-server found: the soak runs fake children only ***"

work="$(mktemp -d "${TMPDIR:-/tmp}/ggufd-soak-XXXXXX")"
models=""
if [ -n "$llama" ]; then
  for seed in 1 2; do
    "$build/gguf-mkmodel" -o "$work/tiny-$seed.gguf" --seed "$seed" --threads 1 >/dev/null
    models="${models:+$models,}$work/tiny-$seed.gguf"
  done
fi
status=0
python3 "$root/scripts/soak.py" --minutes "$minutes" --ggufd "$build/ggufd" --fake "$build/fake-llama-server" \
  --llama-server "$llama" --work "$work" --models "$models" || status=$?
# A failed run keeps its directory (the daemon's log is in it).
[ "$status" -ne 0 ] || rm -rf "$work"
exit "$status"
