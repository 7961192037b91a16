#include "core/recover/NormalEquations.h"

#include <opencv2/core.hpp>

namespace topiary {

NormalEquations::NormalEquations(int inputs, int outputs)
    : m_inputs(inputs)
    , m_outputs(outputs)
    , m_a(cv::Mat::zeros(inputs + 1, inputs + 1, CV_64F))
    , m_b(cv::Mat::zeros(inputs + 1, outputs, CV_64F))
    , m_yy(static_cast<size_t>(outputs), 0.0)
{
}

NormalEquations::NormalEquations(const NormalEquations& other)
    : m_inputs(other.m_inputs)
    , m_outputs(other.m_outputs)
    , m_rows(other.m_rows)
    , m_a(other.m_a.clone())
    , m_b(other.m_b.clone())
    , m_yy(other.m_yy)
{
}

NormalEquations& NormalEquations::operator=(const NormalEquations& other)
{
    if (this != &other)
        *this = NormalEquations(other);
    return *this;
}

void NormalEquations::add(const cv::Mat& x, const cv::Mat& y)
{
    // Products of one batch in float (fast), summed over batches in double.
    cv::Mat xa(x.rows, m_inputs + 1, CV_32F);
    x.copyTo(xa.colRange(0, m_inputs));
    xa.col(m_inputs).setTo(1.0f);
    cv::Mat a, b;
    cv::mulTransposed(xa, a, true, cv::noArray(), 1.0, CV_64F);
    cv::Mat xd, yd;
    xa.convertTo(xd, CV_64F);
    y.convertTo(yd, CV_64F);
    cv::gemm(xd, yd, 1.0, cv::noArray(), 0.0, b, cv::GEMM_1_T);
    m_a += a;
    m_b += b;
    for (int r = 0; r < yd.rows; ++r) {
        const double* p = yd.ptr<double>(r);
        for (int m = 0; m < m_outputs; ++m)
            m_yy[static_cast<size_t>(m)] += p[m] * p[m];
    }
    m_rows += x.rows;
}

Result<LinearFit> NormalEquations::solve(int output, std::span<const int> keep, bool intercept, double ridge) const
try {
    const int k = static_cast<int>(keep.size());
    const int n = k + (intercept ? 1 : 0);
    LinearFit fit;
    if (n == 0)
        return fit;
    std::vector<int> index(keep.begin(), keep.end());
    if (intercept)
        index.push_back(m_inputs);
    cv::Mat a(n, n, CV_64F), rhs(n, 1, CV_64F);
    double diag = 0.0;
    for (int i = 0; i < n; ++i) {
        for (int j = 0; j < n; ++j)
            a.at<double>(i, j) = m_a.at<double>(index[static_cast<size_t>(i)], index[static_cast<size_t>(j)]);
        rhs.at<double>(i) = m_b.at<double>(index[static_cast<size_t>(i)], output);
        if (i < k)
            diag += a.at<double>(i, i);
    }
    const double lambda = k > 0 ? ridge * diag / k : 0.0;
    for (int i = 0; i < k; ++i)
        a.at<double>(i, i) += lambda;
    cv::Mat w;
    if (!cv::solve(a, rhs, w, cv::DECOMP_CHOLESKY) && !cv::solve(a, rhs, w, cv::DECOMP_SVD))
        return fail("the least-squares system is singular");
    fit.weights.assign(w.ptr<double>(), w.ptr<double>() + k);
    if (intercept)
        fit.bias = w.at<double>(k);
    return fit;
} catch (const cv::Exception& e) {
    return fail(std::string("solving the least-squares system failed: ") + e.what());
}

double NormalEquations::residual(int output, std::span<const int> keep, std::span<const double> weights, double bias) const
{
    // ‖y - Xw‖² = yᵀy - 2·wᵀXᵀy + wᵀXᵀXw, with the ones column carrying the bias.
    std::vector<int> index(keep.begin(), keep.end());
    std::vector<double> w(weights.begin(), weights.end());
    index.push_back(m_inputs);
    w.push_back(bias);
    double cross = 0.0, quad = 0.0;
    for (size_t i = 0; i < index.size(); ++i) {
        cross += w[i] * m_b.at<double>(index[i], output);
        for (size_t j = 0; j < index.size(); ++j)
            quad += w[i] * w[j] * m_a.at<double>(index[i], index[j]);
    }
    return m_yy[static_cast<size_t>(output)] - 2.0 * cross + quad;
}

} // namespace topiary
