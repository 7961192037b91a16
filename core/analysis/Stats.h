// Stats of a compressed model from Model + Plan, computed analytically on every edit:
// per layer and in total, params, MACs, sparsity, weight bytes at each storage encoding
// (dense, sparse with a bitmask, CSR, Huffman-coded codebook indices as in Deep
// Compression), activation memory and its peak, and the size of the ONNX file apply()
// would write. StatsModel precomputes the model's structure once; compute() is then a
// pass over integers (tens of microseconds on resnet50). Ratio-based pruning needs no
// weights at all; threshold rules and Huffman sizes read the weights once per layer and
// criterion and keep the sorted scores or code counts (so compute() is not thread-safe).
#pragma once

#include "core/plan/CompressionSpec.h"

#include <cstdint>
#include <map>
#include <memory>
#include <vector>

namespace topiary {

class CostModel;
class Model;
struct ApplyOptions;
class Plan;
struct DependencyGroup;
struct PruneSelection;

enum class WeightEncoding {
    Dense, // every weight at its bit width
    Bitmask, // one bit per weight says zero or not, then the non-zero values
    Csr, // non-zero values with their column indices and a row-pointer array
    Huffman, // codebook indices Huffman-coded (Codebook scheme only), zeros as a bitmask
};
const char* weightEncodingName(WeightEncoding encoding);

struct LayerStats {
    int layer = -1;
    int64_t outChannels = 0; // after filter pruning
    int64_t inChannels = 0;
    int64_t rank = 0; // low rank, 0 = not factored
    int64_t weights = 0; // weight elements stored (both factors when factored)
    int64_t nonzeroWeights = 0;
    int64_t params = 0; // weights + bias
    int64_t linearMacs = 0; // dense execution
    int64_t effectiveMacs = 0; // skipping multiplications by pruned (zero) weights
    double sparsity = 0.0; // zero weights / weights
    int bitsPerWeight = 32;
    // Weight bytes (bias and quantization parameters included) at each encoding.
    int64_t denseBytes = 0;
    int64_t bitmaskBytes = 0;
    int64_t csrBytes = 0;
    int64_t huffmanBytes = -1; // -1 when not a codebook
    WeightEncoding encoding = WeightEncoding::Dense; // the smallest of the above
    int64_t encodedBytes = 0;
};

struct ModelStats {
    std::vector<LayerStats> layers; // one per layer, in layer order
    int64_t params = 0; // layers' weights and biases plus BatchNorm scale/shift
    int64_t linearMacs = 0;
    int64_t effectiveMacs = 0;
    int64_t otherMacs = 0;
    int64_t nonzeroWeights = 0;
    int64_t encodedBytes = 0; // every parameter at its chosen encoding
    int64_t activationBytes = 0; // sum of all node outputs
    int64_t peakActivationBytes = 0; // live tensors at the worst step
    double compressionRatio = 1.0; // original float parameter bytes / encodedBytes
    // The files apply() would write (ONNX stores dense tensors: zeros cost as much as
    // any weight, and only int8 QDQ and float16 storage store fewer than 32 bits per weight).
    int64_t maskedFileBytes = 0;
    int64_t shrunkFileBytes = 0;
    int64_t shrunkQdqFileBytes = 0; // shrunk, 8-bit uniform layers as int8 + DequantizeLinear
    int64_t maskedQdqFileBytes = 0; // masked (every shape kept), 8-bit uniform layers as int8 QDQ
    int64_t shrunkHalfDelta = 0; // what float16 storage (FLOAT16 + Cast) changes in the shrunk file
    int64_t maskedHalfDelta = 0; // ... and in the masked one
    int64_t originalFileBytes = 0;
    bool exact = true; // false when pruned channels of Concat-coupled groups were estimated
};

// The size of the file apply(model, plan, options) then writeModel() write, chosen from
// the stats of that plan: masked or shrunk, int8 QDQ or not, float16 storage or not. The one place that maps
// export options to a predicted size, so the dialog, the status bar and the CLI agree.
int64_t predictedFileBytes(const ModelStats& stats, const ApplyOptions& options);

// Each layer's share of the layers' dense MACs (linearMacs) or of their params (weights and
// bias; BatchNorm scale/shift are not a layer's), in layer order: its value over the sum over
// all layers. All zeros when that sum is zero. The graph colours layers by these.
std::vector<double> macsShare(const ModelStats& stats);
std::vector<double> paramsShare(const ModelStats& stats);

class StatsModel {
public:
    StatsModel(const Model& model, const CostModel& cost, const std::vector<DependencyGroup>& groups);
    ~StatsModel();
    StatsModel(StatsModel&&) noexcept;

    // The model under `plan`; callable from several threads at once (the window on each
    // edit and a fit on its worker share one StatsModel). With a selection (from
    // selectPruned), channel counts are exact; without, Ratio specs are counted exactly per group and split over the
    // producers of a Concat-coupled group in proportion (exact = false).
    ModelStats compute(const Plan& plan, const PruneSelection* selection = nullptr) const;

private:
    struct Impl;
    std::unique_ptr<Impl> m_impl;
};

} // namespace topiary
