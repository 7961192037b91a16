#!/usr/bin/python3
"""Trains Topiary's bundled sample model: a small CNN on Fashion-MNIST.

Reproduce (from the repository root; needs Debian's python3-torch, python3-onnx and,
for the OpenCV cross-check, python3-opencv -- run with /usr/bin/python3):

    /usr/bin/python3 resources/sample/train_sample.py --out resources/sample --epochs 6

Data: the gzipped IDX files of Debian's dataset-fashion-mnist package in
/usr/share/datasets/fashion-mnist, parsed here with gzip + numpy; nothing is downloaded.

Determinism: seed 20261123 for random, numpy and torch (one torch.Generator drives the
shuffling and the augmentation), torch.use_deterministic_algorithms(True), CPU only, and
ONE intra-op thread by default (--threads). One thread makes the result independent of
the core count, and on this shared 2-core machine it was also faster than two threads
(OpenMP's spin-waiting threads fare badly when the cores are oversubscribed). A rerun
with the same library versions and thread count reproduces the weights.

Network (every feature later Topiary code acts on is present):
  stem    Conv 3x3 1->24,  BatchNorm, ReLU                      28x28
  down    Conv 3x3 24->48 stride 2, BatchNorm, ReLU            14x14
  block1  residual: Conv 3x3, BN, ReLU, Conv 3x3, BN, Add(skip), ReLU
  dw1     depthwise Conv 3x3 stride 2 (groups=48), BN, ReLU    7x7
  pw1     pointwise Conv 1x1 48->96, BN, ReLU
  dw2     depthwise Conv 3x3 (groups=96), BN, ReLU
  pw2     pointwise Conv 1x1 96->192, BN, ReLU
  gap     global average pooling, flatten
  fc      Linear 192->10 (Gemm)
Convolutions have no bias (the following BatchNorm has one).

Preprocessing (also written to preprocess.json): x = (pixel / 255 - 0.2860) / 0.3530,
NCHW, one channel, 28x28. Training augmentation: random shift of up to 1 pixel
(pad 1 with background, random 28x28 crop) and random horizontal flip.

Training: AdamW (weight decay 1e-4), one-cycle learning rate (4e-4 -> 4e-3 over the
first 20% of the steps, then cosine down), batch 128 (the last partial batch of each
epoch is dropped), cross-entropy, 6 epochs by default.

Export: eval-mode model, ONNX opset 13, input "input" [N,1,28,28], output "logits"
[N,10], dynamic batch N. TrainingMode.PRESERVE with do_constant_folding=False keeps
BatchNormalization as its own nodes (not folded into the convolutions). The exporter
routes initializers with identical contents through Identity nodes; the script replaces
any such Identity by a copy of the initializer (a trained model has none).

Writes to --out: fashion_cnn.onnx, preprocess.json, the first 1,000 TEST images and
labels as uncompressed IDX (fashion-mnist-test-1000-{images-idx3,labels-idx1}-ubyte),
subset_predictions.txt (PyTorch's predicted class for each of them, one a line) and
training_result.json (the measured numbers). It then checks the ONNX file with
onnx.checker and, if cv2 imports, runs it with OpenCV's DNN module and compares the
logits with PyTorch's.
"""
import argparse
import collections
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
SUBSET = 1000
SHIFT = 1  # augmentation: random shift of up to this many pixels


def read_idx(path):
    opener = gzip.open if path.endswith(".gz") else open
    with opener(path, "rb") as f:
        data = f.read()
    zero, dtype, ndim = struct.unpack(">HBB", data[:4])
    assert zero == 0 and dtype == 0x08, path  # unsigned bytes
    dims = struct.unpack(">" + "I" * ndim, data[4:4 + 4 * ndim])
    return np.frombuffer(data, np.uint8, offset=4 + 4 * ndim).reshape(dims)


def write_idx(path, array):
    array = np.ascontiguousarray(array, np.uint8)
    with open(path, "wb") as f:
        f.write(struct.pack(">HBB", 0, 0x08, array.ndim))
        f.write(struct.pack(">" + "I" * array.ndim, *array.shape))
        f.write(array.tobytes())


