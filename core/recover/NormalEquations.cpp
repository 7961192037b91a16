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
    // Products in double through cv::gemm, which hands them to the BLAS OpenCV links
    // (mulTransposed from float to double runs OpenCV's own loop: 10-30x slower, and no
    // faster with an optimised BLAS).
    cv::Mat xd(x.rows, m_inputs + 1, CV_64F);
    x.convertTo(xd.colRange(0, m_inputs), CV_64F);
    xd.col(m_inputs).setTo(1.0);
    cv::Mat yd;
    y.convertTo(yd, CV_64F);
    cv::gemm(xd, xd, 1.0, m_a, 1.0, m_a, cv::GEMM_1_T);
    cv::gemm(xd, yd, 1.0, m_b, 1.0, m_b, cv::GEMM_1_T);
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

namespace {

// The Gram block of `index` (rows and columns) with λ added to its first k diagonal entries.
cv::Mat ridgeBlock(const cv::Mat& a, const std::vector<int>& index, int k, double ridge)
{
    const int n = static_cast<int>(index.size());
    cv::Mat block(n, n, CV_64F);
    for (int i = 0; i < n; ++i) {
        const double* src = a.ptr<double>(index[static_cast<size_t>(i)]);
        double* dst = block.ptr<double>(i);
        for (int j = 0; j < n; ++j)
            dst[j] = src[index[static_cast<size_t>(j)]];
    }
    double diag = 0.0;
    for (int i = 0; i < k; ++i)
        diag += block.at<double>(i, i);
    const double lambda = k > 0 ? ridge * diag / k : 0.0;
    for (int i = 0; i < k; ++i)
        block.at<double>(i, i) += lambda;
    return block;
}

} // namespace

Result<cv::Mat> NormalEquations::solveShared(std::span<const int> outputs, std::span<const int> keep, bool intercept,
    double ridge) const
try {
    const int k = static_cast<int>(keep.size());
    const int m = static_cast<int>(outputs.size());
    cv::Mat out = cv::Mat::zeros(k + 1, m, CV_64F);
    const int n = k + (intercept ? 1 : 0);
    if (n == 0 || m == 0)
        return out;
    std::vector<int> index(keep.begin(), keep.end());
    if (intercept)
        index.push_back(m_inputs);
    const cv::Mat a = ridgeBlock(m_a, index, k, ridge);
    cv::Mat rhs(n, m, CV_64F);
    for (int i = 0; i < n; ++i) {
        const double* src = m_b.ptr<double>(index[static_cast<size_t>(i)]);
        double* dst = rhs.ptr<double>(i);
        for (int j = 0; j < m; ++j)
            dst[j] = src[outputs[static_cast<size_t>(j)]];
    }
    cv::Mat w;
    if (!cv::solve(a, rhs, w, cv::DECOMP_CHOLESKY) && !cv::solve(a, rhs, w, cv::DECOMP_SVD))
        return fail("the least-squares system is singular");
    w.copyTo(out.rowRange(0, n));
    return out;
} catch (const cv::Exception& e) {
    return fail(std::string("solving the least-squares system failed: ") + e.what());
}

std::vector<double> NormalEquations::residuals(std::span<const int> outputs, std::span<const int> keep,
    const cv::Mat& weights) const
{
    // Column by column yᵀy - 2·wᵀXᵀy + wᵀXᵀXw, the products for all outputs at once.
    std::vector<int> index(keep.begin(), keep.end());
    index.push_back(m_inputs);
    const int n = static_cast<int>(index.size());
    const int m = static_cast<int>(outputs.size());
    const cv::Mat a = ridgeBlock(m_a, index, 0, 0.0);
    cv::Mat b(n, m, CV_64F);
    for (int i = 0; i < n; ++i)
        for (int j = 0; j < m; ++j)
            b.at<double>(i, j) = m_b.at<double>(index[static_cast<size_t>(i)], outputs[static_cast<size_t>(j)]);
    cv::Mat aw;
    cv::gemm(a, weights, 1.0, cv::noArray(), 0.0, aw);
    std::vector<double> out(static_cast<size_t>(m));
    for (int j = 0; j < m; ++j) {
        double cross = 0.0, quad = 0.0;
        for (int i = 0; i < n; ++i) {
            const double w = weights.at<double>(i, j);
            cross += w * b.at<double>(i, j);
            quad += w * aw.at<double>(i, j);
        }
        out[static_cast<size_t>(j)] = m_yy[static_cast<size_t>(outputs[static_cast<size_t>(j)])] - 2.0 * cross + quad;
    }
    return out;
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
