#!/usr/bin/python3
"""Writes small, valid ONNX models as a seed corpus for the loader fuzzer: a conv net
with BN and a residual Add, a Gemm, shape computations, Constant nodes, fp16 weights."""
import os
import sys

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

out = sys.argv[1]
os.makedirs(out, exist_ok=True)
rng = np.random.default_rng(0)


def save(name, nodes, inits, inputs, outputs):
    g = helper.make_graph(nodes, name, inputs, outputs, inits)
    m = helper.make_model(g, opset_imports=[helper.make_opsetid("", 13)])
    onnx.save(m, os.path.join(out, name + ".onnx"))


f = lambda *s: rng.standard_normal(s).astype(np.float32)
x = helper.make_tensor_value_info("x", TensorProto.FLOAT, ["N", 3, 8, 8])
save("convnet", [
    helper.make_node("Conv", ["x", "w1", "b1"], ["c1"], name="conv1", pads=[1, 1, 1, 1]),
    helper.make_node("BatchNormalization", ["c1", "g", "beta", "mu", "var"], ["n1"], name="bn1"),
    helper.make_node("Relu", ["n1"], ["r1"], name="relu1"),
    helper.make_node("Conv", ["r1", "w2"], ["c2"], name="dw", group=4, pads=[1, 1, 1, 1]),
    helper.make_node("Add", ["c2", "r1"], ["a"], name="add"),
    helper.make_node("GlobalAveragePool", ["a"], ["p"], name="gap"),
    helper.make_node("Flatten", ["p"], ["fl"], name="flatten"),
    helper.make_node("Gemm", ["fl", "fc"], ["y"], name="fc", transB=1),
], [numpy_helper.from_array(f(4, 3, 3, 3), "w1"), numpy_helper.from_array(f(4), "b1"),
    numpy_helper.from_array(f(4), "g"), numpy_helper.from_array(f(4), "beta"),
    numpy_helper.from_array(f(4), "mu"), numpy_helper.from_array(np.abs(f(4)) + 1, "var"),
    numpy_helper.from_array(f(4, 1, 3, 3), "w2"), numpy_helper.from_array(f(10, 4), "fc")],
    [x], [helper.make_tensor_value_info("y", TensorProto.FLOAT, ["N", 10])])

save("shapes", [
    helper.make_node("Shape", ["x"], ["s"], name="shape"),
    helper.make_node("Constant", [], ["i"], name="const", value=numpy_helper.from_array(np.array(1, np.int64))),
    helper.make_node("Gather", ["s", "i"], ["c"], name="gather", axis=0),
    helper.make_node("Constant", [], ["two"], name="two", value=numpy_helper.from_array(np.array(2, np.int64))),
    helper.make_node("Div", ["c", "two"], ["h"], name="div"),
    helper.make_node("Constant", [], ["ax"], name="ax", value=numpy_helper.from_array(np.array([0], np.int64))),
    helper.make_node("Unsqueeze", ["h", "ax"], ["e"], name="unsq"),
    helper.make_node("Slice", ["x", "ax", "e", "one"], ["y"], name="slice"),
], [numpy_helper.from_array(np.array([1], np.int64), "one")], [x],
    [helper.make_tensor_value_info("y", TensorProto.FLOAT, None)])

save("fp16", [
    helper.make_node("Cast", ["x"], ["xh"], name="cast", to=TensorProto.FLOAT16),
    helper.make_node("MatMul", ["xh", "w"], ["y"], name="mm"),
], [numpy_helper.from_array(f(8, 5).astype(np.float16), "w")], [x],
    [helper.make_tensor_value_info("y", TensorProto.FLOAT16, None)])
