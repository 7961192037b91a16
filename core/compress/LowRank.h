// Low-rank factorization of a layer: truncated SVD of its weight as an output x input
// matrix (Conv: [Cout, Cin·k·k]; Gemm/MatMul: [N, K] whatever the stored orientation),
// W ≈ (U_r·S_r)·V_rᵀ. A factored layer becomes two: V_rᵀ maps the inputs to r channels
// (a conv with r filters of the original kernel), U_r·S_r maps those to the outputs
// (a 1x1 conv or a Gemm). The singular values also give the rank-vs-error curve.
#pragma once

#include "core/base/Error.h"

#include <cstdint>
#include <span>
#include <vector>

namespace topiary {

class FilterMatrix;
class Model;
struct Layer;

struct LowRankFactors {
    int64_t rows = 0;  // outputs (m)
    int64_t cols = 0;  // inputs·kernel (n)
    int64_t rank = 0;  // r
    std::vector<float> us;  // m x r, row-major: U_r·S_r
    std::vector<float> vt;  // r x n, row-major: V_rᵀ
    std::vector<double> singularValues;  // all min(m, n) of them, descending
    // ||W - us·vt||_F / ||W||_F, measured on the float factors (0 for a zero matrix).
    double relativeError = 0.0;
};

// Error value for rank <= 0 or rank > min(m, n), and for grouped convolutions (their
// weight matrix mixes groups that see different inputs).
Result<LowRankFactors> lowRank(const FilterMatrix& weights, int64_t rank);
Result<LowRankFactors> lowRank(const Model& model, const Layer& layer, int64_t rank);

// Singular values only (cheaper: no U, V), descending.
Result<std::vector<double>> singularValues(const FilterMatrix& weights);
Result<std::vector<double>> singularValues(const Model& model, const Layer& layer);

// Fraction of ||W||_F² kept at ranks 1..n: entry r-1 = Σ_{i<r} s_i² / Σ s_i².
std::vector<double> explainedVariance(std::span<const double> singularValues);
// The error the truncation at `rank` will have: sqrt(Σ_{i>=rank} s_i² / Σ s_i²).
double truncationError(std::span<const double> singularValues, int64_t rank);

} // namespace topiary
