#!/usr/bin/env bash
# The cost and the gain of a fleet (docs/SCALE-OUT.md), measured in one run on this machine:
#  1. On the fast fake upstream: a chat completion sent directly to a child, through one ggufd,
#     and through HAProxy in front of two ggufd nodes (each with its own fake child): the p50
#     latency each hop adds at c=1 and c=8, and requests/s at c=64.
#  2. On a CPU-bound upstream: tokens/s through HAProxy in front of 1, 2 and 3 nodes. Each node's
#     llama-server decodes a model heavy enough that decoding dominates, with one thread pinned
#     to one CPU (cpu_affinity) and one slot, so a node's capacity is one core's worth of
#     decoding. With N cores, N nodes can at best serve N times one node; on a 2-core machine the
#     third node shares a core with the first (it shows what oversubscription costs, not a gain),
#     and the load generator, HAProxy and ggufd take their share of the same two cores.
# Prints the tables and writes them to bench/results/cluster-<date>-<commit>.md. Everything runs
# on loopback and is stopped when the script exits.
#   bench/cluster.sh [--quick] [--rounds N] [--duration SECONDS] [--build DIR]
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
build="$root/build-bench"
source "$root/bench/lib.sh"

rounds=3 duration=5 quick=0
cpu_tokens=64  # tokens per request on the CPU-bound upstream (a request takes seconds there)
usage() {
  cat <<EOF
usage: bench/cluster.sh [options]
  --quick         one round of 2 s per measurement (16-token requests on the CPU-bound upstream),
                  to check that it works; results are marked quick
  --rounds N      rounds; each measurement is repeated N times and the median reported (default 3)
  --duration S    seconds per measurement (default 5)
  --build DIR     use the ggufd binaries already built in DIR (default: build a Release tree in build-bench)
EOF
}
reuse_build=0
while [ $# -gt 0 ]; do
  case "$1" in
    --quick) quick=1 rounds=1 duration=2 cpu_tokens=16 ;;
    --rounds) rounds="$2"; shift ;;
    --duration) duration="$2"; shift ;;
    --build) build="$(cd "$2" && pwd)" reuse_build=1; shift ;;
    -h|--help) usage; exit 0 ;;
    *) echo "cluster.sh: unknown option '$1'" >&2; usage >&2; exit 2 ;;
  esac
  shift
done

# What lib.sh's helpers expect of their caller.
chat_max_tokens=8 pin=0 niceness=0 new_connections=0 tokens=0 interval=0
client_run=(nice -n 0) server_run=(nice -n 0)
chat_concurrency=(1 8 64)
cpu_concurrency=6      # enough to keep three one-slot nodes busy

require wrk "apt-get install wrk"
require haproxy "apt-get install haproxy (or scripts/setup.sh --test)"
require curl "apt-get install curl"
require python3 "apt-get install python3"
require ss "apt-get install iproute2"
haproxy_bin="$(command -v haproxy)"
llama_server="$(find_llama_server "$root")"
[ -n "$llama_server" ] || note "no llama-server found (GGUFD_TEST_LLAMA_SERVER, ../shared/llama.cpp/llama-server, PATH): the CPU-bound part is skipped"

if [ "$reuse_build" = 0 ]; then
  note "building in $build (Release)"
  cmake -S "$root" -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=Release -DGGUFD_BUILD_BENCH=ON -DGGUFD_BUILD_TESTS=ON >/dev/null
  cmake --build "$build" -j "$(nproc)" --target ggufd fake-llama-server gguf-mkmodel >/dev/null
fi

commit="$(git -C "$root" rev-parse --short HEAD)"
[ -z "$(git -C "$root" status --porcelain --untracked-files=no)" ] || commit="$commit-dirty"
stamp="cluster-$(date -u +%Y-%m-%d)-$commit"
if [ "$quick" = 1 ]; then stamp="$stamp-quick"; fi
work="$(mktemp -d "${TMPDIR:-/tmp}/ggufd-cluster-bench.XXXXXX")"
trap 'stop_all; save_logs; rm -rf "$work"' EXIT
trap 'exit 130' INT TERM
raw="$work/raw.jsonl"
: >"$raw"
record "$(meta_record "$rounds round(s) × ${duration} s per measurement; cluster.sh")"

