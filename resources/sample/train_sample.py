#!/usr/bin/python3
"""Trains Topiary's bundled sample model: a small CNN on Fashion-MNIST.

    /usr/bin/python3 resources/sample/train_sample.py [--out resources/sample] [--epochs 5]

Reads the IDX files of Debian's dataset-fashion-mnist package
(/usr/share/datasets/fashion-mnist); nothing is downloaded. Seed 20261123 for torch,
numpy and random; torch runs deterministic algorithms on the CPU, so a rerun on the same
machine and library versions reproduces the weights.

The network has everything later features act on: BatchNormalization after every conv
(kept as BatchNormalization nodes in the export), a residual block (Add), two
depthwise-separable blocks (depthwise conv with groups=C, then a 1x1 conv), ReLU
activations (for APoZ), global average pooling and a final Linear (Gemm).

Writes fashion_cnn.onnx (opset 13, dynamic batch, input "input" N x 1 x 28 x 28,
output "logits" N x 10), preprocess.json, the first 1,000 test images and labels as
uncompressed IDX files, PyTorch's predictions on them, and prints the accuracies.
"""
import argparse
import gzip
import json
import os
import random
import struct
import time

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

SEED = 20261123
DATA = "/usr/share/datasets/fashion-mnist"
MEAN, STD = 0.2860, 0.3530
CLASSES = ["T-shirt/top", "Trouser", "Pullover", "Dress", "Coat",
           "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot"]


def read_idx(path):
    opener = gzip.open if path.endswith(".gz") else open
    with opener(path, "rb") as f:
        data = f.read()
    zero, dtype, ndim = struct.unpack(">HBB", data[:4])
    assert zero == 0 and dtype == 0x08, path
    dims = struct.unpack(">" + "I" * ndim, data[4:4 + 4 * ndim])
    return np.frombuffer(data, np.uint8, offset=4 + 4 * ndim).reshape(dims)


def write_idx(path, array):
    array = np.ascontiguousarray(array, np.uint8)
    with open(path, "wb") as f:
        f.write(struct.pack(">HBB", 0, 0x08, array.ndim))
        f.write(struct.pack(">" + "I" * array.ndim, *array.shape))
        f.write(array.tobytes())


