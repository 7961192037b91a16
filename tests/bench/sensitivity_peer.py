#!/usr/bin/python3
"""The PyTorch peer of bench_eval's sensitivityAnalysis: the loop tests/app/cli_sensitivity.sh
checks against, over every layer of the bundled model and ratios 0, 0.1, ..., 0.9 on all
1,000 images (element-wise prune.l1_unstructured, then top-1). Prints {"seconds": ...}.

    sensitivity_peer.py SAMPLE_DIR [THREADS]"""
import copy
import json
import sys
import time

import onnx
import torch
from onnx import numpy_helper
from torch.nn.utils import prune

sys.path.insert(0, sys.argv[1])
from train_sample import FashionCnn, normalize, read_idx  # noqa: E402

torch.set_num_threads(int(sys.argv[2]) if len(sys.argv) > 2 else 1)
sample = sys.argv[1]
model = FashionCnn()
weights = {t.name: torch.from_numpy(numpy_helper.to_array(t).copy())
           for t in onnx.load(sample + "/fashion_cnn.onnx").graph.initializer}
state = model.state_dict()
for k in state:
    if not k.endswith("num_batches_tracked"):
        state[k] = weights[k]
model.load_state_dict(state)
model.eval()
x = normalize(read_idx(sample + "/fashion-mnist-test-1000-images-idx3-ubyte"))
labels = torch.from_numpy(read_idx(sample + "/fashion-mnist-test-1000-labels-idx1-ubyte").astype("int64"))
layers = [name for name, m in model.named_modules() if isinstance(m, (torch.nn.Conv2d, torch.nn.Linear))]

start = time.perf_counter()
with torch.no_grad():
    base = int((model(x).argmax(1) == labels).sum())
    for name in layers:
        for i in range(10):
            m = copy.deepcopy(model)
            prune.l1_unstructured(m.get_submodule(name), "weight", amount=i / 10)
            int((m(x).argmax(1) == labels).sum())
seconds = time.perf_counter() - start
print(json.dumps({"seconds": seconds, "points": len(layers) * 10, "baseline_correct": base}))