# start_node NAME LLAMA_SERVER SERVICE_TOML: a ggufd node on loopback with an agent; sets
# node_port.
start_node() {
  local name="$1" program="$2" services="$3"
  local children
  node_port="$(free_port)" children="$(free_port)"  # ggufd checks each child port before use
  cat >"$work/$name.toml" <<EOF
listen = "127.0.0.1:$node_port"
agent_listen = "127.0.0.1:$(free_port)"
llama_server = "$program"
port_range = "$children-$((children + 9))"
models_dir = ""
[defaults]
gpus = []
$services
EOF
  start "$work/$name.log" "$build/ggufd" serve --config "$work/$name.toml"
  wait_http "http://127.0.0.1:$node_port/health" 120 "$last_pid" ||
    { tail -n 30 "$work/$name.log" >&2; echo "cluster.sh: node $name did not start" >&2; exit 1; }
}

# start_balancer NODE_PORT...: HAProxy on the config `ggufd haproxy-config` writes; sets lb_port.
start_balancer() {
  lb_port="$(free_port)"
  local args=(haproxy-config --listen "127.0.0.1:$lb_port" --out "$work/haproxy-$lb_port/haproxy.cfg" --check-interval 500ms)
  local port
  for port in "$@"; do args+=(--node "http://127.0.0.1:$port"); done
  mkdir -p "$work/haproxy-$lb_port"
  "$build/ggufd" "${args[@]}" 2>"$work/haproxy-config.log" ||
    { cat "$work/haproxy-config.log" >&2; echo "cluster.sh: ggufd haproxy-config failed" >&2; exit 1; }
  start "$work/haproxy-$lb_port.log" "$haproxy_bin" -db -f "$work/haproxy-$lb_port/haproxy.cfg"
  wait_http "http://127.0.0.1:$lb_port/health" 60 "$last_pid" ||
    { cat "$work/haproxy-$lb_port.log" >&2; echo "cluster.sh: HAProxy did not start" >&2; exit 1; }
}

# wait_served LB_PORT MODEL COUNT: until COUNT chat completions in a row answer 200 through HAProxy
# (every node's checks have come up).
wait_served() {
  local deadline=$((SECONDS + 120)) ok=0
  while [ $ok -lt "$3" ] && [ $SECONDS -lt $deadline ]; do
    if curl -sf -o /dev/null --max-time 30 "http://127.0.0.1:$1/v1/chat/completions" \
      -d "{\"model\":\"$2\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}],\"max_tokens\":2}"; then
      ok=$((ok + 1))
    else
      ok=0; sleep 0.2
    fi
  done
  [ $ok -ge "$3" ] || { echo "cluster.sh: $2 is not served through HAProxy on :$1" >&2; exit 1; }
}

# --- 1. What each hop adds, on the fast fake upstream -------------------------------------------

