#!/usr/bin/env bash
# Packs what bench/gpu/proof.py needs on an NVIDIA machine that has no package registry into
# .gpu/ (git-ignored via .git/info/exclude): Release builds of ggufd, gguf-mkmodel and sse-bench,
# the Debian shared libraries they link that a stock Ubuntu may lack, the CUDA llama-server from
# ../shared/llama.cpp-cuda (still xz-compressed), and run.sh, the command to run there.
#   bench/gpu/bundle.sh            then: device run with carry [".gpu"], command ".gpu/run.sh"
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
bundle="$root/.gpu"
build="$root/build-gpu"

exclude="$(git -C "$root" rev-parse --git-path info/exclude)"
mkdir -p "$(dirname "$exclude")"
grep -qx '/.gpu/' "$exclude" 2>/dev/null || echo '/.gpu/' >> "$exclude"
cmake -S "$root" -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=Release -DGGUFD_BUILD_TESTS=ON -DGGUFD_BUILD_BENCH=ON >/dev/null
cmake --build "$build" -j "$(nproc)" --target ggufd gguf-mkmodel sse-bench

rm -rf "$bundle"
mkdir -p "$bundle/bin" "$bundle/lib"
for program in ggufd gguf-mkmodel sse-bench; do
  install -m755 "$build/$program" "$bundle/bin/"
  strip "$bundle/bin/$program"
done
# Every library they link except the C and C++ runtimes, which the target has in newer versions.
ldd "$bundle"/bin/* | awk '/=> \//{print $3}' | sort -u | while read -r lib; do
  case "$(basename "$lib")" in
    libc.so*|libm.so*|libstdc++.so*|libgcc_s.so*|ld-linux*|libpthread.so*|libdl.so*|librt.so*) ;;
    *) cp -L "$lib" "$bundle/lib/" ;;
  esac
done
cp "$root/../shared/llama.cpp-cuda/llama-server.xz" "$bundle/"
cp "$root/bench/gpu/proof.py" "$bundle/"
cat > "$bundle/run.sh" <<'RUN'
#!/usr/bin/env bash
# On the NVIDIA machine: unpack llama-server, then run the proof; results land in $OUT.
# Arguments go to proof.py (e.g. --steps relay). Only our own programs see the carried
# libraries (through wrappers), so the system's tools keep their own.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
[ -x /tmp/llama-server ] || { xz -dc "$here/llama-server.xz" > /tmp/llama-server && chmod +x /tmp/llama-server; }
wrapped=/tmp/ggufd-bundle
mkdir -p "$wrapped/bin"
for program in ggufd gguf-mkmodel sse-bench; do
  printf '#!/bin/sh\nLD_LIBRARY_PATH=%s/lib exec %s/bin/%s "$@"\n' "$here" "$here" "$program" > "$wrapped/bin/$program"
  chmod +x "$wrapped/bin/$program"
done
out="${OUT:-/tmp/gpu-proof}"
mkdir -p "$out"
nvidia-smi | tee "$out/nvidia-smi.txt"
status=0
python3 "$here/proof.py" --bundle "$wrapped" --llama-server /tmp/llama-server --out "$out" \
  --work /tmp/ggufd-gpu-work --commit "$(cat "$here/COMMIT")" "$@" 2>&1 | tee "$out/proof.log" || status=$?
# The daemons' configs and logs, in one file (what comes back from the machine is few files).
tar czf "$out/work.tgz" -C /tmp/ggufd-gpu-work . 2>/dev/null || true
exit "$status"
RUN
chmod +x "$bundle/run.sh"
git -C "$root" rev-parse --short HEAD > "$bundle/COMMIT"
du -sh "$bundle"
