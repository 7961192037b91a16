#include "core/recover/ChannelMoments.h"

namespace topiary {

bool ChannelMoments::add(const cv::Mat& tensor, int count)
{
    if (tensor.dims < 2 || count <= 0)
        return count <= 0;
    const auto channels = static_cast<size_t>(tensor.size[1]);
    if (m_mean.empty()) {
        m_mean.assign(channels, 0.0);
        m_m2.assign(channels, 0.0);
    } else if (m_mean.size() != channels) {
        return false;
    }
    size_t inner = 1;
    for (int d = 2; d < tensor.dims; ++d)
        inner *= static_cast<size_t>(tensor.size[d]);
    const float* p = tensor.ptr<float>();
    const auto nb = static_cast<int64_t>(inner) * count;
    for (size_t c = 0; c < channels; ++c) {
        double sum = 0.0;
        for (int n = 0; n < count; ++n) {
            const float* v = p + (static_cast<size_t>(n) * channels + c) * inner;
            for (size_t k = 0; k < inner; ++k)
                sum += v[k];
        }
        const double mean = sum / static_cast<double>(nb);
        double m2 = 0.0;
        for (int n = 0; n < count; ++n) {
            const float* v = p + (static_cast<size_t>(n) * channels + c) * inner;
            for (size_t k = 0; k < inner; ++k) {
                const double d = v[k] - mean;
                m2 += d * d;
            }
        }
        const double delta = mean - m_mean[c];
        const auto total = static_cast<double>(m_n + nb);
        m_mean[c] += delta * static_cast<double>(nb) / total;
        m_m2[c] += m2 + delta * delta * static_cast<double>(m_n) * static_cast<double>(nb) / total;
    }
    m_n += nb;
    return true;
}

std::vector<double> ChannelMoments::unbiasedVariance() const
{
    std::vector<double> v(m_m2.size(), 0.0);
    if (m_n > 1)
        for (size_t c = 0; c < v.size(); ++c)
            v[c] = m_m2[c] / static_cast<double>(m_n - 1);
    return v;
}

} // namespace topiary
