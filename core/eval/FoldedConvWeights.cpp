#include "core/eval/FoldedConvWeights.h"

#include <algorithm>

namespace topiary {

void FoldedConvWeights::load(const std::vector<cv::Mat>& blobs, int outputs, size_t perOutput)
{
    const auto k = static_cast<size_t>(outputs);
    CV_Assert(!blobs.empty() && blobs[0].total() == k * perOutput);
    const cv::Mat w = blobs[0].isContinuous() ? blobs[0] : blobs[0].clone();
    weights.assign(w.ptr<float>(), w.ptr<float>() + w.total());
    bias.assign(k, 0.0f);
    if (blobs.size() > 1 && blobs[1].total() == k) {
        const cv::Mat b = blobs[1].isContinuous() ? blobs[1] : blobs[1].clone();
        std::copy(b.ptr<float>(), b.ptr<float>() + b.total(), bias.begin());
    }
}

bool FoldedConvWeights::fold(const cv::Ptr<cv::dnn::Layer>& next)
{
    cv::Mat scale, shift;
    next->getScaleShift(scale, shift);
    if (scale.empty() && shift.empty())
        return false;
    const size_t k = bias.size();
    if (k == 0 || (!scale.empty() && scale.total() != k && scale.total() != 1)
        || (!shift.empty() && shift.total() != k && shift.total() != 1))
        return false;
    scale = scale.isContinuous() ? scale : scale.clone();
    shift = shift.isContinuous() ? shift : shift.clone();
    const size_t perOutput = weights.size() / k;
    for (size_t o = 0; o < k; ++o) {
        const float s = scale.empty() ? 1.0f : scale.ptr<float>()[scale.total() == 1 ? 0 : o];
        const float t = shift.empty() ? 0.0f : shift.ptr<float>()[shift.total() == 1 ? 0 : o];
        for (size_t i = 0; i < perOutput; ++i)
            weights[o * perOutput + i] *= s;
        bias[o] = bias[o] * s + t;
    }
    return true;
}

} // namespace topiary
