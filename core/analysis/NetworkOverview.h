// The whole network at a glance, as a matrix for a heatmap: one row per layer whose filters
// the chosen criterion can score, one column per filter rank. Each row holds that layer's
// filter scores sorted from most to least important and divided by the layer's largest
// score, so rows of different scales compare; beside it, how much of each filter the
// current plan removes (through selectPruned, so a filter cut because its dependency group
// was cut shows as pruned even where its own score is high). Layers are narrower than the
// widest one; their rows end in NaN padding.
#pragma once

#include "core/plan/CompressionSpec.h"
#include "core/base/Error.h"
#include "core/compress/PruneSelection.h"

#include <cstdint>
#include <string>
#include <vector>

namespace topiary {

class Model;
class Plan;
struct DependencyGroup;
struct Layer;

struct NetworkOverview {
    Criterion criterion = Criterion::L1;
    int64_t columns = 0; // filters of the widest scored layer
    std::vector<int> layers; // per row: index into the layers vector; rows are in graph order

    // rows() x columns, row-major (cell = row * columns + rank). Padding cells (rank at
    // or past the row's filter count) hold NaN, and -1 in `filters`.
    std::vector<float> importance; // score / the layer's largest score, in [0, 1], descending
    std::vector<float> scores; // the criterion's raw score
    std::vector<int64_t> filters; // the filter (output channel) at that rank
    // How much of the filter the plan removes: 1 for a filter pruned whole (its group's
    // channel is cut), and for element (unstructured) pruning the fraction of the filter's
    // weights the mask zeroes, so a 50 % element plan reads as a row of ~0.5 rather than
    // as nothing pruned. 0 = untouched.
    std::vector<float> pruned;

    std::vector<std::string> skipped; // "layer: reason" for layers the criterion cannot score

    int rows() const { return static_cast<int>(layers.size()); }
    size_t cell(int row, int64_t rank) const
    {
        return static_cast<size_t>(row) * static_cast<size_t>(columns) + static_cast<size_t>(rank);
    }
    // Filters in the row (its unpadded length).
    int64_t rowLength(int row) const;
};

// The overview of `plan` with filters ranked by `criterion` (which need not be the one the
// plan prunes by: ranking by another criterion shows where the plan's cuts fall in it).
// Scores come from `scorer`; layers it cannot score are skipped, not errors. Errors when
// the plan itself cannot select (see selectPruned).
Result<NetworkOverview> networkOverview(const Model& model, const std::vector<Layer>& layers,
    const std::vector<DependencyGroup>& groups, const Plan& plan, const FilterScorer& scorer, Criterion criterion);
// The same from a selection the caller already has for the plan.
Result<NetworkOverview> networkOverview(const std::vector<Layer>& layers, const std::vector<DependencyGroup>& groups,
    const PruneSelection& selection, const FilterScorer& scorer, Criterion criterion);

} // namespace topiary
