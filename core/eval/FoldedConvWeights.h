// The working weights and bias of Topiary's own convolution layers inside OpenCV's net
// (DepthwiseConvLayer, OneDnnConvLayer): read again from the layer's blobs at every
// set-up (SwappableNet may have rewritten them), then a following BatchNorm or Scale
// folded in when OpenCV's fusion offers it.
#pragma once

#include <opencv2/core.hpp>
#include <opencv2/dnn/layer.hpp>

#include <cstddef>
#include <vector>

namespace topiary {

struct FoldedConvWeights {
    std::vector<float> weights; // outputs x (the values of one output's filter)
    std::vector<float> bias; // outputs; zeros when the convolution has none

    // From blobs[0] (outputs x perOutput values) and blobs[1], the bias, when it has one
    // value per output.
    void load(const std::vector<cv::Mat>& blobs, int outputs, size_t perOutput);
    // w' = w * scale, b' = b * scale + shift with `next`'s scale and shift (one per
    // output, or one for all). False, and nothing changed, when it has neither or they
    // are of another size.
    bool fold(const cv::Ptr<cv::dnn::Layer>& next);
};

} // namespace topiary
