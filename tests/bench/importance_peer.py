#!/usr/bin/python3
"""The numpy peer of bench_importance: L1, L2 and FPGM filter scores for every weighted
layer (Conv, ConvTranspose, Gemm, MatMul with a constant weight) of a model. FPGM uses the
same Gram-matrix formulation as Topiary (W @ W.T, which numpy runs as one BLAS syrk call),
so the comparison is of implementations, not algorithms. Weights are decoded to numpy
arrays before timing, as Topiary's benchmark starts from a loaded model.

    importance_peer.py MODELS_DIR [--repeats-resnet N] [--repeats-vgg N] [--cpp BENCH.json]

Prints best and median milliseconds per model and variant as JSON; with --cpp (the output
of bench_importance --benchmark_format=json) prints a Markdown table with the ratios."""
import argparse
import json
import statistics
import sys
import time

import numpy as np
import onnx
from onnx import numpy_helper


def attr(node, name, default):
    for a in node.attribute:
        if a.name == name:
            return a.i
    return default


def filter_matrices(path):
    """Each layer's weight as a filters x (inputs * kernel) float32 matrix."""
    model = onnx.load(path)
    inits = {t.name: t for t in model.graph.initializer}
    mats = []
    for node in model.graph.node:
        if node.op_type not in ("Conv", "ConvTranspose", "Gemm", "MatMul") or len(node.input) < 2:
            continue
        if node.input[1] not in inits:
            continue
        w = numpy_helper.to_array(inits[node.input[1]]).astype(np.float32)
        if node.op_type == "Conv":
            mats.append(w.reshape(w.shape[0], -1))
        elif node.op_type == "ConvTranspose":
            g = attr(node, "group", 1)
            cin, opg = w.shape[0], w.shape[1]
            w = w.reshape(g, cin // g, opg, -1).transpose(0, 2, 1, 3)
            mats.append(np.ascontiguousarray(w.reshape(g * opg, -1)))
        elif node.op_type == "Gemm" and attr(node, "transB", 0):
            mats.append(w)
        else:  # Gemm transB=0, MatMul: K x N
            mats.append(np.ascontiguousarray(w.T))
    return mats


def scores(mats, fpgm):
    out = []
    for w in mats:
        l1 = np.abs(w).sum(axis=1)
        l2 = np.sqrt((w * w).sum(axis=1))
        out.append((l1, l2))
        if fpgm:
            g = w @ w.T
            sq = np.diag(g)
            d2 = sq[:, None] + sq[None, :] - 2.0 * g
            out.append(np.sqrt(np.maximum(d2, 0.0)).sum(axis=1))
    return out


def table(cpp_file, peer):
    cpp = {b["name"]: b for b in json.load(open(cpp_file))["benchmarks"]}
    scale = {"ms": 1, "us": 1e-3, "ns": 1e-6, "s": 1000}
    # On a shared machine wall time depends on the neighbours; CPU time less so.
    print("| scores, all layers | Topiary wall / CPU | numpy peer wall / CPU | ratio peer/Topiary wall / CPU |")
    print("|---|---|---|---|")
    for key, p in peer.items():
        name = next((n for n in cpp if n.split("/")[1] == key), None)
        if name is None:
            continue
        b = cpp[name]
        wall = b["real_time"] * scale[b["time_unit"]]
        cpu = b["cpu_time"] * scale[b["time_unit"]]
        print(f"| {key} | {wall:.1f} / {cpu:.1f} ms | {p['median_ms']:.1f} / {p['median_cpu_ms']:.1f} ms "
              f"| {p['median_ms'] / wall:.1f}x / {p['median_cpu_ms'] / cpu:.1f}x |")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("models_dir")
    ap.add_argument("--repeats-resnet", type=int, default=3)
    ap.add_argument("--repeats-vgg", type=int, default=1)
    ap.add_argument("--cpp", help="bench_importance --benchmark_format=json output")
    args = ap.parse_args()
    repeats = {"resnet50": args.repeats_resnet, "vgg16": args.repeats_vgg}
    result = {}
    for model, n in repeats.items():
        mats = filter_matrices(f"{args.models_dir}/{model}_bn.onnx")
        for variant, fpgm in (("fpgm_l1_l2", True), ("l1_l2", False)):
            times, cpu = [], []
            for _ in range(n if fpgm else max(n, 5)):
                t, c = time.perf_counter(), time.process_time()
                scores(mats, fpgm)
                times.append((time.perf_counter() - t) * 1000)
                cpu.append((time.process_time() - c) * 1000)
            result[f"{variant}_{model}"] = {"best_ms": min(times), "median_ms": statistics.median(times),
                                            "median_cpu_ms": statistics.median(cpu),
                                            "runs": len(times), "layers": len(mats)}
    if args.cpp:
        table(args.cpp, result)
    else:
        print(json.dumps(result))


if __name__ == "__main__":
    main()
