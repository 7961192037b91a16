#!/usr/bin/python3
"""The Python path the loader benchmark is compared with: onnx.load + infer_shapes.
Prints the best and median of REPEATS runs per model, in milliseconds, as JSON."""
import json
import statistics
import sys
import time

import onnx

models_dir, repeats = sys.argv[1], int(sys.argv[2]) if len(sys.argv) > 2 else 5
result = {}
for name in ("resnet50_bn.onnx", "vgg16_bn.onnx"):
    times = []
    for _ in range(repeats):
        t = time.perf_counter()
        onnx.shape_inference.infer_shapes(onnx.load(f"{models_dir}/{name}"))
        times.append((time.perf_counter() - t) * 1000)
    result[name] = {"best_ms": min(times), "median_ms": statistics.median(times)}
print(json.dumps(result))
