#!/usr/bin/env bash
# topiary-cli finetune end to end: the sample pruned to half of its MACs (filter:l1:0.3
# keeps 5.82 of 11.52 M MACs), fine-tuned for one epoch on 2,000 Fashion-MNIST training
# images (fixed seed, one thread), is more accurate on the bundled test images than before;
# the weights the plan pruned are still zero; OpenCV, running the written file, measures
# the accuracy the trainer reported. With --recover it starts from the recovered weights.
# Usage: finetune_sample.sh TOPIARY_CLI TOPIARY_TRAIN REPO PYTHON
set -euo pipefail
cli=$1
export TOPIARY_TRAIN=$2
repo=$3
python=$4
sample=$repo/resources/sample
val=$sample/fashion-mnist-test-1000-images-idx3-ubyte
train=/usr/share/datasets/fashion-mnist/train-images-idx3-ubyte.gz
[ -f "$train" ] || { echo "missing $train (Debian package dataset-fashion-mnist)"; exit 1; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

"$cli" finetune "$sample/fashion_cnn.onnx" --data "$train" --val "$val" --prune filter:l1:0.3 \
    --limit 2000 --epochs 1 --seed 1 --threads 1 --json -o "$tmp/tuned.onnx" > "$tmp/events.jsonl"
test -f "$tmp/tuned.onnx"
test -f "$tmp/tuned.epoch1.onnx"
"$cli" apply "$sample/fashion_cnn.onnx" --prune filter:l1:0.3 -o "$tmp/masked.onnx" > /dev/null
"$cli" eval "$tmp/tuned.onnx" --data "$val" --json > "$tmp/eval.json" 2>/dev/null

"$python" - "$tmp" "$sample/fashion_cnn.onnx" <<'PY'
import json, sys
import numpy as np
import onnx
from onnx import numpy_helper

tmp, original = sys.argv[1], sys.argv[2]
events = [json.loads(line) for line in open(f"{tmp}/events.jsonl")]
types = [e["type"] for e in events]
assert types[0] == "ready" and types[-1] == "done", types
done = events[-1]
before, after = done["accuracy_before"], done["accuracy"]
print(f"top-1 before {before:.3f}, after {after:.3f}, {done['images_per_second']:.0f} images/s")
assert after > before + 0.2, (before, after)

def weights(path):
    return {t.name: numpy_helper.to_array(t) for t in onnx.load(path).graph.initializer}
orig, masked, tuned = weights(original), weights(f"{tmp}/masked.onnx"), weights(f"{tmp}/tuned.onnx")
pruned = 0
for name, m in masked.items():
    if name not in orig or m.dtype != np.float32 or m.shape != orig[name].shape:
        continue
    zeroed = (m == 0) & (orig[name] != 0)
    pruned += int(zeroed.sum())
    assert (tuned[name][zeroed] == 0).all(), f"{name}: a pruned weight is no longer zero"
assert pruned > 10000, pruned

opencv = json.load(open(f"{tmp}/eval.json"))["top1"]["value"]
print(f"OpenCV on the written file: top-1 {opencv:.3f}")
assert abs(opencv - after) <= 0.002, (opencv, after)
meta = {p.key for p in onnx.load(f"{tmp}/tuned.onnx").metadata_props}
assert {"topiary.recipe", "topiary.training"} <= meta, meta
PY

# --recover: training starts from the weights recovery repairs, calibrated on training
# images; before the first step the student scores what `eval --recover` measures.
"$cli" finetune "$sample/fashion_cnn.onnx" --data "$train" --val "$val" --prune filter:l1:0.3 \
    --recover bn,bias,lsq --calib 64 --limit 500 --epochs 1 --seed 1 --threads 1 --json \
    -o "$tmp/recovered.onnx" > "$tmp/recovered.jsonl"
"$cli" eval "$sample/fashion_cnn.onnx" --data "$val" --prune filter:l1:0.3 --recover bn,bias,lsq --calib 64 \
    --calib-data "$train" --json > "$tmp/eval-recovered.json" 2>/dev/null
"$python" - "$tmp" <<'PY'
import json, sys
tmp = sys.argv[1]
events = [json.loads(line) for line in open(f"{tmp}/recovered.jsonl")]
done = events[-1]
assert done["type"] == "done", done
plain_before = [json.loads(line) for line in open(f"{tmp}/events.jsonl")][-1]["accuracy_before"]
recovered = json.load(open(f"{tmp}/eval-recovered.json"))["compressed"]["top1"]["value"]  # the plan, recovered
before = done["accuracy_before"]
print(f"with --recover: top-1 before training {before:.3f} (eval --recover {recovered:.3f}, "
      f"without recovery {plain_before:.3f}), after {done['accuracy']:.3f}")
assert abs(before - recovered) <= 0.002, (before, recovered)
assert before > plain_before + 0.3, (before, plain_before)
assert any(e["type"] == "status" and e["message"].startswith("recovered ") for e in events)
PY

# A trainer that cannot be started is a clear error, not a hang.
if TOPIARY_TRAIN=/nonexistent/topiary-train "$cli" finetune "$sample/fashion_cnn.onnx" --data "$val" \
    -o "$tmp/x.onnx" 2> "$tmp/err.txt"; then
  echo "finetune succeeded without a trainer"; exit 1
fi
grep -q "cannot start the trainer" "$tmp/err.txt"
echo "finetune end to end: ok"
