#include "core/analysis/BudgetFit.h"

#include "core/model/DependencyGroups.h"
#include "core/model/Layer.h"
#include "core/model/Model.h"
#include "core/analysis/Stats.h"

#include <algorithm>
#include <cmath>
#include <map>

namespace topiary {

namespace {

double measure(const ModelStats& s, BudgetMetric m)
{
    switch (m) {
    case BudgetMetric::Macs:
        return static_cast<double>(s.effectiveMacs);
    case BudgetMetric::Params:
        return static_cast<double>(s.nonzeroWeights);
    case BudgetMetric::Size:
        return static_cast<double>(s.encodedBytes);
    }
    return 0.0;
}

struct Curve {
    std::vector<std::pair<double, double>> points; // (ratio, loss), ascending ratio
};

} // namespace

double pointLoss(const EvaluationMetrics& point, const EvaluationMetrics& baseline)
{
    if (point.labelled > 0 && baseline.labelled > 0)
        return std::max(0.0, baseline.top1().value - point.top1().value);
    return point.compared > 0 ? 1.0 - point.agreement().value : 1.0;
}

double budgetFraction(const StatsModel& stats, const Plan& plan, BudgetMetric metric)
{
    const double original = measure(stats.compute(Plan {}), metric);
    return original > 0 ? measure(stats.compute(plan), metric) / original : 1.0;
}

const char* budgetMetricName(BudgetMetric m)
{
    switch (m) {
    case BudgetMetric::Macs:
        return "macs";
    case BudgetMetric::Params:
        return "params";
    case BudgetMetric::Size:
        return "size";
    }
    return "?";
}

Result<BudgetFit> fitBudget(const Model& model, const StatsModel& stats, const SensitivityResult& sensitivity,
    const SensitivityOptions& sweep, const BudgetTarget& target)
{
    const auto layers = findLayers(model);
    const auto groups = findDependencyGroups(model, layers);
    if (!(target.fraction > 0.0 && target.fraction <= 1.0))
        return fail("the target must be a fraction in (0, 1]; got " + std::to_string(target.fraction));
    std::map<std::string, Curve> curves;
    std::vector<double> losses { 0.0 };
    for (const auto& p : sensitivity.points) {
        if (p.kind != SweepKind::Prune || !p.evaluated)
            continue;
        const double loss = pointLoss(p.metrics, sensitivity.baseline);
        curves[p.layer].points.emplace_back(p.value, loss);
        losses.push_back(loss);
    }
    if (curves.empty())
        return fail("no evaluated pruning sweep to fit a budget from");
    for (auto& [_, c] : curves)
        std::sort(c.points.begin(), c.points.end());
    std::sort(losses.begin(), losses.end());
    losses.erase(std::unique(losses.begin(), losses.end()), losses.end());

    const double original = measure(stats.compute(Plan {}), target.metric);
    auto planFor = [&](double t, double& predicted) {
        Plan plan;
        predicted = 0.0;
        for (const auto& [layer, c] : curves) {
            double best = 0.0, bestLoss = 0.0;
            for (const auto& [ratio, loss] : c.points)
                if (loss <= t && ratio >= best) {
                    best = ratio;
                    bestLoss = loss;
                }
            if (best > 0.0) {
                plan.setPrune(layer, PruneSpec { sweep.granularity, sweep.criterion, PruneMode::Ratio, best });
                predicted += bestLoss;
            }
        }
        // Coupled producers prune the same channels: the sweep measured the group under its
        // first producer's name, and the whole group takes that ratio.
        if (sweep.granularity == PruneGranularity::Filter)
            for (const auto& g : groups) {
                if (g.producers.size() < 2)
                    continue;
                double ratio = 0.0;
                for (int l : g.producers)
                    ratio = std::max(ratio, plan.spec(layers[static_cast<size_t>(l)].name).prune.value);
                for (int l : g.producers) {
                    const auto& name = layers[static_cast<size_t>(l)].name;
                    plan.setPrune(name, ratio > 0.0 ? PruneSpec { sweep.granularity, sweep.criterion, PruneMode::Ratio, ratio }
                                                    : PruneSpec {});
                }
            }
        return plan;
    };
    // The achieved fraction only falls as t grows: binary search over the measured losses.
    size_t lo = 0, hi = losses.size() - 1;
    BudgetFit fit;
    auto evaluate = [&](size_t i) {
        BudgetFit f;
        f.allowedLoss = losses[i];
        f.plan = planFor(losses[i], f.predictedLoss);
        f.achieved = original > 0 ? measure(stats.compute(f.plan), target.metric) / original : 1.0;
        f.met = f.achieved <= target.fraction + 1e-12;
        return f;
    };
    BudgetFit last = evaluate(hi);
    if (!last.met)
        return last;
    fit = last;
    while (lo < hi) {
        const size_t mid = (lo + hi) / 2;
        BudgetFit f = evaluate(mid);
        if (f.met) {
            fit = f;
            hi = mid;
        } else {
            lo = mid + 1;
        }
    }
    return fit;
}

} // namespace topiary
