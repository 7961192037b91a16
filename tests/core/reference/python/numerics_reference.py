#!/usr/bin/python3
"""Independent reference numbers for Topiary's numerics (Importance, Quantizer, LowRank).

Generates a few random weight tensors from a seed and writes what PyTorch and numpy say
about them to OUT/numerics.json:
  - masks of torch.nn.utils.prune.l1_unstructured and prune.ln_structured (n=1, 2; dim 0)
  - torch.fake_quantize_per_tensor_affine / per_channel_affine outputs, with scales and
    zero points computed here from DESIGN.md's formulas (float32 arithmetic, like the C++)
  - float16 round trips, binary and ternary codes (numpy)
  - L1, L2 and FPGM filter scores computed directly (FPGM: a double loop over filter
    pairs in float64, not the Gram-matrix shortcut the C++ uses)
  - singular values (numpy.linalg.svd, float64) and the relative tail energy per rank

Run with Debian's python (/usr/bin/python3), which has torch 1.13 and numpy:
    numerics_reference.py --seed 1 --out /tmp/dir
"""
import argparse
import json
import os

import numpy as np
import torch
import torch.nn.utils.prune as prune

F32 = np.float32


def make_tensors(seed):
    rng = np.random.default_rng(seed)
    conv = (rng.standard_normal((16, 8, 3, 3)) * 0.1).astype(F32)
    gemm = (rng.standard_normal((10, 32)) * 0.05).astype(F32)
    # Ties and zeros: values on a coarse grid, two all-zero filters, duplicated filters.
    ties = (np.round(rng.standard_normal((12, 6)) * 4) / 8).astype(F32)
    ties[5] = 0
    ties[9] = 0
    ties[7] = ties[3]
    ties[11] = ties[2]
    # Large enough that small amounts take topk's partial_sort path (k * 64 <= n).
    ties_big = (np.round(rng.standard_normal((64, 16, 3, 3)) * 3) / 16).astype(F32)
    ties_big[10] = 0
    ties_big[20] = ties_big[30]
    return {"conv": conv, "gemm": gemm, "ties": ties, "ties_big": ties_big}


def l1_unstructured_mask(w, amount):
    module = torch.nn.Linear(1, 1, bias=False)
    module.weight = torch.nn.Parameter(torch.from_numpy(w.copy()))
    prune.l1_unstructured(module, "weight", amount=amount)
    return module.weight_mask.numpy().astype(np.int32).reshape(-1)


def ln_structured_mask(w, amount, n):
    module = torch.nn.Linear(1, 1, bias=False)
    module.weight = torch.nn.Parameter(torch.from_numpy(w.copy()))
    prune.ln_structured(module, "weight", amount=amount, n=n, dim=0)
    mask = module.weight_mask.numpy().reshape(w.shape[0], -1)
    return mask[:, 0].astype(np.int32)  # one entry per filter


def symmetric_scale(x, bits):
    qmax = F32(2 ** (bits - 1) - 1)
    s = F32(np.max(np.abs(x))) / qmax
    return F32(1.0) if s == 0 else F32(s)


def asymmetric_params(x, bits):
    lo = min(F32(np.min(x)), F32(0))
    hi = max(F32(np.max(x)), F32(0))
    levels = 2 ** bits - 1
    s = F32(hi - lo) / F32(levels)
    if s == 0:
        return F32(1.0), 0
    zp = int(np.clip(np.round(F32(-lo) / F32(s)), 0, levels))
    return F32(s), zp


