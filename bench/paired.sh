#!/usr/bin/env bash
# Many short paired rounds of one non-streaming measurement, for differences smaller than
# scripts/bench.sh's three rounds can resolve (at c=1 a target's p50 moves by ±50 µs from round
# to round on the 2-CPU machine, and the proxies differ by ~10 µs). Every round measures direct,
# ggufd, the baseline, nginx and HAProxy one after the other (the order rotates), each proxy with
# the same event loops; each proxy's added p50 is taken against the direct run of its own round,
# and the median of the per-round differences between proxies is reported.
#   bench/paired.sh [-c N] [--rounds N] [--duration S] [--loops N] [--baseline COMMIT]
# Needs scripts/bench.sh's build (build-bench/) and tools; prints a Markdown table.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
build="$root/build-bench"
source "$root/bench/lib.sh"

concurrency=1 rounds=20 duration=3 paired_loops=1 baseline_commit=11b0361
# shellcheck disable=SC2034  # read by bench/lib.sh
interval=0 niceness=0 pin=0 new_connections=0 chat_max_tokens=8 stamp=paired
client_run=(nice -n 0) server_run=(nice -n 0)
while [ $# -gt 0 ]; do
  case "$1" in
    -c|--concurrency) concurrency="$2"; shift ;;
    --rounds) rounds="$2"; shift ;;
    --duration) duration="$2"; shift ;;
    --loops) paired_loops="$2"; shift ;;
    --baseline) baseline_commit="$2"; shift ;;
    -h|--help) sed -n '2,8p' "$0"; exit 0 ;;
    *) echo "paired.sh: unknown option '$1'" >&2; exit 2 ;;
  esac
  shift
done

require wrk "apt-get install wrk"
require nginx "apt-get install nginx-light"
require haproxy "apt-get install haproxy"
cmake -S "$root" -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=Release -DGGUFD_BUILD_BENCH=ON -DGGUFD_BUILD_TESTS=ON >/dev/null
cmake --build "$build" -j "$(nproc)" --target ggufd fake-llama-server >/dev/null
baseline_build="$(build_baseline "$baseline_commit")"

work="$(mktemp -d "${TMPDIR:-/tmp}/ggufd-paired.XXXXXX")"
trap 'stop_all; rm -rf "$work"' EXIT
trap 'exit 130' INT TERM
raw="$work/raw.jsonl"
start_fake_targets "$paired_loops" "$interval"
read -ra specs <<<"$(fake_target_specs)"
for spec in "${specs[@]}"; do
  check_target "${spec%%=*}" "${spec#*=}" fast
  run_wrk fake "${spec%%=*}" "${spec#*=}" 8 0 1 fast >/dev/null  # warm-up, not recorded
done
for round in $(seq 1 "$rounds"); do
  note "c=$concurrency, $paired_loops event loop(s) per proxy: round $round of $rounds"
  for spec in $(rotate "$round" "${specs[@]}"); do
    record "$(run_wrk fake "${spec%%=*}" "${spec#*=}" "$concurrency" "$round" "$duration" fast)"
  done
done

echo "# Paired rounds: c=$concurrency, $paired_loops event loop(s) per proxy, $rounds rounds × $duration s, commit $(git -C "$root" rev-parse --short HEAD)"
echo
python3 - "$raw" <<'EOF'
import json, statistics, sys
rounds = {}
for line in open(sys.argv[1]):
    r = json.loads(line)
    if r.get("result"):
        rounds.setdefault(r["round"], {})[r["target"]] = r["result"]
added = {}  # target -> round -> added p50 (µs), in the rounds where direct ran
for number, by_target in rounds.items():
    if "direct" not in by_target:
        continue
    for target, result in by_target.items():
        added.setdefault(target, {})[number] = result["p50_us"] - by_target["direct"]["p50_us"]
proxies = [t for t in ("ggufd", "baseline", "nginx", "haproxy") if t in added]
print("| target | added p50 µs, median | range | rounds | ggufd minus it, median µs | ggufd at or below it |")
print("|---|---:|---:|---:|---:|---:|")
for target in proxies:
    values = list(added[target].values())
    row = f"| {target} | +{statistics.median(values):.0f} | {min(values):+.0f} to {max(values):+.0f} | {len(values)} |"
    if target == "ggufd":
        row += " — | — |"
    else:
        pairs = [added["ggufd"][k] - v for k, v in added[target].items() if k in added["ggufd"]]
        row += f" {statistics.median(pairs):+.0f} | {sum(p <= 0 for p in pairs)} of {len(pairs)} |"
    print(row)
EOF
