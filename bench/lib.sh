# Helpers for scripts/bench.sh (sourced, not run): starting and stopping the servers under test,
# running one measurement with wrk or sse-bench, and appending its raw record to "$raw". Uses the
# caller's variables: root, build, work, raw, stamp, rounds, duration, tokens, interval, pin,
# new_connections, niceness, client_cpus, server_cpus, client_run, server_run, chat_max_tokens,
# baseline_build and baseline_commit (empty: no baseline target).

started_pids=()   # everything started here, stopped by stop_all in reverse order
ggufd_pid="" baseline_pid="" nginx_pid="" haproxy_pid="" router_pid=""
loops=0           # the event loops per proxy of the servers running now (0: each proxy's default)

note() { echo "bench: $*" >&2; }

require() {
  command -v "$1" >/dev/null || { echo "bench.sh: '$1' not found; install it: $2" >&2; exit 1; }
}

# The llama-server the tests use (tests/support/binaries.cpp): GGUFD_TEST_LLAMA_SERVER, then
# ../shared/llama.cpp/llama-server beside the checkout, then PATH. Prints nothing if none.
find_llama_server() {
  local candidate
  if [ -n "${GGUFD_TEST_LLAMA_SERVER:-}" ]; then
    [ -x "$GGUFD_TEST_LLAMA_SERVER" ] && echo "$GGUFD_TEST_LLAMA_SERVER"
    return 0
  fi
  candidate="$(cd "$1/.." && pwd)/shared/llama.cpp/llama-server"
  if [ -x "$candidate" ]; then echo "$candidate"; return 0; fi
  command -v llama-server || true
}

# A free TCP port on 127.0.0.1, below the kernel's ephemeral range so that no client socket of
# the load generators can be holding it, and never one handed out before in this run.
used_ports=" "
free_port() {
  local port
  while :; do
    port=$((20000 + RANDOM % 12000))
    case "$used_ports" in *" $port "*) continue ;; esac
    if [ -z "$(ss -Htln "sport = :$port")" ]; then
      used_ports="$used_ports$port "
      echo "$port"
      return
    fi
  done
}

record() { printf '%s\n' "$1" >>"$raw"; }

# build_baseline COMMIT: ggufd as it was at COMMIT, extracted with `git archive` into a source and
# build tree of its own (build-bench-baseline-COMMIT/, git-ignored, kept for the next run), built
# as build-bench is; prints the build directory.
build_baseline() {
  local commit dir
  commit="$(git -C "$root" rev-parse --short "$1^{commit}" 2>/dev/null)" ||
    { echo "bench.sh: --baseline $1: no such commit in $root" >&2; exit 2; }
  dir="$root/build-bench-baseline-$commit"
  if [ ! -d "$dir/src" ]; then
    rm -rf "$dir/src.partial" && mkdir -p "$dir/src.partial"
    git -C "$root" archive "$commit" | tar -x -C "$dir/src.partial"
    mv "$dir/src.partial" "$dir/src"
  fi
  note "building the baseline (ggufd at $commit) in $dir/build"
  cmake -S "$dir/src" -B "$dir/build" -G Ninja -DCMAKE_BUILD_TYPE=Release -DGGUFD_BUILD_TESTS=OFF >/dev/null
  cmake --build "$dir/build" -j "$(nproc)" --target ggufd >/dev/null
  echo "$dir/build"
}

json_string() {  # a JSON string literal of $1
  local s="${1//\\/\\\\}"
  s="${s//\"/\\\"}"
  printf '"%s"' "${s//$'\n'/ }"
}

meta_record() {  # meta_record SETTINGS [EXTRA]: EXTRA is more "key":value, pairs, each ending in a comma
  local cpu memory
  cpu="$(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -1)"
  memory="$(awk '/MemTotal/ { printf "%.1f GiB", $2 / 1048576 }' /proc/meminfo)"
  printf '{"kind":"meta","meta":{"date":%s,"commit":%s,"machine":%s,"kernel":%s,' \
    "$(json_string "$(date -u '+%Y-%m-%d %H:%M UTC')")" "$(json_string "$commit")" \
    "$(json_string "$(nproc) × $cpu, $memory")" "$(json_string "$(uname -r)")"
  printf '"tools":%s,' "$(json_string "$(nginx -v 2>&1 | sed 's/^nginx version: //'), HAProxy $(haproxy -v | awk 'NR==1 { print $3 }'), wrk $(wrk -v 2>&1 | awk 'NR==1 { print $2 }'), llama-server ${llama_server:+$("$llama_server" --version 2>&1 | sed -n 's/^version: //p' | head -1)}")"
  printf '"settings":%s,%s' "$(json_string "$1")" "${2:-}"
  printf '"load average at start":%s}}\n' "$(json_string "$(cut -d' ' -f1-3 /proc/loadavg)")"
}

