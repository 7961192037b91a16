// Data-driven filter importance: one pass of the original model over N dataset samples
// that counts, for every layer and output channel, how often the activation after the
// layer's ReLU is exactly zero (APoZ, the Average Percentage of Zeros: a channel that is
// almost always zero contributes little) and the mean activation.
//
// The activation of a layer is the output of the ReLU that follows it, through its
// BatchNorm (and, for MatMul, a bias Add) if any; Clip with min 0 (ReLU6) counts as a
// ReLU. When no ReLU follows (the layer feeds a residual Add, or is the classifier),
// APoZ is not defined for it: the stats say so and why, and report the mean of the
// layer's own output (after its BatchNorm) instead.
//
// As a pruning criterion, APoZ enters as score = 1 - APoZ, so that like every other
// criterion a higher score means more important and the channels with the most zeros are
// pruned first. activationScorer() turns the stats into a FilterScorer, so Criterion::Apoz
// works wherever L1 does (selectPruned, apply, the inspector).
#pragma once

#include "core/plan/CompressionSpec.h"
#include "core/data/Dataset.h"
#include "core/base/Error.h"
#include "core/model/Layer.h"
#include "core/data/Preprocess.h"
#include "core/compress/PruneSelection.h"

#include <cstdint>
#include <functional>
#include <stop_token>
#include <string>
#include <string_view>
#include <vector>

namespace topiary {

class Model;

// Where a layer's activation is measured.
struct ActivationSite {
    std::string tensor; // the ReLU's output, or the layer's output (after its BN) when none follows
    bool relu = false; // a ReLU follows: APoZ is defined
    std::string note; // when !relu: why ("its output goes to Add")
    int channelAxis = 1; // axis of `tensor` that indexes the layer's output channels
};
ActivationSite activationSite(const Model& model, const Layer& layer);

struct LayerActivationStats {
    int layer = -1; // index into the layers vector
    std::string name; // the layer's name
    ActivationSite site;
    int64_t valuesPerChannel = 0; // activations counted per channel: samples x positions
    std::vector<int64_t> zeros; // per output channel: activations exactly 0
    std::vector<double> sums; // per output channel: sum of activations

    bool apozDefined() const { return site.relu && valuesPerChannel > 0; }
    int64_t channels() const { return static_cast<int64_t>(zeros.size()); }
    // Fraction of zeros per channel (NaN when nothing was counted).
    std::vector<double> apoz() const;
    std::vector<double> meanActivation() const;
};

struct ActivationStats {
    int64_t samples = 0; // images run
    int64_t skipped = 0; // images that could not be decoded
    bool cancelled = false;
    std::vector<LayerActivationStats> layers; // one per layer, in the order of the layers vector

    const LayerActivationStats* find(std::string_view layerName) const;
};

struct ActivationStatsOptions {
    int64_t samples = 256; // N: the first N samples of the order; 0 = the whole dataset
    int batchSize = 32;
    bool shuffle = true; // the same order as Evaluator's, for the same seed
    uint64_t seed = 20261123;
};

// samples done, samples to do
using ActivationProgress = std::function<void(int64_t, int64_t)>;

// Runs the model once with OpenCV dnn over the samples. Errors: preprocessing that does
// not fit, a model OpenCV cannot run, an activation without the layer's channel count.
// When stopped, returns the counts so far, marked cancelled.
Result<ActivationStats> gatherActivationStats(const Model& model, const std::vector<Layer>& layers,
    const Dataset& dataset, const PreprocessSpec& spec, const ActivationStatsOptions& options = {},
    const ActivationProgress& progress = {}, std::stop_token stop = {});

// 1 - APoZ of each filter of a layer (higher = more important). Errors: APoZ is not
// defined for the layer (no ReLU follows), or the stats are of other layers.
Result<std::vector<float>> apozScores(const ActivationStats& stats, int layer);

// Criterion::Apoz scored from the stats, every other criterion by `fallback`
// (weightScorer(model, layers) for example).
FilterScorer activationScorer(ActivationStats stats, FilterScorer fallback);

} // namespace topiary
