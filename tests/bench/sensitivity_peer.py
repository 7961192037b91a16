#!/usr/bin/python3
"""PyTorch peers of bench_eval: the loop a competent engineer writes for the same work.

The bundled sample (resources/sample/fashion_cnn.onnx) becomes an equivalent nn.Module: the
architecture it was trained from (train_sample.FashionCnn, resources/sample/TRAINING.md)
with every weight read from the ONNX file, so both sides run the same network. Before any
timing, its predictions on the 1,000 bundled images are checked against the ones recorded
with the sample (subset_predictions.txt, which Topiary's own tests check OpenCV against).

- evaluation: eval mode, torch.no_grad(), batches of BATCH, argmax per image; images/s of
  the median of REPEATS runs (wall, and the process's CPU time of that run) (preprocessing done once, outside the timing, as the ORT peer
  does per batch; the forward pass dominates either way).
- sensitivity: every Conv2d/Linear, element L1 at ratios 0, 0.1, ..., 0.9 on all images:
  the smallest |w| zeroed *in place* (the same selection as prune.l1_unstructured: topk of
  |w| with round(ratio * n) elements), evaluated in batches, the weight restored in place.
  No model is copied or rebuilt. Per-point top-1 counts are printed, so a caller can check
  them against Topiary's CSV.

torch.set_num_threads(THREADS) is set for both (torch.get_num_threads() is reported).

    sensitivity_peer.py SAMPLE_DIR [THREADS] [BATCH] [REPEATS] [--only eval|sensitivity]
Prints one JSON object."""
import json
import sys
import time

import numpy as np
import onnx
import torch
from onnx import numpy_helper

args = [a for a in sys.argv[1:] if not a.startswith("--")]
only = sys.argv[sys.argv.index("--only") + 1] if "--only" in sys.argv else None
if only:
    args.remove(only)
sample = args[0]
threads = int(args[1]) if len(args) > 1 else 1
batch = int(args[2]) if len(args) > 2 else 100
repeats = int(args[3]) if len(args) > 3 else 5

sys.path.insert(0, sample)
from train_sample import FashionCnn, normalize, read_idx  # noqa: E402

torch.set_num_threads(threads)
model = FashionCnn()
weights = {t.name: torch.from_numpy(numpy_helper.to_array(t).copy())
           for t in onnx.load(sample + "/fashion_cnn.onnx").graph.initializer}
state = model.state_dict()
for k in state:
    if not k.endswith("num_batches_tracked"):
        assert k in weights and weights[k].shape == state[k].shape, k
        state[k] = weights[k]
model.load_state_dict(state)
model.eval()
x = normalize(read_idx(sample + "/fashion-mnist-test-1000-images-idx3-ubyte"))
labels = torch.from_numpy(read_idx(sample + "/fashion-mnist-test-1000-labels-idx1-ubyte").astype("int64"))
recorded = np.loadtxt(sample + "/subset_predictions.txt", dtype=np.int64)
batches = [(x[i:i + batch], labels[i:i + batch]) for i in range(0, len(x), batch)]


def predictions():
    with torch.no_grad():
        return torch.cat([model(xb).argmax(1) for xb, _ in batches])


def correct():
    n = 0
    with torch.no_grad():
        for xb, yb in batches:
            n += int((model(xb).argmax(1) == yb).sum())
    return n


out = {"threads": torch.get_num_threads(), "batch": batch, "images": len(x)}
out["predictions_equal_recorded"] = bool((predictions().numpy() == recorded).all())
if not out["predictions_equal_recorded"]:
    print(json.dumps(out))
    sys.exit("the PyTorch module does not predict what the sample recorded: not the same network")

if only in (None, "eval"):
    times = []
    for _ in range(repeats):
        start, cpu = time.perf_counter(), time.process_time()
        correct()
        times.append((time.perf_counter() - start, time.process_time() - cpu))
    times.sort()
    wall, cpu = times[len(times) // 2]
    out["eval_median_ms"] = 1000 * wall
    out["eval_cpu_ms"] = 1000 * cpu  # of the median run, all threads
    out["eval_images_per_s"] = len(x) / wall

if only in (None, "sensitivity"):
    layers = [(n, m) for n, m in model.named_modules() if isinstance(m, (torch.nn.Conv2d, torch.nn.Linear))]
    ratios = [i / 10 for i in range(10)]
    points = []
    start, cpu = time.perf_counter(), time.process_time()
    with torch.no_grad():
        base = correct()
        for name, module in layers:
            w = module.weight
            saved = w.detach().clone()
            for r in ratios:
                k = round(r * w.numel())
                if k > 0:
                    smallest = torch.topk(saved.abs().view(-1), k=k, largest=False).indices
                    w.view(-1)[smallest] = 0.0
                points.append({"layer": name, "ratio": r, "correct": correct()})
                w.copy_(saved)
    out["seconds"] = time.perf_counter() - start
    out["cpu_seconds"] = time.process_time() - cpu
    out["points"] = len(points)
    out["baseline_correct"] = base
    out["curves"] = points
print(json.dumps(out))
