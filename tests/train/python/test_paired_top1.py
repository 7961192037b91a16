#!/usr/bin/python3
"""Checks paired_top1.py (the paired comparison BENCHMARKS.md reports for issue 16) against
references computed another way: McNemar's exact p by enumerating every sign pattern of the
discordant images, and the bootstrap interval by resampling the images themselves."""
import itertools
import json
import math
import os
import subprocess
import sys
import tempfile

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import paired_top1  # noqa: E402

failures = []


def check(cond, what):
    if not cond:
        failures.append(what)
        print("FAIL:", what)


# McNemar: under the null each discordant image is A's or B's with probability 1/2; the
# two-sided p is the probability of a split at least as uneven as the one seen.
for b, c in [(0, 6), (3, 9), (5, 5), (1, 12), (7, 2)]:
    n = b + c
    seen = abs(b - c)
    extreme = sum(1 for signs in itertools.product((0, 1), repeat=n) if abs(2 * sum(signs) - n) >= seen)
    check(abs(paired_top1.mcnemar_exact_p(b, c) - extreme / 2 ** n) < 1e-12, f"McNemar p for b={b} c={c}")

# Wilson interval of 929/1000 as the CLI prints it (topiary-cli eval: 91.14..94.33 %).
lo, hi = paired_top1.wilson(929, 1000)
check(abs(lo - 0.9113863365698452) < 1e-9 and abs(hi - 0.9433303046495486) < 1e-9, "Wilson interval of 929/1000")

# The paired statistics on random per-image outcomes: the difference, the discordant counts,
# the standard error of the per-image differences, and a bootstrap interval that agrees with
# resampling the images directly (within the Monte Carlo noise of 4,000 draws).
rng = np.random.default_rng(3)
n = 3000
a = (rng.random(n) < 0.92).astype(int)
b = a.copy()
flip = rng.random(n) < 0.05
b[flip] = 1 - b[flip]
r = paired_top1.paired(list(a), list(b), bootstrap=4000)
d = b - a
check(abs(r["difference"] - d.mean()) < 1e-12, "difference of top-1")
check(r["a_right_b_wrong"] == int(((a == 1) & (b == 0)).sum()) and r["a_wrong_b_right"] == int(((a == 0) & (b == 1)).sum()),
      "discordant counts")
check(abs(r["se"] - d.std(ddof=1) / math.sqrt(n)) < 1e-12, "paired standard error")
direct = np.sort([d[rng.integers(0, n, n)].mean() for _ in range(4000)])
for got, want in zip(r["bootstrap_ci"], (direct[100], direct[3900])):
    check(abs(got - want) < 0.6 * r["se"], f"bootstrap bound {got:.5f} against direct resampling {want:.5f}")
check(r["bootstrap_ci"][0] < r["difference"] < r["bootstrap_ci"][1], "the interval holds the difference")

# The verdict against a margin, and the command line on eval-like JSON and an IDX labels file.
check(paired_top1.verdict([-0.004, 0.002], 0.005) == "yes", "interval above -margin")
check(paired_top1.verdict([-0.012, -0.006], 0.005) == "no", "interval below -margin")
check(paired_top1.verdict([-0.008, 0.001], 0.005) == "undecided", "interval across -margin")
with tempfile.TemporaryDirectory() as tmp:
    labels = rng.integers(0, 10, 200)
    with open(os.path.join(tmp, "labels-idx1-ubyte"), "wb") as f:
        f.write(bytes([0, 0, 8, 1]) + (200).to_bytes(4, "big") + bytes(labels.tolist()))
    pa = labels.copy(); pa[:20] = (pa[:20] + 1) % 10           # A wrong on images 0..19
    pb = labels.copy(); pb[10:40] = (pb[10:40] + 1) % 10       # B wrong on 10..39
    for name, p in (("a.json", pa), ("b.json", pb)):
        with open(os.path.join(tmp, name), "w") as f:
            json.dump({"predictions": p.tolist()}, f)
    out = subprocess.run([sys.executable, os.path.join(os.path.dirname(os.path.abspath(__file__)), "paired_top1.py"),
                          "--labels", os.path.join(tmp, "labels-idx1-ubyte"), os.path.join(tmp, "a.json"),
                          os.path.join(tmp, "b.json"), "--range", "0:100", "--json"],
                         check=True, capture_output=True, text=True).stdout
    r = json.loads(out)
    check(r["images"] == 100 and abs(r["top1_a"] - 0.80) < 1e-12 and abs(r["top1_b"] - 0.70) < 1e-12,
          "top-1 of both on images 0..99")
    check(r["a_right_b_wrong"] == 20 and r["a_wrong_b_right"] == 10, "discordant images 20..39 and 0..9")

print("paired_top1:", "FAILED" if failures else "ok", f"({len(failures)} failures)")
sys.exit(1 if failures else 0)
