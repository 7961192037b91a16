#!/usr/bin/env bash
# The level check is only worth having if it fails: a fabricated core/ with an upward
# include, an include loop and a stray top-level file must be reported, each by name.
set -euo pipefail
check=$1
py=${TOPIARY_PYTHON:-python3}
tree=$(mktemp -d)
trap 'rm -rf "$tree"' EXIT
mkdir -p "$tree/core/base" "$tree/core/model" "$tree/core/eval"
echo '#include "core/model/Model.h"' > "$tree/core/base/Error.h"          # base -> model: up
echo '#include "core/eval/B.h"' > "$tree/core/eval/A.h"                    # A <-> B: loop
echo '#include "core/eval/A.h"' > "$tree/core/eval/B.cpp"
echo '' > "$tree/core/model/Model.h"
echo '' > "$tree/core/Stray.cpp"
set +e
out=$("$py" "$check" "$tree")
rc=$?
set -e
echo "$out"
[ "$rc" -eq 1 ] || { echo "expected exit 1, got $rc"; exit 1; }
grep -q "core/base/Error (base) includes core/model/Model.h (model), a level above it" <<<"$out"
grep -q "include loop: eval/A -> eval/B" <<<"$out"
grep -q "core/Stray.cpp: a source file at core/'s top" <<<"$out"
echo "the level check reports all three"
