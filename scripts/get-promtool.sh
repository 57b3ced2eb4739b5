#!/usr/bin/env bash
# Puts Prometheus' promtool where the test suite finds it, without installing the prometheus
# package (which would also start a Prometheus server): the Debian 12 package is downloaded and
# only /usr/bin/promtool is unpacked into ${XDG_CACHE_HOME:-~/.cache}/ggufd/promtool/. Prints
# its path. A promtool already on PATH is used as is.
set -euo pipefail

if command -v promtool >/dev/null; then command -v promtool; exit 0; fi
cache="${XDG_CACHE_HOME:-$HOME/.cache}/ggufd/promtool"
if [ ! -x "$cache/promtool" ]; then
  work=$(mktemp -d)
  trap 'rm -rf "$work"' EXIT
  (cd "$work" && apt-get download -qq prometheus >/dev/null 2>&1) ||
    { echo "get-promtool: 'apt-get download prometheus' failed (run apt-get update?)" >&2; exit 1; }
  dpkg-deb --fsys-tarfile "$work"/prometheus_*.deb | tar -x -C "$work" ./usr/bin/promtool
  mkdir -p "$cache"
  mv "$work/usr/bin/promtool" "$cache/promtool"
fi
echo "$cache/promtool"
