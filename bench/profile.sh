#!/usr/bin/env bash
# Where ggufd and nginx spend their work relaying the benchmark's load from the fake upstream:
# CPU time per request (or per streamed event), user and kernel, from /proc; system calls per
# request, counted with `perf trace -s`; and the hottest user-space functions, sampled with
# `perf record`. Each proxy gets the same load, one after the other, in three passes, because
# tracing and sampling slow the proxy down. (Kernel samples are left out: in a VM without a PMU,
# cpu-clock samples in the kernel land where interrupts are re-enabled, not where time goes.)
#   bench/profile.sh [--seconds S] [-c N] [--stream] [--tokens N] [--interval D]
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
build="$root/build-bench"
source "$root/bench/lib.sh"

seconds=4 concurrency=8 stream=0 tokens=32
interval=0 niceness=0 pin=0 new_connections=0 chat_max_tokens=8 stamp=profile
client_run=(nice -n 0) server_run=(nice -n 0)
while [ $# -gt 0 ]; do
  case "$1" in
    --seconds) seconds="$2"; shift ;;
    -c|--concurrency) concurrency="$2"; shift ;;
    --stream) stream=1 ;;
    --tokens) tokens="$2"; shift ;;
    --interval) interval="$2"; shift ;;  # the fake's time between tokens, e.g. 1ms
    -h|--help) sed -n '2,9p' "$0"; exit 0 ;;
    *) echo "profile.sh: unknown option '$1'" >&2; exit 2 ;;
  esac
  shift
done

require perf "apt-get install linux-perf"
require wrk "apt-get install wrk"
require nginx "apt-get install nginx-light"
cmake -S "$root" -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=Release -DGGUFD_BUILD_BENCH=ON -DGGUFD_BUILD_TESTS=ON >/dev/null
cmake --build "$build" -j "$(nproc)" --target ggufd fake-llama-server sse-bench >/dev/null

work="$(mktemp -d "${TMPDIR:-/tmp}/ggufd-profile.XXXXXX")"
trap 'stop_all; rm -rf "$work"' EXIT
trap 'exit 130' INT TERM
start_fake_targets

cpu_split() {  # cpu_split PID...: user and system clock ticks used so far, summed
  local pid user=0 system=0 u s
  for pid in "$@"; do
    read -r u s < <(sed 's/.*) //' "/proc/$pid/stat" | awk '{ print $12, $13 }')
    user=$((user + u)) system=$((system + s))
  done
  echo "$user $system"
}

# load PORT: the workload against one target; prints how many requests (or events) it carried.
load() {
  if [ "$stream" = 1 ]; then
    "$build/sse-bench" --url "http://127.0.0.1:$1/v1/chat/completions" --model fast --tokens "$tokens" \
      -c "$concurrency" --warmup 0 --duration "${seconds}s" | sed 's/.*"events_total":\([0-9]*\).*/\1/'
  else
    BENCH_MODEL=fast BENCH_MAX_TOKENS="$chat_max_tokens" wrk -t "$((concurrency < 2 ? 1 : 2))" -c "$concurrency" -d "${seconds}s" \
      -s "$root/bench/wrk/chat.lua" "http://127.0.0.1:$1/v1/chat/completions" |
      sed -n 's/^{"requests":\([0-9]*\).*/\1/p'
  fi
}

unit="request"
[ "$stream" = 1 ] && unit="event"
echo "# Profile: $([ "$stream" = 1 ] && echo "streaming, $tokens tokens per stream, token interval $interval" || echo "non-streaming chat"), c=$concurrency, ${seconds}s per pass"
for target in ggufd nginx; do
  port="$ggufd_port"
  [ "$target" = nginx ] && port="$nginx_port"
  pids="$(target_pids "$target" | tr ' ' ',' | sed 's/,*$//')"

  read -r user_before system_before < <(cpu_split ${pids//,/ })
  count="$(load "$port")"
  read -r user_after system_after < <(cpu_split ${pids//,/ })
  echo
  echo "## $target: CPU time per $unit ($count ${unit}s, untraced)"
  echo
  awk -v u=$((user_after - user_before)) -v s=$((system_after - system_before)) -v n="$count" \
    -v hz="$(getconf CLK_TCK)" -v unit="$unit" 'BEGIN {
      printf "%.1f µs per %s: %.1f µs user, %.1f µs kernel\n", (u + s) * 1e6 / hz / n, unit, u * 1e6 / hz / n, s * 1e6 / hz / n }'

  perf trace -s -p "$pids" -o "$work/trace-$target.txt" -- sleep "$((seconds + 1))" 2>/dev/null &
  tracer=$!
  sleep 0.5  # let it attach
  count="$(load "$port")"
  wait "$tracer" || true
  echo
  echo "## $target: system calls per $unit (perf trace -s; $count ${unit}s while traced)"
  echo
  echo "| syscall | per $unit |"
  echo "|---|---:|"
  # Sum the per-thread summaries: lines of "name calls errors total min avg max stddev".
  awk -v n="$count" '$2 ~ /^[0-9]+$/ && $1 ~ /^[a-z_0-9]+$/ && NF >= 8 { calls[$1] += $2; total += $2 }
    END { for (s in calls) if (calls[s] / n >= 0.01) printf "| %s | %.2f |\n", s, calls[s] / n
          printf "| **all** | **%.2f** |\n", total / n }' "$work/trace-$target.txt" | sort -t'|' -k3 -rn

  perf record -q -e cpu-clock:u -F 2999 -p "$pids" -o "$work/perf-$target.data" -- sleep "$((seconds + 1))" 2>/dev/null &
  recorder=$!
  sleep 0.5
  load "$port" >/dev/null
  wait "$recorder" || true
  echo
  echo "## $target: where the user-space CPU time goes (perf record, cpu-clock:u; symbols over 1.5 %)"
  echo
  echo '```'
  perf report -q -i "$work/perf-$target.data" --stdio --no-children --sort dso,sym --percent-limit 1.5 2>/dev/null |
    grep -v '^$' | head -40
  echo '```'
done