meta_end_record() {
  printf '{"kind":"meta","meta":{"load average at end":%s}}\n' "$(json_string "$(cut -d' ' -f1-3 /proc/loadavg)")"
}

# rotate ROUND ITEM...: the items, starting at position (ROUND - 1) mod count.
rotate() {
  local round="$1"; shift
  local items=("$@") n=$# i
  for ((i = 0; i < n; i++)); do echo "${items[$(((round - 1 + i) % n))]}"; done
}

start() {  # start LOG COMMAND...: starts a server on the serving CPUs; its pid is in $last_pid
  local log="$1"; shift
  # A plain command in the background, not a function: $! must be the server itself (nice and
  # taskset exec it), so that stop_all signals the server and not a subshell.
  "${server_run[@]}" "$@" >"$log" 2>&1 &
  last_pid=$!
  started_pids+=("$last_pid")
}

wait_http() {  # wait_http URL SECONDS PID: until URL answers 200; fails if PID exits first
  local deadline=$((SECONDS + $2))
  while [ $SECONDS -lt $deadline ]; do
    curl -sf -o /dev/null --max-time 2 "$1" && return 0
    kill -0 "$3" 2>/dev/null || return 1
    sleep 0.1
  done
  return 1
}

start_ggufd() {  # start_ggufd CONFIG PORT SERVICE [BUILD_DIR]: its pid is in $last_pid
  start "$work/ggufd-$2.log" "${4:-$build}/ggufd" serve --config "$1"
  wait_http "http://127.0.0.1:$2/health/$3" 120 "$last_pid" ||
    { tail -n 30 "$work/ggufd-$2.log" >&2; echo "bench.sh: ggufd (${4:-$build}) did not become ready" >&2; exit 1; }
}

# fill_template TEMPLATE OUT NAME=VALUE...: the template with every @NAME@ replaced by VALUE.
fill_template() {
  local template="$1" out="$2" pair expressions=()
  shift 2
  for pair in "$@"; do expressions+=(-e "s|@${pair%%=*}@|${pair#*=}|g"); done
  sed "${expressions[@]}" "$template" >"$out"
}

start_nginx() {  # start_nginx UPSTREAM_PORT LISTEN_PORT WORKER_PROCESSES
  local dir="$work/nginx-$2"
  mkdir -p "$dir"
  fill_template "$root/bench/nginx/nginx.conf.in" "$dir/nginx.conf" DIR="$dir" UPSTREAM_PORT="$1" \
    LISTEN_PORT="$2" WORKERS="$3"
  start "$dir/stderr.log" nginx -p "$dir" -e "$dir/error.log" -c "$dir/nginx.conf"
  nginx_pid=$last_pid
  wait_http "http://127.0.0.1:$2/health" 30 "$nginx_pid" ||
    { cat "$dir/error.log" "$dir/stderr.log" >&2; echo "bench.sh: nginx did not start" >&2; exit 1; }
}

start_haproxy() {  # start_haproxy UPSTREAM_PORT LISTEN_PORT THREADS
  local dir="$work/haproxy-$2"
  mkdir -p "$dir"
  fill_template "$root/bench/haproxy/haproxy.cfg.in" "$dir/haproxy.cfg" DIR="$dir" UPSTREAM_PORT="$1" \
    LISTEN_PORT="$2" THREADS="$3"
  start "$dir/haproxy.log" haproxy -db -f "$dir/haproxy.cfg"
  haproxy_pid=$last_pid
  wait_http "http://127.0.0.1:$2/health" 30 "$haproxy_pid" ||
    { cat "$dir/haproxy.log" >&2; echo "bench.sh: haproxy did not start" >&2; exit 1; }
}

start_router() {  # start_router MODELS_DIR PORT LLAMA_SERVER_ARGS...
  local dir="$1" port="$2"; shift 2
  start "$work/router-$port.log" "$llama_server" --models-dir "$dir" --host 127.0.0.1 --port "$port" "$@"
  router_pid=$last_pid
  wait_http "http://127.0.0.1:$port/health" 60 "$router_pid" ||
    { tail -n 30 "$work/router-$port.log" >&2; echo "bench.sh: the llama-server router did not start" >&2; exit 1; }
}

