#!/usr/bin/env bash
# topiary-cli eval on the bundled sample: top-1 equals PyTorch's recorded subset accuracy,
# gzipped IDX and a CSV list of PNGs give the same predictions, and errors exit non-zero.
set -u
cli=$1; src=$2
fail=0
check() { if eval "$2"; then echo "ok: $1"; else echo "FAILED: $1"; fail=1; fi; }
py=/usr/bin/python3
sample=$src/resources/sample
model=$sample/fashion_cnn.onnx
images=$sample/fashion-mnist-test-1000-images-idx3-ubyte
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
field() { $py -c "import json,sys; d=json.load(sys.stdin); print($1)"; }

json=$("$cli" eval "$model" --data "$images" --json); rc=$?
check "eval on the sample exits 0" "[ $rc -eq 0 ]"
expected=$($py -c "import json; print(json.load(open('$sample/training_result.json'))['subset_accuracy'])")
got=$(echo "$json" | field "round(d['top1']['value'], 4)")
check "top-1 equals PyTorch's subset accuracy ($got vs $expected)" "[ '$got' = '$expected' ]"
inside=$(echo "$json" | field "int(d['top1']['low'] < d['top1']['value'] < d['top1']['high'] and d['processed'] == 1000)")
check "the estimate lies inside its interval, 1000 images processed" "[ '$inside' = 1 ]"

# The same images gzipped, labels found by the naming convention.
$py -c "import gzip,shutil,sys; [shutil.copyfileobj(open(a,'rb'), gzip.open(b,'wb')) for a,b in [(sys.argv[1], sys.argv[3]), (sys.argv[2], sys.argv[4])]]" \
    "$images" "$sample/fashion-mnist-test-1000-labels-idx1-ubyte" "$tmp/t-images-idx3-ubyte.gz" "$tmp/t-labels-idx1-ubyte.gz"
gz=$("$cli" eval "$model" --data "$tmp/t-images-idx3-ubyte.gz" --json | field "round(d['top1']['value'], 4)")
check "gzipped IDX gives the same top-1 ($gz)" "[ '$gz' = '$got' ]"

# 40 PNGs in a CSV list with class names, plus a missing file that is skipped, not fatal.
$py - "$images" "$sample/fashion-mnist-test-1000-labels-idx1-ubyte" "$sample/preprocess.json" "$tmp" <<'PY'
import json, os, sys, zlib, struct
images, labels, pre, out = sys.argv[1:]
names = json.load(open(pre))["classes"]
px = open(images, "rb").read()[16:]
lb = open(labels, "rb").read()[8:]
def png(path, data):  # 8-bit grayscale PNG, written by hand
    raw = b"".join(b"\0" + data[y * 28:(y + 1) * 28] for y in range(28))
    chunk = lambda t, d: struct.pack(">I", len(d)) + t + d + struct.pack(">I", zlib.crc32(t + d) & 0xffffffff)
    open(path, "wb").write(b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", 28, 28, 8, 0, 0, 0, 0))
                           + chunk(b"IDAT", zlib.compress(raw)) + chunk(b"IEND", b""))
os.makedirs(f"{out}/png")
with open(f"{out}/list.csv", "w") as f:
    f.write("path,label\n")
    for i in range(40):
        png(f"{out}/png/{i}.png", px[i * 784:(i + 1) * 784])
        f.write(f"\"png/{i}.png\",\"{names[lb[i]]}\"\n")
    f.write("png/missing.png,Bag\n")
PY
csv=$("$cli" eval "$model" --data "$tmp/list.csv" --in-order --json); rc=$?
check "eval on a CSV list exits 0" "[ $rc -eq 0 ]"
idx=$("$cli" eval "$model" --data "$images" --in-order --limit 40 --json)
a=$(echo "$csv" | field "d['top1']['value'], d['processed'], len(d['dataset_skipped_files'])")
b=$(echo "$idx" | field "d['top1']['value'], d['processed'], 1")
check "the CSV list scores as the first 40 IDX images, one file skipped ($a vs $b)" "[ '$a' = '$b' ]"

"$cli" eval "$model" > /dev/null 2>&1; rc=$?
check "eval without --data is a usage error" "[ $rc -eq 2 ]"
"$cli" eval "$model" --data "$tmp/nothing-here" > /dev/null 2>&1; rc=$?
check "eval on a missing dataset exits 1" "[ $rc -eq 1 ]"
err=$("$cli" eval "$model" --data "$sample/fashion-mnist-test-1000-labels-idx1-ubyte" 2>&1 >/dev/null)
check "a labels file as data is refused with the magic number" "echo \"\$err\" | grep -q 0x00000803"
exit $fail
