#!/usr/bin/env bash
# Evaluation and sensitivity on the bundled sample against their peers, in one run: for each
# thread count, Topiary (bench_eval), the PyTorch loop (sensitivity_peer.py: evaluation and
# sensitivity) and ONNX Runtime (ort_eval_peer.js) run one after the other, REPEATS times
# over, so a change in the machine's load hits all of them alike; the tables give medians,
# ratios of medians, and the load average seen at each repetition. Topiary's per-point top-1
# counts are checked against PyTorch's (they must be equal). When the trainer is built,
# bench_torch_eval times the trainer's libtorch bridge against OpenCV on the same batches.
#   tests/bench/run-eval-benchmarks.sh [BUILD_DIR] [REPEATS] [THREADS...]   (default: build 3 1 2)
set -euo pipefail
cd "$(dirname "$0")/../.."
build=${1:-build}
reps=${2:-3}
shift $(( $# > 2 ? 2 : $# ))
threads=${*:-1 2}
batch=100
cmake --build "$build" --target bench_eval >/dev/null
torch_bench=0
# TOPIARY_SKIP_BRIDGE=1 leaves the libtorch bridge out (building the trainer takes long).
[ "${TOPIARY_SKIP_BRIDGE:-0}" = 1 ] || { cmake --build "$build" --target bench_torch_eval >/dev/null 2>&1 && torch_bench=1; }
out=$build/eval-bench
rm -rf "$out" && mkdir -p "$out"
for t in $threads; do
  for rep in $(seq "$reps"); do
    cut -d' ' -f1 /proc/loadavg >> "$out/load_$t"
    TOPIARY_THREADS=$t TOPIARY_BATCH=$batch TOPIARY_BENCH_CSV="$out/topiary_$t.csv" TOPIARY_SAMPLE_DIR=resources/sample \
      "$build/tests/bench/bench_eval" --benchmark_filter='fullEvaluation|sensitivityAnalysis' \
      --benchmark_format=json > "$out/topiary_${t}_$rep.json" 2>/dev/null
    /usr/bin/python3 tests/bench/sensitivity_peer.py resources/sample "$t" "$batch" 5 > "$out/torch_${t}_$rep.json"
    node tests/bench/ort_eval_peer.js resources/sample 5 "$t" "$batch" > "$out/ort_${t}_$rep.json"
    if [ "$torch_bench" = 1 ]; then
      TOPIARY_THREADS=$t OMP_NUM_THREADS=$t TOPIARY_SAMPLE_DIR=resources/sample "$build/tests/bench/bench_torch_eval" \
        --benchmark_format=json > "$out/bridge_${t}_$rep.json" 2>/dev/null
    fi
  done
done
/usr/bin/python3 - "$out" "$reps" $threads <<'PY'
import csv, json, statistics, sys
out, reps, threads = sys.argv[1], int(sys.argv[2]), sys.argv[3:]
def ms(b):
    return b["real_time"] * {"ms": 1, "us": 1e-3, "ns": 1e-6, "s": 1000}[b["time_unit"]]
print("| threads | benchmark | Topiary (median) | peer (median) | ratio |")
print("|---|---|---|---|---|")
for t in threads:
    tops = [{b["name"].split("/iterations")[0]: b for b in json.load(open(f"{out}/topiary_{t}_{r}.json"))["benchmarks"]}
            for r in range(1, reps + 1)]
    torch = [json.load(open(f"{out}/torch_{t}_{r}.json")) for r in range(1, reps + 1)]
    ort = [json.load(open(f"{out}/ort_{t}_{r}.json")) for r in range(1, reps + 1)]
    med = statistics.median
    def wall_cpu(x, name):
        b = x[name]
        return ms(b), b["cpu_time"] * {"ms": 1, "us": 1e-3, "ns": 1e-6, "s": 1000}[b["time_unit"]]
    ev = {b: (med(wall_cpu(x, f"fullEvaluation/{b}")[0] for x in tops), med(wall_cpu(x, f"fullEvaluation/{b}")[1] for x in tops))
          for b in (32, 100, 250)}
    ort_w, ort_c = med(o["median_ms"] for o in ort), med(o["cpu_ms"] for o in ort)
    pt_w, pt_c = med(p["eval_median_ms"] for p in torch), med(p["eval_cpu_ms"] for p in torch)
    w, c = ev[100]
    print(f"| {t} | evaluation, 1,000 images, batch 100: wall / CPU | {w:.0f} / {c:.0f} ms | ONNX Runtime {ort_w:.0f} / {ort_c:.0f} ms | {ort_w / w:.2f}x / {ort_c / c:.2f}x |")
    print(f"| {t} | the same | {w:.0f} / {c:.0f} ms | PyTorch {pt_w:.0f} / {pt_c:.0f} ms | {pt_w / w:.2f}x / {pt_c / c:.2f}x |")
    print(f"| {t} | evaluation at batch 32 / 250 (wall) | {ev[32][0]:.0f} / {ev[250][0]:.0f} ms | — | — |")
    ex = (med(wall_cpu(x, "sensitivityAnalysis/0")[0] for x in tops) / 1000, med(wall_cpu(x, "sensitivityAnalysis/0")[1] for x in tops) / 1000)
    sq = (med(wall_cpu(x, "sensitivityAnalysis/1")[0] for x in tops) / 1000, med(wall_cpu(x, "sensitivityAnalysis/1")[1] for x in tops) / 1000)
    pw, pc = med(p["seconds"] for p in torch), med(p["cpu_seconds"] for p in torch)
    s1 = tops[0]["sensitivityAnalysis/1"]
    print(f"| {t} | sensitivity, 90 points x 1,000 images, exact: wall / CPU | {ex[0]:.1f} / {ex[1]:.1f} s | PyTorch loop {pw:.1f} / {pc:.1f} s | {pw / ex[0]:.2f}x / {pc / ex[1]:.2f}x faster |")
    print(f"| {t} | sensitivity, sequential stopping (tolerance 1 point; {int(s1['stopped_early'])} of 90 points stopped early, {s1['images_per_point']:.0f} images a point) | {sq[0]:.1f} / {sq[1]:.1f} s | PyTorch loop {pw:.1f} / {pc:.1f} s | {pw / sq[0]:.2f}x / {pc / sq[1]:.2f}x faster |")
    import os
    if os.path.exists(f"{out}/bridge_{t}_1.json"):
        br = [{b["name"].split("/iterations")[0]: b for b in json.load(open(f"{out}/bridge_{t}_{r}.json"))["benchmarks"]}
              for r in range(1, reps + 1)]
        cvw, cvc = med(wall_cpu(x, "forwardPasses/0")[0] for x in br), med(wall_cpu(x, "forwardPasses/0")[1] for x in br)
        tw, tc = med(wall_cpu(x, "forwardPasses/1")[0] for x in br), med(wall_cpu(x, "forwardPasses/1")[1] for x in br)
        diff = int(br[0]["forwardPasses/1"]["differing_predictions"])
        print(f"| {t} | forward passes only, 1,000 preprocessed images, batch 100: OpenCV (Topiary) vs the trainer's libtorch bridge (GraphRunner), wall / CPU ({diff} predictions differ) | {cvw:.0f} / {cvc:.0f} ms | libtorch bridge {tw:.0f} / {tc:.0f} ms | {tw / cvw:.2f}x / {tc / cvc:.2f}x |")
    loads = open(f"{out}/load_{t}").read().split()
    print(f"| {t} | load average at each repetition | {', '.join(loads)} | | |")
    # Exactness: the same counts as PyTorch, point for point.
    rows = list(csv.DictReader(open(f"{out}/topiary_{t}.csv")))
    theirs = {(c["layer"], round(c["ratio"], 3)): c["correct"] for c in torch[0]["curves"]}
    names = {r["layer"] for r in rows}
    def key(r):
        module = r["layer"].strip("/").rsplit("/", 1)[0].replace("/", ".")
        return (module, round(float(r["value"]), 3))
    bad = [r for r in rows if theirs.get(key(r)) != int(r["correct"])]
    print(f"\n{t} thread(s): {len(rows) - len(bad)} of {len(rows)} points have PyTorch's top-1 count; "
          f"PyTorch module predicts as recorded: {torch[0]['predictions_equal_recorded']}\n")
PY