: >"$work/fast.gguf"  # the fake never opens its model
fast_service() {  # fast_service PORT: the fake child on a fixed port, so it can be reached directly
  printf '[services.fast]\nmodel = "%s"\nport = %s\nargs = ["--fake-tokens", "1000000"]\n' "$work/fast.gguf" "$1"
}
fake_port="$(free_port)"
start_node a "$build/fake-llama-server" "$(fast_service "$fake_port")"
node_a="$node_port"
ggufd_pid="$last_pid"
start_node b "$build/fake-llama-server" "$(fast_service "$(free_port)")"
node_b="$node_port"
start_balancer "$node_a" "$node_b"
note "fast fake upstream: direct :$fake_port, ggufd :$node_a, HAProxy :$lb_port in front of :$node_a and :$node_b"
check_target direct "$fake_port" fast
check_target ggufd "$node_a" fast
wait_served "$lb_port" fast 10
targets=("direct=$fake_port" "ggufd=$node_a" "haproxy=$lb_port")
for spec in "${targets[@]}"; do run_wrk fake "${spec%%=*}" "${spec#*=}" 8 0 1 fast >/dev/null; done  # warm-up
for round in $(seq 1 "$rounds"); do
  note "fast fake upstream: round $round of $rounds"
  for c in "${chat_concurrency[@]}"; do
    for spec in $(rotate "$round" "${targets[@]}"); do
      record "$(run_wrk fake "${spec%%=*}" "${spec#*=}" "$c" "$round" "$duration" fast)"
    done
  done
done
stop_all

# --- 2. Tokens/s of 1, 2 and 3 nodes on a CPU-bound upstream -------------------------------------

if [ -n "$llama_server" ]; then
  "$build/gguf-mkmodel" -o "$work/heavy.gguf" --layers 8 --embedding 512 --heads 8 --kv-heads 8 \
    --feed-forward 1536 --context 4096 >/dev/null
  cpus="$(nproc)"
  for nodes in 1 2 3; do
    ports=()
    for ((i = 0; i < nodes; i++)); do
      start_node "cpu$i" "$llama_server" "$(printf '[services.heavy]\nmodel = "%s"\nparallel = 1\nctx_size = 2048\ncpu_affinity = "%d"\nargs = ["--threads", "1"]\n' \
        "$work/heavy.gguf" "$((i % cpus))")"
      wait_http "http://127.0.0.1:$node_port/health/heavy" 120 "$last_pid" ||
        { tail -n 30 "$work/cpu$i.log" >&2; echo "cluster.sh: node cpu$i did not load the model" >&2; exit 1; }
      ports+=("$node_port")
    done
    start_balancer "${ports[@]}"
    wait_served "$lb_port" heavy 3
    note "CPU-bound upstream: $nodes node(s) behind HAProxy :$lb_port"
    for round in $(seq 1 "$rounds"); do
      record "$(chat_max_tokens=$cpu_tokens run_wrk cpu "$nodes-node" "$lb_port" "$cpu_concurrency" "$round" "$((duration * 3))" heavy)"
    done
    stop_all
  done
fi

record "$(meta_end_record)"

# --- The tables ------------------------------------------------------------------------------------

mkdir -p "$root/bench/results"
cp "$raw" "$root/bench/results/$stamp.raw.jsonl"
python3 - "$raw" "$quick" "$cpu_tokens" "$(nproc)" "$cpu_concurrency" >"$root/bench/results/$stamp.md" <<'EOF'
import json, statistics, sys

records = [json.loads(line) for line in open(sys.argv[1]) if line.strip()]
quick = sys.argv[2] == "1"
tokens_per_request = int(sys.argv[3])
cpus = sys.argv[4]
concurrency = sys.argv[5]
meta = {}
for r in records:
    if r["kind"] == "meta":
        meta.update(r["meta"])

def median(values):
    return statistics.median(values) if values else None

print("# Scale-out benchmark" + (" (quick run: a check that the script works, not figures)" if quick else ""))
print()
for key in ("date", "commit", "machine", "load average at start", "load average at end"):
    if key in meta:
        print(f"- {key}: {meta[key]}")
print()

chat = {}
nodes = {}
for r in records:
    if r["kind"] == "chat" and r["upstream"] == "cpu" and r["result"]:
        nodes.setdefault(int(r["target"].split("-")[0]), []).append(r["result"])
    elif r["kind"] == "chat" and r["result"]:
        chat.setdefault((r["target"], r["concurrency"]), []).append(r["result"])
print("## What each hop adds (fast fake upstream, 8-token chat completions, keep-alive)")
print()
print("| target | c | p50 µs | added p50 µs | p99 µs | requests/s | ÷ direct | errors |")
print("|---|---|---|---|---|---|---|---|")
for c in sorted({c for _, c in chat}):
    direct_p50 = median([x["p50_us"] for x in chat.get(("direct", c), [])])
    direct_rps = median([x["rps"] for x in chat.get(("direct", c), [])])
    for target in ("direct", "ggufd", "haproxy"):
        runs = chat.get((target, c))
        if not runs:
            continue
        p50 = median([x["p50_us"] for x in runs])
        rps = median([x["rps"] for x in runs])
        added = "—" if target == "direct" or direct_p50 is None else f"{p50 - direct_p50:+.0f}"
        ratio = "—" if target == "direct" or not direct_rps else f"{rps / direct_rps:.2f}×"
        errors = sum(x["errors"] for x in runs)
        print(f"| {target} | {c} | {p50:.0f} | {added} | {median([x['p99_us'] for x in runs]):.0f} | {rps:.0f} | {ratio} | {errors} |")
print()
print("direct: one fake child; ggufd: one node in front of it; haproxy: HAProxy in front of two ggufd nodes, each with its own fake child.")
print()

if nodes:
    print(f"## Nodes behind HAProxy on a CPU-bound upstream ({cpus} CPUs; one llama-server thread on one CPU per node)")
    print()
    print("| nodes | tokens/s | ÷ one node | p50 s per request | errors |")
    print("|---|---|---|---|---|")
    def tokens_per_second(runs):
        return median([x["rps"] * tokens_per_request for x in runs])
    one = tokens_per_second(nodes.get(1, []))
    for n in sorted(nodes):
        tps = tokens_per_second(nodes[n])
        ratio = f"{tps / one:.2f}×" if one else "—"
        p50 = median([x["p50_us"] for x in nodes[n]]) / 1e6
        print(f"| {n} | {tps:.1f} | {ratio} | {p50:.1f} | {sum(x['errors'] for x in nodes[n])} |")
    print()
    print(f"{tokens_per_request} tokens per request, {concurrency} clients; tokens/s counts the requests completed within each measurement.")
    print()
EOF
echo
cat "$root/bench/results/$stamp.md"
note "results: bench/results/$stamp.md (raw records: $stamp.raw.jsonl)"
