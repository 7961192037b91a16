#!/usr/bin/env python3
"""The peer of the recovery benchmark: the same computation as Topiary's recover() in
PyTorch + numpy, timed in the same run. Layer by layer in order, against the compressed
model as repaired so far: lsq (F.unfold at 64 sampled positions per image, the ridge
normal equations in float64, numpy.linalg.solve per output on its kept inputs), adaptive
BN (the compressed BN input's mean and unbiased variance) and bias correction (shift of
the BN shift or bias to the original's mean output). Not re-quantized after the refit.

Usage: recovery_peer.py TOPIARY_CLI sample|resnet_bn [--bits 4] [--resnet-dir DIR]
Runs topiary-cli apply --bits B (plain, for the compressed weights, and with --recover
bn,bias,lsq for its time), then the peer, and prints both times and their ratio.

recovery_peer.py TOPIARY_CLI resnet50 --resnet-dir DIR [--calib 64]: the resnet50-sized
case of recovery_model.py --resnet50 (BN folded, 30 % of every bottleneck's conv1/conv2
filters). Topiary: apply --recipe ... --recover bn,bias,lsq under /usr/bin/time. The peer
(resnet50_recover below) does the same work as a competent PyTorch engineer would: the
torchvision resnet50 (folded) with Topiary's pruned weights, eval mode, no_grad, the
activations of all calibration images kept at the current bottleneck's input (original and
compressed, as Topiary's cut cache), forward hooks for each layer's input and output,
F.unfold at 64 sampled positions per image, the float64 Gram matrix on the kept inputs,
the same relative ridge, one torch.linalg.cholesky + cholesky_solve per layer with all
outputs as right-hand sides, then bias correction to the original's mean output. Then it
compares the two recovered models' logits with the original's on 16 other images."""
import argparse, gzip, importlib.util, json, os, re, struct, subprocess, sys, tempfile, time
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


def resnet50_folded():
    import torchvision
    net = torchvision.models.resnet50()

    def conv(c):
        return nn.Conv2d(c.in_channels, c.out_channels, c.kernel_size, c.stride, c.padding, bias=True)
    net.conv1, net.bn1 = conv(net.conv1), nn.Identity()
    for layer in (net.layer1, net.layer2, net.layer3, net.layer4):
        for b in layer:
            b.conv1, b.bn1, b.conv2, b.bn2, b.conv3, b.bn3 = (conv(b.conv1), nn.Identity(), conv(b.conv2), nn.Identity(),
                                                            conv(b.conv3), nn.Identity())
            if b.downsample is not None:
                b.downsample = nn.Sequential(conv(b.downsample[0]))
    return net


def load_onnx_weights(net, path):
    weights = {t.name: numpy_helper.to_array(t) for t in onnx.load(path).graph.initializer}
    state = net.state_dict()
    missing = [n for n in state if n not in weights]
    assert not missing, missing[:5]
    net.load_state_dict({n: torch.from_numpy(weights[n].copy()).reshape(state[n].shape) for n in state})
    return net.eval()


