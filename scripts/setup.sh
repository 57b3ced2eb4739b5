#!/usr/bin/env bash
# Installs the Debian 12 packages ggufd needs: to build and run it (default), plus what the test
# suite uses (--test: clang for the fuzzers, Node.js/npm for the SDK tests, curl, tmux for
# `ggufd chat`, systemd-analyze and man for the user unit, Prometheus' Python client, HAProxy for
# the scale-out suite; promtool comes from scripts/get-promtool.sh), plus what the benchmark
# compares against and profiles with (--bench: nginx, HAProxy, wrk, perf, valgrind). Only missing
# packages are installed; apt-get runs through sudo when not root.
#   scripts/setup.sh [--test] [--bench]
set -euo pipefail

packages=(build-essential cmake ninja-build pkg-config
          libcpp-httplib-dev nlohmann-json3-dev libspdlog-dev libcli11-dev libtomlplusplus-dev libsystemd-dev libsimdjson-dev
          libgtest-dev libgmock-dev)
for option in "$@"; do
  case "$option" in
    --test) packages+=(clang libclang-rt-14-dev nodejs npm curl python3 procps tmux systemd man-db
                       python3-prometheus-client haproxy) ;;
    --bench) packages+=(nginx-light haproxy wrk linux-perf valgrind) ;;
    *) echo "usage: scripts/setup.sh [--test] [--bench]" >&2; exit 2 ;;
  esac
done

missing=()
for package in "${packages[@]}"; do
  # nodejs from NodeSource also provides npm; do not fight it with Debian's npm.
  if [ "$package" = npm ] && command -v npm >/dev/null; then continue; fi
  if [ "$package" = nodejs ] && command -v node >/dev/null; then continue; fi
  dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed" || missing+=("$package")
done
[ ${#missing[@]} -eq 0 ] && exit 0

sudo=""
[ "$(id -u)" -eq 0 ] || sudo="sudo"
echo "Installing: ${missing[*]}"
$sudo apt-get update -qq
DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}"
