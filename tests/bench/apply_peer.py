#!/usr/bin/python3
"""The Python peer of bench_stats' export benchmark: the same masked export of "prune
every conv 30% by L1" done with python-onnx and numpy (load, score each conv's filters by
L1, zero the lowest 30%, save). It does less than Topiary (no dependency groups, no
checker, no atomic write), so the ratio flatters the peer.

    apply_peer.py MODEL [REPEATS]      prints {"median_ms": ..., "best_ms": ...}"""
import json
import os
import statistics
import sys
import tempfile
import time

import numpy as np
import onnx
from onnx import numpy_helper


def masked_export(path, out):
    model = onnx.load(path)
    inits = {t.name: i for i, t in enumerate(model.graph.initializer)}
    for node in model.graph.node:
        if node.op_type != "Conv" or len(node.input) < 2 or node.input[1] not in inits:
            continue
        t = model.graph.initializer[inits[node.input[1]]]
        w = numpy_helper.to_array(t).copy()
        scores = np.abs(w.reshape(w.shape[0], -1)).sum(1)
        pruned = np.argsort(scores, kind="stable")[: int(round(0.3 * w.shape[0]))]
        w[pruned] = 0
        t.CopyFrom(numpy_helper.from_array(w, t.name))
    onnx.save(model, out)


def main():
    path = sys.argv[1]
    repeats = int(sys.argv[2]) if len(sys.argv) > 2 else 3
    times = []
    with tempfile.TemporaryDirectory() as d:
        out = os.path.join(d, "out.onnx")
        for _ in range(repeats):
            t0 = time.perf_counter()
            masked_export(path, out)
            times.append((time.perf_counter() - t0) * 1000)
    print(json.dumps({"median_ms": statistics.median(times), "best_ms": min(times)}))


if __name__ == "__main__":
    main()
