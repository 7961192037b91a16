#!/usr/bin/env python3
"""The peer of the recovery benchmark: the same computation as Topiary's recover() in
PyTorch + numpy, timed in the same run. Layer by layer in order, against the compressed
model as repaired so far: lsq (F.unfold at 64 sampled positions per image, the ridge
normal equations in float64, numpy.linalg.solve per output on its kept inputs), adaptive
BN (the compressed BN input's mean and unbiased variance) and bias correction (shift of
the BN shift or bias to the original's mean output). Not re-quantized after the refit.

Usage: recovery_peer.py TOPIARY_CLI sample|resnet_bn [--bits 4] [--resnet-dir DIR]
Runs topiary-cli apply --bits B (plain, for the compressed weights, and with --recover
bn,bias,lsq for its time), then the peer, and prints both times and their ratio."""
import argparse, gzip, importlib.util, os, re, struct, subprocess, sys, tempfile, time
import numpy as np
import onnx
from onnx import numpy_helper
import torch
import torch.nn as nn
import torch.nn.functional as F

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
CALIB = "/usr/share/datasets/fashion-mnist/train-images-idx3-ubyte.gz"
MEAN, STD = 0.2860, 0.3530


def load(path, name):
    spec = importlib.util.spec_from_file_location(name, path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def pairs_of(net, kind):
    if kind == "sample":
        out = [(getattr(net, n).conv, getattr(net, n).bn) for n in ("stem", "down")]
        out += [(net.block1.conv1, net.block1.bn1), (net.block1.conv2, net.block1.bn2)]
        out += [(getattr(net, n).conv, getattr(net, n).bn) for n in ("dw1", "pw1", "dw2", "pw2")]
    else:
        out = [(net.stem[0], net.stem[1])]
        for b in (net.layer1, net.layer2, net.layer3):
            out += [(b.conv1, b.bn1), (b.conv2, b.bn2)] + ([(b.down[0], b.down[1])] if b.down is not None else [])
    return out + [(net.fc, None)]


def capture(net, module, images, what):
    got = []
    h = module.register_forward_hook(lambda m, i, o: got.append(i[0] if what == "in" else o))
    with torch.no_grad():
        for i in range(0, len(images), 32):
            net(images[i:i + 32])
    h.remove()
    return torch.cat(got)


def recover(original, compressed, pairs_o, pairs_c, images, ridge=1e-4, positions=64):
    rng = np.random.default_rng(1)
    means = [capture(original, bn or layer, images, "out").double() for layer, bn in pairs_o]
    means = [m.mean(dim=(0, 2, 3)) if m.dim() == 4 else m.mean(0) for m in means]
    for (lo, _), (layer, bn), mean_o in zip(pairs_o, pairs_c, means):
        # lsq
        x = capture(compressed, layer, images, "in")
        y = capture(original, lo, images, "out")
        w = layer.weight.data
        if isinstance(layer, nn.Conv2d):
            cols = F.unfold(x, layer.kernel_size, layer.dilation, layer.padding, layer.stride)  # N, C*k*k, L
            n, _, L = cols.shape
            pick = torch.from_numpy(np.stack([np.sort(rng.choice(L, min(L, positions), replace=False)) for _ in range(n)]))
            cols = torch.gather(cols, 2, pick[:, None, :].expand(-1, cols.shape[1], -1)).permute(0, 2, 1).reshape(-1, cols.shape[1])
            ys = torch.gather(y.flatten(2), 2, pick[:, None, :].expand(-1, y.shape[1], -1)).permute(0, 2, 1).reshape(-1, y.shape[1])
            g = layer.groups
        else:
            cols, ys, g = x, y, 1
        cols, ys = cols.double(), ys.double()
        k = w[0].numel()
        per = w.shape[0] // g
        new_w = w.clone().reshape(w.shape[0], -1).double()
        shift = torch.zeros(w.shape[0], dtype=torch.float64)
        for gi in range(g):
            xa = torch.cat([cols[:, gi * k:(gi + 1) * k], torch.ones(len(cols), 1, dtype=torch.float64)], 1)
            a, b = (xa.T @ xa).numpy(), (xa.T @ ys[:, gi * per:(gi + 1) * per]).numpy()
            for o in range(per):
                oc = gi * per + o
                keep = np.nonzero(w.reshape(w.shape[0], -1)[oc].numpy())[0]
                if len(keep) == 0:
                    continue
                idx = np.append(keep, k)
                sub = a[np.ix_(idx, idx)].copy()
                sub[np.arange(len(keep)), np.arange(len(keep))] += ridge * np.trace(sub[:-1, :-1]) / len(keep)
                sol = np.linalg.solve(sub, b[idx, o])
                new_w[oc].zero_()
                new_w[oc, keep] = torch.from_numpy(sol[:-1])
                shift[oc] = sol[-1]
        layer.weight.data = new_w.reshape(w.shape).float()
        if bn is not None:
            bn.running_mean -= shift.float()
        elif layer.bias is not None:
            layer.bias.data = shift.float()
        if bn is None:
            out = capture(compressed, layer, images, "out").double()
            layer.bias.data += (mean_o - out.mean(0)).float()
            continue
        # adaptive BN, then bias correction through the BN
        z = capture(compressed, layer, images, "out").double()
        m, v = z.mean(dim=(0, 2, 3)), z.transpose(0, 1).flatten(1).var(dim=1, unbiased=True)
        bn.running_mean.copy_(m.float())
        bn.running_var.copy_(v.float())
        out_mean = bn.weight.double() * (m - bn.running_mean.double()) / torch.sqrt(bn.running_var.double() + bn.eps) + bn.bias.double()
        bn.bias.data += (mean_o - out_mean).float()


def main():
    p = argparse.ArgumentParser()
    p.add_argument("cli")
    p.add_argument("model", choices=["sample", "resnet_bn"])
    p.add_argument("--bits", type=int, default=4)
    p.add_argument("--resnet-dir", default="/tmp/recover-bench")
    a = p.parse_args()
    torch.set_num_threads(2)
    if a.model == "sample":
        module = load(os.path.join(ROOT, "resources", "sample", "train_sample.py"), "train_sample")
        make, onnx_path = module.FashionCnn, os.path.join(ROOT, "resources", "sample", "fashion_cnn.onnx")
    else:
        module = load(os.path.join(ROOT, "tests", "bench", "recovery_model.py"), "recovery_model")
        make, onnx_path = module.Net, os.path.join(a.resnet_dir, "fashion_resnet_bn.onnx")
    tmp = tempfile.mkdtemp(prefix="recover-peer-")
    plain = os.path.join(tmp, "plain.onnx")
    pre = os.path.join(ROOT, "resources", "sample", "preprocess.json")
    subprocess.run([a.cli, "apply", onnx_path, "--bits", str(a.bits), "-o", plain], check=True, capture_output=True)
    r = subprocess.run([a.cli, "apply", onnx_path, "--bits", str(a.bits), "--recover", "bn,bias,lsq", "--calib", "256",
                        "--calib-data", CALIB, "--preprocess", pre, "-o", os.path.join(tmp, "rec.onnx")],
                       check=True, capture_output=True, text=True)
    topiary = float(re.search(r"\(([0-9.]+) s\)", r.stderr).group(1))

    def net_from(path):
        net = make()
        weights = {t.name: numpy_helper.to_array(t) for t in onnx.load(path).graph.initializer}
        state = net.state_dict()
        for name in state:
            if name in weights:
                state[name] = torch.from_numpy(weights[name].copy()).reshape(state[name].shape)
        net.load_state_dict(state)
        return net.eval()

    with gzip.open(CALIB, "rb") as f:
        data = f.read()
    raw = np.frombuffer(data, np.uint8, offset=16).reshape(-1, 28, 28)
    images = ((torch.from_numpy(raw[np.random.default_rng(0).choice(len(raw), 256, replace=False)].astype(np.float32)) / 255 - MEAN) / STD)[:, None]
    original, compressed = net_from(onnx_path), net_from(plain)
    start = time.time()
    with torch.no_grad():
        recover(original, compressed, pairs_of(original, a.model), pairs_of(compressed, a.model), images)
    peer = time.time() - start
    print(f"{a.model}, {a.bits}-bit everywhere, bn+bias+lsq on 256 images: Topiary {topiary:.2f} s, "
          f"PyTorch+numpy {peer:.2f} s, ratio peer/Topiary {peer / topiary:.2f}x")


if __name__ == "__main__":
    sys.exit(main())
