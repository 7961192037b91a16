#include "core/analysis/CriteriaComparison.h"

#include "core/eval/ActivationStats.h"
#include "core/export/Apply.h"
#include "core/model/DependencyGroups.h"
#include "core/eval/Evaluator.h"
#include "core/compress/Importance.h"
#include "core/eval/IncrementalSweep.h"
#include "core/model/Layer.h"
#include "core/model/Model.h"
#include "core/plan/Plan.h"
#include "core/compress/PruneSelection.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <map>
#include <numeric>

namespace topiary {

namespace {

int findLayer(const std::vector<Layer>& layers, const std::string& name)
{
    auto it = std::find_if(layers.begin(), layers.end(), [&](const Layer& l) { return l.name == name; });
    return it == layers.end() ? -1 : static_cast<int>(it - layers.begin());
}

// The layers vector must outlive the returned scorer (weightScorer keeps a reference).
FilterScorer scorerFor(const Model& model, const std::vector<Layer>& layers, const FilterScorer& scorer)
{
    return scorer ? scorer : weightScorer(model, layers);
}

// Why a criterion cannot rank the layer's filters, or empty when it can; the reasons
// are for the person choosing, so they say what would make it possible.
std::string unavailableReason(
    const Model& model, const Layer& layer, Criterion criterion, const Result<std::vector<float>>& scores)
{
    if (scores)
        return {};
    if (criterion == Criterion::Apoz) {
        const ActivationSite site = activationSite(model, layer);
        if (!site.relu)
            return "APoZ is not defined here: no ReLU follows this layer (" + site.note + ")";
    }
    if (criterion == Criterion::BnScale && layer.batchNorm < 0)
        return "no BatchNorm follows this layer, so there is no BN scale to rank by";
    return scores.error().message;
}

Plan planFor(const std::vector<Layer>& layers, const std::vector<DependencyGroup>& groups, int layer,
    double fraction, Criterion criterion, const Plan& base)
{
    return withLayerPrune(
        base, layers, groups, layer, PruneSpec { PruneGranularity::Filter, criterion, PruneMode::Ratio, fraction });
}

double jaccardIndex(const std::vector<int64_t>& a, const std::vector<int64_t>& b)
{
    if (a.empty() && b.empty())
        return 1.0;
    std::vector<int64_t> both;
    std::set_intersection(a.begin(), a.end(), b.begin(), b.end(), std::back_inserter(both));
    const auto unionSize = a.size() + b.size() - both.size();
    return static_cast<double>(both.size()) / static_cast<double>(unionSize);
}

} // namespace

Plan criterionPlan(const Model& model, const std::string& layer, double fraction, Criterion criterion, const Plan& base)
{
    const auto layers = findLayers(model);
    const auto groups = findDependencyGroups(model, layers);
    const int index = findLayer(layers, layer);
    if (index < 0)
        return base;
    return planFor(layers, groups, index, fraction, criterion, base);
}

Result<CriteriaComparison> compareCriteria(
    const Model& model, const std::string& layerName, double fraction, const Plan& base, const FilterScorer& givenScorer)
{
    if (!(fraction >= 0.0 && fraction < 1.0))
        return fail("the fraction of filters to prune must be in [0, 1); got " + std::to_string(fraction));
    const auto layers = findLayers(model);
    const int index = findLayer(layers, layerName);
    if (index < 0)
        return fail("the model has no layer '" + layerName + "'");
    const Layer& layer = layers[static_cast<size_t>(index)];
    const auto groups = findDependencyGroups(model, layers);
    const int g = producerGroupOf(groups, index);
    const DependencyGroup* group = g >= 0 ? &groups[static_cast<size_t>(g)] : nullptr;
    const FilterScorer scorer = scorerFor(model, layers, givenScorer);

    CriteriaComparison out;
    out.layer = layerName;
    out.fraction = fraction;
    if (!layer.weightShape.empty()) {
        const auto axis = static_cast<size_t>(outputChannelAxis(layer));
        out.filters = axis < layer.weightShape.size() ? layer.weightShape[axis] : 0;
    }
    std::string groupReason;
    if (!group)
        groupReason = "its filters are in no dependency group, so filter pruning cannot remove them";
    else if (!group->prunable)
        groupReason = "its filters cannot be pruned: " + group->reason;

    for (Criterion criterion : kComparedCriteria) {
        CriterionRanking r;
        r.criterion = criterion;
        auto own = scorer(index, criterion);
        r.reason = groupReason.empty() ? unavailableReason(model, layer, criterion, own) : groupReason;
        r.available = r.reason.empty();
        if (!r.available) {
            out.criteria.push_back(std::move(r));
            continue;
        }
        r.layerScores = std::move(*own);
        out.filters = static_cast<int64_t>(r.layerScores.size());

        // The scores selectPruned ranks the group's channels by, read back per filter.
        std::map<std::string, std::vector<float>> byLayer;
        for (int l : group->producers) {
            auto s = l == index ? Result<std::vector<float>>(r.layerScores) : scorer(l, criterion);
            if (s)
                byLayer[layers[static_cast<size_t>(l)].name] = std::move(*s);
        }
        const std::vector<float> channelScores = groupScores(*group, layers, byLayer);
        r.scores = r.layerScores;
        for (const GroupMember* m : group->scoredMembers()) {
            if (m->layer != index)
                continue;
            for (int64_t k = m->groupBegin; k < m->groupBegin + m->count; ++k) {
                const int64_t f = m->channelOf(k);
                if (f >= 0 && f < out.filters)
                    r.scores[static_cast<size_t>(f)] = channelScores[static_cast<size_t>(k)];
            }
        }
        r.order.resize(static_cast<size_t>(out.filters));
        std::iota(r.order.begin(), r.order.end(), int64_t { 0 });
        std::stable_sort(r.order.begin(), r.order.end(), [&](int64_t a, int64_t b) {
            return r.scores[static_cast<size_t>(a)] > r.scores[static_cast<size_t>(b)];
        });
        r.rank.resize(r.order.size());
        for (size_t i = 0; i < r.order.size(); ++i)
            r.rank[static_cast<size_t>(r.order[i])] = static_cast<int64_t>(i) + 1;

        // Only this group's selection matters, so the other layers' specs (which may be
        // unfinished) cannot make the comparison fail.
        const Plan plan = planFor(layers, groups, index, fraction, criterion, Plan().withOptions(base.options()));
        auto selection = selectPruned(model, layers, groups, plan, scorer);
        if (!selection)
            return std::unexpected(selection.error().withContext(layerName));
        r.pruned = selection->prunedFilters(groups, index);
        out.criteria.push_back(std::move(r));
    }

    const size_t n = out.criteria.size();
    out.jaccard.assign(n * n, std::numeric_limits<double>::quiet_NaN());
    for (size_t a = 0; a < n; ++a)
        for (size_t b = 0; b < n; ++b)
            if (out.criteria[a].available && out.criteria[b].available)
                out.jaccard[a * n + b] = jaccardIndex(out.criteria[a].pruned, out.criteria[b].pruned);
    return out;
}

Result<CriteriaMeasurement> measureCriteria(const Model& model, const std::string& layerName, double fraction,
    const Plan& base, const Evaluator& evaluator, const FilterScorer& givenScorer, const CriteriaProgress& progress,
    std::stop_token stop)
{
    auto comparison = compareCriteria(model, layerName, fraction, base, givenScorer);
    if (!comparison)
        return std::unexpected(comparison.error());
    const auto layers = findLayers(model);
    const auto groups = findDependencyGroups(model, layers);
    const int index = findLayer(layers, layerName);
    const FilterScorer scorer = scorerFor(model, layers, givenScorer);

    CriteriaMeasurement result;
    result.layer = layerName;
    result.fraction = fraction;
    size_t total = 1;
    for (const auto& r : comparison->criteria) {
        result.criteria.push_back(CriterionMeasurement { r.criterion, r.available, false, {} });
        total += r.available ? 1 : 0;
    }
    if (progress)
        progress(result, 0, total);

    // The original's outputs are the reference for agreement; with an empty base plan
    // that run is also the baseline.
    auto original = evaluator.run(model.proto(), {}, stop);
    if (!original)
        return std::unexpected(original.error().withContext("the original model"));
    if (original->metrics.cancelled) {
        result.cancelled = true;
        return result;
    }
    EvaluationOptions withReference = evaluator.options();
    withReference.keepOutputs = false;
    const EvaluationMetrics originalMetrics = original->metrics;
    withReference.reference = std::make_shared<const ModelOutputs>(std::move(original->outputs));
    const Evaluator compared(evaluator.dataset(), evaluator.spec(), withReference);
    IncrementalSweep sweep(model, compared);

    // Every plan is applied with the scorer the comparison ranked by (APoZ from its stats).
    auto evaluate = [&](const Plan& plan, const std::string& what) -> Result<EvaluationResult> {
        auto selection = selectPruned(model, layers, groups, plan, scorer);
        if (!selection)
            return std::unexpected(selection.error().withContext(what));
        auto applied = apply(model, plan, {}, &*selection);
        if (!applied)
            return std::unexpected(applied.error().withContext(what));
        auto run = sweep.run(applied->proto, firstChangedLayer(Plan {}, plan, layers, groups), stop);
        if (!run)
            return std::unexpected(run.error().withContext(what));
        return run;
    };

    if (base.empty()) {
        // The original agrees with itself on every sample, by definition.
        result.baseline = originalMetrics;
        result.baseline.compared = originalMetrics.processed;
        result.baseline.agreed = originalMetrics.processed;
    } else {
        auto run = evaluate(base, "the current plan");
        if (!run)
            return std::unexpected(run.error());
        if (run->metrics.cancelled) {
            result.cancelled = true;
            return result;
        }
        result.baseline = run->metrics;
    }
    result.baselineEvaluated = true;
    size_t done = 1;
    if (progress)
        progress(result, done, total);

    for (auto& m : result.criteria) {
        if (!m.available)
            continue;
        if (stop.stop_requested()) {
            result.cancelled = true;
            break;
        }
        const Plan plan = planFor(layers, groups, index, fraction, m.criterion, base);
        auto run = evaluate(plan, layerName);
        if (!run)
            return std::unexpected(run.error());
        if (run->metrics.cancelled) {
            result.cancelled = true;
            break;
        }
        m.metrics = run->metrics;
        m.evaluated = true;
        if (progress)
            progress(result, ++done, total);
    }
    return result;
}

} // namespace topiary
