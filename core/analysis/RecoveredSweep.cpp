#include "core/analysis/RecoveredSweep.h"

#include "core/eval/Evaluator.h"
#include "core/model/Model.h"
#include "core/plan/Plan.h"

#include <memory>
#include <optional>

#include <sstream>

namespace topiary {

Result<RecoveredSweep> recoverSweep(const Model& model, const SensitivityResult& sweep,
    const SensitivityOptions& options, const Evaluator& evaluator, const RecoveredSweepOptions& recovery,
    const RecoveredSweepProgress& progress, std::stop_token stop)
{
    if (!recovery.recovery.any())
        return fail("a recovered sweep needs recovery methods");
    if (!recovery.calibration || recovery.calibration->count() == 0)
        return fail("a recovered sweep needs calibration images");
    RecoveredSweep out;
    out.recovered = sweep;
    out.unrecovered.reserve(sweep.points.size());
    out.repaired.assign(sweep.points.size(), false);
    size_t total = 0;
    for (const auto& p : sweep.points)
        total += p.kind == SweepKind::Prune && p.evaluated && p.value > 0.0;
    size_t done = 0;
    // The original's outputs as the reference of every recovered run (agreement): one run,
    // unless the caller's evaluator already carries a reference.
    const Evaluator* runner = &evaluator;
    std::optional<Evaluator> withReference;
    if (total > 0 && !evaluator.options().reference) {
        EvaluationOptions eo = evaluator.options();
        eo.keepOutputs = true;
        auto original = Evaluator(evaluator.dataset(), evaluator.spec(), eo).run(model.proto(), {}, stop);
        if (!original)
            return std::unexpected(original.error().withContext("the original model"));
        eo.keepOutputs = false;
        eo.reference = std::make_shared<const ModelOutputs>(std::move(original->outputs));
        withReference.emplace(evaluator.dataset(), evaluator.spec(), eo);
        runner = &*withReference;
    }
    for (size_t i = 0; i < out.recovered.points.size(); ++i) {
        SensitivityPoint& p = out.recovered.points[i];
        out.unrecovered.push_back(p.metrics);
        if (p.kind != SweepKind::Prune || !p.evaluated || p.value <= 0.0)
            continue;
        if (stop.stop_requested())
            return fail("cancelled");
        Plan plan;
        const auto members = p.members.empty() ? std::vector<std::string> { p.layer } : p.members;
        for (const auto& m : members)
            plan.setPrune(m, PruneSpec { options.granularity, options.criterion, PruneMode::Ratio, p.value });
        plan.setRecovery(recovery.recovery);
        auto repaired = applyRecovered(
            model, plan, *recovery.calibration, {}, nullptr, recovery.recoveryOptions, {}, stop);
        if (!repaired)
            return std::unexpected(repaired.error().withContext("recovery of " + p.layer + " at " + std::to_string(p.value)));
        auto run = runner->run(repaired->applied.proto, {}, stop);
        if (!run)
            return std::unexpected(run.error().withContext("the recovered " + p.layer));
        p.metrics = run->metrics;
        p.stoppedEarly = false;
        p.reading = SequentialReading::Undecided;
        out.repaired[i] = true;
        if (progress)
            progress(++done, total);
    }
    return out;
}

std::string recoveredSweepCsv(const RecoveredSweep& sweep)
{
    std::ostringstream out;
    out.precision(6);
    out << "# top1 is measured after recovery on every image where recovered is 1 (prune rows above ratio 0); "
           "top1_unrecovered is the sweep's own measurement (as compressed)\n";
    out << "layer,members,kind,value,energy_removed,top1_unrecovered,top1,agreement,correct,images,recovered\n";
    const auto& points = sweep.recovered.points;
    for (size_t i = 0; i < points.size(); ++i) {
        const SensitivityPoint& p = points[i];
        std::string members;
        for (const auto& m : p.members)
            members += (members.empty() ? "" : ";") + m;
        const bool quoted = members.find(',') != std::string::npos || p.layer.find(',') != std::string::npos;
        const char* q = quoted ? "\"" : "";
        out << q << p.layer << q << ',' << q << members << q << ',' << (p.kind == SweepKind::Prune ? "prune" : "bits")
            << ',' << p.value << ',' << p.energyRemoved << ',';
        if (p.evaluated)
            out << sweep.unrecovered[i].top1().value << ',' << p.metrics.top1().value << ','
                << p.metrics.agreement().value << ',' << p.metrics.top1Correct << ',' << p.metrics.labelled;
        else
            out << ",,,,";
        out << ',' << (sweep.repaired[i] ? 1 : 0) << '\n';
    }
    return out.str();
}

} // namespace topiary
