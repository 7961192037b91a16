#!/usr/bin/env bash
# topiary-cli importance / stats / apply on the bundled sample, checked against numpy,
# python-onnx and ONNX Runtime; bad recipes and unsafe outputs are refused with a message.
set -u
cli=$1; src=$2
fail=0
check() { if eval "$2"; then echo "ok: $1"; else echo "FAILED: $1"; fail=1; fi; }
tmp=$(mktemp -d); trap 'chmod -R u+w "$tmp"; rm -rf "$tmp"' EXIT
sample="$src/resources/sample/fashion_cnn.onnx"
py=/usr/bin/python3

# importance: L1 and L2 of each filter equal numpy's.
"$cli" importance "$sample" --layer /block1/conv1/Conv --criterion l2 --json > "$tmp/imp.json"; rc=$?
check "importance exits 0" "[ $rc -eq 0 ]"
check "importance L2 scores equal numpy's" "$py - '$sample' '$tmp/imp.json' <<'PY'
import json, sys, onnx, numpy as np
from onnx import numpy_helper
m = onnx.load(sys.argv[1])
node = next(n for n in m.graph.node if n.name == '/block1/conv1/Conv')
w = next(numpy_helper.to_array(t) for t in m.graph.initializer if t.name == node.input[1])
ref = np.sqrt((w.astype(np.float64) ** 2).reshape(w.shape[0], -1).sum(1))
got = json.load(open(sys.argv[2]))
assert got['criterion'] == 'l2' and len(got['scores']) == w.shape[0], got
assert np.allclose(got['scores'], ref, rtol=1e-6), (got['scores'][:4], ref[:4])
assert got['rank'][int(np.argmax(ref))] == 1
PY"
"$cli" importance "$sample" --layer nope >/dev/null 2>"$tmp/err"; rc=$?
check "importance of an unknown layer exits 1 and names it" "[ $rc -eq 1 ] && grep -q \"no layer 'nope'\" '$tmp/err'"
"$cli" importance "$sample" --layer /stem/conv/Conv --criterion best >/dev/null 2>&1; rc=$?
check "an unknown criterion is a usage error" "[ $rc -eq 2 ]"

# APoZ needs images; with them it ranks filters and drives pruning like any criterion.
"$cli" importance "$sample" --layer /pw1/conv/Conv --criterion apoz >/dev/null 2>"$tmp/err"; rc=$?
check "apoz without --data is a usage error that says what to add" "[ $rc -eq 2 ] && grep -q -- '--data' '$tmp/err'"
idx="$src/resources/sample/fashion-mnist-test-1000-images-idx3-ubyte"
"$cli" importance "$sample" --layer /pw1/conv/Conv --criterion apoz --data "$idx" --limit 64 --json > "$tmp/apoz.json"; rc=$?
check "apoz scores are 1 - fractions of zeros" "[ $rc -eq 0 ] && $py -c \"
import json; d = json.load(open('$tmp/apoz.json')); s = d['scores']
assert len(s) == 96 and all(0 <= v <= 1 for v in s) and max(s) > min(s), s[:5]\""
"$cli" apply "$sample" --prune filter:apoz:0.3 --data "$idx" --limit 64 -o "$tmp/apoz.onnx" --shrink >/dev/null 2>"$tmp/err"; rc=$?
check "apply prunes by apoz (a residual producer without ReLU is scored by its partners)" "[ $rc -eq 0 ] && [ -s '$tmp/apoz.onnx' ]"

# stats with the compact flags.
"$cli" stats "$sample" --prune filter:l1:0.5 --bits 8 --skip-first-last --json > "$tmp/stats.json"; rc=$?
check "stats exits 0" "[ $rc -eq 0 ]"
check "stats shows fewer params and MACs, int8 file smaller than shrunk" "$py - '$tmp/stats.json' <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
o, c, f = d['original'], d['compressed'], d['files']
assert c['params'] < o['params'] and c['macs_conv_linear'] < o['macs_conv_linear'], d
assert f['shrunk_int8_qdq_bytes'] < f['shrunk_bytes'] < f['masked_bytes'], f
assert c['compression_ratio'] > 4, c
PY"
"$cli" stats "$sample" --prune filter:l1:0.3 | grep -q 'compression ratio'; check "stats prints a table" "[ $? -eq 0 ]"

