#!/usr/bin/env bash
# int8 (weights and activations) latency in ONNX Runtime against the float model, in one run
# (issue 17): resnet18 and mobilenet_v2 (random weights, tests/fixtures/make_reference_models.py,
# folded BatchNorm) are exported by topiary-cli apply with --bits 8 --act-bits 8 --int8-qdq
# (MSE calibration on 32 random 224x224 images; latency does not depend on the ranges),
# also with --bits 7 (int8 weight codes in [-63, 63], ORT's reduce_range: no 16-bit
# saturation in the u8s8 kernels of x86 CPUs without VNNI),
# and as shrunk float exports at about half the MACs: --prune filter:l1:0.35 --round-channels
# (every group keeps a multiple of 8 channels, ORT's blocked NCHWc kernels need that on AVX2)
# and, for comparison, --prune filter:l1:0.3 without rounding (widths like 23). Each
# file is timed by topiary-cli bench (ORT through node, batch 1, one thread, median of RUNS
# runs after 5 warm-up); the files are timed in turn, REPEATS times over, and the table gives
# medians and ratios against the float model of the same repetition set.
#   tests/bench/run-int8-benchmarks.sh [BUILD_DIR] [REPEATS] [RUNS]   (default: build 3 30)
set -euo pipefail
cd "$(dirname "$0")/../.."
build=${1:-build}
reps=${2:-3}
runs=${3:-30}
cli=$build/app/cli/topiary-cli
out=$build/int8-bench
rm -rf "$out" && mkdir -p "$out/models" "$out/images/any"
/usr/bin/python3 tests/fixtures/make_reference_models.py --out "$out/models" --models resnet18,mobilenet_v2 >/dev/null 2>&1
/usr/bin/python3 - "$out/images/any" <<'PY'
import sys, numpy as np
from PIL import Image
rng = np.random.default_rng(0)
for i in range(32):
    Image.fromarray(rng.integers(0, 256, (224, 224, 3), dtype=np.uint8)).save(f"{sys.argv[1]}/{i}.png")
PY
cat > "$out/preprocess.json" <<'JSON'
{"input_name": "input", "layout": "NCHW", "channels": 3, "height": 224, "width": 224,
 "scale": 0.00392156862745098, "mean": [0.485, 0.456, 0.406], "std": [0.229, 0.224, 0.225]}
JSON
for m in resnet18 mobilenet_v2; do
  src=$out/models/${m}_folded.onnx
  "$cli" apply "$src" --bits 8 --act-bits 8 --int8-qdq --calib 32 --calib-method mse \
    --data "$out/images" --preprocess "$out/preprocess.json" -o "$out/${m}_int8.onnx" >/dev/null
  "$cli" apply "$src" --bits 7 --act-bits 8 --int8-qdq --calib 32 --calib-method mse \
    --data "$out/images" --preprocess "$out/preprocess.json" -o "$out/${m}_int8r.onnx" >/dev/null
  "$cli" apply "$src" --prune filter:l1:0.35 --round-channels --shrink -o "$out/${m}_shrunk.onnx" >/dev/null
  "$cli" stats "$src" --prune filter:l1:0.35 --round-channels --json > "$out/${m}_shrunk_stats.json"
  "$cli" apply "$src" --prune filter:l1:0.3 --shrink -o "$out/${m}_unrounded.onnx" >/dev/null
  "$cli" stats "$src" --prune filter:l1:0.3 --json > "$out/${m}_unrounded_stats.json"
done
for rep in $(seq "$reps"); do
  for m in resnet18 mobilenet_v2; do
    for v in folded int8 int8r shrunk unrounded; do
      f=$out/${m}_$v.onnx; [ "$v" = folded ] && f=$out/models/${m}_folded.onnx
      "$cli" bench "$f" --runtime ort --threads 1 --batch 1 --runs "$runs" --warmup 5 --json > "$out/${m}_${v}_$rep.json"
    done
  done
done
/usr/bin/python3 - "$out" "$reps" <<'PY'
import json, statistics, sys
out, reps = sys.argv[1], int(sys.argv[2])
def med(m, v):
    return statistics.median(json.load(open(f"{out}/{m}_{v}_{r}.json"))["results"][0]["median_ms"] for r in range(1, reps + 1))
def macs(m, v):
    st = json.load(open(f"{out}/{m}_{v}_stats.json"))
    return st["compressed"]["macs_conv_linear"] / st["original"]["macs_conv_linear"]
print("| model | float (ms) | int8 W+A QDQ (ms) | int8 / float | 7-bit W (ms) | 7-bit / float | shrunk x8: MACs | shrunk x8 (ms) | shrunk x8 / float | unrounded: MACs | unrounded (ms) | unrounded / float |")
print("|---|---|---|---|---|---|---|---|---|---|---|---|")
for m in ("resnet18", "mobilenet_v2"):
    f, q, r, s, u = med(m, "folded"), med(m, "int8"), med(m, "int8r"), med(m, "shrunk"), med(m, "unrounded")
    print(f"| {m} | {f:.1f} | {q:.1f} | {q / f:.2f}x | {r:.1f} | {r / f:.2f}x | {macs(m, 'shrunk'):.2f} | {s:.1f} | {s / f:.2f}x "
          f"| {macs(m, 'unrounded'):.2f} | {u:.1f} | {u / f:.2f}x |")
PY
