#!/usr/bin/env bash
# Builds the libFuzzer target for the loader and runs it.
#   tests/fuzz/run-fuzzer.sh [SECONDS]   (default 600)
# The seed corpus is the bundled sample model plus small models the script writes;
# findings land in build-fuzz/findings/.
set -euo pipefail
cd "$(dirname "$0")/../.."
seconds=${1:-600}

if ! command -v clang++-16 >/dev/null; then
  SUDO=""; [ "$(id -u)" -eq 0 ] || SUDO=sudo
  $SUDO apt-get install -y -q --no-install-recommends clang-16 libclang-rt-16-dev
fi
cmake --preset fuzz >/dev/null
cmake --build --preset fuzz --target fuzz_model_loader

corpus=build-fuzz/corpus
mkdir -p "$corpus" build-fuzz/findings
cp -f resources/sample/*.onnx "$corpus/" 2>/dev/null || true
/usr/bin/python3 tests/fuzz/make_seeds.py "$corpus"

./build-fuzz/tests/fuzz/fuzz_model_loader "$corpus" \
  -max_total_time="$seconds" -max_len=262144 -rss_limit_mb=4096 -timeout=10 \
  -artifact_prefix=build-fuzz/findings/ -print_final_stats=1 2>&1 | tee build-fuzz/fuzz.log | grep -E "^#|stat::|ERROR|SUMMARY" | tail -20
