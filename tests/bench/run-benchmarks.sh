#!/usr/bin/env bash
# Runs the benchmarks and their peers in one run and prints Markdown for BENCHMARKS.md.
#   tests/bench/run-benchmarks.sh [BUILD_DIR]     (default: build)
# The evaluation and sensitivity tables alone: tests/bench/run-eval-benchmarks.sh [BUILD_DIR].
set -euo pipefail
cd "$(dirname "$0")/../.."
build=${1:-build}
models=$build/fixtures/torchvision
export TOPIARY_BENCH_MODELS=$models
[ -f "$models/references.json" ] || /usr/bin/python3 tests/fixtures/make_reference_models.py --out "$models"
cmake --build "$build" --target bench_model bench_importance bench_stats >/dev/null

cpp=$("$build/tests/bench/bench_model" --benchmark_format=json 2>/dev/null)
py=$(/usr/bin/python3 tests/bench/python_peer.py "$models" 5)
/usr/bin/python3 - "$cpp" "$py" <<'PY'
import json, sys
cpp = {b["name"].split("/min_time")[0]: b for b in json.loads(sys.argv[1])["benchmarks"]}
py = json.loads(sys.argv[2])
def ms(b):
    scale = {"ms": 1, "us": 1e-3, "ns": 1e-6}[b["time_unit"]]
    return b["real_time"] * scale
print("| benchmark | Topiary | peer (Python onnx.load + infer_shapes) | ratio peer/Topiary |")
print("|---|---|---|---|")
for model in ("resnet50", "vgg16"):
    t = ms(cpp[f"loadInferCost/{model}"])
    p = py[f"{model}_bn.onnx"]["median_ms"]
    print(f"| load + checker + shape inference + costs, {model} | {t:.1f} ms | {p:.1f} ms | {p / t:.2f}x |")
for model in ("resnet50", "densenet121"):
    t = ms(cpp[f"costOnly/{model}"])
    print(f"| cost recomputation, {model} | {t * 1000:.1f} us | — | — |")
PY

echo
echo "Filter importance:"
"$build/tests/bench/bench_importance" --benchmark_format=json > "$build/bench_importance.json" 2>/dev/null
/usr/bin/python3 tests/bench/importance_peer.py "$models" --cpp "$build/bench_importance.json"

echo
cpp=$("$build/tests/bench/bench_stats" --benchmark_format=json 2>/dev/null)
peer=$(/usr/bin/python3 tests/bench/apply_peer.py "$models/resnet50_bn.onnx" 3)
/usr/bin/python3 - "$cpp" "$peer" <<'PY'
import json, sys
cpp = {b["name"].split("/iterations")[0]: b for b in json.loads(sys.argv[1])["benchmarks"]}
peer = json.loads(sys.argv[2])
def ms(b):
    return b["real_time"] * {"ms": 1, "us": 1e-3, "ns": 1e-6}[b["time_unit"]]
print("| benchmark | Topiary | peer | ratio peer/Topiary |")
print("|---|---|---|---|")
for model in ("resnet50", "densenet121"):
    t, p = ms(cpp[f"statsAfterOneEdit/{model}"]), ms(cpp[f"costModelPeer/{model}"])
    print(f"| stats after one layer edit, {model} | {t * 1000:.1f} us | full CostModel {p * 1000:.1f} us | {p / t:.1f}x |")
for kind in ("masked", "shrunk"):
    t = ms(cpp[f"applyAndWrite/resnet50_{kind}"])
    print(f"| apply + atomic write, resnet50, {kind} | {t:.0f} ms | python-onnx + numpy masked {peer['median_ms']:.0f} ms | {peer['median_ms'] / t:.2f}x |")
PY

echo
tests/bench/run-eval-benchmarks.sh "$build"

