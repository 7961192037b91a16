// A dense (group = 1) 2-D convolution layer for OpenCV dnn backed by oneDNN. OpenCV 4.6's
// own kernels ran the sample's 3x3 convolutions at about 17 GMAC/s on an AVX2 core and took
// 92 % of an evaluation; oneDNN's JIT kernels (the ones PyTorch runs) are faster. BatchNorm
// is folded into the weights and ReLU/ReLU6/leaky ReLU become a oneDNN post-op, both from
// the blobs each time OpenCV sets the net up (as DepthwiseConvLayer does), so SwappableNet's
// weight swaps take effect. The oneDNN primitive and the weights in oneDNN's blocked layout
// are made once per set-up and input shape and reused by every forward. The blobs between
// layers stay OpenCV's NCHW; each forward reorders its input to oneDNN's 8-channel blocks
// and its output back. Threads: cv::getNumThreads() (Debian's oneDNN runs on OpenMP).
//
// createOneDnnConvolution() returns the layer for every dense 2-D float convolution with
// explicit pads (on the sample it was faster than OpenCV's for each geometry: 3x3, 3x3
// stride 2, 1x1 and the one-channel stem) and null for the others, which stay OpenCV's.
// TOPIARY_ONEDNN=0 in the environment leaves all of them to OpenCV (for A/B measurements).
#pragma once

#include <opencv2/dnn/all_layers.hpp>

#include <string_view>

namespace topiary {

// params: the importer's; geometry: OpenCV's own layer made from them (kernel, strides,
// pads, dilations as OpenCV parsed them).
cv::Ptr<cv::dnn::Layer> createOneDnnConvolution(const cv::dnn::LayerParams& params,
    const cv::dnn::BaseConvolutionLayer& geometry);

// The type name the layer reports (cv::dnn::Layer::type), e.g. for SwappableNet.
constexpr std::string_view oneDnnConvLayerType = "TopiaryOneDnnConvolution";

} // namespace topiary
