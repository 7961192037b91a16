// Per-channel mean and variance of activations (batch first, channels on axis 1, any
// positions after), accumulated batch by batch with Chan et al.'s pairwise update so a
// large mean does not eat the variance's precision.
#pragma once

#include <opencv2/core/mat.hpp>

#include <cstdint>
#include <vector>

namespace topiary {

class ChannelMoments {
public:
    // The first `count` samples of `tensor` (N x C [x ...], CV_32F). Returns false when the
    // tensor has another channel count than earlier batches.
    bool add(const cv::Mat& tensor, int count);

    int64_t channels() const { return static_cast<int64_t>(m_mean.size()); }
    int64_t valuesPerChannel() const { return m_n; }
    const std::vector<double>& mean() const { return m_mean; }
    // Unbiased (n - 1) variance, as PyTorch's BatchNorm keeps in running_var.
    std::vector<double> unbiasedVariance() const;

private:
    int64_t m_n = 0;
    std::vector<double> m_mean;
    std::vector<double> m_m2; // sum of squared deviations from the mean
};

} // namespace topiary
