#!/usr/bin/env bash
# topiary-cli apply/eval --recover on the bundled sample: recovery runs on the calibration
# images given, is recorded in the written recipe, raises the 4-bit model's top-1, and
# bad recovery flags exit 2 with a message; fit --recover measures its plans after recovery,
# as eval --recover measures the recipe it writes; sensitivity --recover measures each point
# as eval --recover measures that single-layer plan, and fit --recovered-sweep needs --recover.
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

"$cli" apply "$model" --bits 4 --recover bias -o "$tmp/x.onnx" 2> "$tmp/err"; rc=$?
check "recovery without images exits 2" "[ $rc -eq 2 ] && grep -q 'calibration images' '$tmp/err'"
"$cli" apply "$model" --bits 4 --calib 64 -o "$tmp/x.onnx" 2> "$tmp/err"; rc=$?
check "--calib without --recover exits 2" "[ $rc -eq 2 ] && grep -q 'need --recover' '$tmp/err'"
"$cli" apply "$model" --bits 4 --recover bn,magic --calib-data "$images" -o "$tmp/x.onnx" 2> "$tmp/err"; rc=$?
check "an unknown method exits 2 naming it" "[ $rc -eq 2 ] && grep -q \"unknown recovery method 'magic'\" '$tmp/err'"
"$cli" apply "$model" --bits 4 --recover bias --calib 0 --calib-data "$images" -o "$tmp/x.onnx" 2> "$tmp/err"; rc=$?
check "--calib 0 exits 2" "[ $rc -eq 2 ]"

"$cli" apply "$model" --bits 4 --recover bn,bias,lsq --calib 200 --calib-data "$images" -o "$tmp/r.onnx" 2> "$tmp/err"; rc=$?
check "apply --recover exits 0" "[ $rc -eq 0 ]"
check "it says what recovery did" "grep -q 'recovery bn,bias,lsq on 200 images' '$tmp/err'"
recorded=$($py -c "
import onnx, json, sys
m = onnx.load(sys.argv[1])
r = json.loads({p.key: p.value for p in m.metadata_props}['topiary.recipe'])['recovery']
print(','.join(r['methods']), r['calibration_images'])" "$tmp/r.onnx")
check "the export records the recovery in its recipe ($recorded)" "[ '$recorded' = 'bn,bias,lsq 200' ]"

plain=$("$cli" eval "$model" --data "$images" --bits 4 --json | field "round(d['compressed']['top1']['value'], 4)")
json=$("$cli" eval "$model" --data "$images" --bits 4 --recover bn,bias,lsq --calib 200 --json 2> "$tmp/err")
recovered=$(echo "$json" | field "round(d['compressed']['top1']['value'], 4)")
methods=$(echo "$json" | field "','.join(d['recipe']['recovery']['methods'])")
check "eval --recover reports the recovery in its recipe" "[ '$methods' = 'bn,bias,lsq' ]"
check "recovery raises 4-bit top-1 ($plain -> $recovered)" "$py -c 'import sys; sys.exit(not $recovered > $plain)'"
# fit --recover: every plan tried is measured before and after recovery; the recipe carries
# the recovery, and eval of that recipe (recovering on the same images) gives the same top-1.
"$cli" fit "$model" --data "$images" --limit 200 --ratios 0,0.3,0.6 --target-macs 0.6 --max-loss 30 \
  --recover bn,bias,lsq --calib 64 --calib-data "$images" -o "$tmp/fit.json" --json >"$tmp/fit-out.json" 2>"$tmp/err"; rc=$?
check "fit --recover runs (exit $rc)" "[ $rc -le 1 ] && [ -s '$tmp/fit.json' ]"
check "fit --recover reports the loss before and after recovery of every plan" "$py -c \"
import json; d = json.load(open('$tmp/fit-out.json'))
assert d['recovery']['methods'] == ['bn', 'bias', 'lsq'], d['recovery']
assert all(a['unrecovered_loss'] is not None and a['measured_loss'] is not None for a in d['attempts']), d['attempts']
assert d['attempts'][0]['step'] == 'proposal', d['attempts']
r = json.load(open('$tmp/fit.json'))['recovery']
assert r['methods'] == ['bn', 'bias', 'lsq'] and r['calibration_images'] == 64, r\""
fitTop1=$(field "round(d['top1'], 4)" < "$tmp/fit-out.json")
evalTop1=$("$cli" eval "$model" --data "$images" --limit 200 --recipe "$tmp/fit.json" --json 2>/dev/null \
  | field "round(d['compressed']['top1']['value'], 4)")
check "eval of the fitted recipe measures what fit measured ($fitTop1 = $evalTop1)" "[ '$fitTop1' = '$evalTop1' ]"
# sensitivity --recover: a point's recovered top-1 is eval --recover of its single-layer plan.
"$cli" sensitivity "$model" --data "$images" --limit 200 --exact --granularity filter --ratios 0,0.8 \
  --layers /block1/conv1/Conv --recover bn,bias,lsq --calib 64 --calib-data "$images" --csv "$tmp/rs.csv" \
  --json >"$tmp/rs.json" 2>"$tmp/err"; rc=$?
check "sensitivity --recover exits 0 ($rc)" "[ $rc -eq 0 ]"
swept=$(field "[p for p in d['points'] if p['value'] == 0.8][0]['top1_recovered']" < "$tmp/rs.json")
plainSwept=$(field "[p for p in d['points'] if p['value'] == 0.8][0]['top1']" < "$tmp/rs.json")
cat > "$tmp/one.json" <<'JSON'
{"version": 1, "layers": {"/block1/conv1/Conv": {"prune": {"granularity": "filter", "criterion": "l1", "mode": "ratio", "value": 0.8}}}}
JSON
single=$("$cli" eval "$model" --data "$images" --limit 200 --recipe "$tmp/one.json" --recover bn,bias,lsq --calib 64 \
  --calib-data "$images" --json 2>/dev/null | field "d['compressed']['top1']['value']")
check "the recovered point equals eval --recover of its plan ($swept = $single)" "[ '$swept' = '$single' ]"
check "recovery raised that point (as compressed $plainSwept)" "$py -c 'import sys; sys.exit(not $swept > $plainSwept)'"
check "the CSV has both top-1 columns" "grep -q '^layer,members,kind,value,energy_removed,top1_unrecovered,top1,' '$tmp/rs.csv'"
"$cli" fit "$model" --data "$images" --limit 200 --target-macs 0.6 --recovered-sweep -o "$tmp/f.json" 2>"$tmp/err"; rc=$?
check "fit --recovered-sweep without --recover exits 2" "[ $rc -eq 2 ] && grep -q 'needs --recover' '$tmp/err'"
exit $fail
