#!/usr/bin/env bash
# topiary-cli info: the table, --json, --help, and errors with a non-zero exit.
set -u
cli=$1; src=$2
fail=0
check() { if eval "$2"; then echo "ok: $1"; else echo "FAILED: $1"; fail=1; fi; }
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
model="$tmp/small.onnx"
/usr/bin/python3 - "$model" <<'PY'
import sys, onnx, numpy as np
from onnx import helper, numpy_helper, TensorProto
w = numpy_helper.from_array(np.ones((4, 3, 3, 3), np.float32), "conv.weight")
b = numpy_helper.from_array(np.zeros((4,), np.float32), "conv.bias")
fc = numpy_helper.from_array(np.ones((2, 4), np.float32), "fc.weight")
nodes = [helper.make_node("Conv", ["x", "conv.weight", "conv.bias"], ["c"], name="conv", pads=[1, 1, 1, 1]),
         helper.make_node("Relu", ["c"], ["r"], name="relu"),
         helper.make_node("GlobalAveragePool", ["r"], ["g"], name="gap"),
         helper.make_node("Flatten", ["g"], ["f"], name="flatten"),
         helper.make_node("Gemm", ["f", "fc.weight"], ["y"], name="fc", transB=1)]
g = helper.make_graph(nodes, "g", [helper.make_tensor_value_info("x", TensorProto.FLOAT, ["N", 3, 8, 8])],
                      [helper.make_tensor_value_info("y", TensorProto.FLOAT, ["N", 2])], [w, b, fc])
m = helper.make_model(g, opset_imports=[helper.make_opsetid("", 13)])
onnx.checker.check_model(m)
onnx.save(m, sys.argv[1])
PY
out=$("$cli" info "$model"); rc=$?
check "info exits 0" "[ $rc -eq 0 ]"
check "info lists the conv with its params" "echo \"\$out\" | grep -Eq '^conv +Conv +4x3x3x3 +112 +6,912 +1x4x8x8'"
check "info lists the gemm" "echo \"\$out\" | grep -Eq '^fc +Gemm +2x4 +8 +8 +1x2'"
check "info totals params" "echo \"\$out\" | grep -Eq '^params +120$'"
json=$("$cli" info "$model" --json)
check "--json is valid JSON with totals" "echo \"\$json\" | /usr/bin/python3 -c 'import json,sys; d=json.load(sys.stdin); assert d[\"totals\"][\"params\"]==120 and d[\"totals\"][\"macs_conv_linear\"]==6920, d[\"totals\"]'"
"$cli" info --help | grep -q "Usage: topiary-cli info"; check "info --help" "[ $? -eq 0 ]"
"$cli" --help | grep -q "info"; check "--help lists commands" "[ $? -eq 0 ]"
printf 'garbage' > "$tmp/bad.onnx"
err=$("$cli" info "$tmp/bad.onnx" 2>&1 >/dev/null); rc=$?
check "a bad model exits 1" "[ $rc -eq 1 ]"
check "a bad model's error is on stderr" "echo \"\$err\" | grep -q 'bad.onnx'"
"$cli" info >/dev/null 2>&1; rc=$?
check "a missing argument exits 2" "[ $rc -eq 2 ]"
"$cli" info "$model" --bogus >/dev/null 2>&1; rc=$?
check "an unknown option exits 2" "[ $rc -eq 2 ]"
exit $fail
