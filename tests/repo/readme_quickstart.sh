#!/usr/bin/env bash
# The README's quick start, run as a user would after scripts/run.sh: a home with one GGUF in
# ~/models, the shipped config copied to ~/.config/ggufd/ggufd.toml (as run.sh does), llama-server
# on PATH, `ggufd serve` started as run.sh starts it, then the README's command block as it is
# written. Only the ports (8080 and 2000-2099 are the user's; tests take free ones), the binary's
# path (build-release/ggufd) and the context size are changed. Run by CTest with GGUFD_BINARY and GGUF_MKMODEL set; exit 77
# (skipped) without a llama-server.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"

llama_server="${GGUFD_TEST_LLAMA_SERVER:-}"
[ -n "$llama_server" ] || { [ -x "$root/../shared/llama.cpp/llama-server" ] && llama_server="$root/../shared/llama.cpp/llama-server"; } || true
[ -n "$llama_server" ] || llama_server="$(command -v llama-server || true)"
if [ -z "$llama_server" ] || [ ! -x "$llama_server" ]; then
  echo "*** SKIPPED: no llama-server found (GGUFD_TEST_LLAMA_SERVER, ../shared/llama.cpp/llama-server, PATH) ***"
  exit 77
fi

source "$root/tests/support/scratch.sh"

home="$dir/home"
mkdir -p "$home/models" "$home/.config/ggufd" "$dir/bin"
"$GGUF_MKMODEL" -o "$home/models/tiny-chat.gguf" >/dev/null
ln -s "$llama_server" "$dir/bin/llama-server"
port=$(free_port)
children=$((20000 + RANDOM % 10000))
# A random model never says it is done: a small context ends the chat's reply (which sets no
# max_tokens) after a few hundred tokens.
sed -e "s/127.0.0.1:8080/127.0.0.1:$port/" -e "s/^port_range = \"2000-2099\"/port_range = \"$children-$((children + 9))\"/" \
  -e '/^\[defaults\]$/a ctx_size = 256' "$root/config/ggufd.toml" > "$home/.config/ggufd/ggufd.toml"
grep -q "127.0.0.1:$port" "$home/.config/ggufd/ggufd.toml" || { echo "FAIL: config/ggufd.toml no longer listens on 8080"; exit 1; }

export HOME="$home" PATH="$dir/bin:$PATH"
unset XDG_CONFIG_HOME GGUFD_LLAMA_SERVER GGUFD_MODELS_DIR GGUFD_API_KEY
"$GGUFD_BINARY" serve > "$dir/daemon.log" 2>&1 &   # what run.sh ends with
daemon_pid=$!
for _ in $(seq 300); do
  curl -s -o /dev/null "http://127.0.0.1:$port/health" && break
  sleep 0.1
done

# The block after the quickstart-commands marker, with the port and the binary's path replaced.
block=$(awk '/<!-- quickstart-commands/ {marker=1; next} marker && /^```sh$/ {inside=1; next} inside && /^```$/ {exit} inside {print}' "$root/README.md")
[ -n "$block" ] || { echo "FAIL: no quickstart-commands block in README.md"; exit 1; }
block=${block//127.0.0.1:8080/127.0.0.1:$port}
block=${block//build-release\/ggufd/$GGUFD_BINARY}

# stdin is what a user would type into the chat at the end.
if ! output=$(bash -euo pipefail -c "$block" <<< "Hi" 2>&1); then
  echo "FAIL: the quick start's commands failed:"; echo "$output"; echo "--- daemon log:"; tail -n 30 "$dir/daemon.log"
  exit 1
fi
failures=0
check() { grep -q -- "$1" <<< "$output" || { echo "FAIL: expected $2"; failures=$((failures + 1)); }; }
check '"id":"tiny-chat"' "/v1/models to list the model named after its file"
check 'data: \[DONE\]' "the curl stream to end with data: [DONE]"
check '"finish_reason":"' "the reply to end (max_tokens, or the model's own end)"
check 'tiny-chat  *ready' "ggufd status to show the model ready"
if [ "$failures" -gt 0 ]; then echo "$output"; exit 1; fi
echo "README quick start: ok"
