#!/usr/bin/python3
"""Paired comparison of two models' top-1 on the same images (issue 16, distillation target).

Reads `topiary-cli eval --json` outputs (their "predictions": one class per image, in the
dataset's order) and the IDX labels file, and compares a model B against a baseline A on
exactly the same images: difference of top-1 (B - A) with the standard error of the paired
difference, a paired bootstrap 95 % interval of it, and McNemar's exact test on the
discordant images (A right and B wrong, A wrong and B right). Two independent Wilson
intervals would overstate the uncertainty: most images are right (or wrong) for both.

    tests/train/python/paired_top1.py --labels LABELS-idx1-ubyte[.gz] A.json B.json [--range FIRST:END]
                   [--margin 0.5] [--bootstrap 10000] [--json]

--range restricts to images FIRST..END-1 of the dataset (e.g. 0:1000, 1000:10000).
--margin M (points) also says whether B - A >= -M is established (the whole interval above
-M), refuted (the whole interval below -M) or undecided.
"""
import argparse
import gzip
import json
import math
import sys

import numpy as np


def read_idx_labels(path):
    opener = gzip.open if path.endswith(".gz") else open
    with opener(path, "rb") as f:
        data = f.read()
    if data[2] != 0x08 or data[3] != 1:
        raise ValueError(f"{path}: not an IDX file of unsigned bytes with one dimension")
    n = int.from_bytes(data[4:8], "big")
    return list(data[8:8 + n])


def read_predictions(path):
    with open(path) as f:
        return json.load(f)["predictions"]


def mcnemar_exact_p(b, c):
    """Two-sided exact McNemar p-value: the binomial test of b against b + c trials at 1/2."""
    n = b + c
    if n == 0:
        return 1.0
    k = min(b, c)
    tail = sum(math.comb(n, i) for i in range(k + 1)) / 2.0 ** n
    return min(1.0, 2.0 * tail)


def wilson(k, n, z=1.959963984540054):
    p = k / n
    d = 1 + z * z / n
    centre = (p + z * z / (2 * n)) / d
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / d
    return centre - half, centre + half


def paired(correct_a, correct_b, bootstrap=10000, seed=16):
    """Statistics of B - A over the same images; correct_* are lists of 0/1."""
    n = len(correct_a)
    assert n == len(correct_b) and n > 0
    d = [cb - ca for ca, cb in zip(correct_a, correct_b)]
    mean = sum(d) / n
    var = sum((x - mean) ** 2 for x in d) / (n - 1) if n > 1 else 0.0
    se = math.sqrt(var / n)
    only_a = sum(1 for x in d if x < 0)   # A right, B wrong
    only_b = sum(1 for x in d if x > 0)   # A wrong, B right
    # Paired bootstrap: resample images with replacement, each image keeping its pair.
    # Only the kind of an image (A only right, B only right, same) changes the
    # difference, so a resample is a multinomial draw of the three counts.
    rng = np.random.default_rng(seed)
    counts = rng.multinomial(n, [only_a / n, only_b / n, (n - only_a - only_b) / n], size=bootstrap)
    diffs = np.sort((counts[:, 1] - counts[:, 0]) / n)
    lo = float(diffs[int(0.025 * bootstrap)])
    hi = float(diffs[min(bootstrap - 1, int(0.975 * bootstrap))])
    return {
        "images": n,
        "top1_a": sum(correct_a) / n,
        "top1_b": sum(correct_b) / n,
        "difference": mean,
        "se": se,
        "normal_ci": [mean - 1.959963984540054 * se, mean + 1.959963984540054 * se],
        "bootstrap_ci": [lo, hi],
        "a_right_b_wrong": only_a,
        "a_wrong_b_right": only_b,
        "mcnemar_p": mcnemar_exact_p(only_a, only_b),
    }


def verdict(ci, margin):
    """Is B - A >= -margin? 'yes' if the whole interval is above, 'no' if below."""
    if ci[0] >= -margin:
        return "yes"
    if ci[1] < -margin:
        return "no"
    return "undecided"


def main(argv):
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--labels", required=True)
    ap.add_argument("a")
    ap.add_argument("b")
    ap.add_argument("--range", default=None, help="FIRST:END, images of the dataset to use")
    ap.add_argument("--margin", type=float, default=None, help="points")
    ap.add_argument("--bootstrap", type=int, default=10000)
    ap.add_argument("--json", action="store_true")
    args = ap.parse_args(argv)

    labels = read_idx_labels(args.labels)
    pa, pb = read_predictions(args.a), read_predictions(args.b)
    if not (len(labels) == len(pa) == len(pb)):
        sys.exit(f"labels {len(labels)}, {args.a} {len(pa)}, {args.b} {len(pb)} images: not the same set")
    first, end = 0, len(labels)
    if args.range:
        first, end = (int(x) for x in args.range.split(":"))
    ca = [int(pa[i] == labels[i]) for i in range(first, end)]
    cb = [int(pb[i] == labels[i]) for i in range(first, end)]
    r = paired(ca, cb, args.bootstrap)
    r["wilson_a"] = wilson(sum(ca), len(ca))
    r["wilson_b"] = wilson(sum(cb), len(cb))
    if args.margin is not None:
        r["margin_points"] = args.margin
        r["within_margin"] = verdict(r["bootstrap_ci"], args.margin / 100.0)
    if args.json:
        print(json.dumps(r))
        return
    pt = lambda x: f"{100 * x:.2f}"
    print(f"images {first}..{end - 1} ({r['images']}): A {pt(r['top1_a'])} %, B {pt(r['top1_b'])} %")
    print(f"B - A = {100 * r['difference']:+.2f} points, paired SE {pt(r['se'])}, "
          f"bootstrap 95 % [{100 * r['bootstrap_ci'][0]:+.2f}, {100 * r['bootstrap_ci'][1]:+.2f}]")
    print(f"discordant: A right B wrong {r['a_right_b_wrong']}, A wrong B right {r['a_wrong_b_right']}, "
          f"McNemar exact p = {r['mcnemar_p']:.3g}")
    if args.margin is not None:
        print(f"B - A >= -{args.margin} points: {r['within_margin']}")


if __name__ == "__main__":
    main(sys.argv[1:])
