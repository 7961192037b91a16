#include "core/compress/PruneSelection.h"

#include "core/model/DependencyGroups.h"
#include "core/model/Layer.h"
#include "core/model/Model.h"
#include "core/plan/Plan.h"

#include <algorithm>
#include <numeric>
#include <optional>

namespace topiary {

namespace {

// The filter-pruning spec the group's producers ask for; null when none does. Coupled
// producers must agree (validatePlan reports it as a plan problem).
Result<const PruneSpec*> groupSpec(const DependencyGroup& group, const std::vector<Layer>& layers, const Plan& plan)
{
    const PruneSpec* found = nullptr;
    std::string foundLayer;
    for (int l : group.producers) {
        const auto& name = layers[static_cast<size_t>(l)].name;
        const PruneSpec& spec = plan.spec(name).prune;
        if (spec.granularity != PruneGranularity::Filter)
            continue;
        if (found && !(*found == spec))
            return fail("layers " + foundLayer + " and " + name
                + " share their channels (one dependency group) but ask for different filter pruning");
        if (!found) {
            found = &spec;
            foundLayer = name;
        }
    }
    return found;
}

// Pruned group channels from the keep-mask, with the kept count rounded up to a multiple
// (un-pruning the best-scored pruned channels first) and at least one channel kept.
std::vector<int64_t> prunedChannels(const Mask& keep, std::span<const float> scores, const PlanOptions& options)
{
    std::vector<int64_t> pruned;
    for (size_t k = 0; k < keep.size(); ++k)
        if (!keep[k])
            pruned.push_back(static_cast<int64_t>(k));
    const auto total = static_cast<int64_t>(keep.size());
    const int64_t kept = total - static_cast<int64_t>(pruned.size());
    const int64_t wanted
        = options.roundChannels ? roundKeptChannels(total, kept, options.channelMultiple) : std::max<int64_t>(kept, 1);
    const int64_t restore = std::min<int64_t>(wanted - kept, static_cast<int64_t>(pruned.size()));
    if (restore > 0) {
        // Best scores first; ties by channel index so the result is deterministic.
        std::stable_sort(pruned.begin(), pruned.end(), [&](int64_t a, int64_t b) {
            return scores[static_cast<size_t>(a)] > scores[static_cast<size_t>(b)];
        });
        pruned.erase(pruned.begin(), pruned.begin() + restore);
        std::sort(pruned.begin(), pruned.end());
    }
    return pruned;
}

} // namespace

std::vector<int64_t> PruneSelection::prunedFilters(const std::vector<DependencyGroup>& groups, int layer) const
{
    std::vector<int64_t> out;
    for (size_t g = 0; g < groups.size() && g < groupChannels.size(); ++g) {
        if (groupChannels[g].empty())
            continue;
        for (const GroupMember* m : groups[g].scoredMembers()) {
            if (m->layer != layer)
                continue;
            for (int64_t k : groupChannels[g])
                if (m->covers(k))
                    out.push_back(m->channelOf(k));
        }
    }
    std::sort(out.begin(), out.end());
    out.erase(std::unique(out.begin(), out.end()), out.end());
    return out;
}

FilterScorer weightScorer(const Model& model, const std::vector<Layer>& layers)
{
    return [&model, &layers](int layer, Criterion criterion) {
        return filterScores(model, layers[static_cast<size_t>(layer)], criterion, static_cast<uint64_t>(layer));
    };
}

Result<PruneSelection> selectPruned(const Model& model, const std::vector<Layer>& layers,
    const std::vector<DependencyGroup>& groups, const Plan& plan, const FilterScorer& scorer)
{
    PruneSelection selection;
    selection.groupChannels.resize(groups.size());

    for (size_t g = 0; g < groups.size(); ++g) {
        const auto& group = groups[g];
        auto spec = groupSpec(group, layers, plan);
        if (!spec)
            return std::unexpected(spec.error());
        if (!*spec)
            continue;
        if (!group.prunable)
            return fail("filter pruning of " + layers[static_cast<size_t>(group.producers.front())].name
                + " is not possible: " + group.reason);
        // Producers the criterion cannot score (APoZ where no ReLU follows, BN scale
        // without a BatchNorm) are left out of the group's mean; all of them is an error.
        std::map<std::string, std::vector<float>> layerScores;
        std::optional<Error> firstError;
        for (int l : group.producers) {
            auto scores = scorer(l, (*spec)->criterion);
            if (scores)
                layerScores[layers[static_cast<size_t>(l)].name] = std::move(*scores);
            else if (!firstError)
                firstError = scores.error().withContext(layers[static_cast<size_t>(l)].name);
        }
        if (layerScores.empty() && firstError)
            return std::unexpected(*firstError);
        const std::vector<float> scores = groupScores(group, layers, layerScores);
        auto keep = pruneMask(scores, **spec);
        if (!keep)
            return std::unexpected(keep.error().withContext(layers[static_cast<size_t>(group.producers.front())].name));
        selection.groupChannels[g] = prunedChannels(*keep, scores, plan.options());
    }

    for (const auto& [name, spec] : plan.layers()) {
        if (spec.prune.granularity != PruneGranularity::Element)
            continue;
        auto it = std::find_if(layers.begin(), layers.end(), [&](const Layer& l) { return l.name == name; });
        if (it == layers.end())
            return fail("the plan names layer '" + name + "', which the model does not have");
        const Constant* weight = model.constant(it->weight);
        if (!weight || weight->floats.empty())
            return fail("layer " + name + ": its weight is not a float tensor");
        auto mask = pruneMask(elementScores(weight->floats), spec.prune);
        if (!mask)
            return std::unexpected(mask.error().withContext(name));
        selection.elementMasks[static_cast<int>(it - layers.begin())] = std::move(*mask);
    }
    return selection;
}

} // namespace topiary
