#!/usr/bin/env bash
# Installs every Debian 12 package Topiary needs to build, run and test.
# Idempotent and non-interactive: packages already present are skipped by apt.
set -euo pipefail

packages=(
  # toolchain
  build-essential cmake ninja-build pkg-config clang
  # GUI
  qt6-base-dev qt6-base-dev-tools qt6-tools-dev qt6-tools-dev-tools qt6-l10n-tools
  qt6-svg-dev libgl-dev libqcustomplot-dev libqcustomplot2.1-qt6
  # core
  libonnx-dev libprotobuf-dev protobuf-compiler libopencv-dev libgraphviz-dev zlib1g-dev
  # oneDNN (dense convolutions); Debian builds it with the OpenCL GPU runtime, so its CMake
  # config looks for the OpenCL loader and headers
  libdnnl-dev ocl-icd-opencl-dev
  # an optimised BLAS/LAPACK in place of the reference one behind libblas.so.3: OpenCV's
  # gemm and Cholesky solves (recovery's least squares) run ~15x faster with it
  libopenblas0-pthread
  nlohmann-json3-dev
  # the trainer process (topiary-train): PyTorch's C++ library, CPU
  libtorch-dev
  # tests and benchmarks
  catch2 libbenchmark-dev xvfb xauth
  python3 python3-torch python3-torchvision python3-onnx python3-numpy
  # sample data
  dataset-fashion-mnist
)

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done

# Node.js (for ONNX Runtime's npm package, a test reference): Debian's if none is present.
command -v npm >/dev/null 2>&1 || missing+=(nodejs npm)

if [ ${#missing[@]} -gt 0 ]; then
  SUDO=""
  [ "$(id -u)" -eq 0 ] || SUDO="sudo"
  export DEBIAN_FRONTEND=noninteractive
  $SUDO apt-get update -q
  $SUDO apt-get install -y -q --no-install-recommends "${missing[@]}"
fi

# ONNX Runtime (CPU) from npm, the independent runtime exported models are checked in.
# --ignore-scripts: its install script would try to download; the CPU runtime ships inside.
repo=$(cd "$(dirname "$0")/.." && pwd)
if [ ! -f "$repo/tests/ort/node_modules/onnxruntime-node/package.json" ]; then
  npm install --prefix "$repo/tests/ort" --ignore-scripts --no-audit --no-fund --loglevel=error
fi
