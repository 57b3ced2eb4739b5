#!/usr/bin/env bash
# /metrics as Prometheus' own tools read it: the official Python client (every family typed and
# whole) and `promtool check metrics` (the exposition format's lint). Run by CTest with
# GGUFD_BINARY, FAKE_LLAMA_SERVER and PROMTOOL set; a missing tool is reported as skipped (77).
set -euo pipefail

python=""
for candidate in python3 /usr/bin/python3; do
    if "$candidate" -c 'import prometheus_client' 2>/dev/null; then python="$candidate"; break; fi
done

dir=$(mktemp -d)
daemon_pid=
cleanup() {
    [ -n "$daemon_pid" ] && kill "$daemon_pid" 2>/dev/null && wait "$daemon_pid" 2>/dev/null || true
    rm -rf "$dir"
}
trap cleanup EXIT

port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
child_ports=$((20000 + RANDOM % 10000))
touch "$dir/a.gguf" "$dir/b.gguf"
cat > "$dir/ggufd.toml" <<TOML
listen = "127.0.0.1:$port"
port_range = "$child_ports-$((child_ports + 10))"
models_dir = ""
llama_server = "$FAKE_LLAMA_SERVER"
[memory]
budget = { "0" = "1GiB" }
[services.a]
model = "$dir/a.gguf"
[services.b]
model = "$dir/b.gguf"
load = "lazy"
TOML
"$GGUFD_BINARY" serve --config "$dir/ggufd.toml" > "$dir/log" 2>&1 &
daemon_pid=$!
for _ in $(seq 600); do
    curl -sf "http://127.0.0.1:$port/health/a" > /dev/null && break
    sleep 0.1
done
curl -sf "http://127.0.0.1:$port/v1/chat/completions" -d '{"model":"a","messages":[]}' > /dev/null ||
    { echo "FAIL: the completion failed"; cat "$dir/log"; exit 1; }
curl -sf "http://127.0.0.1:$port/metrics" > "$dir/metrics"

skipped=()
if [ -n "$python" ]; then
    "$python" "$(dirname "$0")/parse_metrics.py" < "$dir/metrics" || { cat "$dir/metrics"; exit 1; }
else
    skipped+=("prometheus_client (Debian python3-prometheus-client) not importable")
fi
if [ -n "${PROMTOOL:-}" ] && [ -x "$PROMTOOL" ]; then
    "$PROMTOOL" check metrics < "$dir/metrics" || { echo "FAIL: promtool check metrics"; exit 1; }
    echo "promtool check metrics: clean"
else
    skipped+=("promtool not found (scripts/get-promtool.sh fetches it)")
fi
if [ ${#skipped[@]} -gt 0 ]; then
    printf '*** SKIPPED: %s ***\n' "${skipped[@]}"
    exit 77
fi
