#include "core/compress/LowRank.h"

#include "core/compress/FilterMatrix.h"
#include "core/model/Layer.h"
#include "core/model/Model.h"

#include <opencv2/core.hpp>

#include <algorithm>
#include <cmath>
#include <string>

namespace topiary {

namespace {

// Double precision: the tail of the spectrum is what the error curve is made of.
cv::Mat asDoubleMat(const FilterMatrix& w)
{
    cv::Mat a(static_cast<int>(w.rows()), static_cast<int>(w.cols()), CV_64F);
    const auto values = w.values();
    auto* dst = a.ptr<double>();
    for (size_t i = 0; i < values.size(); ++i)
        dst[i] = values[i];
    return a;
}

Result<void> checkSize(const FilterMatrix& w)
{
    if (w.rows() <= 0 || w.cols() <= 0)
        return fail("low-rank factorization of an empty weight matrix");
    if (w.rows() > INT32_MAX || w.cols() > INT32_MAX)
        return fail("weight matrix too large to factor");
    return {};
}

Result<void> checkLayer(const Layer& layer)
{
    if ((layer.kind == LayerKind::Conv || layer.kind == LayerKind::ConvTranspose) && layer.group > 1)
        return fail("layer " + layer.name + " is a grouped convolution (group " + std::to_string(layer.group) +
                    "); low-rank factorization applies to ungrouped layers only");
    return {};
}

} // namespace

Result<LowRankFactors> lowRank(const FilterMatrix& weights, int64_t rank)
{
    if (auto ok = checkSize(weights); !ok)
        return std::unexpected(ok.error());
    const int64_t m = weights.rows();
    const int64_t n = weights.cols();
    const int64_t mn = std::min(m, n);
    if (rank <= 0 || rank > mn)
        return fail("rank " + std::to_string(rank) + " is not between 1 and " + std::to_string(mn) +
                    " (the smaller side of the " + std::to_string(m) + " x " + std::to_string(n) + " weight matrix)");

    const cv::Mat a = asDoubleMat(weights);
    cv::Mat s, u, vt;
    try {
        cv::SVD::compute(a, s, u, vt);
    } catch (const cv::Exception& e) {
        return fail(std::string("SVD failed: ") + e.what());
    }

    LowRankFactors f;
    f.rows = m;
    f.cols = n;
    f.rank = rank;
    f.singularValues.assign(s.ptr<double>(), s.ptr<double>() + s.total());
    f.us.resize(static_cast<size_t>(m * rank));
    f.vt.resize(static_cast<size_t>(rank * n));
    for (int64_t i = 0; i < m; ++i)
        for (int64_t t = 0; t < rank; ++t)
            f.us[static_cast<size_t>(i * rank + t)] =
                static_cast<float>(u.at<double>(static_cast<int>(i), static_cast<int>(t)) *
                                   f.singularValues[static_cast<size_t>(t)]);
    for (int64_t t = 0; t < rank; ++t)
        for (int64_t j = 0; j < n; ++j)
            f.vt[static_cast<size_t>(t * n + j)] =
                static_cast<float>(vt.at<double>(static_cast<int>(t), static_cast<int>(j)));

    // Measured, not predicted from the spectrum: it includes the factors' float rounding.
    double residual = 0.0;
    double total = 0.0;
    std::vector<double> row(static_cast<size_t>(n));
    const auto w = weights.values();
    for (int64_t i = 0; i < m; ++i) {
        std::fill(row.begin(), row.end(), 0.0);
        for (int64_t t = 0; t < rank; ++t) {
            const double c = f.us[static_cast<size_t>(i * rank + t)];
            const float* v = f.vt.data() + t * n;
            for (int64_t j = 0; j < n; ++j)
                row[static_cast<size_t>(j)] += c * v[j];
        }
        for (int64_t j = 0; j < n; ++j) {
            const double x = w[static_cast<size_t>(i * n + j)];
            const double e = x - row[static_cast<size_t>(j)];
            residual += e * e;
            total += x * x;
        }
    }
    f.relativeError = total > 0.0 ? std::sqrt(residual / total) : 0.0;
    return f;
}

Result<LowRankFactors> lowRank(const Model& model, const Layer& layer, int64_t rank)
{
    if (auto ok = checkLayer(layer); !ok)
        return std::unexpected(ok.error());
    auto w = filterMatrix(model, layer);
    if (!w)
        return std::unexpected(w.error());
    auto f = lowRank(*w, rank);
    if (!f)
        return std::unexpected(f.error().withContext("layer " + layer.name));
    return f;
}

Result<std::vector<double>> singularValues(const FilterMatrix& weights)
{
    if (auto ok = checkSize(weights); !ok)
        return std::unexpected(ok.error());
    cv::Mat s;
    try {
        cv::SVD::compute(asDoubleMat(weights), s, cv::SVD::NO_UV);
    } catch (const cv::Exception& e) {
        return fail(std::string("SVD failed: ") + e.what());
    }
    return std::vector<double>(s.ptr<double>(), s.ptr<double>() + s.total());
}

Result<std::vector<double>> singularValues(const Model& model, const Layer& layer)
{
    if (auto ok = checkLayer(layer); !ok)
        return std::unexpected(ok.error());
    auto w = filterMatrix(model, layer);
    if (!w)
        return std::unexpected(w.error());
    return singularValues(*w);
}

std::vector<double> explainedVariance(std::span<const double> singularValues)
{
    std::vector<double> curve(singularValues.size());
    double total = 0.0;
    for (double s : singularValues)
        total += s * s;
    double kept = 0.0;
    for (size_t i = 0; i < singularValues.size(); ++i) {
        kept += singularValues[i] * singularValues[i];
        curve[i] = total > 0.0 ? kept / total : 1.0;
    }
    return curve;
}

double truncationError(std::span<const double> singularValues, int64_t rank)
{
    double total = 0.0;
    double tail = 0.0;
    for (size_t i = 0; i < singularValues.size(); ++i) {
        const double e = singularValues[i] * singularValues[i];
        total += e;
        if (static_cast<int64_t>(i) >= rank)
            tail += e;
    }
    return total > 0.0 ? std::sqrt(tail / total) : 0.0;
}

} // namespace topiary
