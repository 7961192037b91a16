#!/usr/bin/env python3
"""The recovery benchmark of BENCHMARKS.md (issue 14): top-1 as compressed and as
recovered, at 30/50/70 % of MACs removed (topiary-cli fit --target-macs, filter pruning
by sensitivity) and at 8/6/4 bits (uniform, symmetric, per channel, every layer), and the
time recovery takes. Calibration: 256 images of Fashion-MNIST's *training* set, never the
evaluation images.

Usage: recovery_bench.py BUILD_DIR [--models sample,resnet_bn,resnet_folded]
                         [--resnet-dir DIR (from recovery_model.py)] [--limit N]
                         [--targets 0.7,0.5,0.3] [--bits 8,6,4] [--no-mse]
Prints a Markdown table. --targets / --bits / --no-mse choose rows of the table (the
fraction of MACs kept of each fit row, the bit widths, the MSE-range 4-bit row)."""
import argparse, json, os, re, subprocess, sys, tempfile, time

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
SAMPLE = os.path.join(ROOT, "resources", "sample")
FASHION = "/usr/share/datasets/fashion-mnist"
CALIB = os.path.join(FASHION, "train-images-idx3-ubyte.gz")
PREPROCESS = os.path.join(SAMPLE, "preprocess.json")


def cli(build, *args):
    t = time.time()
    r = subprocess.run([os.path.join(build, "app", "cli", "topiary-cli"), *args], capture_output=True, text=True)
    return r, time.time() - t


def evaluate(build, model, data, extra, limit):
    args = ["eval", model, "--data", data, "--preprocess", PREPROCESS, "--json", *extra]
    if limit:
        args += ["--limit", str(limit)]
    r, seconds = cli(build, *args)
    if r.returncode != 0:
        raise SystemExit(f"eval failed: {' '.join(args)}\n{r.stderr}")
    j = json.loads(r.stdout)
    m = re.search(r"\(([0-9.]+) s\)", r.stderr)
    return j, (float(m.group(1)) if m else None)


def metric(j, key=None):
    return 100.0 * (j[key] if key else j)["top1"]["value"]


def main():
    p = argparse.ArgumentParser()
    p.add_argument("build")
    p.add_argument("--models", default="sample,resnet_bn,resnet_folded")
    p.add_argument("--resnet-dir", default="/tmp/recover-bench")
    p.add_argument("--limit", type=int, default=0)
    p.add_argument("--methods", default="bn,bias,lsq")
    p.add_argument("--targets", default="0.7,0.5,0.3", help="fraction of MACs kept, one fit row each ('' for none)")
    p.add_argument("--bits", default="8,6,4", help="bit widths, one row each ('' for none)")
    p.add_argument("--no-mse", action="store_true", help="leave out the 4-bit MSE-range row")
    a = p.parse_args()
    models = {
        "sample": (os.path.join(SAMPLE, "fashion_cnn.onnx"), os.path.join(SAMPLE, "fashion-mnist-test-1000-images-idx3-ubyte")),
        "resnet_bn": (os.path.join(a.resnet_dir, "fashion_resnet_bn.onnx"), os.path.join(FASHION, "t10k-images-idx3-ubyte.gz")),
        "resnet_folded": (os.path.join(a.resnet_dir, "fashion_resnet_folded.onnx"), os.path.join(FASHION, "t10k-images-idx3-ubyte.gz")),
    }
    recover = ["--recover", a.methods, "--calib", "256", "--calib-data", CALIB]
    print("| model | compression | MACs kept | top-1 original | compressed | recovered | change | recovery time |")
    print("|---|---|---|---|---|---|---|---|")
    tmp = tempfile.mkdtemp(prefix="recover-bench-")
    for name in a.models.split(","):
        model, data = models[name]
        settings = []
        for target in [float(t) for t in a.targets.split(",") if t]:
            plan = os.path.join(tmp, f"{name}-{target}.json")
            fitargs = ["fit", model, "--data", data, "--preprocess", PREPROCESS, "--target-macs", str(target), "-o", plan, "--json"]
            if a.limit:
                fitargs += ["--limit", str(a.limit)]
            r, _ = cli(a.build, *fitargs)
            if not os.path.exists(plan):
                raise SystemExit(f"fit failed:\n{r.stderr}")
            achieved = json.loads(r.stdout)["achieved"] if r.stdout.strip() else float("nan")
            settings.append((f"{round(100 * (1 - target))} % of MACs removed (fit)", ["--recipe", plan], achieved))
        for bits in [int(b) for b in a.bits.split(",") if b]:
            settings.append((f"{bits}-bit per channel, every layer", ["--bits", str(bits)], 1.0))
        if not a.no_mse:
            settings.append(("4-bit per channel, MSE range", ["--quant", "uniform:4:mse"], 1.0))
        for label, flags, achieved in settings:
            plain, _ = evaluate(a.build, model, data, flags, a.limit)
            rec, seconds = evaluate(a.build, model, data, flags + recover, a.limit)
            before = metric(plain, "compressed")
            after = metric(rec, "compressed")
            print(f"| {name} | {label} | {100 * achieved:.1f} % | {metric(plain):.2f} % "
                  f"| {before:.2f} % | {after:.2f} % | {after - before:+.2f} | {seconds:.2f} s |", flush=True)


if __name__ == "__main__":
    sys.exit(main())