def resnet50_recover(original, compressed, images, planned, ridge=1e-4, positions=64, batch=32):
    """Topiary's recover() on the folded resnet50: layers from the first planned one on, in
    order; lsq on the planned layers and those whose input lost channels; bias correction on
    every conv (not the logits). Returns the largest system solved (unknowns, outputs)."""
    rng = np.random.default_rng(1)
    blocks_o = [b for l in (original.layer1, original.layer2, original.layer3, original.layer4) for b in l]
    blocks_c = [b for l in (compressed.layer1, compressed.layer2, compressed.layer3, compressed.layer4) for b in l]
    convs = lambda b: [b.conv1, b.conv2, b.conv3] + ([b.downsample[0]] if b.downsample is not None else [])

    def run(module, x, hooks=()):
        handles = [m.register_forward_hook(h) for m, h in hooks]
        out = torch.cat([module(x[i:i + batch]) for i in range(0, len(x), batch)])
        for h in handles:
            h.remove()
        return out

    stem = lambda net, x: net.maxpool(net.relu(net.conv1(x)))
    xo = run(lambda x: stem(original, x), images)  # the stem is before the first changed layer
    xc = xo.clone()
    # The original's mean output per channel of every conv visited: one pass.
    means = {}
    def mean_hook(name):
        def h(m, i, o):
            s = o.double().sum(dim=(0, 2, 3))
            means[name] = means.get(name, 0) + s
        return h
    hooks = [(c, mean_hook(f"{bi}.{ci}")) for bi, b in enumerate(blocks_o) for ci, c in enumerate(convs(b))]
    x = xo
    for b in blocks_o:
        x = run(b, x, hooks)
    largest = (0, 0)
    for bi, (bo, bc) in enumerate(zip(blocks_o, blocks_c)):
        for ci, (lo, lc) in enumerate(zip(convs(bo), convs(bc))):
            w = lc.weight.data
            wflat, oflat = w.reshape(w.shape[0], -1), lo.weight.data.reshape(w.shape[0], -1)
            live = (wflat != 0).any(1) | (lc.bias.data != 0)  # pruned filters stay zero
            lsq = planned(bi, ci) or bool(((wflat == 0) & (oflat != 0)).any())
            if lsq:
                kept = wflat[live] != 0
                # The Gram matrix on the union of kept entries; one Cholesky per distinct mask
                # (filter pruning: one for the layer; an exact zero weight makes its own).
                keep = torch.nonzero(kept.any(0)).flatten()
                n = len(keep)
                a = torch.zeros(n + 1, n + 1, dtype=torch.float64)
                rhs = torch.zeros(n + 1, w.shape[0], dtype=torch.float64)
                got = {}  # copies: torchvision's in-place ReLU and += would change the outputs later
                for i in range(0, len(images), batch):
                    h1 = lc.register_forward_hook(lambda m, inp, out: got.__setitem__("x", inp[0].clone()))
                    bc(xc[i:i + batch])
                    h1.remove()
                    h2 = lo.register_forward_hook(lambda m, inp, out: got.__setitem__("y", out.clone()))
                    bo(xo[i:i + batch])
                    h2.remove()
                    y = got["y"].flatten(2)
                    cols = F.unfold(got["x"], lc.kernel_size, lc.dilation, lc.padding, lc.stride)
                    cols = cols[:, keep]
                    L = cols.shape[2]
                    pick = torch.from_numpy(np.stack([np.sort(rng.choice(L, min(L, positions), replace=False))
                                                      for _ in range(len(cols))]))
                    xs = torch.gather(cols, 2, pick[:, None, :].expand(-1, n, -1)).permute(0, 2, 1).reshape(-1, n)
                    ys = torch.gather(y, 2, pick[:, None, :].expand(-1, y.shape[1], -1)).permute(0, 2, 1).reshape(-1, y.shape[1])
                    xa = torch.cat([xs.double(), torch.ones(len(xs), 1, dtype=torch.float64)], 1)
                    a += xa.T @ xa
                    rhs += xa.T @ ys.double()
                rows = len(images) * min(L, positions)
                unknowns = int(kept.sum(1).max()) + 1
                if rows >= 2 * unknowns:  # Topiary's guard: rows >= 2 x unknowns
                    live_idx = torch.nonzero(live).flatten()
                    masks, inverse = torch.unique(kept[:, keep], dim=0, return_inverse=True)
                    new = torch.zeros_like(wflat, dtype=torch.float64)
                    for u in range(len(masks)):
                        outs = live_idx[inverse == u]
                        idx = torch.cat([torch.nonzero(masks[u]).flatten(), torch.tensor([n])])
                        k = len(idx) - 1
                        sub = a[idx][:, idx].clone()
                        sub[range(k), range(k)] += ridge * sub.diagonal()[:k].mean()
                        sol = torch.cholesky_solve(rhs[idx][:, outs], torch.linalg.cholesky(sub))
                        new[outs[:, None], keep[idx[:-1]][None, :]] = sol[:k].T
                        lc.bias.data[outs] = sol[k].float()
                        largest = max(largest, (k + 1, len(outs)))
                    lc.weight.data = new.reshape(w.shape).float()
            # bias correction: the compressed conv's mean output to the original's
            total = torch.zeros(w.shape[0], dtype=torch.float64)
            def sum_hook(m, i, o):
                total.add_(o.double().sum(dim=(0, 2, 3)))
            run(bc, xc, [(lc, sum_hook)])
            positions_all = None
            def size_hook(m, i, o):
                nonlocal positions_all
                positions_all = o.shape[2] * o.shape[3]
            run(bc, xc[:1], [(lc, size_hook)])
            count = len(images) * positions_all
            shift = (means[f"{bi}.{ci}"] - total) / count
            lc.bias.data[live] += shift[live].float()
        xc, xo = run(bc, xc), run(bo, xo)
    return largest


