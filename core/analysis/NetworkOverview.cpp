#include "core/analysis/NetworkOverview.h"

#include "core/model/DependencyGroups.h"
#include "core/compress/Importance.h"
#include "core/model/Layer.h"
#include "core/model/Model.h"
#include "core/plan/Plan.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <numeric>

namespace topiary {

namespace {

// Per filter, the fraction of its weights an element mask zeroes. The mask is over the
// weight as stored; laying it out like the weights (filterMatrix) finds each filter's
// share whatever the layer's output-channel axis is.
Result<std::vector<float>> prunedFractions(const Layer& layer, const Mask& keep)
{
    std::vector<float> zeroed(keep.size());
    for (size_t i = 0; i < keep.size(); ++i)
        zeroed[i] = keep[i] ? 0.0f : 1.0f;
    auto matrix = filterMatrix(zeroed, layer);
    if (!matrix)
        return std::unexpected(matrix.error());
    std::vector<float> out(static_cast<size_t>(matrix->rows()), 0.0f);
    for (int64_t r = 0; r < matrix->rows(); ++r) {
        const auto row = matrix->row(r);
        if (!row.empty())
            out[static_cast<size_t>(r)]
                = static_cast<float>(std::accumulate(row.begin(), row.end(), 0.0) / static_cast<double>(row.size()));
    }
    return out;
}

struct Row {
    int layer = -1;
    std::vector<float> scores;
};

} // namespace

int64_t NetworkOverview::rowLength(int row) const
{
    int64_t n = 0;
    while (n < columns && filters[cell(row, n)] >= 0)
        ++n;
    return n;
}

Result<NetworkOverview> networkOverview(const Model& model, const std::vector<Layer>& layers,
    const std::vector<DependencyGroup>& groups, const Plan& plan, const FilterScorer& scorer, Criterion criterion)
{
    auto selection = selectPruned(model, layers, groups, plan, scorer);
    if (!selection)
        return std::unexpected(selection.error());
    return networkOverview(layers, groups, *selection, scorer, criterion);
}

Result<NetworkOverview> networkOverview(const std::vector<Layer>& layers, const std::vector<DependencyGroup>& groups,
    const PruneSelection& selection, const FilterScorer& scorer, Criterion criterion)
{
    NetworkOverview out;
    out.criterion = criterion;

    std::vector<Row> rows;
    for (size_t l = 0; l < layers.size(); ++l) {
        auto scores = scorer(static_cast<int>(l), criterion);
        if (!scores) {
            out.skipped.push_back(layers[l].name + ": " + scores.error().message);
            continue;
        }
        if (scores->empty()) {
            out.skipped.push_back(layers[l].name + ": no filters");
            continue;
        }
        out.columns = std::max<int64_t>(out.columns, static_cast<int64_t>(scores->size()));
        rows.push_back({ static_cast<int>(l), std::move(*scores) });
    }

    const float nan = std::numeric_limits<float>::quiet_NaN();
    const size_t cells = rows.size() * static_cast<size_t>(out.columns);
    out.importance.assign(cells, nan);
    out.scores.assign(cells, nan);
    out.pruned.assign(cells, nan);
    out.filters.assign(cells, -1);

    for (const Row& row : rows) {
        const int r = out.rows();
        out.layers.push_back(row.layer);
        const size_t n = row.scores.size();

        // How much of each filter goes, by filter index.
        std::vector<float> removed(n, 0.0f);
        if (auto it = selection.elementMasks.find(row.layer); it != selection.elementMasks.end()) {
            auto fractions = prunedFractions(layers[static_cast<size_t>(row.layer)], it->second);
            if (!fractions)
                return std::unexpected(fractions.error().withContext(layers[static_cast<size_t>(row.layer)].name));
            for (size_t f = 0; f < n && f < fractions->size(); ++f)
                removed[f] = (*fractions)[f];
        }
        for (int64_t f : selection.prunedFilters(groups, row.layer))
            if (f >= 0 && static_cast<size_t>(f) < n)
                removed[static_cast<size_t>(f)] = 1.0f;

        // Most important first; equal scores keep filter order so the picture is stable, and
        // a NaN score (from NaN weights) ranks last instead of breaking the sort.
        std::vector<int64_t> order(n);
        std::iota(order.begin(), order.end(), int64_t { 0 });
        std::stable_sort(order.begin(), order.end(), [&](int64_t a, int64_t b) {
            const float sa = row.scores[static_cast<size_t>(a)], sb = row.scores[static_cast<size_t>(b)];
            return sa > sb || (!std::isnan(sa) && std::isnan(sb));
        });
        const float max = row.scores[static_cast<size_t>(order.front())];
        for (size_t rank = 0; rank < n; ++rank) {
            const auto f = static_cast<size_t>(order[rank]);
            const size_t c = out.cell(r, static_cast<int64_t>(rank));
            out.filters[c] = order[rank];
            out.scores[c] = row.scores[f];
            // A layer whose filters all score 0 (all-zero weights) has nothing to tell apart.
            out.importance[c] = max > 0.0f && std::isfinite(max) ? row.scores[f] / max : 0.0f;
            out.pruned[c] = removed[f];
        }
    }
    return out;
}

} // namespace topiary
