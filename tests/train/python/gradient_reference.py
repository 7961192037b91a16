#!/usr/bin/python3
"""PyTorch's own numbers for the trainer's tests: small models exported to ONNX, and the
forward outputs, the gradient of a fixed loss w.r.t. every parameter, and the BatchNorm
running statistics after one training-mode pass, computed by PyTorch autograd.

    /usr/bin/python3 tests/train/python/gradient_reference.py --out DIR

For each model NAME this writes DIR/NAME.onnx and DIR/NAME.json:
  input, loss_weights     {"shape": [...], "values": [...]} (seeded)
  eval, train             {"output": {...}, "loss": L, "gradients": {param: {...}},
                           "buffers": {name: {...}}}  (train: after the pass)
  taylor                  {"batch_size": B, "labels": [...], "scores": {weight: [per filter]}}
The loss is sum(output * loss_weights). Taylor importance: per consecutive batch of B of
the input, the gradient of the mean cross-entropy on the labels (eval mode), |w * dL/dw|
accumulated over the batches and summed per output channel of each layer weight. ONNX initializer names are PyTorch's parameter
names (do_constant_folding=False, TrainingMode.PRESERVE keeps BatchNormalization). Every
parameter is random (no two equal tensors), so the exporter adds no Identity nodes.

DIR/distillation.json: fixed student and teacher logits (16 x 10) and labels, and for
several (T, alpha) the loss (1 - alpha) * F.cross_entropy + alpha * T^2 *
F.kl_div(F.log_softmax(s / T, 1), F.softmax(t / T, 1), reduction='batchmean') with its
gradient w.r.t. the student's logits.
"""
import argparse
import copy
import json
import os

import torch
import torch.nn as nn
import torch.nn.functional as F


class OpsNet(nn.Module):
    """Most operators the trainer runs, in one small graph with an image input."""

    def __init__(self):
        super().__init__()
        self.conv = nn.Conv2d(3, 8, 3, padding=1)
        self.bn = nn.BatchNorm2d(8)
        self.grouped = nn.Conv2d(8, 8, 3, padding=1, groups=2, bias=False)
        self.depthwise = nn.Conv2d(8, 8, 3, stride=2, padding=1, groups=8)
        self.bn2 = nn.BatchNorm2d(8)
        self.up = nn.ConvTranspose2d(8, 4, 2, stride=2)
        self.point = nn.Conv2d(12, 6, 1)
        self.fc = nn.Linear(6 * 5 * 5, 16)
        self.mat = nn.Parameter(torch.randn(16, 10) * 0.3)
        self.bias = nn.Parameter(torch.randn(10) * 0.1)

    def forward(self, x):
        y = F.relu(self.bn(self.conv(x)))                      # Conv, BatchNormalization, Relu
        y = F.hardswish(self.grouped(y)) + y                   # grouped Conv, HardSwish, Add
        z = self.bn2(self.depthwise(y))                        # depthwise stride 2
        z = F.leaky_relu(z, 0.1) * torch.sigmoid(z)            # LeakyRelu, Sigmoid, Mul
        u = torch.tanh(self.up(z))                             # ConvTranspose, Tanh
        u = F.max_pool2d(u, 2)                                 # MaxPool
        v = F.avg_pool2d(y, 2)                                 # AveragePool
        w = torch.cat([v, u], 1)                               # Concat
        w = F.hardsigmoid(self.point(w)) - 0.25                # HardSigmoid, Sub
        w = F.pad(w, (1, 0, 0, 1))                             # Pad (asymmetric)
        w = F.max_pool2d(w, 2, stride=2, ceil_mode=True)       # MaxPool with ceil_mode
        a, b = torch.split(w, [3, 3], dim=1)                   # Split or Slice
        w = torch.cat([b, a / 2.0], 1)
        w = F.hardtanh(w, -0.5, 0.5)                           # Clip
        n = w.shape[0]
        w = w.reshape(n, -1)                                   # Reshape / Flatten
        h = F.relu(self.fc(w))                                 # Gemm
        h = h - h.mean(dim=1, keepdim=True)                    # ReduceMean
        logits = h @ self.mat + self.bias                      # MatMul, Add
        return F.softmax(logits, dim=1) * 3.0 + logits.transpose(0, 1).transpose(0, 1)


class SmallCnn(nn.Module):
    """Conv-BN-ReLU blocks, a residual Add, global pooling, Flatten, Gemm: the sample's kind."""

    def __init__(self):
        super().__init__()
        self.c1 = nn.Conv2d(1, 6, 3, padding=1, bias=False)
        self.b1 = nn.BatchNorm2d(6)
        self.c2 = nn.Conv2d(6, 6, 3, padding=1, bias=False)
        self.b2 = nn.BatchNorm2d(6)
        self.fc = nn.Linear(6, 5)

    def forward(self, x):
        y = F.relu(self.b1(self.c1(x)))
        y = F.relu(self.b2(self.c2(y)) + y)
        y = F.adaptive_avg_pool2d(y, 1).flatten(1)
        return self.fc(y)


