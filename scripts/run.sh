#!/usr/bin/env bash
# From a fresh Debian 12 machine to a running daemon: installs what is needed, builds, and
# starts `ggufd serve` in the foreground on the shipped config (config/ggufd.toml: listens on
# 127.0.0.1:8080 and serves every *.gguf in ~/models). Extra arguments go to `ggufd serve`.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
"$root/scripts/setup.sh"
"$root/scripts/build.sh" "$root/build" -DCMAKE_BUILD_TYPE=RelWithDebInfo
exec "$root/build/ggufd" serve --config "$root/config/ggufd.toml" "$@"
