#include "core/plan/PlanCheck.h"

#include "core/base/Format.h"
#include "core/model/DependencyGroups.h"
#include "core/model/Layer.h"
#include "core/model/Model.h"
#include "core/model/NodeAttributes.h"

#include <algorithm>
#include <cmath>
#include <unordered_map>

namespace topiary {

Result<void> checkLayerSpec(const LayerSpec& spec)
{
    const PruneSpec& p = spec.prune;
    if (p.granularity != PruneGranularity::None) {
        if (!std::isfinite(p.value))
            return fail("prune.value: must be a finite number");
        switch (p.mode) {
        case PruneMode::Ratio:
            if (p.value < 0.0 || p.value >= 1.0)
                return fail("prune.value: a ratio must be in [0, 1), not " + text::significant(p.value, 6));
            break;
        case PruneMode::Threshold:
            if (p.value < 0.0)
                return fail("prune.value: a score threshold cannot be negative (" + text::significant(p.value, 6) + ")");
            break;
        case PruneMode::MeanStdRule:
            break;
        }
        if (p.granularity == PruneGranularity::Element
            && (p.criterion == Criterion::Fpgm || p.criterion == Criterion::BnScale || p.criterion == Criterion::Apoz
                || p.criterion == Criterion::Taylor))
            return fail(std::string("prune.criterion: ") + criterionName(p.criterion)
                + " scores whole filters; element pruning takes l1, l2 or random");
    }
    if (spec.act.bits != 8 && spec.act.bits != 32)
        return fail("act.bits: input activations are float (32) or 8-bit, not " + std::to_string(spec.act.bits));
    const QuantSpec& q = spec.quant;
    const std::string bits = std::to_string(q.bits);
    switch (q.scheme) {
    case QuantScheme::Uniform:
        if (q.bits < 1 || q.bits > 16)
            return fail("quant.bits: uniform quantization takes 1 to 16 bits, not " + bits);
        if (q.symmetric && q.bits < 2)
            return fail("quant.bits: symmetric uniform quantization needs at least 2 bits; use binary for 1 bit");
        break;
    case QuantScheme::Codebook:
        if (q.bits < 1 || q.bits > 8)
            return fail("quant.bits: codebook quantization takes 1 to 8 bits, not " + bits);
        break;
    default:
        if (q.bits != naturalBits(q.scheme))
            return fail(std::string("quant.bits: ") + quantSchemeName(q.scheme) + " has "
                + std::to_string(naturalBits(q.scheme)) + " bits, not " + bits);
    }
    if (spec.lowRank.rank < 0)
        return fail(
            "low_rank.rank: must be positive (or 0 for no factoring), not " + std::to_string(spec.lowRank.rank));
    return {};
}

std::vector<PlanProblem> validatePlan(
    const Plan& plan, const Model& model, const std::vector<Layer>& layers, const std::vector<DependencyGroup>* groups)
{
    std::vector<PlanProblem> problems;
    std::vector<DependencyGroup> computed;
    if (!groups) {
        computed = findDependencyGroups(model, layers);
        groups = &computed;
    }
    std::unordered_map<std::string, size_t> index;
    for (size_t i = 0; i < layers.size(); ++i)
        index.emplace(layers[i].name, i);
    const std::vector<int> groupOf = producerGroupOfLayers(*groups, layers.size());
    auto problem = [&](const std::string& layer, const std::string& why) {
        problems.push_back({ layer, "layer '" + layer + "': " + why });
    };

    if (plan.options().channelMultiple < 1)
        problems.push_back({ "", "options.channel_multiple: must be at least 1" });
    for (const auto& [name, spec] : plan.layers()) {
        auto it = index.find(name);
        if (it == index.end()) {
            problem(name, "no such layer in the model");
            continue;
        }
        const Layer& layer = layers[it->second];
        if (auto ok = checkLayerSpec(spec); !ok)
            problem(name, ok.error().message);
        if (spec.lowRank.rank > 0) {
            if (layer.group > 1) {
                problem(name, "a grouped convolution (group=" + std::to_string(layer.group) + ") cannot be factored");
            } else {
                const int64_t weights = product(layer.weightShape);
                const int64_t cols = layer.outChannels > 0 ? weights / layer.outChannels : 0;
                const int64_t maxRank = std::min(layer.outChannels, cols);
                if (spec.lowRank.rank > maxRank)
                    problem(name,
                        "rank " + std::to_string(spec.lowRank.rank) + " is larger than min(outputs "
                            + std::to_string(layer.outChannels) + ", inputs x kernel " + std::to_string(cols)
                            + ") = " + std::to_string(maxRank));
            }
        }
        if (spec.prune.granularity == PruneGranularity::Filter) {
            const int g = groupOf[it->second];
            if (g < 0)
                problem(name, "filter pruning is not possible: its filters are in no dependency group");
            else if (!(*groups)[static_cast<size_t>(g)].prunable)
                problem(name, "filter pruning is not possible: " + (*groups)[static_cast<size_t>(g)].reason);
        }
    }
    // Coupled layers prune the same channels, so they must ask for the same filter pruning.
    for (const auto& group : *groups) {
        if (!group.prunable || group.producers.size() < 2)
            continue;
        const Layer* lead = nullptr;
        for (int l : group.producers) {
            const Layer& layer = layers[static_cast<size_t>(l)];
            if (plan.spec(layer.name).prune.granularity == PruneGranularity::Filter) {
                lead = &layer;
                break;
            }
        }
        if (!lead)
            continue;
        const PruneSpec& want = plan.spec(lead->name).prune;
        for (int l : group.producers) {
            const Layer& layer = layers[static_cast<size_t>(l)];
            if (!(plan.spec(layer.name).prune == want))
                problem(layer.name,
                    "shares its channels with '" + lead->name
                        + "' (one dependency group) but asks for different filter pruning; "
                          "coupled layers must prune the same channels");
        }
    }
    return problems;
}

} // namespace topiary
