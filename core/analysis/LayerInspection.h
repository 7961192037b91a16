// Everything the layer inspector shows about one layer, computed in one place from what
// the core already offers: the weight histogram with the element-pruning threshold and
// the quantization levels the layer's spec implies, the kernel-L1 heatmap, per-filter
// scores by every criterion, the filters the plan really prunes (through the layer's
// dependency group, as export does), and how much the criteria disagree. A plain value,
// so widgets only turn it into pixels.
#pragma once

#include "core/plan/CompressionSpec.h"
#include "core/base/Error.h"
#include "core/compress/Importance.h"
#include "core/model/Layer.h"
#include "core/compress/PruneSelection.h"

#include <array>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <utility>
#include <vector>

namespace topiary {

class Model;
class Plan;
struct DependencyGroup;

// The criteria the inspector compares, in the order it lists them.
inline constexpr std::array<Criterion, 6> kInspectedCriteria{
    Criterion::L1, Criterion::L2, Criterion::Fpgm, Criterion::BnScale, Criterion::Apoz, Criterion::Taylor};
// Index of a criterion in kInspectedCriteria, -1 for the others (Random).
int inspectedCriterionIndex(Criterion criterion);

// One criterion's per-filter scores (higher = more important; APoZ comes as 1 - APoZ,
// as activationScorer gives it), or the reason it has none for this layer.
struct CriterionScores {
    Criterion criterion = Criterion::L1;
    std::optional<std::vector<float>> scores;
    std::string reason;  // why scores is empty

    bool available() const { return scores.has_value(); }
};

// The quantization grid of the layer's QuantSpec, as weight values.
//   Uniform per tensor: every (q - zp)·s for q in [qmin, qmax].
//   Uniform per channel, Binary, Ternary (whose scales are per output channel): the
//     levels of ONE channel, the one with the widest range (largest scale); `channel`
//     names it. Other channels have narrower grids.
//   Codebook: the k-means centroids.
//   Float32 / Float16: none (empty).
// Levels outside the histogram's range are dropped, and grids of more than kMaxDrawn
// levels (uniform above 8 bits) are not listed at all; `count` is the full grid size.
struct QuantLevels {
    static constexpr int64_t kMaxDrawn = 256;

    std::vector<double> values;  // ascending, inside [histogram min, max]
    int64_t count = 0;           // levels of the grid, before clipping
    int64_t channel = -1;        // the channel shown, -1 when one grid serves the tensor
    std::string error;           // quantize() refused the spec (e.g. bits out of range)
    // QuantRange::Mse (Uniform, drawn grids only): the clipping range the search chose for
    // the channel shown, [(qmin − zp)·s, (qmax − zp)·s], and the one min/max gives it, for
    // the histogram to draw side by side. Absent for min/max ranges.
    std::optional<std::pair<double, double>> mseRange;
    std::optional<std::pair<double, double>> minMaxRange;
};

// Which filters each criterion would prune at one ratio, and how far they agree.
struct Disagreement {
    // The ratio used: the fraction of the layer's filters the plan prunes, or
    // kDefaultRatio when the plan prunes none (so the table always says something),
    // or the ratio the caller asked for.
    static constexpr double kDefaultRatio = 0.25;

    double ratio = 0.0;
    std::vector<Criterion> criteria;          // the available ones, in kInspectedCriteria order
    std::vector<Mask> keep;                   // per criterion: filterMask(scores, ratio), 1 = keep
    // jaccard[a][b] = |pruned_a ∩ pruned_b| / |pruned_a ∪ pruned_b|; 1 when both are empty.
    std::vector<std::vector<double>> jaccard;
};

// What the layer can take, for the controls.
struct LayerLimits {
    int64_t filters = 0;          // output channels
    int64_t elements = 0;         // weight elements
    int64_t maxRank = 0;          // min(outputs, inputs·kernel); 0 when low rank cannot apply
    std::string lowRankReason;    // why maxRank is 0
    bool filterPrunable = false;  // the layer produces channels of a prunable group
    std::string filterReason;     // why not
    double maxMagnitude = 0.0;    // largest |w|: the top of an element threshold
    // Per criterion in kInspectedCriteria order: the largest score (the top of a filter
    // threshold) and why the criterion cannot score this layer ("" = it can).
    std::array<double, kInspectedCriteria.size()> maxScore{};
    std::array<std::string, kInspectedCriteria.size()> criterionReason{};
};

// Two kinds of parts: those of the weights alone (histogram, kernels, scores, limits),
// computed once per layer, and those of the plan (`spec` onwards), which
// refreshInspection() recomputes cheaply after every plan edit.
struct LayerInspection {
    int layer = -1;
    std::string name;
    LayerKind kind = LayerKind::Conv;
    std::vector<int64_t> weightShape;
    LayerLimits limits;

