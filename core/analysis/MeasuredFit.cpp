#include "core/analysis/MeasuredFit.h"

#include "core/analysis/Stats.h"
#include "core/eval/Evaluator.h"
#include "core/export/Apply.h"

#include <algorithm>
#include <limits>
#include <map>

namespace topiary {

namespace {

// What a sweep measured for one row: the layers it prunes together and its curve.
struct Unit {
    std::vector<std::string> members;
    std::vector<std::pair<double, double>> curve; // (ratio, loss), ascending ratio
    double ratio = 0.0; // in the current plan
    bool backedOff = false; // lowered once: never raised again (no back and forth)

    double lossAt(double r) const
    {
        for (const auto& [x, loss] : curve)
            if (x == r)
                return loss;
        return 0.0;
    }
    // The next measured ratio above the current one, or none.
    std::optional<double> higher() const
    {
        for (const auto& [x, _loss] : curve)
            if (x > ratio)
                return x;
        return std::nullopt;
    }
};

using Units = std::map<std::string, Unit>;

Plan planOf(const Units& units, const SensitivityOptions& sweep, const RecoverySpec& recovery, double& predicted)
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
    plan.setRecovery(recovery);
    return plan;
}

// Lowers the ratio of the units whose sweep lost most at their ratio (all within half of
// the largest such loss, so a round makes real progress). False when nothing is pruned.
bool backOff(Units& units)
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
        u.backedOff = true;
    }
    return true;
}

// Raises the one unit (never backed off) whose next measured ratio costs least sweep loss
// per unit of the budget metric it saves. False when no unit can go higher or saves any.
bool moveCut(Units& units, const StatsModel& stats, const SensitivityOptions& sweep, BudgetMetric metric)
{
    double predicted = 0.0;
    const double now = budgetFraction(stats, planOf(units, sweep, {}, predicted), metric);
    Unit* pick = nullptr;
    double pickRatio = 0.0, bestCost = std::numeric_limits<double>::infinity();
    for (auto& [_, u] : units) {
        if (u.backedOff)
            continue;
        const auto next = u.higher();
        if (!next)
            continue;
        const double was = u.ratio;
        u.ratio = *next;
        const double saved = now - budgetFraction(stats, planOf(units, sweep, {}, predicted), metric);
        const double cost = std::max(0.0, u.lossAt(*next) - u.lossAt(was));
        u.ratio = was;
        if (saved <= 0.0)
            continue;
        if (cost / saved < bestCost) {
            bestCost = cost / saved;
            pick = &u;
            pickRatio = *next;
        }
    }
    if (!pick)
        return false;
    pick->ratio = pickRatio;
    return true;
}

} // namespace

Result<MeasuredFit> fitAndMeasure(const Model& model, const StatsModel& stats, const SensitivityResult& sensitivity,
    const SensitivityOptions& sweep, const BudgetTarget& target, const Evaluator& evaluator,
    const MeasuredFitOptions& options, const FitProgress& progress, std::stop_token stop)
{
    auto proposal = fitBudget(model, stats, sensitivity, sweep, target);
    if (!proposal)
        return std::unexpected(proposal.error());
    MeasuredFit out;
    out.proposal = *proposal;
    const bool recover = options.recovery.any() && options.calibration && options.calibration->count() > 0;
    out.recovered = recover;
    const RecoverySpec recovery = recover ? options.recovery : RecoverySpec {};

    Units units;
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

    const int rounds = options.maxLoss ? options.rounds : 0;
    auto evaluate = [&](const onnx::ModelProto& proto) -> Result<EvaluationMetrics> {
        auto run = evaluator.run(proto, {}, stop);
        if (!run)
            return std::unexpected(run.error().withContext("the fitted plan"));
        return run->metrics;
    };
    auto measure = [&](Plan plan, double predicted, FitAttempt::Step step) -> Result<FitAttempt> {
        if (stop.stop_requested())
            return fail("cancelled");
        FitAttempt a;
        a.step = step;
        plan.setRecovery(recovery);
        a.plan = plan;
        a.achieved = budgetFraction(stats, plan, target.metric);
        a.met = a.achieved <= target.fraction + 1e-12;
        a.predictedLoss = predicted;
        auto applied = apply(model, plan.withRecovery({}));
        if (!applied)
            return std::unexpected(applied.error());
        auto plain = evaluate(applied->proto);
        if (!plain)
            return std::unexpected(plain.error());
        if (recover) {
            a.unrecoveredLoss = pointLoss(*plain, sensitivity.baseline);
            auto repaired = applyRecovered(
                model, plan, *options.calibration, {}, nullptr, options.recoveryOptions, {}, stop);
            if (!repaired)
                return std::unexpected(repaired.error().withContext("recovery of the fitted plan"));
            auto metrics = evaluate(repaired->applied.proto);
            if (!metrics)
                return std::unexpected(metrics.error());
            a.metrics = *metrics;
        } else {
            a.metrics = *plain;
        }
        a.measuredLoss = pointLoss(a.metrics, sensitivity.baseline);
        if (progress)
            progress(a, static_cast<int>(out.attempts.size()), rounds);
        return a;
    };
    auto first = measure(proposal->plan, proposal->predictedLoss, FitAttempt::Step::Proposal);
    if (!first)
        return std::unexpected(first.error());
    out.attempts.push_back(std::move(*first));
    if (!options.maxLoss)
        return out;

    const double allowed = *options.maxLoss;
    for (int round = 0; round < rounds; ++round) {
        const FitAttempt& last = out.attempts.back();
        FitAttempt::Step step;
        if (last.measuredLoss > allowed) {
            if (!backOff(units))
                break;
            step = FitAttempt::Step::BackOff;
        } else if (!last.met) {
            if (!moveCut(units, stats, sweep, target.metric))
                break;
            step = FitAttempt::Step::Move;
        } else {
            break; // met, within the loss
        }
        double predicted = 0.0;
        const Plan plan = planOf(units, sweep, recovery, predicted);
        auto next = measure(plan, predicted, step);
        if (!next)
            return std::unexpected(next.error());
        out.attempts.push_back(std::move(*next));
        if (plan.empty() && out.attempts.back().measuredLoss > allowed)
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
    return out;
}

} // namespace topiary
