// A depthwise convolution layer for OpenCV dnn (every group reads one input channel, one
// or more filters per group). OpenCV 4.6's own depthwise path falls back to scalar code
// with a bounds check per tap on small planes: the sample's two depthwise layers (7x7
// outputs) took 170 ms of a 1,000-image evaluation's 930, for 0.5 % of its multiply-adds.
// This layer pads each input plane once (split into stride phases) and runs every tap as
// one long loop over the flattened plane, with BatchNorm and ReLU/ReLU6/leaky ReLU folded
// in the way OpenCV folds them into its own convolutions: from the blobs each time the net
// is set up, so SwappableNet's weight swaps work alike.
//
// registerDepthwiseConvLayer() makes OpenCV's importers create it for every "Convolution"
// with groups > 1 whose weights have one input channel per group (2-D, explicit pads),
// and OneDnnConvLayer for the dense ones it takes (createOneDnnConvolution); every other
// convolution stays OpenCV's own. Idempotent and thread-safe; OpenCvNet calls
// it before each import.
#pragma once

#include <string_view>

namespace topiary {

void registerDepthwiseConvLayer();

// The type name the layer reports (cv::dnn::Layer::type), e.g. for SwappableNet.
constexpr std::string_view depthwiseConvLayerType = "TopiaryDepthwiseConvolution";

} // namespace topiary
