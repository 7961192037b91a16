// Calibration-based recovery: repairs a compressed model's weights without training,
// from the plan's RecoverySpec and a few hundred unlabelled images. Layers are visited in
// topological order from the plan's first changed layer, each against the compressed
// model as repaired so far (so later layers see corrected inputs):
//   lsq   a layer whose own weights are pruned or quantized, or whose input channels were
//         removed, gets its kept weights (and bias) refitted by ridge least squares so its
//         output matches the original's (NormalEquations); apply() re-quantizes them.
//   bn    its BatchNorm's running mean and variance become the compressed model's own
//         statistics on the images (adaptive BN; variance unbiased, as PyTorch keeps it).
//   bias  the bias (or the BN shift) moves so that the layer's mean output per channel on
//         the images equals the original's (empirical bias correction). Not the logits
//         layer (output = the model's output up to shape changes and softmax): a per-class
//         mean shift moves the arg-max; lsq fits that bias, image by image.
// The result is a set of replaced constants (ApplyOptions::values) in the source model's
// shapes, so masked, shrunk, QDQ and float16 exports all carry it. The images'
// activations are kept at the cut before the layer being repaired (CutActivations), so
// each repair runs only the nodes from there to the layer: the cost grows with the depth.
#pragma once

#include "core/base/Error.h"
#include "core/export/Apply.h"
#include "core/recover/CalibrationImages.h"

#include <cstdint>
#include <functional>
#include <limits>
#include <stop_token>
#include <string>
#include <vector>

namespace topiary {

class Model;
class Plan;
struct PruneSelection;

struct RecoveryOptions {
    int batchSize = 32;
    int64_t positionsPerImage = 64; // conv output positions per image sampled for a refit
    // Bytes for one layer's normal equations and one batch of rows; a refit that needs more
    // is skipped with a note, and positions are thinned to fit the batch.
    int64_t memoryBudget = int64_t { 256 } << 20;
    double ridge = 1e-4; // λ relative to the mean diagonal of the kept inputs' Gram matrix
    // Outputs of a layer that keep the same inputs share one factorization and one solve
    // (NormalEquations::solveShared); false: one system per output (the same result,
    // slower; for tests and timing).
    bool shareFactorization = true;
    // Bytes for the activations of all calibration images at the cut before the layer
    // being repaired (the compressed model's, and for lsq the original's, half each). A
    // cut that needs more is not cached: passes then start from the last one that fit.
    int64_t activationBudget = int64_t { 2 } << 30;
};

// What recovery did to one layer (the inspector's before/after and explain mode read it).
struct LayerRecovery {
    int layer = -1; // index into findLayers(model)
    std::string name;
    bool refitted = false;
    // Σ(y - ŷ)² / Σy² of the layer's output on the sampled rows, before and after the refit
    // (before requantization); NaN when not refitted.
    double residualBefore = std::numeric_limits<double>::quiet_NaN();
    double residualAfter = std::numeric_limits<double>::quiet_NaN();
    bool batchNorm = false; // its BN statistics were re-estimated
    std::vector<double> meanBefore, meanAfter; // BN running mean, per channel (when re-estimated)
    std::vector<double> varBefore, varAfter;
    std::vector<double> biasShift; // per output channel (when bias-corrected)
    std::vector<std::string> notes; // why a method left the layer alone
};

struct RecoveryResult {
    ConstantValues values; // the repaired constants, for ApplyOptions::values
    std::vector<LayerRecovery> layers; // the layers visited, in order
    int64_t images = 0;

    const LayerRecovery* find(const std::string& layer) const;
};

using RecoveryProgress = std::function<void(int done, int total)>;

// Errors: OpenCV failures, a plan that does not apply, a stop ("cancelled").
Result<RecoveryResult> recover(const Model& model, const Plan& plan, const CalibrationImages& images,
    const PruneSelection& selection, const RecoveryOptions& options = {}, const RecoveryProgress& progress = {},
    std::stop_token stop = {});

struct RecoveredModel {
    AppliedModel applied;
    RecoveryResult recovery;
};

// apply() after recover(): the export with the repaired weights. selection null: by the
// weights (weightScorer), as apply() does. A plan without recovery methods applies as is.
// 8-bit activations are left out of the repair and applied, on the plan's ranges, after it.
Result<RecoveredModel> applyRecovered(const Model& model, const Plan& plan, const CalibrationImages& images,
    ApplyOptions options = {}, const PruneSelection* selection = nullptr, const RecoveryOptions& recovery = {},
    const RecoveryProgress& progress = {}, std::stop_token stop = {});

} // namespace topiary
