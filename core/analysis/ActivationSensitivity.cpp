#include "core/analysis/ActivationSensitivity.h"

#include "core/eval/PlanEvaluation.h"
#include "core/model/Layer.h"

#include <algorithm>

namespace topiary {

Result<Plan> activationSweepPlan(
    const std::vector<Layer>& layers, const std::vector<std::string>& names, const ActivationSpec& act)
{
    for (const auto& name : names)
        if (std::none_of(layers.begin(), layers.end(), [&](const Layer& l) { return l.name == name; }))
            return fail("'" + name + "' is not a layer of the model");
    Plan plan;
    for (const auto& l : layers)
        if (names.empty() || std::find(names.begin(), names.end(), l.name) != names.end())
            plan.setActivation(l.name, act);
    return plan;
}

Result<ActivationSensitivityResult> analyseActivationSensitivity(PlanEvaluation& evaluation, const Plan& calibrated,
    const ActivationSensitivityProgress& progress, std::stop_token stop)
{
    if (calibrated.activationRanges().empty())
        return fail("the activation sweep needs calibrated ranges");
    ActivationSensitivityResult result;
    auto original = evaluation.runOriginal({}, stop);
    if (!original)
        return std::unexpected(original.error());
    result.baseline = original->metrics;
    if (original->metrics.cancelled) {
        result.cancelled = true;
        return result;
    }
    // Layer order, not the plan's (by name).
    std::vector<std::pair<std::string, ActivationSpec>> swept;
    for (const auto& l : evaluation.layers())
        if (calibrated.contains(l.name) && calibrated.spec(l.name).act.quantized())
            swept.emplace_back(l.name, calibrated.spec(l.name).act);
    for (size_t i = 0; i < swept.size(); ++i) {
        const auto& [layer, act] = swept[i];
        Plan plan;
        plan.setActivation(layer, act);
        plan.setActivationRanges(calibrated.activationRanges());
        auto run = evaluation.run(plan, {}, stop);
        if (!run)
            return std::unexpected(run.error().withContext(layer));
        if (run->metrics.cancelled) {
            result.cancelled = true;
            return result;
        }
        result.points.push_back({ layer, act, run->metrics });
        if (progress)
            progress(result, i + 1, swept.size());
    }
    return result;
}

} // namespace topiary