stop_all() {  # stops what start started, newest first, and waits for each
  local i pid
  for ((i = ${#started_pids[@]} - 1; i >= 0; i--)); do
    pid="${started_pids[$i]}"
    kill -TERM "$pid" 2>/dev/null || true
    wait "$pid" 2>/dev/null || true
  done
  started_pids=()
  ggufd_pid="" baseline_pid="" nginx_pid="" haproxy_pid="" router_pid=""
}

# write_fake_config FILE LISTEN_PORT FAKE_PORT WORKERS INTERVAL: a ggufd config that serves this
# build's fake llama-server as "fast" (the baseline too: every ggufd gets the same upstream).
write_fake_config() {
  local fake_args='"--fake-tokens", "1000000"'  # requests choose how many with max_tokens
  [ "$5" = 0 ] || fake_args="$fake_args, \"--fake-token-interval\", \"$5\""
  : >"$work/fast.gguf"  # the fake never opens its model
  cat >"$1" <<EOF
listen = "127.0.0.1:$2"
llama_server = "$build/fake-llama-server"
models_dir = ""
workers = $4
[defaults]
gpus = []
[services.fast]
model = "$work/fast.gguf"
port = $3
args = [$fake_args]
EOF
}

# start_fake_targets LOOPS INTERVAL: the fake upstream started by ggufd (direct, nginx and HAProxy
# reach that very process), ggufd in front of it, nginx and HAProxy beside it, and the baseline
# ggufd in front of a fake of its own; each proxy runs LOOPS event loops (ggufd's workers, nginx's
# worker_processes, HAProxy's nbthread). Sets loops, fake_port and each target's *_port.
start_fake_targets() {
  loops="$1"
  ggufd_port="$(free_port)" fake_port="$(free_port)" nginx_port="$(free_port)" haproxy_port="$(free_port)"
  write_fake_config "$work/ggufd-$ggufd_port.toml" "$ggufd_port" "$fake_port" "$loops" "$2"
  note "fake upstream, $loops event loop(s) per proxy: ggufd on :$ggufd_port, the fake on :$fake_port, nginx on :$nginx_port, HAProxy on :$haproxy_port"
  start_ggufd "$work/ggufd-$ggufd_port.toml" "$ggufd_port" fast
  ggufd_pid=$last_pid
  start_nginx "$fake_port" "$nginx_port" "$loops"
  start_haproxy "$fake_port" "$haproxy_port" "$loops"
  baseline_port=""
  if [ -n "$baseline_build" ]; then
    local baseline_fake_port
    baseline_port="$(free_port)" baseline_fake_port="$(free_port)"
    write_fake_config "$work/ggufd-$baseline_port.toml" "$baseline_port" "$baseline_fake_port" "$loops" "$2"
    note "baseline (ggufd at $baseline_commit) on :$baseline_port, its fake on :$baseline_fake_port"
    start_ggufd "$work/ggufd-$baseline_port.toml" "$baseline_port" fast "$baseline_build"
    baseline_pid=$last_pid
  fi
}

# The current fake set's targets as NAME=PORT, direct (the reference) first.
fake_target_specs() {
  echo "direct=$fake_port ggufd=$ggufd_port ${baseline_port:+baseline=$baseline_port }nginx=$nginx_port haproxy=$haproxy_port"
}

# The end of the servers' logs, kept beside the results (git-ignored) for reading after the
# run. Only the end: a real llama-server logs ~10 lines per request, tens of MB per run.
save_logs() {
  local dir="$root/bench/results/$stamp.logs" log
  mkdir -p "$dir"
  for log in "$work"/*.log; do
    [ -s "$log" ] && tail -n 5000 "$log" >"$dir/$(basename "$log")"
  done
  for log in "$work"/nginx-*/error.log "$work"/haproxy-*/haproxy.log; do
    [ -s "$log" ] && tail -n 5000 "$log" >"$dir/$(basename "$(dirname "$log")").log"
  done
  true
}

# The processes whose memory counts for a target: ggufd itself (not its children), nginx's
# master and workers, HAProxy, the router (not the llama-servers it spawns). Empty for direct.
target_pids() {
  case "$1" in
    ggufd) echo "$ggufd_pid" ;;
    baseline) echo "$baseline_pid" ;;
    nginx) echo "$nginx_pid" $(pgrep -P "$nginx_pid" | tr '\n' ' ') ;;
    haproxy) echo "$haproxy_pid" ;;
    router) echo "$router_pid" ;;
  esac
}

record_idle_rss() {  # record_idle_rss UPSTREAM PHASE
  local target pid kib
  [ "$2" = end ] && sleep 1  # let the last connections close
  for target in ggufd baseline nginx haproxy router; do
    [ -n "$(target_pids "$target")" ] || continue
    kib=0
    for pid in $(target_pids "$target"); do
      kib=$((kib + $(awk '/^VmRSS:/ { print $2 }' "/proc/$pid/status")))
    done
    record "{\"kind\":\"rss\",\"upstream\":\"$1\",\"loops\":$loops,\"target\":\"$target\",\"phase\":\"$2\",\"kib\":$kib}"
  done
}