    // Weights as stored, equal-width bins (histogram()).
    Histogram histogram;
    // The |w| below which the layer's Element spec zeroes weights: for Ratio the smallest
    // kept |w| (so exactly round(ratio·n) weights lie below it, ties aside), for Threshold
    // the value itself, for MeanStdRule mean(|w|) + k·std(|w|). Absent unless the spec
    // is Element pruning.
    // filters x inputs, L1 of each kernel.
    KernelMatrix kernels;
    // Per criterion, in kInspectedCriteria order.
    std::array<CriterionScores, kInspectedCriteria.size()> criteria;

    // ---- Parts of the plan.
    LayerSpec spec;  // the layer's spec in the plan these parts were computed for

    std::optional<double> elementThreshold;
    double elementPrunedFraction = 0.0;  // of the weights, by the layer's Element spec

    QuantLevels levels;

    // Filters the plan removes from this layer (1 = keep), from selectPruned over the
    // layer's dependency group, so coupling and channel rounding are honoured.
    Mask keptFilters;
    std::string pruneError;  // the plan's pruning of this group is invalid (mask = all kept)

    Disagreement disagreement;

    const CriterionScores& scores(Criterion criterion) const;
    int64_t prunedFilterCount() const;
};

struct InspectionOptions {
    int histogramBins = 101;  // odd, so one bin is centred on zero
    std::optional<double> disagreementRatio;  // default: see Disagreement::ratio
};

// Inspects layers[layer] under `plan`. scorer scores filters by criterion (weightScorer,
// or activationScorer when activation statistics exist, so APoZ is available); the
// criteria it refuses come back absent with its message as the reason. Only the layer's
// own group is selected. The weight parts dominate the cost (FPGM: O(filters²·inputs·k²);
// a 512 x 512 x 3 x 3 resnet50 conv takes about 0.1-0.2 s), so call this when the
// selected layer, the model or the scorer changes, and refreshInspection() after plan
// edits. Errors: the layer index is out of range or its weight is not a float tensor.
Result<LayerInspection> inspectLayer(const Model& model, const std::vector<Layer>& layers,
    const std::vector<DependencyGroup>& groups, int layer, const Plan& plan, const FilterScorer& scorer,
    const InspectionOptions& options = {});

// Brings the plan parts of `inspection` up to `plan`: the element cut when the layer's
// prune spec changed, the quantization levels when its quant spec changed, and always the
// pruned mask (group mates' specs and the plan options matter too) and the disagreement
// table. The layer's own scores are reused; group mates are scored through `scorer`, so
// pass a cachedScorer() to keep this to a few milliseconds on large layers.
void refreshInspection(LayerInspection& inspection, const Model& model, const std::vector<Layer>& layers,
    const std::vector<DependencyGroup>& groups, const Plan& plan, const FilterScorer& scorer,
    const InspectionOptions& options = {});

// A scorer that remembers what `inner` returned (scores and errors) per layer and
// criterion, shared by all copies; thread-safe. Make a new one when the model or the
// activation statistics behind `inner` change.
FilterScorer cachedScorer(FilterScorer inner);

// The fraction of weights with |w| < magnitude: the element ratio a threshold dragged on
// the histogram prunes. A Ratio spec with it prunes the same weights as a Threshold spec
// with `magnitude` (ties at the cut aside), so either can be set from the drag.
double elementRatioBelow(std::span<const float> weights, double magnitude);
Result<double> elementRatioBelow(const Model& model, const Layer& layer, double magnitude);

// The |w| cut a Ratio / Threshold / MeanStdRule element spec implies (see
// LayerInspection::elementThreshold); nullopt for other granularities or a bad ratio.
std::optional<double> elementThresholdOf(std::span<const float> weights, const PruneSpec& spec);

// The quantization grid of `spec` on the layer's weights, clipped to [lo, hi].
QuantLevels quantLevels(const Model& model, const Layer& layer, const QuantSpec& spec, double lo, double hi);

// Which filters each available criterion prunes at `ratio`, and their pairwise Jaccard overlap.
Disagreement disagreement(std::span<const CriterionScores> criteria, double ratio);

} // namespace topiary
