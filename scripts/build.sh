#!/usr/bin/env bash
# Configures and builds ggufd with CMake + Ninja into BUILD_DIR (default build/); extra
# arguments go to CMake (e.g. -DGGUFD_SANITIZE=address).
#   scripts/build.sh [BUILD_DIR] [CMAKE_ARGS...]
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
build="${1:-$root/build}"
shift || true
cmake -S "$root" -B "$build" -G Ninja "$@" >/dev/null
cmake --build "$build" -j "$(nproc)"
