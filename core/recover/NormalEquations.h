// The normal equations of one least-squares problem Y ≈ X·W + 1·b, accumulated batch by
// batch (so the rows themselves are never all held): A = [X 1]ᵀ[X 1], B = [X 1]ᵀY and
// Σy² per output. Solving picks a subset of the inputs per output (the weights a pruned
// layer keeps) and adds a ridge λ·I to their block: λ = ridge · mean(diag(A) over the
// subset), the intercept unregularised. That is the minimiser of
// ‖Y - X_S·w - b‖² + λ‖w‖², which numpy's lstsq on the rows [X_S 1; √λ·I 0] gives too.
// Outputs that keep the same inputs (a layer whose producer lost filters: every output
// keeps the same input channels) share one Gram block: solveShared() factors it once and
// solves all their right-hand sides together, which equals solve() per output.
// Memory: (K+1)² + (K+1)·M doubles.
#pragma once

#include "core/base/Error.h"

#include <opencv2/core/mat.hpp>

#include <cstdint>
#include <span>
#include <vector>

namespace topiary {

struct LinearFit {
    std::vector<double> weights; // one per kept input, in the order given
    double bias = 0.0; // 0 without intercept
};

class NormalEquations {
public:
    NormalEquations(int inputs, int outputs);
    // Copies are deep (cv::Mat copies would share the sums).
    NormalEquations(const NormalEquations& other);
    NormalEquations& operator=(const NormalEquations& other);
    NormalEquations(NormalEquations&&) = default;
    NormalEquations& operator=(NormalEquations&&) = default;

    int inputs() const { return m_inputs; }
    int outputs() const { return m_outputs; }
    int64_t rows() const { return m_rows; }

    // rows x inputs and rows x outputs, CV_32F.
    void add(const cv::Mat& x, const cv::Mat& y);

    // The fit of output `output` on the inputs `keep` (ascending indices below inputs()).
    // Errors: a singular system even after the SVD fallback (never with ridge > 0 unless
    // every kept input is constant zero and there is no intercept).
    Result<LinearFit> solve(int output, std::span<const int> keep, bool intercept, double ridge) const;
    // The fits of `outputs` that all keep the inputs `keep`: one Cholesky factorization of
    // the ridge Gram block, all right-hand sides in one solve. Column i of the result holds
    // output outputs[i]'s weights on `keep` and, last, its intercept (0 without): a
    // (|keep| + 1) x |outputs| CV_64F matrix. Errors as solve().
    Result<cv::Mat> solveShared(std::span<const int> outputs, std::span<const int> keep, bool intercept, double ridge) const;
    // Σ (y - x_S·w - b)² of each of `outputs`, for weights laid out as solveShared() returns.
    std::vector<double> residuals(std::span<const int> outputs, std::span<const int> keep, const cv::Mat& weights) const;
    // Σ (y - x_S·w - b)² over the rows added, for any weights on the kept inputs.
    double residual(int output, std::span<const int> keep, std::span<const double> weights, double bias) const;
    double targetEnergy(int output) const { return m_yy[static_cast<size_t>(output)]; } // Σ y²

private:
    int m_inputs;
    int m_outputs;
    int64_t m_rows = 0;
    cv::Mat m_a; // (K+1) x (K+1), CV_64F; the last row/column is the ones column
    cv::Mat m_b; // (K+1) x M, CV_64F
    std::vector<double> m_yy;
};

} // namespace topiary
