// How much each filter (output channel) and each weight of a layer matters: the scores
// filter and element pruning rank by (L1, L2, FPGM, BN scale, random), the masks that a
// pruning ratio, threshold or mean+k·std rule selects, the kernel-L1 matrix heatmaps
// draw, and the weight histogram. Ratio masks break ties exactly like PyTorch's
// torch.nn.utils.prune, so a plan made here prunes the weights PyTorch would.
#pragma once

#include "core/plan/CompressionSpec.h"
#include "core/base/Error.h"
#include "core/compress/FilterMatrix.h"
#include "core/model/Layer.h"

#include <cstdint>
#include <span>
#include <vector>

namespace topiary {

class Model;

// Per-filter scores; higher means more important. Accumulated in double, stored as float.
std::vector<float> l1Scores(const FilterMatrix& filters);
std::vector<float> l2Scores(const FilterMatrix& filters);
// FPGM: each filter's summed Euclidean distance to all others, from the Gram matrix
// G = W·Wᵀ (d_ij = sqrt(max(0, G_ii + G_jj - 2·G_ij))); small = redundant.
std::vector<float> fpgmScores(const FilterMatrix& filters);
// Uniform in [0, 1), the same for the same seed on every platform.
std::vector<float> randomScores(int64_t count, uint64_t seed);
// |gamma| of the layer's BatchNormalization; an error when it has none.
Result<std::vector<float>> bnScaleScores(const Model& model, const Layer& layer);
// Any criterion; Apoz is an error until a dataset is attached.
Result<std::vector<float>> filterScores(const Model& model, const Layer& layer, Criterion criterion,
                                        uint64_t seed = 0);

// filters x inputs matrix (row-major) of each k·k kernel's L1 norm, for heatmaps.
// Grouped layers have Cin/group inputs per filter; Gemm/MatMul kernels are single weights.
struct KernelMatrix {
    int64_t rows = 0;
    int64_t cols = 0;
    std::vector<float> values;
};
KernelMatrix kernelL1(const FilterMatrix& filters);

// Element scores for unstructured pruning: |w|.
std::vector<float> elementScores(std::span<const float> weights);

// Pruning masks: 1 = keep, 0 = prune.
using Mask = std::vector<uint8_t>;
// Prunes exactly round(ratio·n) (half to even, like Python) weights with the smallest |w|;
// ties go as torch.nn.utils.prune.l1_unstructured sends them (torch.topk, largest=false).
Result<Mask> elementMask(std::span<const float> weights, double ratio);
// Prunes round(ratio·n) filters with the lowest scores, keeping the rest as
// prune.ln_structured does (torch.topk of the scores, largest=true, keeps n - pruned).
Result<Mask> filterMask(std::span<const float> scores, double ratio);
// Prunes every score below the threshold.
Mask thresholdMask(std::span<const float> scores, double threshold);
// mean(scores) + k · std(scores), population standard deviation.
double meanStdThreshold(std::span<const float> scores, double k);
// The mask a PruneSpec selects from scores (|w| for Element, filter scores for Filter).
Result<Mask> pruneMask(std::span<const float> scores, const PruneSpec& spec);

// Equal-width bins over [min, max]; the last bin includes max. A bin's edges are
// edges[i] and edges[i + 1], so thresholds and quantization levels map onto the plot.
struct Histogram {
    std::vector<double> edges;    // bins + 1 values
    std::vector<int64_t> counts;  // bins values
    float min = 0.0f;             // of the data (edges widen by 0.5 when min == max)
    float max = 0.0f;
    int64_t total = 0;            // finite values counted

    int bins() const { return static_cast<int>(counts.size()); }
    // Bin holding value, -1 when outside [edges.front(), edges.back()] or NaN.
    int binOf(double value) const;
};
Histogram histogram(std::span<const float> values, int bins = 100);

} // namespace topiary
