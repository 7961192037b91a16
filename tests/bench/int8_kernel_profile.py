#!/usr/bin/env python3
"""Where int8 time goes in ONNX Runtime on this CPU (issue 17), layer kind by layer kind:
onnxruntime-node 1.20 takes no enableProfiling option (its binding reads only threads,
optimization level, execution mode and log settings), so instead of a per-node profile this
builds small stacks of the layers resnet18 and mobilenet_v2 spend their time in, each in
float and in QDQ variants, and times each in ORT (tests/ort/bench.js: batch 1, all graph
optimizations, THREADS threads, median of RUNS runs after 5 warm-up), REPEATS times in turn.

Stacks (batch 1, 56x56, weights random):
  conv3x3   4 x [Conv 3x3 64->64, Relu]                        (resnet18's layer1)
  mbv2      3 x [Conv 1x1 24->144, Relu, depthwise 3x3 144, Relu, Conv 1x1 144->24]
  dw3x3     4 x [depthwise Conv 3x3 144, Relu]                 (mbv2's depthwise part)
  pw1x1     2 x [Conv 1x1 24->144, Relu, Conv 1x1 144->24]     (mbv2's pointwise part)
Variants (QDQ on every Conv's input and output, int32 biases, what topiary-cli apply
--int8-qdq writes, and what ORT's quantizer offers):
  float     the float stack
  u8s8      uint8 activations, int8 weights per channel (Topiary's export)
  u8s8-pt   uint8 activations, int8 weights per tensor
  u8s8-7bit uint8 activations, int8 weights per channel in [-64, 63] (reduce_range)
  s8s8      int8 activations (symmetric), int8 weights per channel
Prints a markdown table: median ms and ratio to float, per stack.
  tests/bench/int8_kernel_profile.py OUTDIR [REPEATS] [RUNS] [THREADS]"""
import json
import os
import statistics
import subprocess
import sys

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

HERE = os.path.dirname(os.path.abspath(__file__))
BENCH = os.path.join(HERE, "..", "ort", "bench.js")


def conv_specs(stack):
    if stack == "conv3x3":
        return [(64, 64, 3, 1, True)] * 4
    if stack == "dw3x3":
        return [(144, 144, 3, 144, True)] * 4
    if stack == "pw1x1":
        return [(24, 144, 1, 1, True), (144, 24, 1, 1, False)] * 2
    out = []
    for _ in range(3):
        out += [(24, 144, 1, 1, True), (144, 144, 3, 144, True), (144, 24, 1, 1, False)]
    return out


