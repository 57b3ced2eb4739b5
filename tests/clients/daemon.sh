#!/usr/bin/env bash
# Sourced by the shell client tests: a scratch directory ($dir) removed on exit with the daemon,
# and start_daemon, which runs ggufd (GGUFD_BINARY) on an ephemeral port ($port) against the
# fake llama-server (FAKE_LLAMA_SERVER) and waits until a service is ready.

source "$(dirname "${BASH_SOURCE[0]}")/../support/scratch.sh"
port=$(free_port)

# start_daemon SERVICE: the rest of the config (sections, services) comes on stdin. Returns once
# /health/SERVICE answers 200; fails the test, showing the daemon's log, if it does not in 60 s.
start_daemon() {
    local child_ports=$((20000 + RANDOM % 10000))
    {
        printf 'listen = "127.0.0.1:%s"\nport_range = "%s-%s"\nmodels_dir = ""\nllama_server = "%s"\n' \
            "$port" "$child_ports" "$((child_ports + 10))" "$FAKE_LLAMA_SERVER"
        cat
    } > "$dir/ggufd.toml"
    "$GGUFD_BINARY" serve --config "$dir/ggufd.toml" > "$dir/log" 2>&1 &
    daemon_pid=$!
    for _ in $(seq 600); do
        curl -sf "http://127.0.0.1:$port/health/$1" > /dev/null && return 0
        sleep 0.1
    done
    echo "FAIL: service $1 was not ready within 60 s"
    cat "$dir/log"
    exit 1
}
