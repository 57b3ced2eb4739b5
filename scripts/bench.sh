#!/usr/bin/env bash
# Measures ggufd's front door in one run, side by side with the upstream reached directly, with
# nginx and HAProxy as reverse proxies, with ggufd as it was at an earlier commit (the baseline)
# and (when a real llama-server is found) with llama-server's own router mode, at equal event-loop
# counts; then streams beside big uploads on one event loop; then prints the results table and
# writes it to bench/results/. docs/PERFORMANCE.md explains the method. Everything it starts runs
# on loopback and is stopped when it exits.
#   scripts/bench.sh [--quick] [--rounds N] [--duration SECONDS] [--tokens N] [--interval D]
#                    [--loops LIST] [--baseline COMMIT | --no-baseline] [--big-bodies LIST]
#                    [--new-connections] [--no-real] [--pin] [--nice N]
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
build="$root/build-bench"
source "$root/bench/lib.sh"
source "$root/bench/big_bodies.sh"

rounds=3 duration=4 tokens=32 interval=0 real=1 pin=0 quick=0 new_connections=0 niceness=0 big_only=0
loop_list="1,cpu" baseline_commit=11b0361 big_list="8,16,32"
usage() {
  cat <<EOF
usage: scripts/bench.sh [options]
  --quick         one round of 2 s per measurement, 32 MB bodies only (about 8 minutes); results
                  are marked quick
  --rounds N      rounds; each measurement is repeated N times and the median reported (default 3)
  --duration S    seconds per measurement (default 4)
  --tokens N      content events per streamed response (default 32)
  --interval D    the fake upstream's time between tokens, e.g. 1ms (default 0: as fast as it can)
  --loops LIST    event loops per proxy, one set of measurements for each: numbers or "cpu" (one
                  per CPU), comma-separated (default 1,cpu); ggufd's workers, nginx's
                  worker_processes, HAProxy's nbthread
  --baseline C    also measure ggufd as it was at commit C, built in build-bench-baseline-C/
                  (default 11b0361, before the front-door rewrite); --no-baseline: do not
  --big-bodies L  body sizes in MB routed beside streams on one event loop (default 8,16,32);
                  --no-big-bodies: skip that scenario; --big-bodies-only: run only that scenario
  --new-connections  a new connection for every stream (default: a stream's connection carries
                  the next stream of its slot, as SDK clients pool connections)
  --no-real       skip the real llama-server upstream (and the router target)
  --pin           load generators on CPU 0, everything serving on the other CPUs
  --nice N        run everything the benchmark starts at this niceness (e.g. -10, as root, so
                  that other work on a shared machine disturbs the measurements less)
EOF
}
while [ $# -gt 0 ]; do
  case "$1" in
    --quick) quick=1 rounds=1 duration=2 big_list=32 ;;
    --rounds) rounds="$2"; shift ;;
    --duration) duration="$2"; shift ;;
    --tokens) tokens="$2"; shift ;;
    --interval) interval="$2"; shift ;;
    --loops) loop_list="$2"; shift ;;
    --baseline) baseline_commit="$2"; shift ;;
    --no-baseline) baseline_commit="" ;;
    --big-bodies) big_list="$2"; shift ;;
    --no-big-bodies) big_list="" ;;
    --big-bodies-only) big_only=1 real=0 ;;
    --new-connections) new_connections=1 ;;
    --no-real) real=0 ;;
    --pin) pin=1 ;;
    --nice) niceness="$2"; shift ;;
    -h|--help) usage; exit 0 ;;
    *) echo "bench.sh: unknown option '$1'" >&2; usage >&2; exit 2 ;;
  esac
  shift
done

chat_concurrency=(1 8 64)
stream_concurrency=(1 16 128)
chat_max_tokens=8
loop_counts=()
for loops in ${loop_list//,/ }; do
  case "$loops" in
    cpu) loop_counts+=("$(nproc)") ;;
    [1-9]|[1-9][0-9]) loop_counts+=("$loops") ;;
    *) echo "bench.sh: --loops takes numbers from 1 to 99 or 'cpu', not '$loops'" >&2; exit 2 ;;
  esac
