// What a plan removes, concretely: for every dependency group the group channels that
// filter pruning drops, and for every element-pruned layer the mask of weights it zeroes.
// Computing it reads the weights (the scores); apply() (masked and shrunk export), the
// inspector's struck-out filters and the tests all use the same selection.
#pragma once

#include "core/plan/CompressionSpec.h"
#include "core/base/Error.h"
#include "core/compress/Importance.h"

#include <cstdint>
#include <functional>
#include <map>
#include <vector>

namespace topiary {

class Model;
class Plan;
struct DependencyGroup;
struct Layer;

struct PruneSelection {
    // Per group (same index as the groups vector): pruned group channels, sorted. Empty
    // when the group is not filter-pruned.
    std::vector<std::vector<int64_t>> groupChannels;
    // Layer index -> mask over its weight tensor as stored (1 = keep, 0 = zero), for
    // layers with Element granularity.
    std::map<int, Mask> elementMasks;

    // Output channels of `layer` (indices along outputChannelAxis of its weight) that
    // the selection removes: the pruned channels of the group it produces for.
    std::vector<int64_t> prunedFilters(const std::vector<DependencyGroup>& groups, int layer) const;
};

// Scores one layer's filters by a criterion (higher = more important). The default reads
// the weights through filterScores(); callers with cached or data-driven scores (APoZ)
// pass their own.
using FilterScorer = std::function<Result<std::vector<float>>(int layer, Criterion criterion)>;
FilterScorer weightScorer(const Model& model, const std::vector<Layer>& layers);

// The selection a plan makes. Filter pruning works per prunable group: its channels are
// scored by the mean of its producers' scores (groupScores; producers the criterion cannot
// score, such as APoZ without a ReLU, are left out unless none can be scored) and cut by the producers'
// spec (they must agree: validatePlan says so); options().roundChannels rounds the kept
// count up to a multiple, un-pruning the best of the pruned; a group always keeps at
// least one channel. Errors for plans validatePlan would reject.
Result<PruneSelection> selectPruned(const Model& model, const std::vector<Layer>& layers,
    const std::vector<DependencyGroup>& groups, const Plan& plan, const FilterScorer& scorer);

} // namespace topiary