check_target() {  # check_target NAME PORT MODEL: one request must answer 200 with a completion
  local body
  body="$(curl -sf --max-time 30 "http://127.0.0.1:$2/v1/chat/completions" \
    -d "{\"model\":\"$3\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}],\"max_tokens\":4}")" &&
    case "$body" in *'"choices"'*) return 0 ;; esac
  echo "bench.sh: $1 on :$2 did not answer a chat completion for '$3': ${body:-no 200 answer}" >&2
  exit 1
}

cpu_ticks() {  # cpu_ticks PID...: user + system CPU time used so far, in clock ticks, summed
  local pid total=0
  for pid in "$@"; do
    # Fields after "pid (comm) ": utime and stime are the 12th and 13th.
    total=$((total + $(sed 's/.*) //' "/proc/$pid/stat" | awk '{ print $12 + $13 }')))
  done
  echo "$total"
}

# run_wrk UPSTREAM TARGET PORT CONCURRENCY ROUND SECONDS MODEL: prints the raw record, with the
# proxy's CPU time per request when the target is a proxy.
run_wrk() {
  local threads=2 out status=0 pids before=0
  [ "$4" -lt 2 ] && threads=1
  pids="$(target_pids "$2")"
  [ -n "$pids" ] && before="$(cpu_ticks $pids)"
  out="$(BENCH_MODEL="$7" BENCH_MAX_TOKENS="$chat_max_tokens" "${client_run[@]}" \
    wrk -t "$threads" -c "$4" -d "${6}s" --timeout 10s -s "$root/bench/wrk/chat.lua" \
    "http://127.0.0.1:$3/v1/chat/completions" 2>&1)" || status=$?
  local result
  result="$(printf '%s\n' "$out" | grep '^{"requests"' | tail -1)"
  if [ -n "$pids" ] && [ -n "$result" ]; then
    local used requests
    used=$(($(cpu_ticks $pids) - before))
    requests="$(printf '%s' "$result" | sed 's/^{"requests":\([0-9]*\).*/\1/')"
    [ "$requests" -gt 0 ] && result="${result%\}},\"cpu_us_per_request\":$(awk -v t="$used" -v hz="$(getconf CLK_TCK)" -v n="$requests" 'BEGIN { printf "%.2f", t * 1e6 / hz / n }')}"
  fi
  local head="{\"kind\":\"chat\",\"upstream\":\"$1\",\"loops\":$loops,\"target\":\"$2\",\"concurrency\":$4,\"round\":$5"
  if [ "$status" = 0 ] && [ -n "$result" ]; then
    echo "$head,\"result\":$result}"
  else
    echo "$head,\"result\":null,\"error\":$(json_string "wrk exited with status $status: $(printf '%s' "$out" | tail -3)")}"
  fi
}

# run_sse UPSTREAM TARGET PORT CONCURRENCY ROUND MODEL CHECK_INDEX REFERENCE: prints the raw
# record; a direct run (no REFERENCE) also saves its output as the round's reference.
run_sse() {
  local upstream="$1" target="$2" port="$3" c="$4" round="$5" model="$6" check="$7" reference="$8"
  local args=(--url "http://127.0.0.1:$port/v1/chat/completions" --model "$model" --tokens "$tokens"
    -c "$c" --duration "${duration}s" --warmup 500ms)
  [ "$check" = 1 ] && args+=(--check-index)
  [ "$new_connections" = 1 ] && args+=(--new-connections)
  [ -n "$reference" ] && [ -s "$reference" ] && args+=(--reference "$reference")
  local pid
  for pid in $(target_pids "$target"); do args+=(--watch-pid "$pid"); done
  local out status=0 err="$work/sse-bench.err"
  out="$("${client_run[@]}" "$build/sse-bench" "${args[@]}" 2>"$err")" || status=$?
  [ -z "$reference" ] && printf '%s\n' "$out" >"$work/stream-$upstream-$c-$round-direct.json"
  local head="{\"kind\":\"stream\",\"upstream\":\"$upstream\",\"loops\":$loops,\"target\":\"$target\",\"concurrency\":$c,\"round\":$round"
  if [ -n "$out" ]; then
    echo "$head,\"result\":$out}"
  else
    echo "$head,\"result\":null,\"error\":$(json_string "sse-bench exited with status $status: $(tail -3 "$err")")}"
  fi
}
