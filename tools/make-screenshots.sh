#!/bin/sh
# Regenerates the screenshots of docs/guide.md and README.md (docs/images/*.png) from the
# real window: builds topiary-screenshots and runs it under a virtual X display
# (xvfb-run), or Qt's offscreen platform when xvfb-run is not installed.
#
#   tools/make-screenshots.sh [BUILD_DIR]       (default: build)
#
# The DenseNet-121 graph needs the torchvision reference models the test run generates:
# $TOPIARY_REFERENCE_DIR/densenet121_bn.onnx (default BUILD_DIR/fixtures/torchvision);
# without it that one picture is skipped.
set -eu
root=$(cd "$(dirname "$0")/.." && pwd)
build=${1:-"$root/build"}
out="$root/docs/images"
references=${TOPIARY_REFERENCE_DIR:-"$build/fixtures/torchvision"}

cmake --build "$build" --target topiary-screenshots
program="$build/tests/app/gui/topiary-screenshots"
densenet="$references/densenet121_bn.onnx"
if [ ! -f "$densenet" ]; then
    echo "make-screenshots: $densenet not found; skipping the DenseNet-121 graph" >&2
    densenet=
fi

if command -v xvfb-run >/dev/null 2>&1; then
    # A screen bigger than the 1400x900 window, so the window manager-less X server never clips it.
    exec xvfb-run -a -s "-screen 0 1600x1000x24" "$program" "$out" $densenet
else
    echo "make-screenshots: xvfb-run not found; using QT_QPA_PLATFORM=offscreen" >&2
    QT_QPA_PLATFORM=offscreen exec "$program" "$out" $densenet
fi
