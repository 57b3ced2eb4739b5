#!/usr/bin/env bash
# Where ggufd, the baseline (ggufd before the front-door rewrite), nginx and HAProxy spend their
# work relaying the benchmark's load from the fake upstream, with the same number of event loops
# each. Two modes:
#  - time (default): CPU time per request (or per streamed event), user and kernel, from /proc;
#    system calls per request, counted with `perf trace -s`; and the hottest user-space
#    functions, sampled with `perf record`. Each proxy gets the same load, one after the other,
#    in three passes, because tracing and sampling slow the proxy down. (Kernel samples are left
#    out: in a VM without a PMU, cpu-clock samples in the kernel land where interrupts are
#    re-enabled, not where time goes.)
#  - --instructions: every proxy runs under callgrind, counting only while the load runs; prints
#    user-space instructions per request and the functions they go to. Instructions, unlike
#    time, come out the same however busy the machine is, so small differences can be trusted.
#   bench/profile.sh [--instructions] [--seconds S] [-c N] [--stream] [--tokens N] [--interval D]
#                    [--loops N] [--targets LIST] [--baseline COMMIT]
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
build="$root/build-bench"
source "$root/bench/lib.sh"

seconds=4 concurrency=8 stream=0 tokens=32 instructions=0 profile_loops=1
interval=0 niceness=0 pin=0 new_connections=0 chat_max_tokens=8 stamp=profile
targets="ggufd baseline nginx haproxy" baseline_commit=11b0361
client_run=(nice -n 0) server_run=(nice -n 0)
while [ $# -gt 0 ]; do
  case "$1" in
    --instructions) instructions=1 ;;
    --seconds) seconds="$2"; shift ;;
    -c|--concurrency) concurrency="$2"; shift ;;
    --stream) stream=1 ;;
    --tokens) tokens="$2"; shift ;;
    --interval) interval="$2"; shift ;;  # the fake's time between tokens, e.g. 1ms
    --loops) profile_loops="$2"; shift ;;  # event loops per proxy (default 1)
    --targets) targets="$2"; shift ;;      # a space- or comma-separated subset
    --baseline) baseline_commit="$2"; shift ;;
    -h|--help) sed -n '2,16p' "$0"; exit 0 ;;
    *) echo "profile.sh: unknown option '$1'" >&2; exit 2 ;;
  esac
  shift
done
targets="${targets//,/ }"

require perf "apt-get install linux-perf"
require wrk "apt-get install wrk"
require nginx "apt-get install nginx-light"
require haproxy "apt-get install haproxy"
[ "$instructions" = 0 ] || require valgrind "apt-get install valgrind"
cmake -S "$root" -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=Release -DGGUFD_BUILD_BENCH=ON -DGGUFD_BUILD_TESTS=ON >/dev/null
cmake --build "$build" -j "$(nproc)" --target ggufd fake-llama-server sse-bench >/dev/null
baseline_build=""
case " $targets " in *" baseline "*) baseline_build="$(build_baseline "$baseline_commit")" ;; esac

work="$(mktemp -d "${TMPDIR:-/tmp}/ggufd-profile.XXXXXX")"
trap 'stop_all; rm -rf "$work"' EXIT
trap 'exit 130' INT TERM
if [ "$instructions" = 1 ]; then
  # Symbols for the Release build come from its own (unstripped) binaries. Counting starts off
  # and is switched on, per process, only while the load runs.
  server_run=(valgrind --tool=callgrind --instr-atstart=no --callgrind-out-file="$work/callgrind.%p" -q)
fi
start_fake_targets "$profile_loops" "$interval"

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
      -c "$concurrency" --warmup 0 --duration "${seconds}s" --stream-timeout 60s |
      sed 's/.*"events_total":\([0-9]*\).*/\1/'
  else
    BENCH_MODEL=fast BENCH_MAX_TOKENS="$chat_max_tokens" wrk -t "$((concurrency < 2 ? 1 : 2))" -c "$concurrency" -d "${seconds}s" \
      --timeout 30s -s "$root/bench/wrk/chat.lua" "http://127.0.0.1:$1/v1/chat/completions" |
      sed -n 's/^{"requests":\([0-9]*\).*/\1/p'
  fi
}

port_of() {
  case "$1" in
    ggufd) echo "$ggufd_port" ;;
    baseline) echo "$baseline_port" ;;
    nginx) echo "$nginx_port" ;;
    haproxy) echo "$haproxy_port" ;;
  esac
}

unit="request"
[ "$stream" = 1 ] && unit="event"

# profile_time TARGET: CPU time, system calls and sampled hot functions under the same load.
profile_time() {
  local target="$1" port pids count
  port="$(port_of "$target")"
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
  local tracer=$!
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
  local recorder=$!
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
}

# profile_instructions TARGET: callgrind counts while the load runs (the target is running under
# callgrind already, with counting off).
profile_instructions() {
  local target="$1" port pid count files=()
  port="$(port_of "$target")"
  for pid in $(target_pids "$target"); do callgrind_control -i on "$pid" >/dev/null; done
  count="$(load "$port")"
  for pid in $(target_pids "$target"); do
    callgrind_control -i off "$pid" >/dev/null
    callgrind_control --dump="$target" "$pid" >/dev/null
    files+=($(ls "$work/callgrind.$pid".* "$work/callgrind.$pid" 2>/dev/null || true))
  done
  local total
  total="$(cat "${files[@]}" | awk '/^summary:/ { sum += $2 } END { printf "%.0f", sum }')"
  echo
  echo "## $target: $(awk -v t="$total" -v n="$count" 'BEGIN { printf "%.0f", t / n }') instructions per $unit (callgrind; $count ${unit}s, $total instructions)"
  echo
  echo '```'
  callgrind_annotate --inclusive=no --threshold=95 "${files[@]}" 2>/dev/null | sed -n '/^Ir/,$p' | sed '/^$/d' | head -30 |
    awk -v n="$count" 'NR <= 2 { print; next } { ir = $1; gsub(",", "", ir); printf "%10.0f per %s  %s\n", ir / n, "'"$unit"'", $0 }'
  echo '```'
}

echo "# Profile: $([ "$stream" = 1 ] && echo "streaming, $tokens tokens per stream, token interval $interval" || echo "non-streaming chat"), c=$concurrency, $profile_loops event loop(s) per proxy, ${seconds}s per pass$([ "$instructions" = 1 ] && echo ", instructions counted by callgrind" || true)"
for target in $targets; do
  if [ -z "$(port_of "$target")" ]; then
    echo "profile.sh: unknown target '$target' (ggufd, baseline, nginx, haproxy)" >&2; exit 2
  fi
  if [ "$instructions" = 1 ]; then profile_instructions "$target"; else profile_time "$target"; fi
done
