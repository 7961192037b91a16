#!/usr/bin/env bash
# topiary-cli never does less than asked in silence (issue 19): the compact flags prune
# linear layers too and say what they skip; --float16 alone stores every layer in 16 bits
# and a storage flag with nothing to store is refused; fit --max-loss fails an impossible
# budget; sensitivity rows list the group they cut; a near-chance accuracy is called out
# with the preprocessing as its likely cause, and mean/std come from the model's metadata.
set -u
cli=$1; src=$2
fail=0
check() { if eval "$2"; then echo "ok: $1"; else echo "FAILED: $1"; fail=1; fi; }
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
py=/usr/bin/python3
sample=$src/resources/sample
images=$sample/fashion-mnist-test-1000-images-idx3-ubyte

# A small MLP made here: Flatten, Gemm 784->64, ReLU, MatMul (constant weights) 64->32 + bias,
# ReLU, Gemm 32->10 (the classifier).
$py - "$tmp/mlp.onnx" <<'PY' || { echo "FAILED: cannot build the MLP with torch"; exit 1; }
import sys, torch
torch.manual_seed(0)
class Mlp(torch.nn.Module):
    def __init__(self):
        super().__init__()
        self.fc1 = torch.nn.Linear(784, 64)
        self.w2 = torch.nn.Parameter(torch.randn(64, 32) * 0.1)
        self.b2 = torch.nn.Parameter(torch.randn(32) * 0.1)
        self.fc3 = torch.nn.Linear(32, 10)
    def forward(self, x):
        x = torch.relu(self.fc1(torch.flatten(x, 1)))
        x = torch.relu(torch.matmul(x, self.w2) + self.b2)
        return self.fc3(x)
torch.onnx.export(Mlp().eval(), torch.zeros(1, 1, 28, 28), sys.argv[1], input_names=['input'],
                  output_names=['logits'], opset_version=13, do_constant_folding=True)
PY

# 1. --prune reaches Gemm and MatMul layers; the classifier is skipped, and said so.
"$cli" apply "$tmp/mlp.onnx" --prune filter:l1:0.3 --shrink -o "$tmp/mlp-small.onnx" >"$tmp/out" 2>"$tmp/err"; rc=$?
check "apply --prune filter on an MLP exits 0" "[ $rc -eq 0 ]"
check "the pruned MLP is smaller than the source" "[ \$(stat -c %s '$tmp/mlp-small.onnx') -lt \$(stat -c %s '$tmp/mlp.onnx') ]"
check "its Gemm and MatMul rows are cut, the classifier keeps its 10 outputs" "$py - '$tmp/mlp.onnx' '$tmp/mlp-small.onnx' <<'PY'
import sys, onnx
from onnx import numpy_helper
def weights(path):
    m = onnx.load(path)
    onnx.checker.check_model(m, full_check=True)
    init = {t.name: numpy_helper.to_array(t) for t in m.graph.initializer}
    out = []
    for n in m.graph.node:
        if n.op_type in ('Gemm', 'MatMul'):
            w = next(init[i] for i in n.input if i in init)
            out.append((n.op_type, w.shape))
    return out