# apply: shrunk + int8 QDQ, checked by python-onnx and run in ONNX Runtime.
"$cli" apply "$sample" --prune filter:l1:0.3 --bits 8 -o "$tmp/out.onnx" --shrink --int8-qdq --json > "$tmp/apply.json"; rc=$?
check "apply exits 0 and writes the file" "[ $rc -eq 0 ] && [ -s '$tmp/out.onnx' ]"
check "written size is the reported one and within 1% of the prediction" "$py - '$tmp/apply.json' '$tmp/out.onnx' <<'PY'
import json, os, sys
d = json.load(open(sys.argv[1]))
size = os.path.getsize(sys.argv[2])
assert d['bytes'] == size, (d, size)
assert abs(d['predicted_bytes'] - size) <= 0.01 * size, (d, size)
PY"
# apply: masked + int8 QDQ (every shape kept) is predicted as well, and stats agrees.
"$cli" apply "$sample" --prune filter:l1:0.3 --bits 8 -o "$tmp/masked-qdq.onnx" --int8-qdq --json > "$tmp/apply-mq.json"; rc=$?
"$cli" stats "$sample" --prune filter:l1:0.3 --bits 8 --json > "$tmp/stats-mq.json"
check "masked int8 QDQ: written size within 0.1% of the prediction, which stats gives too" "[ $rc -eq 0 ] && $py - '$tmp/apply-mq.json' '$tmp/masked-qdq.onnx' '$tmp/stats-mq.json' <<'PY'
import json, os, sys
d = json.load(open(sys.argv[1]))
f = json.load(open(sys.argv[3]))['files']
size = os.path.getsize(sys.argv[2])
assert d['bytes'] == size, (d, size)
assert abs(d['predicted_bytes'] - size) <= 0.001 * size, (d, size)
assert d['predicted_bytes'] == f['masked_int8_qdq_bytes'], (d, f)
assert f['shrunk_int8_qdq_bytes'] < f['masked_int8_qdq_bytes'] < f['masked_bytes'], f
PY"
check "python onnx checker accepts the export" "$py -c \"import onnx; onnx.checker.check_model(onnx.load('$tmp/out.onnx'), full_check=True)\""
$py - "$src/resources/sample/fashion-mnist-test-1000-images-idx3-ubyte" "$tmp/in.bin" <<'PY'
import sys, numpy as np
raw = np.fromfile(sys.argv[1], np.uint8, offset=16, count=28 * 28)
((raw.astype(np.float32) / 255 - 0.2860) / 0.3530).astype(np.float32).tofile(sys.argv[2])
PY
node "$src/tests/ort/run.js" "$tmp/out.onnx" "$tmp/in.bin" 1,1,28,28 "$tmp/out.bin" 2>"$tmp/ort.err"; rc=$?
check "ONNX Runtime runs the int8 QDQ export" "[ $rc -eq 0 ] && [ \$(stat -c %s '$tmp/out.bin') -eq 40 ]"

# eval reads the int8 QDQ export (OpenCV gets it widened): the same predictions as the
# float file holding the same dequantized weights.
"$cli" apply "$sample" --prune filter:l1:0.3 --bits 8 -o "$tmp/masked-f32.onnx" >/dev/null
"$cli" eval "$tmp/masked-qdq.onnx" --data "$idx" --limit 300 --json > "$tmp/eval-qdq.json" 2>"$tmp/eval-qdq.err"; rc=$?
"$cli" eval "$tmp/masked-f32.onnx" --data "$idx" --limit 300 --json > "$tmp/eval-f32.json"
check "eval runs the int8 QDQ export and agrees with its float twin" "[ $rc -eq 0 ] && $py - '$tmp/eval-qdq.json' '$tmp/eval-f32.json' <<'PY'
import json, sys
q, f = (json.load(open(p)) for p in sys.argv[1:3])
assert q['top1'] == f['top1'], (q['top1'], f['top1'])
PY"