def randomize(model, seed):
    g = torch.Generator().manual_seed(seed)
    with torch.no_grad():
        for name, p in model.named_parameters():
            p.copy_(torch.randn(p.shape, generator=g) * (0.4 if p.dim() > 1 else 0.2))
        for name, b in model.named_buffers():
            if name.endswith("running_mean"):
                b.copy_(torch.randn(b.shape, generator=g) * 0.1)
            elif name.endswith("running_var"):
                b.copy_(torch.rand(b.shape, generator=g) + 0.5)


def tensor_json(t):
    t = t.detach().float().contiguous()
    return {"shape": list(t.shape), "values": t.reshape(-1).tolist()}


def measure(model, x, weights, training):
    model = copy.deepcopy(model)
    model.train(training)
    model.zero_grad()
    out = model(x)
    loss = (out * weights).sum()
    loss.backward()
    return {
        "output": tensor_json(out),
        "loss": loss.item(),
        "gradients": {n: tensor_json(p.grad) for n, p in model.named_parameters()},
        "buffers": {n: tensor_json(b) for n, b in model.named_buffers() if not n.endswith("num_batches_tracked")},
    }


def taylor(model, x, labels, batch_size, filter_axes):
    model = copy.deepcopy(model)
    model.eval()
    weights = {n: p for n, p in model.named_parameters() if p.dim() >= 2}
    sums = {n: torch.zeros_like(p, dtype=torch.float64) for n, p in weights.items()}
    for start in range(0, x.shape[0], batch_size):
        model.zero_grad()
        loss = F.cross_entropy(model(x[start:start + batch_size]), labels[start:start + batch_size])
        loss.backward()
        for n, p in weights.items():
            sums[n] += (p.detach() * p.grad).abs().double()
    scores = {}
    for n, s in sums.items():
        axis = filter_axes.get(n, 0)
        dims = [d for d in range(s.dim()) if d != axis]
        scores[n] = s.sum(dim=dims).float().tolist()
    return {"batch_size": batch_size, "labels": labels.tolist(), "scores": scores}


def export(name, model, input_shape, out_dir, seed, taylor_batch, filter_axes):
    randomize(model, seed)
    model.eval()
    g = torch.Generator().manual_seed(seed + 1)
    x = torch.randn(input_shape, generator=g)
    with torch.no_grad():
        weights = torch.randn(model(x).shape, generator=g)
    path = os.path.join(out_dir, name + ".onnx")
    torch.onnx.export(model, x, path, input_names=["input"], output_names=["output"], opset_version=13,
                      training=torch.onnx.TrainingMode.PRESERVE, do_constant_folding=False,
                      dynamic_axes={"input": {0: "N"}, "output": {0: "N"}})
    result = {"input": tensor_json(x), "loss_weights": tensor_json(weights),
              "eval": measure(model, x, weights, False), "train": measure(model, x, weights, True)}
    classes = weights.shape[1]
    labels = torch.randint(0, classes, (input_shape[0],), generator=g)
    result["taylor"] = taylor(model, x, labels, taylor_batch, filter_axes)
    with open(os.path.join(out_dir, name + ".json"), "w") as f:
        json.dump(result, f)


def distillation(out_dir):
    g = torch.Generator().manual_seed(16)
    student = torch.randn(16, 10, generator=g) * 3
    teacher = torch.randn(16, 10, generator=g) * 3
    labels = torch.randint(0, 10, (16,), generator=g)
    cases = []
    for t, alpha in ((4.0, 0.5), (2.0, 0.9), (1.0, 1.0), (3.0, 0.0)):
        s = student.clone().requires_grad_(True)
        kd = F.kl_div(F.log_softmax(s / t, 1), F.softmax(teacher / t, 1), reduction="batchmean") * t * t
        loss = (1 - alpha) * F.cross_entropy(s, labels) + alpha * kd
        loss.backward()
        cases.append({"temperature": t, "alpha": alpha, "loss": loss.item(), "gradient": tensor_json(s.grad)})
    with open(os.path.join(out_dir, "distillation.json"), "w") as f:
        json.dump({"student": tensor_json(student), "teacher": tensor_json(teacher), "labels": labels.tolist(),
                   "cases": cases}, f)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--out", required=True)
    args = parser.parse_args()
    os.makedirs(args.out, exist_ok=True)
    torch.manual_seed(0)
    torch.set_num_threads(1)
    # Output channels are axis 1 of ConvTranspose and MatMul weights.
    export("ops_net", OpsNet(), (4, 3, 16, 16), args.out, 11, 2, {"up.weight": 1, "mat": 1})
    export("small_cnn", SmallCnn(), (8, 1, 12, 12), args.out, 12, 3, {})
    distillation(args.out)


if __name__ == "__main__":
    main()
