// A layer as a linear map on rows, for least-squares refits: for a 2-D Conv, one row per
// output position and group, holding the input patch its filters multiply (im2col at
// sampled positions); for Gemm, one row per sample. weightIndex() says where weight (o, k)
// of a row's product sits in the stored tensor, so a refit writes back in place.
#pragma once

#include "core/base/Error.h"

#include <opencv2/core/mat.hpp>

#include <cstdint>
#include <random>
#include <vector>

namespace topiary {

class Model;
struct Layer;

class LayerRows {
public:
    // Errors name what is not supported: ConvTranspose, MatMul, Conv other than 2-D or with
    // auto_pad, Gemm with transA, alpha or beta other than 1.
    static Result<LayerRows> create(const Model& model, const Layer& layer);

    int groups() const { return m_groups; }
    int rowLength() const { return m_k; } // K: inputs per group (Cin/groups · kh · kw)
    int outputsPerGroup() const { return m_outPerGroup; }
    int64_t weightIndex(int output, int k) const; // output in 0..Cout-1, k in 0..K-1

    // Rows of one batch for group g: `input` is the layer's input (N x C x H x W or N x K),
    // `output` the target (N x Cout x H' x W' or N x Cout); rows at `positions` (per image,
    // indices into H'·W'; ignored for Gemm) of the first `count` images. x: rows x K,
    // y: rows x outputsPerGroup, CV_32F. Errors for tensors of unexpected shape.
    Result<void> rows(const cv::Mat& input, const cv::Mat& output, int count,
        const std::vector<std::vector<int>>& positions, int group, cv::Mat& x, cv::Mat& y) const;

    // Output positions per image of `output` (H'·W'; 1 for Gemm).
    static int64_t positionsOf(const cv::Mat& output) { return output.dims == 4 ? int64_t { output.size[2] } * output.size[3] : 1; }

private:
    LayerRows() = default;
    bool m_conv = true;
    bool m_transposedWeight = false; // Gemm transB = 0: weight stored K x Cout
    int m_groups = 1;
    int m_k = 0;
    int m_outPerGroup = 0;
    int m_cinPerGroup = 0;
    int m_kh = 1, m_kw = 1;
    int m_sh = 1, m_sw = 1;
    int m_ph = 0, m_pw = 0; // top and left padding
    int m_dh = 1, m_dw = 1;
};

// `take` distinct positions of `total`, sorted, drawn by `rng` (all when take >= total).
std::vector<int> samplePositions(int64_t total, int64_t take, std::mt19937_64& rng);

} // namespace topiary