# apply: float16 layers stored as float16 + Cast: half the file, predicted, runs in ONNX
# Runtime, and Topiary evaluates it (OpenCV reads it widened) and opens it with its layers.
"$cli" apply "$sample" --prune filter:l1:0.3 --quant float16 -o "$tmp/half.onnx" --shrink --float16 --json > "$tmp/apply-half.json"; rc=$?
"$cli" apply "$sample" --prune filter:l1:0.3 --quant float16 -o "$tmp/half32.onnx" --shrink --json > /dev/null
check "float16 storage: every layer written in 16 bits, within 0.1% of the prediction, about half the float file" "[ $rc -eq 0 ] && $py - '$tmp/apply-half.json' '$tmp/half.onnx' '$tmp/half32.onnx' <<'PY'
import json, os, sys
d = json.load(open(sys.argv[1]))
size, full = os.path.getsize(sys.argv[2]), os.path.getsize(sys.argv[3])
assert d['bytes'] == size and d['float16_weights'] > 0, (d, size)
assert abs(d['predicted_bytes'] - size) <= 0.001 * size, (d, size)
assert size < 0.55 * full, (size, full)
PY"
node "$src/tests/ort/run.js" "$tmp/half.onnx" "$tmp/in.bin" 1,1,28,28 "$tmp/half.bin" 2>"$tmp/ort-half.err"; rc=$?
check "ONNX Runtime runs the float16 export" "[ $rc -eq 0 ] && [ \$(stat -c %s '$tmp/half.bin') -eq 40 ]"
"$cli" eval "$tmp/half.onnx" --data "$idx" --limit 100 --json > "$tmp/eval-half.json" 2>"$tmp/eval-half.err"; rc=$?
check "eval runs the float16 export" "[ $rc -eq 0 ] && grep -q top1 '$tmp/eval-half.json'"
"$cli" info "$tmp/half.onnx" > "$tmp/info-half.txt"; rc=$?
check "info finds the float16 export's layers and says they are widened" "[ $rc -eq 0 ] && grep -q '^layers  *[1-9]' '$tmp/info-half.txt' && grep -q 'float16 behind a Cast' '$tmp/info-half.txt'"

# Safety: never overwrite the input; bad recipes get clear errors and write nothing.
cp "$sample" "$tmp/model.onnx"
before=$(sha256sum "$tmp/model.onnx")
"$cli" apply "$tmp/model.onnx" --bits 8 -o "$tmp/model.onnx" >/dev/null 2>"$tmp/err"; rc=$?
check "apply refuses to overwrite its input" "[ $rc -eq 1 ] && [ \"\$(sha256sum '$tmp/model.onnx')\" = '$before' ] && grep -qi 'overwrite\|source\|input' '$tmp/err'"
bad() { # name, recipe json, expected message
  printf '%s' "$2" > "$tmp/bad.json"
  "$cli" apply "$sample" --recipe "$tmp/bad.json" -o "$tmp/bad.onnx" >/dev/null 2>"$tmp/err"; local rc=$?
  check "bad recipe: $1" "[ $rc -eq 1 ] && [ ! -e '$tmp/bad.onnx' ] && grep -q \"$3\" '$tmp/err'"
}
bad "unknown layer" '{"version":1,"layers":{"conv9":{"low_rank":{"rank":2}}}}' "conv9"
bad "ratio 1.5" '{"version":1,"layers":{"/stem/conv/Conv":{"prune":{"granularity":"element","criterion":"l1","mode":"ratio","value":1.5}}}}' "value"
bad "bits 0" '{"version":1,"layers":{"/stem/conv/Conv":{"quant":{"scheme":"uniform","bits":0}}}}' "bits"
bad "rank above the layer's" '{"version":1,"layers":{"/fc/Gemm":{"low_rank":{"rank":500}}}}' "rank"
bad "unknown field" '{"version":1,"layers":{"/fc/Gemm":{"low_rank":{"rnk":2}}}}' "rnk"
mkdir "$tmp/ro" && chmod 555 "$tmp/ro"
if [ "$(id -u)" != 0 ]; then
  "$cli" apply "$sample" --bits 8 -o "$tmp/ro/out.onnx" >/dev/null 2>"$tmp/err"; rc=$?
  check "a read-only folder is a clear error" "[ $rc -eq 1 ] && [ -z \"\$(ls '$tmp/ro')\" ] && grep -qi 'permission\|read-only\|cannot write' '$tmp/err'"
fi
touch "$tmp/afile"
"$cli" apply "$sample" --bits 8 -o "$tmp/afile/out.onnx" >/dev/null 2>"$tmp/err"; rc=$?
check "an output folder that is not a folder is a clear error" "[ $rc -eq 1 ] && [ -s '$tmp/err' ]"
"$cli" apply --help | grep -q -- "--prune GRAN:CRITERION:RATIO"; check "apply --help documents the compact flags" "[ $? -eq 0 ]"
exit $fail