def build(stack, variant, path):
    rng = np.random.default_rng(0)
    specs = conv_specs(stack)
    cin0 = specs[0][0]
    nodes, inits = [], []
    quant = variant != "float"
    act_type = TensorProto.INT8 if variant == "s8s8" else TensorProto.UINT8
    act_zero = 0 if variant == "s8s8" else 128
    act_scale = 8.0 / 255  # activations in [-4, 4]

    def qdq(x, tag):
        if not quant:
            return x
        if not any(i.name == "act_s" for i in inits):
            inits.append(numpy_helper.from_array(np.array(act_scale, np.float32), "act_s"))
            inits.append(helper.make_tensor("act_z", act_type, [], [act_zero]))
        nodes.append(helper.make_node("QuantizeLinear", [x, "act_s", "act_z"], [tag + "_q"]))
        nodes.append(helper.make_node("DequantizeLinear", [tag + "_q", "act_s", "act_z"], [tag + "_dq"]))
        return tag + "_dq"

    x = qdq("input", "in")
    for i, (cin, cout, k, group, relu) in enumerate(specs):
        w = rng.normal(0, 0.1, (cout, cin // group, k, k)).astype(np.float32)
        b = rng.normal(0, 0.1, cout).astype(np.float32)
        name = f"c{i}"
        if quant:
            per_tensor = variant == "u8s8-pt"
            qmax = 63 if variant == "u8s8-7bit" else 127
            m = np.abs(w).max() if per_tensor else np.abs(w.reshape(cout, -1)).max(axis=1)
            s = (m / qmax).astype(np.float32)
            sw = s if per_tensor else s.reshape(-1, 1, 1, 1)
            codes = np.clip(np.round(w / sw), -qmax - 1, qmax).astype(np.int8)
            inits.append(numpy_helper.from_array(codes, name + "_wq"))
            inits.append(numpy_helper.from_array(np.array(s, np.float32), name + "_ws"))
            inits.append(numpy_helper.from_array(np.zeros(np.shape(s), np.int8), name + "_wz"))
            nodes.append(helper.make_node("DequantizeLinear", [name + "_wq", name + "_ws", name + "_wz"], [name + "_w"],
                                          **({} if per_tensor else {"axis": 0})))
            bs = (act_scale * s * np.ones(cout)).astype(np.float32)
            inits.append(numpy_helper.from_array(np.round(b / bs).astype(np.int32), name + "_bq"))
            inits.append(numpy_helper.from_array(bs, name + "_bs"))
            inits.append(numpy_helper.from_array(np.zeros(cout, np.int32), name + "_bz"))
            nodes.append(helper.make_node("DequantizeLinear", [name + "_bq", name + "_bs", name + "_bz"], [name + "_b"], axis=0))
        else:
            inits.append(numpy_helper.from_array(w, name + "_w"))
            inits.append(numpy_helper.from_array(b, name + "_b"))
        nodes.append(helper.make_node("Conv", [x, name + "_w", name + "_b"], [name + "_o"], group=group,
                                      kernel_shape=[k, k], pads=[k // 2] * 4))
        y = name + "_o"
        if relu and not quant:
            nodes.append(helper.make_node("Relu", [y], [name + "_r"]))
            y = name + "_r"
        # Quantized: the codes' clamp stands for the Relu, as Topiary's export drops it.
        x = qdq(y, name)
    nodes.append(helper.make_node("Identity", [x], ["output"]))
    cout = specs[-1][1]
    graph = helper.make_graph(nodes, stack, [helper.make_tensor_value_info("input", TensorProto.FLOAT, [1, cin0, 56, 56])],
                              [helper.make_tensor_value_info("output", TensorProto.FLOAT, [1, cout, 56, 56])], inits)
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 13)])
    model.ir_version = 7
    onnx.checker.check_model(model, full_check=True)
    onnx.save(model, path)
    return cin0


def main():
    out = sys.argv[1]
    reps = int(sys.argv[2]) if len(sys.argv) > 2 else 3
    runs = sys.argv[3] if len(sys.argv) > 3 else "20"
    threads = sys.argv[4] if len(sys.argv) > 4 else "1"
    os.makedirs(out, exist_ok=True)
    variants = ["float", "u8s8", "u8s8-pt", "u8s8-7bit", "s8s8"]
    stacks = ["conv3x3", "mbv2", "dw3x3", "pw1x1"]
    files, times = {}, {}
    for st in stacks:
        for v in variants:
            p = os.path.join(out, f"{st}_{v}.onnx")
            files[st, v] = (p, build(st, v, p))
            times[st, v] = []
    for _ in range(reps):
        for st in stacks:
            for v in variants:
                p, cin = files[st, v]
                r = subprocess.run(["node", BENCH, p, f"1,{cin},56,56", runs, "5", threads], check=True,
                                   capture_output=True, text=True)
                times[st, v].append(json.loads(r.stdout)["median_ms"])
    print("| stack | " + " | ".join(variants) + " |")
    print("|---|" + "---|" * len(variants))
    for st in stacks:
        f = statistics.median(times[st, "float"])
        cells = []
        for v in variants:
            t = statistics.median(times[st, v])
            cells.append(f"{t:.2f} ms" + ("" if v == "float" else f" ({t / f:.2f}x)"))
        print(f"| {st} | " + " | ".join(cells) + " |")


if __name__ == "__main__":
    main()