def conv_bn_relu(cin, cout, k=3, stride=1, groups=1):
    return nn.Sequential(collections.OrderedDict([
        ("conv", nn.Conv2d(cin, cout, k, stride, k // 2, groups=groups, bias=False)),
        ("bn", nn.BatchNorm2d(cout)),
        ("relu", nn.ReLU())]))


class ResidualBlock(nn.Module):
    def __init__(self, c):
        super().__init__()
        self.conv1 = nn.Conv2d(c, c, 3, 1, 1, bias=False)
        self.bn1 = nn.BatchNorm2d(c)
        self.relu1 = nn.ReLU()
        self.conv2 = nn.Conv2d(c, c, 3, 1, 1, bias=False)
        self.bn2 = nn.BatchNorm2d(c)
        self.relu2 = nn.ReLU()

    def forward(self, x):
        y = self.bn2(self.conv2(self.relu1(self.bn1(self.conv1(x)))))
        return self.relu2(y + x)


class FashionCnn(nn.Module):
    def __init__(self):
        super().__init__()
        self.stem = conv_bn_relu(1, 24)                      # 28x28
        self.down = conv_bn_relu(24, 48, stride=2)           # 14x14
        self.block1 = ResidualBlock(48)                      # 14x14, Add
        self.dw1 = conv_bn_relu(48, 48, stride=2, groups=48)  # 7x7, depthwise
        self.pw1 = conv_bn_relu(48, 96, k=1)                 # pointwise
        self.dw2 = conv_bn_relu(96, 96, groups=96)           # depthwise
        self.pw2 = conv_bn_relu(96, 192, k=1)                # pointwise
        self.gap = nn.AdaptiveAvgPool2d(1)                   # GlobalAveragePool
        self.flatten = nn.Flatten()
        self.fc = nn.Linear(192, 10)                         # Gemm

    def forward(self, x):
        x = self.block1(self.down(self.stem(x)))
        x = self.pw2(self.dw2(self.pw1(self.dw1(x))))
        return self.fc(self.flatten(self.gap(x)))


def normalize(images):
    """uint8 [N,28,28] -> float [N,1,28,28] with the recorded preprocessing."""
    x = torch.from_numpy(np.array(images, np.float32))
    return ((x / 255.0 - MEAN) / STD).unsqueeze(1)


def augment(batch, gen):
    """Random shift of up to SHIFT pixels (pad with background, crop) and horizontal flip."""
    p = SHIFT
    padded = F.pad(batch, (p, p, p, p), value=(0.0 - MEAN) / STD)
    shifts = torch.randint(0, 2 * p + 1, (batch.shape[0], 2), generator=gen)
    flips = torch.rand(batch.shape[0], generator=gen) < 0.5
    out = torch.empty_like(batch)
    for dy in range(2 * p + 1):
        for dx in range(2 * p + 1):
            sel = (shifts[:, 0] == dy) & (shifts[:, 1] == dx)
            out[sel] = padded[sel, :, dy:dy + 28, dx:dx + 28]
    return torch.where(flips[:, None, None, None], out.flip(-1), out)


def logits_of(model, images, batch=500):
    model.eval()
    with torch.no_grad():
        return torch.cat([model(normalize(images[i:i + batch]))
                          for i in range(0, len(images), batch)]).numpy()


def accuracy(preds, labels):
    return float((preds == labels).mean())


def inline_identity_initializers(path):
    """The exporter deduplicates initializers with identical contents (for example
    untrained BatchNorm parameters) and feeds the copies through Identity nodes. Replace
    each such Identity by its own copy of the initializer. After real training no two
    parameters are equal, so this normally changes nothing."""
    import onnx
    m = onnx.load(path)
    inits = {t.name: t for t in m.graph.initializer}
    identities = [n for n in m.graph.node if n.op_type == "Identity" and n.input[0] in inits]
    for n in identities:
        copy = onnx.TensorProto()
        copy.CopyFrom(inits[n.input[0]])
        copy.name = n.output[0]
        m.graph.initializer.append(copy)
        m.graph.node.remove(n)
    if identities:
        used = {i for n in m.graph.node for i in n.input}
        for t in [t for t in m.graph.initializer if t.name not in used]:
            m.graph.initializer.remove(t)
        onnx.save(m, path)
    return len(identities)


def verify_onnx(path, model, images, torch_logits):
    import onnx
    m = onnx.load(path)
    onnx.checker.check_model(m, full_check=True)
    ops = collections.Counter(n.op_type for n in m.graph.node)
    assert ops["BatchNormalization"] == 8 and "Identity" not in ops, ops
    report = {"onnx_ops": dict(ops)}
    try:
        import cv2
    except ImportError:
        print("cv2 not importable; OpenCV cross-check skipped")
        return report
    net = cv2.dnn.readNetFromONNX(path)
    for n in (1, len(images)):
        net.setInput(normalize(images[:n]).numpy(), "input")
        out = net.forward()
        diff = float(np.abs(out - torch_logits[:n]).max())
        same = int((out.argmax(1) == torch_logits[:n].argmax(1)).sum())
        print(f"OpenCV {cv2.__version__} batch {n}: max |logit diff| {diff:.3g}, "
              f"{same}/{n} same predictions")
        report[f"opencv_batch{n}_max_abs_diff"] = diff
        report[f"opencv_batch{n}_same_predictions"] = same
        assert diff <= 1e-4, diff
    report["opencv_version"] = cv2.__version__
    return report


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--out", default=os.path.dirname(os.path.abspath(__file__)),
                    help="output directory (default: this script's directory)")
    ap.add_argument("--epochs", type=int, default=6)
    ap.add_argument("--threads", type=int, default=1, help="torch intra-op threads")
    args = ap.parse_args()
    os.makedirs(args.out, exist_ok=True)

    random.seed(SEED)
    np.random.seed(SEED)
    torch.manual_seed(SEED)
    torch.use_deterministic_algorithms(True)
    torch.set_num_threads(args.threads)

    train_x = read_idx(f"{DATA}/train-images-idx3-ubyte.gz")
    train_y = read_idx(f"{DATA}/train-labels-idx1-ubyte.gz").astype(np.int64)
    test_x = read_idx(f"{DATA}/t10k-images-idx3-ubyte.gz")
    test_y = read_idx(f"{DATA}/t10k-labels-idx1-ubyte.gz").astype(np.int64)
    assert train_x.shape == (60000, 28, 28) and test_x.shape == (10000, 28, 28)

    model = FashionCnn()
    params = sum(p.numel() for p in model.parameters())
    print(f"{params} parameters, {args.epochs} epochs, {args.threads} thread(s)", flush=True)
    batch = 128
    steps_per_epoch = len(train_x) // batch  # the last partial batch is dropped
    opt = torch.optim.AdamW(model.parameters(), lr=4e-3, weight_decay=1e-4)
    sched = torch.optim.lr_scheduler.OneCycleLR(opt, max_lr=4e-3, pct_start=0.2, div_factor=10,
                                                total_steps=args.epochs * steps_per_epoch)
    gen = torch.Generator().manual_seed(SEED)
    wall0, cpu0 = time.time(), time.process_time()
    for epoch in range(args.epochs):
        model.train()
        order = torch.randperm(len(train_x), generator=gen).numpy()
        total = 0.0
        for s in range(steps_per_epoch):
            idx = order[s * batch:(s + 1) * batch]
            x = augment(normalize(train_x[idx]), gen)
            loss = F.cross_entropy(model(x), torch.from_numpy(train_y[idx]))
            opt.zero_grad()
            loss.backward()
            opt.step()
            sched.step()
            total += loss.item()
        acc = accuracy(logits_of(model, test_x).argmax(1), test_y)
        print(f"epoch {epoch + 1}/{args.epochs}: mean train loss {total / steps_per_epoch:.4f}, "
              f"test accuracy {acc:.4f}, {time.time() - wall0:.0f} s", flush=True)
    train_wall, train_cpu = time.time() - wall0, time.process_time() - cpu0

    model.eval()
    test_logits = logits_of(model, test_x)
    full_acc = accuracy(test_logits.argmax(1), test_y)
    subset_logits = logits_of(model, test_x[:SUBSET])
    subset_preds = subset_logits.argmax(1)
    subset_acc = accuracy(subset_preds, test_y[:SUBSET])

    path = os.path.join(args.out, "fashion_cnn.onnx")
    torch.onnx.export(model, normalize(test_x[:1]), path, opset_version=13,
                      input_names=["input"], output_names=["logits"],
                      dynamic_axes={"input": {0: "N"}, "logits": {0: "N"}},
                      training=torch.onnx.TrainingMode.PRESERVE, do_constant_folding=False)
    inlined = inline_identity_initializers(path)
    write_idx(os.path.join(args.out, "fashion-mnist-test-1000-images-idx3-ubyte"), test_x[:SUBSET])
    write_idx(os.path.join(args.out, "fashion-mnist-test-1000-labels-idx1-ubyte"), test_y[:SUBSET])
    with open(os.path.join(args.out, "subset_predictions.txt"), "w") as f:
        f.write("".join(f"{int(p)}\n" for p in subset_preds))
    with open(os.path.join(args.out, "preprocess.json"), "w") as f:
        json.dump({"input_name": "input", "layout": "NCHW", "channels": 1, "height": 28,
                   "width": 28, "scale": 1 / 255, "mean": [MEAN], "std": [STD],
                   "classes": CLASSES}, f, indent=2)
        f.write("\n")

    result = {"params": params, "epochs": args.epochs, "seed": SEED, "threads": args.threads,
              "test_accuracy": full_acc, "subset_accuracy": subset_acc,
              "train_wall_seconds": round(train_wall), "train_cpu_seconds": round(train_cpu),
              "onnx_bytes": os.path.getsize(path), "torch": torch.__version__,
              "identity_nodes_inlined": inlined}
    result.update(verify_onnx(path, model, test_x[:SUBSET], subset_logits))
    with open(os.path.join(args.out, "training_result.json"), "w") as f:
        json.dump(result, f, indent=2)
        f.write("\n")
    print(json.dumps(result))


if __name__ == "__main__":
    main()