def resnet50_main(a):
    d = a.resnet_dir
    model, plan = os.path.join(d, "resnet50_folded.onnx"), os.path.join(d, "resnet50_prune30.json")
    calib = os.path.join(d, f"calib-{a.calib}-images-idx3-ubyte.gz")
    pre = os.path.join(d, "preprocess224.json")
    plain, rec = os.path.join(d, "plain.onnx"), os.path.join(d, "recovered.onnx")
    subprocess.run([a.cli, "apply", model, "--recipe", plan, "-o", plain], check=True, capture_output=True)
    cmd = ["/usr/bin/time", "-v", a.cli, "apply", model, "--recipe", plan, "--recover", "bn,bias,lsq", "--calib",
           str(a.calib), "--calib-data", calib, "--preprocess", pre, "-o", rec]
    print(" ".join(cmd), flush=True)
    r = subprocess.run(cmd, check=True, capture_output=True, text=True)
    field = lambda name: re.search(re.escape(name) + r": ([0-9.:]+)", r.stderr).group(1)
    wall = field("Elapsed (wall clock) time (h:mm:ss or m:ss)").split(":")
    t_wall = sum(float(v) * 60 ** i for i, v in enumerate(reversed(wall)))
    t_cpu = float(field("User time (seconds)")) + float(field("System time (seconds)"))
    print(f"Topiary: wall {t_wall:.1f} s, CPU {t_cpu:.1f} s, peak RSS {int(field('Maximum resident set size (kbytes)')) / 1024:.0f} MB "
          f"(whole process: loading, recovery, apply, writing)", flush=True)
    print("\n".join(l for l in r.stdout.splitlines() + r.stderr.splitlines() if "recover" in l.lower())[:2000], flush=True)

    load = __import__("importlib").import_module
    names = json.load(open(plan))["layers"]
    planned_blocks = set()
    for name in names:  # /layer1/layer1.0/conv1/Conv
        m = re.fullmatch(r"/layer(\d)/layer\d\.(\d+)/conv(\d)/Conv", name)
        planned_blocks.add((int(m.group(1)), int(m.group(2)), int(m.group(3))))
    depth = [3, 4, 6, 3]
    index = [(l + 1, j) for l in range(4) for j in range(depth[l])]
    planned = lambda bi, ci: (index[bi][0], index[bi][1], ci + 1) in planned_blocks
    with gzip.open(calib, "rb") as f:
        raw = np.frombuffer(f.read(), np.uint8, offset=16).reshape(-1, 28, 28)
    def blob(raw):
        x = ((torch.from_numpy(raw.astype(np.float32)) / 255 - MEAN) / STD)[:, None]
        return x.repeat_interleave(8, 2).repeat_interleave(8, 3).expand(-1, 3, -1, -1).contiguous()
    images = blob(raw)
    original = load_onnx_weights(resnet50_folded(), model)
    compressed = load_onnx_weights(resnet50_folded(), plain)
    start, cpu0 = time.time(), time.process_time()
    with torch.no_grad():
        largest = resnet50_recover(original, compressed, images, planned)
    p_wall, p_cpu = time.time() - start, time.process_time() - cpu0
    import resource
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"peer (PyTorch {torch.__version__}, {torch.get_num_threads()} threads): wall {p_wall:.1f} s, CPU {p_cpu:.1f} s, "
          f"peak RSS {rss:.0f} MB (recovery only); largest system {largest[0]} unknowns x {largest[1]} outputs", flush=True)
    print(f"ratio peer/Topiary: wall {p_wall / t_wall:.2f}x, CPU {p_cpu / t_cpu:.2f}x")

    # Agreement: logits of both recovered models against the original's, on 16 test images.
    with gzip.open(os.path.join(os.path.dirname(CALIB), "t10k-images-idx3-ubyte.gz"), "rb") as f:
        test = blob(np.frombuffer(f.read(), np.uint8, offset=16).reshape(-1, 28, 28)[:16])
    topiary = load_onnx_weights(resnet50_folded(), rec)
    with torch.no_grad():
        ref, pruned = original(test), load_onnx_weights(resnet50_folded(), plain)(test)
        rel = lambda out: float((out - ref).norm() / ref.norm())
        t_out, p_out = topiary(test), compressed(test)
        print(f"logits' relative error to the original, 16 test images: compressed {rel(pruned):.4f}, "
              f"Topiary recovered {rel(t_out):.4f}, peer recovered {rel(p_out):.4f}; "
              f"Topiary vs peer {float((t_out - p_out).norm() / ref.norm()):.4f}")
        for name in ("layer3.0.conv2", "layer4.2.conv3"):
            wt = dict(topiary.named_modules())[name].weight
            wp = dict(compressed.named_modules())[name].weight
            print(f"{name}: refit weights, relative difference Topiary vs peer {float((wt - wp).norm() / wp.norm()):.4f}")


def main():
    p = argparse.ArgumentParser()
    p.add_argument("cli")
    p.add_argument("model", choices=["sample", "resnet_bn", "resnet50"])
    p.add_argument("--calib", type=int, default=64)
    p.add_argument("--bits", type=int, default=4)
    p.add_argument("--resnet-dir", default="/tmp/recover-bench")
    a = p.parse_args()
    torch.set_num_threads(2)
    if a.model == "resnet50":
        return resnet50_main(a)
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
