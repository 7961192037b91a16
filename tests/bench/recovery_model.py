#!/usr/bin/env python3
"""Trains the second model of the recovery benchmark (BENCHMARKS.md, issue 14): a small
ResNet-shaped Fashion-MNIST classifier (stem, three residual stages 16/32/64 with 1x1
downsampling shortcuts, BatchNorm everywhere, GAP, linear), and exports it twice:
  fashion_resnet_bn.onnx      BatchNorm kept (for adaptive BN)
  fashion_resnet_folded.onnx  BatchNorm folded into the convolutions (bias correction and
                              least squares only)
Usage: recovery_model.py OUT_DIR [--epochs 2] [--train-images N]. Deterministic for a seed; CPU only, a few
minutes on 2 cores.

recovery_model.py OUT_DIR --resnet50 [--calib 64] instead writes the resnet50-sized timing
case (BENCHMARKS.md, issue 14, fourth session), untrained:
  resnet50_folded.onnx   torchvision resnet50, seeded init, BatchNorm statistics estimated
                         in train mode on 64 calibration images, scale/shift drawn
                         (gamma U(0.5, 1.5), beta N(0, 0.1)), then folded into the
                         convolutions by hand (every conv its own weight and bias);
  resnet50_prune30.json  30 % of the filters (L1) of every bottleneck's conv1 and conv2;
  calib-N-images-idx3-ubyte.gz  the first N Fashion-MNIST training images (idx, gzip);
  preprocess224.json     those 28x28 images enlarged 8x by nearest neighbour to 224x224,
                         3 equal channels, Fashion-MNIST's mean and std (exact, so the
                         peer builds the same blob)."""
import argparse, gzip, os, re, struct, sys
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


def fold(conv, bn):
    """conv followed by bn as one conv with bias."""
    scale = bn.weight / torch.sqrt(bn.running_var + bn.eps)
    fused = nn.Conv2d(conv.in_channels, conv.out_channels, conv.kernel_size, conv.stride, conv.padding,
                      conv.dilation, conv.groups, bias=True)
    fused.weight.data = conv.weight.data * scale[:, None, None, None]
    fused.bias.data = bn.bias - bn.running_mean * scale
    return fused


def resnet50_images(n):
    """The first n training images as the benchmark feeds them: 8x nearest, 3 channels."""
    raw = read_idx(os.path.join(DATA, "train-images-idx3-ubyte.gz"))[:n]
    x = normalize(raw).repeat_interleave(8, 2).repeat_interleave(8, 3)
    return raw, x.expand(-1, 3, -1, -1).contiguous()


def write_resnet50(out, n):
    import json
    import torchvision
    torch.manual_seed(20261207)
    torch.set_num_threads(2)
    raw, x = resnet50_images(n)
    net = torchvision.models.resnet50()
    for m in net.modules():
        if isinstance(m, nn.BatchNorm2d):
            m.weight.data.uniform_(0.5, 1.5)
            m.bias.data.normal_(0.0, 0.1)
            m.momentum = None  # cumulative: the statistics of the images seen
    net.train()
    with torch.no_grad():
        for i in range(0, n, 16):
            net(x[i:i + 16])
    net.eval()
    net.conv1, net.bn1 = fold(net.conv1, net.bn1), nn.Identity()
    for layer in (net.layer1, net.layer2, net.layer3, net.layer4):
        for b in layer:
            b.conv1, b.bn1 = fold(b.conv1, b.bn1), nn.Identity()
            b.conv2, b.bn2 = fold(b.conv2, b.bn2), nn.Identity()
            b.conv3, b.bn3 = fold(b.conv3, b.bn3), nn.Identity()
            if b.downsample is not None:
                b.downsample = nn.Sequential(fold(b.downsample[0], b.downsample[1]))
    os.makedirs(out, exist_ok=True)
    path = os.path.join(out, "resnet50_folded.onnx")
    torch.onnx.export(net, x[:1], path, opset_version=13, input_names=["input"], output_names=["logits"],
                      dynamic_axes={"input": {0: "N"}, "logits": {0: "N"}}, do_constant_folding=False)
    import onnx
    layers = {}
    for node in onnx.load(path).graph.node:
        if node.op_type == "Conv" and re.fullmatch(r"/layer\d/layer\d\.\d+/conv[12]/Conv", node.name):
            layers[node.name] = {"prune": {"granularity": "filter", "criterion": "l1", "mode": "ratio", "value": 0.3}}
    with open(os.path.join(out, "resnet50_prune30.json"), "w") as f:
        json.dump({"version": 1, "layers": layers}, f, indent=1)
    with gzip.open(os.path.join(out, f"calib-{n}-images-idx3-ubyte.gz"), "wb") as f:
        f.write(struct.pack(">IIII", 0x803, n, 28, 28) + np.ascontiguousarray(raw).tobytes())
    with open(os.path.join(out, "preprocess224.json"), "w") as f:
        json.dump({"input_name": "input", "layout": "NCHW", "channels": 3, "height": 224, "width": 224,
                   "resize": 0, "interpolation": "nearest", "scale": 1.0 / 255.0, "mean": [MEAN], "std": [STD]}, f)
    print(f"{path}: {len(layers)} layers pruned in the plan")


def main():
    p = argparse.ArgumentParser()
    p.add_argument("out")
    p.add_argument("--epochs", type=int, default=2)
    p.add_argument("--train-images", type=int, default=60000, help="the first N training images")
    p.add_argument("--resnet50", action="store_true", help="write the resnet50-sized timing case instead")
    p.add_argument("--calib", type=int, default=64, help="calibration images of the resnet50 case")
    args = p.parse_args()
    if args.resnet50:
        return write_resnet50(args.out, args.calib)
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
