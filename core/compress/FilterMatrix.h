// A layer's weights with one row per filter (output channel), whatever layout the
// weight is stored in: what importance criteria score, the quantizer quantizes per
// channel and low-rank factoring decomposes.
#pragma once

#include "core/base/Error.h"
#include "core/model/Layer.h"

#include <cstdint>
#include <span>
#include <vector>

namespace topiary {

class Model;

// A layer's weights as a filters x (inputs·kernel) row-major matrix: row o holds every
// weight that produces output channel o. Conv and Gemm(transB=1) weights already have
// this layout and are borrowed from the model (no copy); ConvTranspose, Gemm(transB=0)
// and MatMul weights are rearranged into an owned copy.
class FilterMatrix {
public:
    FilterMatrix() = default;
    // kernelSize: weights per (filter, input channel) pair, k·k for a 2-D conv, 1 for Gemm.
    static FilterMatrix borrow(std::span<const float> rowMajor, int64_t rows, int64_t cols, int64_t kernelSize);
    static FilterMatrix own(std::vector<float> rowMajor, int64_t rows, int64_t cols, int64_t kernelSize);

    int64_t rows() const { return m_rows; }
    int64_t cols() const { return m_cols; }
    int64_t kernelSize() const { return m_kernelSize; }
    int64_t inputs() const { return m_kernelSize > 0 ? m_cols / m_kernelSize : 0; }  // per filter
    std::span<const float> values() const;
    std::span<const float> row(int64_t filter) const;

private:
    std::vector<float> m_owned;
    const float* m_borrowed = nullptr;  // non-null when borrowing; keeps copies valid
    int64_t m_rows = 0;
    int64_t m_cols = 0;
    int64_t m_kernelSize = 1;
};

// The axis of the stored weight tensor that indexes output channels: 0 for Conv and
// Gemm(transB=1), 1 for ConvTranspose, Gemm(transB=0) and MatMul.
int64_t outputChannelAxis(const Layer& layer);

// Rearranges a layer's weights (given as stored, in layer.weightShape) into filter rows.
// For grouped ConvTranspose [Cin, Cout/g, k...] row o gathers its group's Cin/g inputs.
Result<FilterMatrix> filterMatrix(std::span<const float> weights, const Layer& layer);
Result<FilterMatrix> filterMatrix(const Model& model, const Layer& layer);

} // namespace topiary