before, after = weights(sys.argv[1]), weights(sys.argv[2])
print(before, after)
assert [o for o, _ in before] == ['Gemm', 'MatMul', 'Gemm'], before
# Gemm (transB=1) stores out x in; MatMul in x out.
(_, a1), (_, a2), (_, a3) = after
assert a1 == (45, 784), a1           # 64 - round(0.3 * 64) = 45 filters kept
assert a2 == (45, 22), a2            # its inputs follow fc1; 32 - round(0.3 * 32) = 22 outputs kept
assert a3 == (10, 22), a3            # the classifier keeps its classes, loses the cut inputs
PY"
check "apply says it skipped the classifier and why" "grep -q \"skipped '/fc3/Gemm'.*graph output\" '$tmp/err'"
check "apply reports the removed channels" "grep -q '29 channels removed' '$tmp/out'"
"$cli" stats "$tmp/mlp.onnx" --prune element:l1:0.5 --skip-first-last --json >"$tmp/stats.json" 2>"$tmp/err"; rc=$?
check "element pruning with --skip-first-last prunes the middle MatMul and names the two it skips" "[ $rc -eq 0 ] && grep -q \"skipped '/fc1/Gemm': the first layer (--skip-first-last)\" '$tmp/err' && grep -q \"skipped '/fc3/Gemm': the last layer\" '$tmp/err' && $py -c \"
import json; d = json.load(open('$tmp/stats.json'))
rows = {r['name']: r for r in d['layers']}
assert [round(r['sparsity'], 2) for r in d['layers']] == [0.0, 0.5, 0.0], d['layers']\""

# 2. --float16 alone stores every layer in float16; with nothing left to store so, a refusal.
"$cli" apply "$sample/fashion_cnn.onnx" --float16 -o "$tmp/half.onnx" >"$tmp/out" 2>"$tmp/err"; rc=$?
check "--float16 alone writes every layer's weights in 16 bits, about half the file, and says so" "[ $rc -eq 0 ] && grep -q 'every layer (9 of 9) is stored as float16' '$tmp/err' && $py - '$sample/fashion_cnn.onnx' '$tmp/half.onnx' <<'PY'
import os, sys, onnx
m = onnx.load(sys.argv[2])
halves = [t for t in m.graph.initializer if t.data_type == onnx.TensorProto.FLOAT16]
src = {t.name: t for t in onnx.load(sys.argv[1]).graph.initializer}
assert len(halves) >= 9, len(halves)
size, full = os.path.getsize(sys.argv[2]), os.path.getsize(sys.argv[1])
assert size < 0.6 * full, (size, full)
PY"
"$cli" apply "$sample/fashion_cnn.onnx" --bits 8 --float16 -o "$tmp/refused.onnx" >/dev/null 2>"$tmp/err"; rc=$?
check "--bits 8 --float16 is refused with a message and writes nothing" "[ $rc -eq 1 ] && [ ! -e '$tmp/refused.onnx' ] && grep -q 'quantizes every layer another way (uniform 8-bit)' '$tmp/err'"
"$cli" apply "$sample/fashion_cnn.onnx" --prune filter:l1:0.3 --int8-qdq -o "$tmp/refused.onnx" >/dev/null 2>"$tmp/err"; rc=$?
check "--int8-qdq without 8-bit layers is refused" "[ $rc -eq 1 ] && [ ! -e '$tmp/refused.onnx' ] && grep -q -- '--bits 8' '$tmp/err'"
"$cli" apply "$sample/fashion_cnn.onnx" --prune element:l1:0.5 -o "$tmp/masked.onnx" >/dev/null 2>"$tmp/err"; rc=$?
check "a masked export larger than its source says so" "[ $rc -eq 0 ] && grep -q 'larger than the source' '$tmp/err'"

# 4. Sensitivity rows of a filter sweep name their whole group; skipped layers head the CSV.
"$cli" sensitivity "$sample/fashion_cnn.onnx" --data "$images" --limit 100 --granularity filter --ratios 0.5 \
  --csv "$tmp/sens.csv" >"$tmp/sens.txt" 2>/dev/null; rc=$?
check "the sensitivity CSV lists the skipped classifier in its header" "[ $rc -eq 0 ] && head -1 '$tmp/sens.csv' | grep -q '^# skipped /fc/Gemm: .*graph output'"
check "the residual stage's row lists its group" "$py - '$tmp/sens.csv' <<'PY'
import csv, sys
rows = list(csv.DictReader(l for l in open(sys.argv[1]) if not l.startswith('#')))
members = next(r for r in rows if r['layer'] == '/down/conv/Conv')['members'].split(';')
assert members == ['/down/conv/Conv', '/block1/conv2/Conv', '/dw1/conv/Conv'], members
alone = next(r for r in rows if r['layer'] == '/block1/conv1/Conv')
assert alone['members'] == '/block1/conv1/Conv', alone
PY"
check "the table says which layers a group row prunes" "grep -q '^/down/conv/Conv prunes its dependency group.*/block1/conv2/Conv /dw1/conv/Conv' '$tmp/sens.txt'"

