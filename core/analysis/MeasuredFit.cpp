#include "core/analysis/MeasuredFit.h"

#include "core/analysis/Stats.h"
#include "core/eval/Evaluator.h"
#include "core/export/Apply.h"

#include <algorithm>
#include <map>

namespace topiary {

namespace {

// What a sweep measured for one row: the layers it prunes together and its curve.
struct Unit {
    std::vector<std::string> members;
    std::vector<std::pair<double, double>> curve; // (ratio, loss), ascending ratio
    double ratio = 0.0; // in the current plan

    double lossAt(double r) const
    {
        for (const auto& [x, loss] : curve)
            if (x == r)
                return loss;
        return 0.0;
    }
};

Plan planOf(const std::map<std::string, Unit>& units, const SensitivityOptions& sweep, double& predicted)
{
    Plan plan;
    predicted = 0.0;
    for (const auto& [_, u] : units) {
        if (u.ratio <= 0.0)
            continue;
        predicted += u.lossAt(u.ratio);
        for (const auto& m : u.members)
            plan.setPrune(m, PruneSpec { sweep.granularity, sweep.criterion, PruneMode::Ratio, u.ratio });
    }
    return plan;
}

// Lowers the ratio of the units whose sweep lost most at their ratio (all within half of
// the largest such loss, so a round makes real progress). False when nothing is pruned.
bool backOff(std::map<std::string, Unit>& units)
{
    double worst = -1.0, widest = 0.0;
    for (const auto& [_, u] : units)
        if (u.ratio > 0.0) {
            worst = std::max(worst, u.lossAt(u.ratio));
            widest = std::max(widest, u.ratio);
        }
    if (worst < 0.0)
        return false;
    for (auto& [_, u] : units) {
        if (u.ratio <= 0.0)
            continue;
        // With no measured loss anywhere, the widest cuts go first.
        const bool pick = worst > 0.0 ? u.lossAt(u.ratio) >= 0.5 * worst : u.ratio >= widest;
        if (!pick)
            continue;
        double lower = 0.0;
        for (const auto& [x, _loss] : u.curve)
            if (x < u.ratio)
                lower = std::max(lower, x);
        u.ratio = lower;
    }
    return true;
}

} // namespace

Result<MeasuredFit> fitAndMeasure(const Model& model, const StatsModel& stats, const SensitivityResult& sensitivity,
    const SensitivityOptions& sweep, const BudgetTarget& target, const Evaluator& evaluator,
    const MeasuredFitOptions& options)
{
    auto proposal = fitBudget(model, stats, sensitivity, sweep, target);
    if (!proposal)
        return std::unexpected(proposal.error());
    MeasuredFit out;
    out.proposal = *proposal;

    std::map<std::string, Unit> units;
    for (const auto& p : sensitivity.points) {
        if (p.kind != SweepKind::Prune || !p.evaluated)
            continue;
        Unit& u = units[p.layer];
        u.members = p.members.empty() ? std::vector<std::string> { p.layer } : p.members;
        u.curve.emplace_back(p.value, pointLoss(p.metrics, sensitivity.baseline));
    }
    for (auto& [name, u] : units) {
        std::sort(u.curve.begin(), u.curve.end());
        const PruneSpec& spec = proposal->plan.spec(name).prune;
        u.ratio = spec.granularity == PruneGranularity::None ? 0.0 : spec.value;
    }

    auto measure = [&](const Plan& plan, double predicted) -> Result<FitAttempt> {
        FitAttempt a;
        a.plan = plan;
        a.achieved = budgetFraction(stats, plan, target.metric);
        a.met = a.achieved <= target.fraction + 1e-12;
        a.predictedLoss = predicted;
        auto applied = apply(model, plan);
        if (!applied)
            return std::unexpected(applied.error());
        auto run = evaluator.run(applied->proto);
        if (!run)
            return std::unexpected(run.error().withContext("the fitted plan"));
        a.metrics = run->metrics;
        a.measuredLoss = pointLoss(a.metrics, sensitivity.baseline);
        return a;
    };
    auto first = measure(proposal->plan, proposal->predictedLoss);
    if (!first)
        return std::unexpected(first.error());
    out.attempts.push_back(std::move(*first));

    if (options.maxLoss) {
        const double allowed = *options.maxLoss;
        for (int round = 0; round < options.rounds && out.attempts.back().measuredLoss > allowed; ++round) {
            if (!backOff(units))
                break;
            double predicted = 0.0;
            const Plan plan = planOf(units, sweep, predicted);
            auto next = measure(plan, predicted);
            if (!next)
                return std::unexpected(next.error());
            out.attempts.push_back(std::move(*next));
            if (plan.empty())
                break;
        }
        auto better = [&](size_t a, size_t b) { // is attempt a a better choice than b?
            const FitAttempt& x = out.attempts[a];
            const FitAttempt& y = out.attempts[b];
            const bool xIn = x.measuredLoss <= allowed, yIn = y.measuredLoss <= allowed;
            if (xIn != yIn)
                return xIn;
            if (!xIn)
                return x.measuredLoss < y.measuredLoss;
            if (x.met != y.met)
                return x.met;
            return x.achieved < y.achieved;
        };
        for (size_t i = 1; i < out.attempts.size(); ++i)
            if (better(i, out.chosen))
                out.chosen = i;
        out.withinLoss = out.best().measuredLoss <= allowed;
    }
    return out;
}

} // namespace topiary
