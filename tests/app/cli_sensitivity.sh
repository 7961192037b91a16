#!/usr/bin/env bash
# topiary-cli sensitivity against a plain PyTorch loop: the bundled model, its weights
# loaded from the ONNX file into the training script's nn.Module, each layer pruned alone
# with torch.nn.utils.prune.l1_unstructured and evaluated on the same images. The top-1
# counts must be equal, point for point. Then fit: a plan within the MACs budget.
set -u
cli=$1; src=$2
fail=0
check() { if eval "$2"; then echo "ok: $1"; else echo "FAILED: $1"; fail=1; fi; }
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
sample="$src/resources/sample"
images="$sample/fashion-mnist-test-1000-images-idx3-ubyte"
layers=/stem/conv/Conv,/down/conv/Conv,/block1/conv2/Conv,/pw1/conv/Conv,/pw2/conv/Conv,/fc/Gemm
"$cli" sensitivity "$sample/fashion_cnn.onnx" --data "$images" --exact --in-order --limit 300 --granularity element \
  --ratios 0.3,0.6,0.9 --layers "$layers" --csv "$tmp/topiary.csv" > "$tmp/table.txt"; rc=$?
check "sensitivity exits 0" "[ $rc -eq 0 ]"
check "sensitivity prints the baseline" "grep -q 'baseline top-1' '$tmp/table.txt'"
check "the curves equal PyTorch's (exact top-1 counts)" "/usr/bin/python3 - '$sample' '$tmp/topiary.csv' <<'PY'
import copy, csv, sys
import numpy as np, onnx, torch
from onnx import numpy_helper
from torch.nn.utils import prune
sys.path.insert(0, sys.argv[1])
from train_sample import FashionCnn, normalize, read_idx
torch.set_num_threads(1)
model = FashionCnn()
weights = {t.name: torch.from_numpy(numpy_helper.to_array(t).copy())
           for t in onnx.load(sys.argv[1] + '/fashion_cnn.onnx').graph.initializer}
state = model.state_dict()
for k in state:
    if k.endswith('num_batches_tracked'):
        continue
    assert k in weights, k
    state[k] = weights[k]
model.load_state_dict(state)
model.eval()
images = read_idx(sys.argv[1] + '/fashion-mnist-test-1000-images-idx3-ubyte')[:300]
labels = read_idx(sys.argv[1] + '/fashion-mnist-test-1000-labels-idx1-ubyte')[:300]
x = normalize(images)
def correct(m):
    with torch.no_grad():
        return int((m(x).argmax(1).numpy() == labels).sum())
rows = list(csv.DictReader(open(sys.argv[2])))
assert len(rows) == 18, len(rows)
bad = []
for r in rows:
    m = copy.deepcopy(model)
    module = m.get_submodule(r['layer'].strip('/').rsplit('/', 1)[0].replace('/', '.'))
    prune.l1_unstructured(module, 'weight', amount=float(r['value']))
    expected, got = correct(m), int(r['correct'])
    print(r['layer'], r['value'], 'pytorch', expected, 'topiary', got)
    if expected != got or int(r['images']) != 300:
        bad.append(r)
assert not bad, bad
PY"

"$cli" fit "$sample/fashion_cnn.onnx" --data "$images" --limit 200 --ratios 0,0.2,0.4 --target-macs 0.8 \
  -o "$tmp/plan.json" --json > "$tmp/fit.json"; rc=$?
check "fit meets a MACs target and writes a recipe" "[ $rc -eq 0 ] && /usr/bin/python3 -c \"
import json; d = json.load(open('$tmp/fit.json')); assert d['met'] and d['achieved'] <= 0.8, d
r = json.load(open('$tmp/plan.json')); assert r['version'] == 1 and r['layers'] and r['preprocess']['std'] == [0.353], r\""
"$cli" stats "$sample/fashion_cnn.onnx" --recipe "$tmp/plan.json" --json > "$tmp/stats.json"
check "the fitted recipe's MACs are within the target" "/usr/bin/python3 -c \"
import json; d = json.load(open('$tmp/stats.json'))
assert d['compressed']['macs_conv_linear'] <= 0.8 * d['original']['macs_conv_linear'] + 1, d['compressed']\""

# Sequential stopping (the default; --exact opts out): a point far above the tolerance stops
# after a few hundred images; points it does not stop run every image and keep the exact counts.
"$cli" sensitivity "$sample/fashion_cnn.onnx" --data "$images" --layers /fc/Gemm --ratios 0.5,0.9 --exact --json \
  > "$tmp/exact.json"; rc1=$?
"$cli" sensitivity "$sample/fashion_cnn.onnx" --data "$images" --layers /fc/Gemm --ratios 0.5,0.9 --json \
  > "$tmp/sequential.json"; rc2=$?
check "sequential stopping stops the 0.9 point early and leaves the others exact" "[ $rc1 -eq 0 ] && [ $rc2 -eq 0 ] && /usr/bin/python3 -c \"
import json
e = json.load(open('$tmp/exact.json')); s = json.load(open('$tmp/sequential.json'))
assert e['mode'] == 'exact' and s['mode'] == 'sequential', (e['mode'], s['mode'])
e, s = e['points'], s['points']
assert all(p['images'] == 1000 and not p['stopped_early'] for p in e), e
assert s[1]['stopped_early'] and 200 <= s[1]['images'] < 1000, s[1]
for x, y in zip(e, s):
    assert y['stopped_early'] or y['correct'] == x['correct'], (x, y)\""
"$cli" sensitivity "$sample/fashion_cnn.onnx" --data "$images" --layers /fc/Gemm --exact --tolerance 2 \
  > /dev/null 2>&1; rc=$?
check "--exact with --tolerance is a usage error" "[ $rc -eq 2 ]"
exit $fail
