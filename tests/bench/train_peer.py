#!/usr/bin/python3
"""Training speed of topiary-train against the same loop in PyTorch (Python), in one run.

    /usr/bin/python3 tests/bench/train_peer.py --trainer build/app/train/topiary-train \
        [--images 10000] [--epochs 1] [--threads 1] [--batch 64]

Both train the bundled sample under the plan filter:l1:0.3 (half of its MACs; masked, so
the same shapes) on the first-seeded random IMAGES Fashion-MNIST training images, batch
64, SGD (momentum 0.9, lr 0.01, cosine), cross-entropy, BatchNorm in training mode,
masks re-applied after each step, no augmentation, the same number of threads. The
PyTorch side is the sample's own nn.Module (resources/sample/train_sample.py) with the
weights and masks read from the masked ONNX file that topiary-cli apply writes; the data
is a preloaded tensor, as the trainer holds it. Images/s count training steps only
(forward, loss, backward, step, masks), not validation or export.
"""
import argparse
import gzip
import json
import math
import os
import subprocess
import sys
import tempfile
import time

import numpy as np
import onnx
import torch
import torch.nn.functional as F
from onnx import numpy_helper

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
SAMPLE = os.path.join(REPO, "resources", "sample")
sys.path.insert(0, SAMPLE)
from train_sample import FashionCnn, read_idx  # noqa: E402

TRAIN = "/usr/share/datasets/fashion-mnist/train-images-idx3-ubyte.gz"
LABELS = "/usr/share/datasets/fashion-mnist/train-labels-idx1-ubyte.gz"


def pytorch_loop(masked_onnx, images, labels, args):
    torch.set_num_threads(args.threads)
    torch.manual_seed(1)
    model = FashionCnn()
    weights = {t.name: torch.from_numpy(numpy_helper.to_array(t).copy()) for t in onnx.load(masked_onnx).graph.initializer}
    state = model.state_dict()
    for name in state:
        if name in weights:
            state[name] = weights[name].reshape(state[name].shape)
    model.load_state_dict(state)
    original = {t.name: numpy_helper.to_array(t) for t in onnx.load(os.path.join(SAMPLE, "fashion_cnn.onnx")).graph.initializer}
    masks = []
    for name, p in model.named_parameters():
        zeroed = (weights[name].numpy() == 0) & (original[name] != 0)
        if zeroed.any():
            masks.append((p, torch.from_numpy(~zeroed).float().reshape(p.shape)))
    opt = torch.optim.SGD(model.parameters(), lr=args.lr, momentum=0.9)
    model.train()
    x = torch.from_numpy(images)
    y = torch.from_numpy(labels)
    steps = len(x) // args.batch
    total = steps * args.epochs
    seconds = 0.0
    step = 0
    g = torch.Generator().manual_seed(1)
    for epoch in range(args.epochs):
        perm = torch.randperm(len(x), generator=g)
        for s in range(steps):
            start = time.perf_counter()
            for group in opt.param_groups:
                group["lr"] = args.lr * 0.5 * (1 + math.cos(math.pi * step / total))
            idx = perm[s * args.batch:(s + 1) * args.batch]
            loss = F.cross_entropy(model(x.index_select(0, idx)), y.index_select(0, idx))
            loss.item()
            opt.zero_grad()
            loss.backward()
            for p, keep in masks:
                p.grad.mul_(keep)
            opt.step()
            with torch.no_grad():
                for p, keep in masks:
                    p.mul_(keep)
            seconds += time.perf_counter() - start
            step += 1
    return step * args.batch / seconds


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--trainer", required=True)
    parser.add_argument("--cli", default=None, help="topiary-cli (default: beside the trainer's build tree)")
    parser.add_argument("--images", type=int, default=10000)
    parser.add_argument("--epochs", type=int, default=1)
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--batch", type=int, default=64)
    parser.add_argument("--lr", type=float, default=0.01)
    parser.add_argument("--repeat", type=int, default=1)
    args = parser.parse_args()
    cli = args.cli or os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(args.trainer))), "cli", "topiary-cli")

    with tempfile.TemporaryDirectory() as tmp:
        masked = os.path.join(tmp, "masked.onnx")
        subprocess.run([cli, "apply", os.path.join(SAMPLE, "fashion_cnn.onnx"), "--prune", "filter:l1:0.3", "-o", masked],
                       check=True, stdout=subprocess.DEVNULL)
        rng = np.random.default_rng(1)
        all_images, all_labels = read_idx(TRAIN), read_idx(LABELS)
        pick = np.sort(rng.permutation(len(all_images))[:args.images])
        images = ((all_images[pick].astype(np.float32) / 255.0 - 0.286) / 0.353).reshape(-1, 1, 28, 28)
        labels = all_labels[pick].astype(np.int64)

        options = {"model": os.path.join(SAMPLE, "fashion_cnn.onnx"), "train_data": TRAIN, "train_limit": args.images,
                   "epochs": args.epochs, "batch_size": args.batch, "learning_rate": args.lr, "threads": args.threads,
                   "seed": 1, "output": os.path.join(tmp, "tuned.onnx"),
                   "recipe": {"version": 1, "layers": {}}}
        # The plan: the same global filter pruning the CLI's --prune makes, read from the recipe apply records.
        recipe = next(p.value for p in onnx.load(masked).metadata_props if p.key == "topiary.recipe")
        options["recipe"] = json.loads(recipe)
        with open(os.path.join(tmp, "options.json"), "w") as f:
            json.dump(options, f)
        for r in range(args.repeat):
            peer = pytorch_loop(masked, images, labels, args)
            env = dict(os.environ, OMP_NUM_THREADS=str(args.threads))
            out = subprocess.run([args.trainer, "--options", os.path.join(tmp, "options.json")], check=True,
                                 capture_output=True, text=True, env=env).stdout
            done = [json.loads(line) for line in out.splitlines() if line.strip()][-1]
            assert done["type"] == "done", done
            ours = done["images_per_second"]
            print(f"run {r + 1}: topiary-train {ours:.0f} images/s, PyTorch (Python) {peer:.0f} images/s, "
                  f"ratio {ours / peer:.2f} ({args.images} images, batch {args.batch}, {args.threads} thread(s))")


if __name__ == "__main__":
    main()