done
big_sizes=(${big_list//,/ })

require wrk "apt-get install wrk"
require nginx "apt-get install nginx-light"
require haproxy "apt-get install haproxy"
require curl "apt-get install curl"
llama_server="$(find_llama_server "$root")"
if [ "$real" = 1 ] && [ -z "$llama_server" ]; then
  note "no llama-server found (GGUFD_TEST_LLAMA_SERVER, ../shared/llama.cpp/llama-server, PATH): the real upstream and the router target are skipped"
  real=0
fi

if [ "$pin" = 1 ] && [ "$(nproc)" -lt 2 ]; then
  echo "bench.sh: --pin needs at least 2 CPUs" >&2; exit 2
fi
# What every command the benchmark starts is run under: niceness, and CPUs when pinned.
client_run=(nice -n "$niceness") server_run=(nice -n "$niceness")
client_cpus="" server_cpus=""
if [ "$pin" = 1 ]; then
  client_cpus="0" server_cpus="1-$(($(nproc) - 1))"
  client_run+=(taskset -c "$client_cpus") server_run+=(taskset -c "$server_cpus")
fi

note "building in $build (Release, with the benchmark tools)"
cmake -S "$root" -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=Release -DGGUFD_BUILD_BENCH=ON -DGGUFD_BUILD_TESTS=ON >/dev/null
cmake --build "$build" -j "$(nproc)" --target ggufd fake-llama-server gguf-mkmodel sse-bench bench-report >/dev/null
baseline_build=""
[ -z "$baseline_commit" ] || baseline_build="$(build_baseline "$baseline_commit")"

commit="$(git -C "$root" rev-parse --short HEAD)"
[ -z "$(git -C "$root" status --porcelain --untracked-files=no)" ] || commit="$commit-dirty"
stamp="$(date -u +%Y-%m-%d)-$commit$([ "$quick" = 1 ] && echo -quick || true)"
work="$(mktemp -d "${TMPDIR:-/tmp}/ggufd-bench.XXXXXX")"
trap 'stop_all; save_logs; rm -rf "$work"' EXIT
trap 'exit 130' INT TERM
raw="$work/raw.jsonl"
: >"$raw"

settings="$rounds round(s) × ${duration} s per measurement; non-streaming: $chat_max_tokens tokens, wrk, keep-alive; streaming: $tokens tokens ($((tokens + 3)) events) per stream, fake token interval $interval, sse-bench, $([ "$new_connections" = 1 ] && echo "a new connection per stream" || echo "keep-alive"); CPU pinning: $([ "$pin" = 1 ] && echo "load generators on $client_cpus, servers on $server_cpus" || echo none); niceness $niceness"
extra="$([ -z "$baseline_build" ] || printf '"baseline":%s,' "$(json_string "ggufd at $baseline_commit, built in $(basename "$(dirname "$baseline_build")")/")")"
extra+="$(printf '"event loops per proxy":%s,' "$(json_string "${loop_counts[*]} (ggufd workers, nginx worker_processes, HAProxy nbthread)")")"
record "$(meta_record "$settings" "$extra")"

# --- One upstream's set of measurements: non-streaming with wrk, streaming with sse-bench -----

# measure_upstream UPSTREAM MODEL CHECK_INDEX TARGET=PORT...: every round, every concurrency,
# every target, in an order that rotates between rounds so that drifting machine noise is shared.
measure_upstream() {
  local upstream="$1" model="$2" check_index="$3"; shift 3
  local targets=("$@") round c spec
  for spec in "${targets[@]}"; do
    run_wrk "$upstream" "${spec%%=*}" "${spec#*=}" 8 0 1 "$model" >/dev/null  # warm-up, not recorded
  done
  for round in $(seq 1 "$rounds"); do
    note "$upstream upstream, $loops event loop(s) per proxy: round $round of $rounds"
    for c in "${chat_concurrency[@]}"; do
      for spec in $(rotate "$round" "${targets[@]}"); do
        record "$(run_wrk "$upstream" "${spec%%=*}" "${spec#*=}" "$c" "$round" "$duration" "$model")"
      done
    done
    for c in "${stream_concurrency[@]}"; do
      # Direct first: its schedule is the reference the proxies' event delays are measured against.
      local reference="$work/stream-$upstream-$c-$round-direct.json"
      record "$(run_sse "$upstream" "${targets[0]%%=*}" "${targets[0]#*=}" "$c" "$round" "$model" "$check_index" "")"
      for spec in $(rotate "$round" "${targets[@]:1}"); do
        record "$(run_sse "$upstream" "${spec%%=*}" "${spec#*=}" "$c" "$round" "$model" "$check_index" "$reference")"
      done
    done
  done
}

# --- The fake upstream: what the proxies add, and nothing else, at each event-loop count ------

for loops in "${loop_counts[@]}"; do
  [ "$big_only" = 0 ] || break
  start_fake_targets "$loops" "$interval"
  specs=($(fake_target_specs))
  # Idle memory is recorded for the last loop count (one per CPU by default: the defaults).
  [ "$loops" = "${loop_counts[-1]}" ] && record_idle_rss fake start
  for spec in "${specs[@]}"; do check_target "${spec%%=*}" "${spec#*=}" fast; done
  measure_upstream fake fast 1 "${specs[@]}"
  [ "$loops" = "${loop_counts[-1]}" ] && record_idle_rss fake end
  stop_all
done

# --- Big bodies routed on the event loop that carries streams ---------------------------------

[ ${#big_sizes[@]} -eq 0 ] || measure_big_bodies "${big_sizes[@]}"

# --- The real llama-server on a tiny model, and llama-server's own router --------------------

if [ "$real" = 1 ]; then
  loops="$(nproc)"
  ggufd_port="$(free_port)" real_port="$(free_port)" nginx_port="$(free_port)" haproxy_port="$(free_port)"
  router_port="$(free_port)"
  mkdir -p "$work/models"
  "$build/gguf-mkmodel" -o "$work/models/tiny.gguf" >/dev/null
  server_settings=(--ctx-size 2048 --parallel 4 --threads 1)
  cat >"$work/ggufd-real.toml" <<EOF
listen = "127.0.0.1:$ggufd_port"
llama_server = "$llama_server"
models_dir = ""
workers = $loops
[defaults]
gpus = []
[services.tiny]
model = "$work/models/tiny.gguf"
port = $real_port
ctx_size = 2048
parallel = 4
args = ["--threads", "1"]
EOF
  note "real upstream ($llama_server): ggufd on :$ggufd_port, llama-server on :$real_port, nginx on :$nginx_port, HAProxy on :$haproxy_port, router on :$router_port"
  start_ggufd "$work/ggufd-real.toml" "$ggufd_port" tiny
  ggufd_pid=$last_pid
  start_nginx "$real_port" "$nginx_port" "$loops"
  start_haproxy "$real_port" "$haproxy_port" "$loops"
  start_router "$work/models" "$router_port" "${server_settings[@]}" --n-gpu-layers 0
  record_idle_rss real start
  specs=("direct=$real_port" "ggufd=$ggufd_port" "nginx=$nginx_port" "haproxy=$haproxy_port" "router=$router_port")
  for spec in "${specs[@]}"; do check_target "${spec%%=*}" "${spec#*=}" tiny; done
  measure_upstream real tiny 0 "${specs[@]}"
  record_idle_rss real end
  stop_all
fi

# --- The table ------------------------------------------------------------------------------

record "$(meta_end_record)"
mkdir -p "$root/bench/results"
cp "$raw" "$root/bench/results/$stamp.raw.jsonl"
echo
"$build/bench-report" "$raw" --markdown "$root/bench/results/$stamp.md" --json "$root/bench/results/$stamp.json"
note "results: bench/results/$stamp.md and .json (raw records: $stamp.raw.jsonl)"
