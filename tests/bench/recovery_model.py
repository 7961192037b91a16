#!/usr/bin/env python3
"""Trains the second model of the recovery benchmark (BENCHMARKS.md, issue 14): a small
ResNet-shaped Fashion-MNIST classifier (stem, three residual stages 16/32/64 with 1x1
downsampling shortcuts, BatchNorm everywhere, GAP, linear), and exports it twice:
  fashion_resnet_bn.onnx      BatchNorm kept (for adaptive BN)
  fashion_resnet_folded.onnx  BatchNorm folded into the convolutions (bias correction and
                              least squares only)
Usage: recovery_model.py OUT_DIR [--epochs 2] [--train-images N]. Deterministic for a seed; CPU only, a few
minutes on 2 cores."""
import argparse, gzip, os, struct, sys
import numpy as np
import torch
import torch.nn as nn

DATA = "/usr/share/datasets/fashion-mnist"
MEAN, STD = 0.2860, 0.3530


def read_idx(path):
    with gzip.open(path, "rb") as f:
        data = f.read()
    ndim = data[3]
    dims = struct.unpack(">" + "I" * ndim, data[4:4 + 4 * ndim])
    return np.frombuffer(data, np.uint8, offset=4 + 4 * ndim).reshape(dims)


def normalize(images):
    return ((torch.from_numpy(np.array(images, np.float32)) / 255.0 - MEAN) / STD).unsqueeze(1)


class Block(nn.Module):
    def __init__(self, cin, cout, stride):
        super().__init__()
        self.conv1 = nn.Conv2d(cin, cout, 3, stride, 1, bias=False)
        self.bn1 = nn.BatchNorm2d(cout)
        self.conv2 = nn.Conv2d(cout, cout, 3, 1, 1, bias=False)
        self.bn2 = nn.BatchNorm2d(cout)
        self.down = None
        if stride != 1 or cin != cout:
            self.down = nn.Sequential(nn.Conv2d(cin, cout, 1, stride, bias=False), nn.BatchNorm2d(cout))

    def forward(self, x):
        y = torch.relu(self.bn1(self.conv1(x)))
        y = self.bn2(self.conv2(y))
        return torch.relu(y + (x if self.down is None else self.down(x)))


class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.stem = nn.Sequential(nn.Conv2d(1, 16, 3, 1, 1, bias=False), nn.BatchNorm2d(16), nn.ReLU())
        self.layer1 = Block(16, 16, 1)
        self.layer2 = Block(16, 32, 2)
        self.layer3 = Block(32, 64, 2)
        self.fc = nn.Linear(64, 10)

    def forward(self, x):
        x = self.layer3(self.layer2(self.layer1(self.stem(x))))
        return self.fc(torch.flatten(nn.functional.adaptive_avg_pool2d(x, 1), 1))


def main():
    p = argparse.ArgumentParser()
    p.add_argument("out")
    p.add_argument("--epochs", type=int, default=2)
    p.add_argument("--train-images", type=int, default=60000, help="the first N training images")
    args = p.parse_args()
    torch.manual_seed(20261206)
    torch.set_num_threads(2)
    tx = read_idx(os.path.join(DATA, "train-images-idx3-ubyte.gz"))
    ty = torch.from_numpy(read_idx(os.path.join(DATA, "train-labels-idx1-ubyte.gz")).astype(np.int64))
    tx, ty = tx[:args.train_images], ty[:args.train_images]
    vx = read_idx(os.path.join(DATA, "t10k-images-idx3-ubyte.gz"))
    vy = read_idx(os.path.join(DATA, "t10k-labels-idx1-ubyte.gz"))
    net = Net()
    opt = torch.optim.Adam(net.parameters(), 2e-3)
    gen = torch.Generator().manual_seed(1)
    for epoch in range(args.epochs):
        net.train()
        order = torch.randperm(len(tx), generator=gen)
        for i in range(0, len(tx), 128):
            idx = order[i:i + 128].numpy()
            loss = nn.functional.cross_entropy(net(normalize(tx[idx])), ty[idx])
            opt.zero_grad()
            loss.backward()
            opt.step()
        net.eval()
        with torch.no_grad():
            pred = torch.cat([net(normalize(vx[i:i + 1000])).argmax(1) for i in range(0, len(vx), 1000)]).numpy()
        print(f"epoch {epoch + 1}: test top-1 {100 * (pred == vy).mean():.2f} %", flush=True)
    os.makedirs(args.out, exist_ok=True)
    x = normalize(vx[:1])
    kw = dict(opset_version=13, input_names=["input"], output_names=["logits"],
              dynamic_axes={"input": {0: "N"}, "logits": {0: "N"}})
    torch.onnx.export(net, x, os.path.join(args.out, "fashion_resnet_bn.onnx"),
                      training=torch.onnx.TrainingMode.PRESERVE, do_constant_folding=False, **kw)
    torch.onnx.export(net, x, os.path.join(args.out, "fashion_resnet_folded.onnx"),
                      training=torch.onnx.TrainingMode.EVAL, do_constant_folding=True, **kw)
    torch.save(net.state_dict(), os.path.join(args.out, "fashion_resnet.pt"))


if __name__ == "__main__":
    sys.exit(main())