def fake_quant(w, bits, symmetric, per_channel):
    t = torch.from_numpy(w.copy())
    if symmetric:
        qmin, qmax = -(2 ** (bits - 1)) + 1, 2 ** (bits - 1) - 1
    else:
        qmin, qmax = 0, 2 ** bits - 1
    if not per_channel:
        if symmetric:
            s, zp = symmetric_scale(w, bits), 0
        else:
            s, zp = asymmetric_params(w, bits)
        out = torch.fake_quantize_per_tensor_affine(t, float(s), zp, qmin, qmax)
        scales, zps = [s], [zp]
    else:
        scales, zps = [], []
        for c in range(w.shape[0]):
            if symmetric:
                s, zp = symmetric_scale(w[c], bits), 0
            else:
                s, zp = asymmetric_params(w[c], bits)
            scales.append(s)
            zps.append(zp)
        out = torch.fake_quantize_per_channel_affine(
            t, torch.tensor(np.array(scales, dtype=F32)), torch.tensor(zps, dtype=torch.int32), 0, qmin, qmax)
    return {
        "bits": bits, "symmetric": symmetric, "per_channel": per_channel,
        "scales": [float(s) for s in scales], "zero_points": [int(z) for z in zps],
        "values": out.numpy().astype(F32).reshape(-1).tolist(),
    }


def binary_ternary(w):
    rows = w.reshape(w.shape[0], -1).astype(np.float64)
    binary, ternary = np.empty_like(rows), np.empty_like(rows)
    for c, row in enumerate(rows):
        a = np.abs(row)
        binary[c] = np.where(row >= 0, 1.0, -1.0) * a.mean()
        delta = 0.7 * a.mean()
        big = a > delta
        alpha = a[big].mean() if big.any() else 0.0
        ternary[c] = np.where(big, np.sign(row) * alpha, 0.0)
    return binary.reshape(-1).tolist(), ternary.reshape(-1).tolist()


def filter_scores(w):
    rows = w.reshape(w.shape[0], -1).astype(np.float64)
    l1 = np.abs(rows).sum(axis=1)
    l2 = np.sqrt((rows * rows).sum(axis=1))
    fpgm = np.zeros(rows.shape[0])
    for i in range(rows.shape[0]):
        for j in range(rows.shape[0]):
            if i != j:
                d = rows[i] - rows[j]
                fpgm[i] += np.sqrt(np.dot(d, d))
    return l1, l2, fpgm


def low_rank(w):
    rows = w.reshape(w.shape[0], -1).astype(np.float64)
    s = np.linalg.svd(rows, compute_uv=False)
    energy = s * s
    total = energy.sum()
    # error[r - 1] = ||W - W_r||_F / ||W||_F for rank r = 1 .. min(m, n)
    err = [float(np.sqrt(energy[r:].sum() / total)) for r in range(1, len(s) + 1)]
    return s.tolist(), err


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--out", required=True)
    args = ap.parse_args()
    torch.manual_seed(args.seed)

    out = {"seed": args.seed, "torch": torch.__version__, "numpy": np.__version__, "tensors": {}}
    for name, w in make_tensors(args.seed).items():
        entry = {"shape": list(w.shape), "values": w.reshape(-1).astype(np.float64).tolist()}
        entry["l1_unstructured"] = {str(a): l1_unstructured_mask(w, a).tolist() for a in (0.01, 0.3, 0.5)}
        entry["ln_structured"] = {f"n{n}": ln_structured_mask(w, 0.3, n).tolist() for n in (1, 2)}
        entry["fake_quant"] = [fake_quant(w, bits, sym, pc)
                               for bits, sym in ((8, True), (4, True), (8, False))
                               for pc in (False, True)]
        entry["float16"] = torch.from_numpy(w.copy()).half().float().numpy().astype(np.float64).reshape(-1).tolist()
        entry["binary"], entry["ternary"] = binary_ternary(w)
        l1, l2, fpgm = filter_scores(w)
        entry["l1"], entry["l2"], entry["fpgm"] = l1.tolist(), l2.tolist(), fpgm.tolist()
        entry["fpgm_ranking"] = np.argsort(fpgm, kind="stable").tolist()
        entry["singular_values"], entry["lowrank_error"] = low_rank(w)
        out["tensors"][name] = entry

    os.makedirs(args.out, exist_ok=True)
    with open(os.path.join(args.out, "numerics.json"), "w") as f:
        json.dump(out, f)


if __name__ == "__main__":
    main()
