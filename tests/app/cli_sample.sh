#!/usr/bin/env bash
# The bundled sample model: topiary-cli reads it, and its params equal PyTorch's
# count recorded by the training script.
set -u
cli=$1; src=$2
fail=0
check() { if eval "$2"; then echo "ok: $1"; else echo "FAILED: $1"; fail=1; fi; }
json=$("$cli" info "$src/resources/sample/fashion_cnn.onnx" --json); rc=$?
check "info on the sample exits 0" "[ $rc -eq 0 ]"
expected=$(/usr/bin/python3 -c "import json; print(json.load(open('$src/resources/sample/training_result.json'))['params'])")
got=$(echo "$json" | /usr/bin/python3 -c "import json,sys; print(json.load(sys.stdin)['totals']['params'])")
check "sample params equal PyTorch's ($expected)" "[ '$got' = '$expected' ]"
layers=$(echo "$json" | /usr/bin/python3 -c "import json,sys; d=json.load(sys.stdin); print(len(d['layers']), sum(1 for l in d['layers'] if 'batch_norm' in l), sum(1 for l in d['layers'] if l['group'] > 1))")
check "sample has 9 layers, 8 with BN, 2 depthwise ($layers)" "[ '$layers' = '9 8 2' ]"
exit $fail