echo
cmake --build "$build" --target bench_layout bench_gui_graph >/dev/null
layout=$(TOPIARY_REFERENCE_DIR=$models "$build/tests/bench/bench_layout" --benchmark_format=json 2>/dev/null)
gui=$(TOPIARY_REFERENCE_DIR=$models QT_QPA_PLATFORM=offscreen "$build/tests/bench/bench_gui_graph" --benchmark_format=json 2>/dev/null)
/usr/bin/python3 - "$layout" "$gui" <<'PY'
import json, sys
def runs(text):
    return {b["name"].split("/min_time")[0].split("/iterations")[0]: b for b in json.loads(text)["benchmarks"]}
layout, gui = runs(sys.argv[1]), runs(sys.argv[2])
def ms(b):
    return b["real_time"] * {"ms": 1, "us": 1e-3, "ns": 1e-6}[b["time_unit"]]
print("| benchmark | Topiary | peer | ratio peer/Topiary |")
print("|---|---|---|---|")
for mode in ("", "_compact"):
    t, p = ms(layout[f"layout/resnet50{mode}"]), ms(layout[f"layout/resnet50{mode}_graphvizDefaults"])
    print(f"| graph layout, resnet50{mode.replace('_', ' ')} | {t:.1f} ms | Graphviz default limits + splines {p:.1f} ms | {p / t:.2f}x |")
for mode in ("", "_compact"):
    print(f"| graph layout, densenet121{mode.replace('_', ' ')} | {ms(layout[f'layout/densenet121{mode}']):.0f} ms | Graphviz defaults: ~100 s | — |")
for scale, label in (("100", "1:1"), ("25", "1:4"), ("0", "fitted")):
    on, off = ms(gui[f"panDensenet/scale%:{scale}/cache:1"]), ms(gui[f"panDensenet/scale%:{scale}/cache:0"])
    print(f"| panning densenet121 at {label}, frame | {on:.1f} ms ({1000 / on:.0f} fps) | no item caching {off:.1f} ms | {off / on:.2f}x |")
PY

echo
cmake --build "$build" --target bench_app_slider >/dev/null
slider=$(TOPIARY_REFERENCE_DIR=$models QT_QPA_PLATFORM=offscreen "$build/tests/bench/bench_app_slider" --benchmark_format=json 2>/dev/null)
/usr/bin/python3 - "$slider" <<'PY'
import json, sys
runs = {b["name"].split("/min_time")[0]: b for b in json.loads(sys.argv[1])["benchmarks"]}
def ms(b):
    return b["real_time"] * {"ms": 1, "us": 1e-3, "ns": 1e-6}[b["time_unit"]]
def cpu(b):
    return b["cpu_time"] * {"ms": 1, "us": 1e-3, "ns": 1e-6}[b["time_unit"]]
print("| benchmark (resnet50) | Topiary wall / CPU | peer wall / CPU | ratio peer/Topiary (wall) |")
print("|---|---|---|---|")
core, scratch = runs["coreOnly/resnet50"], runs["statsFromScratch/resnet50"]
t, p = runs["sliderToStats/resnet50"], runs["sliderToStats/resnet50_painted"]
print(f"| slider value → stats panel + layer table updated | {ms(t):.2f} / {cpu(t):.2f} ms | stats from scratch {ms(scratch):.2f} / {cpu(scratch):.2f} ms | {ms(scratch) / ms(t):.2f}x |")
print(f"| the same + table viewport and panel painted | {ms(p):.2f} / {cpu(p):.2f} ms | target 16 ms | {16 / ms(p):.2f}x headroom |")
print(f"| the core's share (withLayerPrune + StatsModel::compute) | {ms(core):.2f} / {cpu(core):.2f} ms | the whole update above | {ms(t) / ms(core):.2f}x |")
print(f"\nPainted update, wall per step: edit + models {p['edit_ms']:.2f} ms, table paint {p['table_paint_ms']:.2f} ms,"
      f" totals paint {p['totals_paint_ms']:.2f} ms. Target: < 16 ms.")
PY
