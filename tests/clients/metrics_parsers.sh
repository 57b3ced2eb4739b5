#!/usr/bin/env bash
# /metrics as Prometheus' own tools read it: the official Python client (every family typed and
# whole) and `promtool check metrics` (the exposition format's lint). Run by CTest with
# GGUFD_BINARY, FAKE_LLAMA_SERVER and PROMTOOL set; a missing tool is reported as skipped (77).
set -euo pipefail

python=""
for candidate in python3 /usr/bin/python3; do
    if "$candidate" -c 'import prometheus_client' 2>/dev/null; then python="$candidate"; break; fi
done

source "$(dirname "$0")/daemon.sh"
touch "$dir/a.gguf" "$dir/b.gguf"
start_daemon a <<TOML
[memory]
budget = { "0" = "1GiB" }
[services.a]
model = "$dir/a.gguf"
[services.b]
model = "$dir/b.gguf"
load = "lazy"
TOML
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