def conv_bn(cin, cout, k=3, stride=1, groups=1):
    return nn.Sequential(nn.Conv2d(cin, cout, k, stride, k // 2, groups=groups, bias=False),
                         nn.BatchNorm2d(cout), nn.ReLU())


class ResidualBlock(nn.Module):
    def __init__(self, c):
        super().__init__()
        self.conv1 = nn.Conv2d(c, c, 3, 1, 1, bias=False)
        self.bn1 = nn.BatchNorm2d(c)
        self.conv2 = nn.Conv2d(c, c, 3, 1, 1, bias=False)
        self.bn2 = nn.BatchNorm2d(c)

    def forward(self, x):
        y = F.relu(self.bn1(self.conv1(x)))
        return F.relu(self.bn2(self.conv2(y)) + x)


class FashionCnn(nn.Module):
    def __init__(self):
        super().__init__()
        self.stem = conv_bn(1, 16)                       # 28x28
        self.down = conv_bn(16, 32, stride=2)            # 14x14
        self.block1 = ResidualBlock(32)                  # 14x14, residual Add
        self.dw1 = conv_bn(32, 32, stride=2, groups=32)  # 7x7, depthwise
        self.pw1 = conv_bn(32, 64, k=1)                  # pointwise
        self.dw2 = conv_bn(64, 64, groups=64)
        self.pw2 = conv_bn(64, 128, k=1)
        self.fc = nn.Linear(128, 10)

    def forward(self, x):
        x = self.block1(self.down(self.stem(x)))
        x = self.pw2(self.dw2(self.pw1(self.dw1(x))))
        x = F.adaptive_avg_pool2d(x, 1).flatten(1)
        return self.fc(x)


def normalize(images):
    return (torch.from_numpy(np.array(images)).float().div(255.0).sub(MEAN).div(STD)).unsqueeze(1)


def augment(batch, gen):
    # random shifts of up to 2 pixels and horizontal flips
    padded = F.pad(batch, (2, 2, 2, 2), value=(0 - MEAN) / STD)
    out = torch.empty_like(batch)
    shifts = torch.randint(0, 5, (batch.shape[0], 2), generator=gen)
    flips = torch.rand(batch.shape[0], generator=gen) < 0.5
    for i in range(batch.shape[0]):
        dy, dx = shifts[i].tolist()
        img = padded[i, :, dy:dy + 28, dx:dx + 28]
        out[i] = img.flip(-1) if flips[i] else img
    return out


def evaluate(model, images, labels, batch=1000):
    model.eval()
    preds = []
    with torch.no_grad():
        for i in range(0, len(images), batch):
            preds.append(model(normalize(images[i:i + batch])).argmax(1))
    preds = torch.cat(preds).numpy()
    return float((preds == labels).mean()), preds


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--out", default=os.path.dirname(os.path.abspath(__file__)))
    ap.add_argument("--epochs", type=int, default=5)
    args = ap.parse_args()

    random.seed(SEED)
    np.random.seed(SEED)
    torch.manual_seed(SEED)
    torch.use_deterministic_algorithms(True)
    torch.set_num_threads(2)

    train_x = read_idx(f"{DATA}/train-images-idx3-ubyte.gz")
    train_y = read_idx(f"{DATA}/train-labels-idx1-ubyte.gz").astype(np.int64)
    test_x = read_idx(f"{DATA}/t10k-images-idx3-ubyte.gz")
    test_y = read_idx(f"{DATA}/t10k-labels-idx1-ubyte.gz").astype(np.int64)

    model = FashionCnn()
    batch = 128
    steps = args.epochs * (len(train_x) // batch)
    opt = torch.optim.AdamW(model.parameters(), lr=3e-3, weight_decay=1e-4)
    sched = torch.optim.lr_scheduler.OneCycleLR(opt, max_lr=3e-3, total_steps=steps)
    gen = torch.Generator().manual_seed(SEED)
    start = time.time()
    for epoch in range(args.epochs):
        model.train()
        order = torch.randperm(len(train_x), generator=gen).numpy()
        for i in range(0, len(order) - batch + 1, batch):
            idx = order[i:i + batch]
            x = augment(normalize(train_x[idx]), gen)
            loss = F.cross_entropy(model(x), torch.from_numpy(train_y[idx]))
            opt.zero_grad()
            loss.backward()
            opt.step()
            sched.step()
        acc, _ = evaluate(model, test_x, test_y)
        print(f"epoch {epoch + 1}/{args.epochs}: loss {loss.item():.3f}, test accuracy {acc:.4f}, "
              f"{time.time() - start:.0f} s", flush=True)
    train_seconds = time.time() - start

    full_acc, _ = evaluate(model, test_x, test_y)
    subset_acc, subset_preds = evaluate(model, test_x[:1000], test_y[:1000])

    model.eval()
    path = os.path.join(args.out, "fashion_cnn.onnx")
    torch.onnx.export(model, normalize(test_x[:1]), path, opset_version=13,
                      input_names=["input"], output_names=["logits"],
                      dynamic_axes={"input": {0: "N"}, "logits": {0: "N"}},
                      training=torch.onnx.TrainingMode.PRESERVE, do_constant_folding=False)
    write_idx(os.path.join(args.out, "fashion-mnist-test-1000-images-idx3-ubyte"), test_x[:1000])
    write_idx(os.path.join(args.out, "fashion-mnist-test-1000-labels-idx1-ubyte"), test_y[:1000])
    with open(os.path.join(args.out, "subset_predictions.txt"), "w") as f:
        f.write("\n".join(str(int(p)) for p in subset_preds) + "\n")
    with open(os.path.join(args.out, "preprocess.json"), "w") as f:
        json.dump({"input_name": "input", "layout": "NCHW", "channels": 1, "height": 28, "width": 28,
                   "scale": 1 / 255, "mean": [MEAN], "std": [STD], "classes": CLASSES}, f, indent=2)
    params = sum(p.numel() for p in model.parameters())
    result = {"params": params, "test_accuracy": full_acc, "subset_accuracy": subset_acc,
              "train_seconds": round(train_seconds), "epochs": args.epochs, "seed": SEED,
              "onnx_bytes": os.path.getsize(path)}
    with open(os.path.join(args.out, "training_result.json"), "w") as f:
        json.dump(result, f, indent=2)
    print(json.dumps(result))


if __name__ == "__main__":
    main()
