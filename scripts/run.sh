#!/usr/bin/env bash
# From a fresh Debian 12 machine to a running daemon: installs the packages ggufd needs, builds
# the daemon alone (Release, stripped, no tests) into build-release/, and runs `ggufd serve` in
# the foreground on the config every ggufd command reads: $XDG_CONFIG_HOME/ggufd/ggufd.toml
# (~/.config/ggufd/ggufd.toml), else /etc/ggufd/ggufd.toml. When neither exists, the shipped
# config/ggufd.toml is copied to the first one first. Extra arguments go to `ggufd serve`.
#   scripts/run.sh [--log-level debug] ...
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
build="$root/build-release"

"$root/scripts/setup.sh"
cmake -S "$root" -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=Release -DGGUFD_BUILD_TESTS=OFF -DGGUFD_STRIP=ON >/dev/null
cmake --build "$build" -j "$(nproc)" --target ggufd

config="${XDG_CONFIG_HOME:-$HOME/.config}/ggufd/ggufd.toml"
case "$config" in /*) ;; *) config="$HOME/.config/ggufd/ggufd.toml" ;; esac  # XDG: relative values are ignored
if [ ! -e "$config" ] && [ ! -e /etc/ggufd/ggufd.toml ]; then
  install -Dm644 "$root/config/ggufd.toml" "$config"
  echo "run.sh: copied config/ggufd.toml to $config; edit it there (every ggufd command reads it)"
fi
exec "$build/ggufd" serve "$@"
