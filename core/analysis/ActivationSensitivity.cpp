#include "core/analysis/ActivationSensitivity.h"

#include "core/eval/PlanEvaluation.h"
#include "core/model/Layer.h"

#include <algorithm>
#include <sstream>

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

std::string activationSensitivityCsvRows(const ActivationSensitivityResult& result)
{
    auto field = [](const std::string& text) { // RFC 4180 quoting, as sensitivityCsv's
        if (text.find_first_of(",\"\n") == std::string::npos)
            return text;
        std::string quoted = "\"";
        for (char c : text)
            quoted += c == '"' ? std::string("\"\"") : std::string(1, c);
        return quoted + '"';
    };
    std::ostringstream out;
    out.precision(6); // as sensitivityCsv
    for (const auto& p : result.points) {
        const Estimate top1 = p.metrics.top1();
        out << field(p.layer) << ',' << field(p.layer) << ",act," << p.act.bits << ",,";
        if (p.metrics.labelled > 0)
            out << top1.value << ',' << top1.low << ',' << top1.high << ',' << p.metrics.agreement().value << ','
                << p.metrics.top1Correct << ',' << p.metrics.labelled;
        else
            out << ",,,,,";
        out << '\n';
    }
    return out.str();
}

} // namespace topiary