# 3. fit --max-loss: a budget that costs far more than 2 points fails with exit 1, writes the
# best plan it found and prints predicted and measured loss.
"$cli" fit "$sample/fashion_cnn.onnx" --data "$images" --limit 200 --ratios 0,0.5,0.9 --target-macs 0.2 \
  --max-loss 2 -o "$tmp/fit.json" --json >"$tmp/fit-out.json" 2>/dev/null; rc=$?
check "fit --max-loss 2 on an impossible budget exits 1 and writes a plan within the loss" "[ $rc -eq 1 ] && [ -s '$tmp/fit.json' ] && $py -c \"
import json; d = json.load(open('$tmp/fit-out.json'))
assert d['max_loss'] == 0.02 and not (d['met'] and d['within_loss']), d
assert len(d['attempts']) >= 2 and d['attempts'][0]['measured_loss'] > 0.02, d['attempts']
assert 'predicted_loss' in d['attempts'][0] and d['measured_loss'] <= 0.02 and d['achieved'] > 0.2, d\""
"$cli" fit "$sample/fashion_cnn.onnx" --data "$images" --limit 200 --ratios 0,0.9 --target-macs 0.2 \
  -o "$tmp/fit2.json" >"$tmp/fit2.txt" 2>"$tmp/fit2.err"; rc=$?
check "without --max-loss a near-chance fitted plan is warned about" "grep -q 'better than chance' '$tmp/fit2.err' && grep -q 'measured' '$tmp/fit2.txt'"

# 5. Without its preprocessing the sample scores near chance: the warning names the cause;
# mean and std in the model's metadata restore it.
cp "$sample/fashion_cnn.onnx" "$tmp/bare.onnx"
cp "$images" "$sample/fashion-mnist-test-1000-labels-idx1-ubyte" "$tmp/"
"$cli" eval "$tmp/bare.onnx" --data "$tmp/fashion-mnist-test-1000-images-idx3-ubyte" --json >"$tmp/bare.json" 2>"$tmp/err"; rc=$?
check "eval without preprocessing warns of near-chance accuracy and names the preprocessing" "[ $rc -eq 0 ] && grep -q 'better than chance' '$tmp/err' && grep -q 'likely cause is the preprocessing' '$tmp/err'"
$py - "$tmp/bare.onnx" "$tmp/meta.onnx" <<'PY'
import sys, onnx
m = onnx.load(sys.argv[1])
for k, v in (('mean', '[0.286]'), ('std', '0.353')):
    p = m.metadata_props.add(); p.key, p.value = k, v
onnx.save(m, sys.argv[2])
PY
"$cli" eval "$tmp/meta.onnx" --data "$tmp/fashion-mnist-test-1000-images-idx3-ubyte" --json >"$tmp/meta.json" 2>"$tmp/err"; rc=$?
"$cli" eval "$sample/fashion_cnn.onnx" --data "$images" --json >"$tmp/ref.json" 2>/dev/null
check "mean and std from the model's metadata give the preprocess.json accuracy" "[ $rc -eq 0 ] && ! grep -q 'than chance' '$tmp/err' && $py -c \"
import json; a, b = json.load(open('$tmp/meta.json')), json.load(open('$tmp/ref.json'))
assert a['preprocess_source'] == \\\"the model's metadata (mean, std)\\\", a['preprocess_source']
assert a['top1']['value'] == b['top1']['value'], (a['top1'], b['top1'])\""
exit $fail
