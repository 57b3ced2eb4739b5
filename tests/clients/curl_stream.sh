#!/usr/bin/env bash
# curl as a client: `curl -N` sees SSE events through ggufd as they are produced, and the stream
# ends with data: [DONE]. Run by CTest with GGUFD_BINARY and FAKE_LLAMA_SERVER set.
set -euo pipefail

source "$(dirname "$0")/daemon.sh"
touch "$dir/m.gguf"
start_daemon m <<TOML
[services.m]
model = "$dir/m.gguf"
args = ["--fake-tokens", "10", "--fake-token-interval", "100ms"]
TOML

# Timestamp each line as curl prints it: the first token must arrive long before the last.
curl -sN "http://127.0.0.1:$port/v1/chat/completions" \
    -d '{"model":"m","messages":[{"role":"user","content":"hi"}],"stream":true}' |
    while IFS= read -r line; do
        if [ -n "$line" ]; then printf '%s %s\n' "$(date +%s%N)" "$line"; fi
    done > "$dir/events"

first=$(grep -m1 '#0 ' "$dir/events" | cut -d' ' -f1)
last=$(grep -m1 '#9 ' "$dir/events" | cut -d' ' -f1)
tail -n1 "$dir/events" | grep -q 'data: \[DONE\]' || { echo "FAIL: stream did not end with [DONE]"; cat "$dir/events"; exit 1; }
gap_ms=$(( (last - first) / 1000000 ))
# 9 intervals of 100 ms between token 0 and token 9: streamed, not buffered, they are >= 800 ms apart.
if [ "$gap_ms" -lt 800 ]; then
    echo "FAIL: tokens 0 and 9 arrived ${gap_ms} ms apart: the stream was buffered"
    exit 1
fi
echo "curl -N streamed 10 tokens over ${gap_ms} ms and the stream ended with [DONE]"
