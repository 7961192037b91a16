// The Plan: what the user asks of the model, as a plain value. One LayerSpec per layer
// (keyed by layer name; layers not mentioned are left as they are) plus global options.
// Copies share their specs until one of them is edited, so copying and comparing are
// cheap; every user edit produces a new Plan, and the undo stack keeps plans. The free
// functions below are the global edits (prune all layers, quantize all layers, one global
// threshold) and the diff the evaluation engine uses to find the first changed layer.
#pragma once

#include "core/plan/ActivationRanges.h"
#include "core/plan/CompressionSpec.h"
#include "core/plan/RecoverySpec.h"

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace topiary {

struct Layer;
struct DependencyGroup;

struct PlanOptions {
    static constexpr int64_t kDefaultChannelMultiple = 8;

    // Filter pruning keeps a multiple of channelMultiple channels in every group
    // (rounded up, see roundKeptChannels), for hardware that likes aligned widths.
    bool roundChannels = false;
    int64_t channelMultiple = kDefaultChannelMultiple;

    bool operator==(const PlanOptions&) const = default;
};

class Plan {
public:
    using Specs = std::map<std::string, LayerSpec, std::less<>>;

    // The spec of a layer: the default (leave it alone) when the plan does not mention it.
    const LayerSpec& spec(std::string_view layer) const;
    bool contains(std::string_view layer) const;
    // Layers with a non-default spec, by name.
    const Specs& layers() const;
    bool empty() const { return layers().empty(); }
    const PlanOptions& options() const { return m_options; }
    // Calibration-based recovery of the compressed weights (none by default).
    const RecoverySpec& recovery() const { return m_recovery; }
    // Calibrated ranges of the quantized activations (empty until calibrated).
    const ActivationRanges& activationRanges() const { return m_ranges; }

    // In-place edits (copy-on-write: other copies never see them). Setting the default
    // spec removes the layer, so equal intentions compare equal.
    void set(const std::string& layer, const LayerSpec& spec);
    void setPrune(const std::string& layer, const PruneSpec& prune);
    void setQuant(const std::string& layer, const QuantSpec& quant);
    void setLowRank(const std::string& layer, const LowRankSpec& lowRank);
    void setActivation(const std::string& layer, const ActivationSpec& act);
    void setActivationRanges(const ActivationRanges& ranges) { m_ranges = ranges; }
    void setOptions(const PlanOptions& options) { m_options = options; }
    void setRecovery(const RecoverySpec& recovery) { m_recovery = recovery; }

    // The same edits as new plans.
    Plan with(const std::string& layer, const LayerSpec& spec) const;
    Plan withPrune(const std::string& layer, const PruneSpec& prune) const;
    Plan withQuant(const std::string& layer, const QuantSpec& quant) const;
    Plan withLowRank(const std::string& layer, const LowRankSpec& lowRank) const;
    Plan withOptions(const PlanOptions& options) const;
    Plan withRecovery(const RecoverySpec& recovery) const;
    Plan withActivationRanges(const ActivationRanges& ranges) const;

    bool operator==(const Plan& other) const;

private:
    Specs& mutableSpecs();

    std::shared_ptr<Specs> m_specs; // null = no layer specs; never mutated while shared
    PlanOptions m_options;
    RecoverySpec m_recovery;
    ActivationRanges m_ranges;
};

// What differs between two plans: layers whose specs differ (by name, sorted) and
// whether the global options, the recovery or the activation ranges differ.
struct PlanDiff {
    std::vector<std::string> layers;
    bool optionsChanged = false;
    bool recoveryChanged = false;
    bool rangesChanged = false;

    bool empty() const { return layers.empty() && !optionsChanged && !recoveryChanged && !rangesChanged; }
};
PlanDiff diff(const Plan& before, const Plan& after);

// Index into `layers` (graph order) of the first layer whose computation differs between
// the two plans, or -1 when none does. With groups, a changed filter pruning reaches every
// producer and consumer of the layer's group (a residual group reaches back to the stem);
// changed options reach every filter-pruned group; a changed recovery reaches every layer
// either plan compresses (recovery repairs those and what follows them).
int firstChangedLayer(const Plan& before, const Plan& after, const std::vector<Layer>& layers,
    const std::vector<DependencyGroup>& groups = {});

// ---- Global edits. Each returns a new plan and touches only the layers it names.

// Prunes every Conv/ConvTranspose layer with `spec`. Element (and None) granularity sets
// the spec per layer. Filter granularity works by dependency group so that coupled layers
// get the same spec: every prunable group with a conv among its producers gets `spec` on
// all its producers; groups that are not prunable are left alone. skipFirstLast leaves
// the first and last layers in graph order (the stem and the classifier) alone, and with
// Filter granularity their whole groups.
Plan pruneAllConvs(const Plan& plan, const std::vector<Layer>& layers, const std::vector<DependencyGroup>& groups,
    const PruneSpec& spec, bool skipFirstLast);

// A layer a global edit left alone, and why ("the first layer (--skip-first-last)",
// "its channels are a graph output ('logits')"), so a command can say what it skipped.
struct SkippedLayer {
    std::string layer;
    std::string reason;

    bool operator==(const SkippedLayer&) const = default;
};

// Prunes every layer that can be pruned with `spec`: Conv, ConvTranspose, Gemm and MatMul
// with constant weights alike. Element granularity sets the spec per layer (the
// classifier too: its output keeps its shape). Filter granularity works by dependency
// group as pruneAllConvs does, for groups of any producers; a group is left alone when it
// is not prunable (a classifier's outputs are the graph's output, its classes) or holds a
// layer --skip-first-last protects. Every layer left alone is added to `skipped`.
Plan pruneAllLayers(const Plan& plan, const std::vector<Layer>& layers, const std::vector<DependencyGroup>& groups,
    const PruneSpec& spec, bool skipFirstLast, std::vector<SkippedLayer>* skipped = nullptr);

// Sets one layer's prune spec as an editor would: filter pruning (setting or clearing it)
// reaches every producer of the layer's dependency group, so coupled layers stay equal.
Plan withLayerPrune(const Plan& plan, const std::vector<Layer>& layers, const std::vector<DependencyGroup>& groups,
    int layer, const PruneSpec& spec);

// Whether any layer's input activations are 8-bit (the plan needs calibrated ranges).
bool quantizesActivations(const Plan& plan);

// Sets `act` on every layer's input activations, except the first and last in graph order
// when asked ("int8 everywhere but the first and last layer").
Plan quantizeAllActivations(const Plan& plan, const std::vector<Layer>& layers, const ActivationSpec& act,
    bool skipFirstLast, std::vector<SkippedLayer>* skipped = nullptr);

// Sets `quant` on every layer, except the first and last in graph order when asked.
Plan quantizeAll(const Plan& plan, const std::vector<Layer>& layers, const QuantSpec& quant, bool skipFirstLast,
    std::vector<SkippedLayer>* skipped = nullptr);

struct GlobalThreshold {
    double ratio = 0.0; // fraction of all ranked filters to prune, in [0, 1)
    Criterion criterion = Criterion::L1; // recorded in the specs; the scores must be by it
    bool normalizePerLayer = true; // rank score / (max score of its layer or group)
    double maxLayerRatio = 0.9; // never prune more than this fraction of one layer or group
};

// One ranking over every filter of every layer in `scores` (layer name -> one score per
// filter; low = prune first), cut at `ratio` of them all; each layer gets a Filter/Ratio
// spec with the fraction of its own filters that fell below the cut (layers that lose
// nothing get no pruning). Ties are broken by layer order in the map, then filter index.
Plan pruneGlobalThreshold(
    const Plan& plan, const std::map<std::string, std::vector<float>>& scores, const GlobalThreshold& options);
// The same over dependency groups: each prunable group's channels are scored by the mean
// of its producers' scores (groupScores) and ranked once; every producer of a group gets
// the group's ratio. Groups without any scored producer are not ranked.
Plan pruneGlobalThreshold(const Plan& plan, const std::map<std::string, std::vector<float>>& scores,
    const GlobalThreshold& options, const std::vector<Layer>& layers, const std::vector<DependencyGroup>& groups);

} // namespace topiary
