// Activation-bits sensitivity: how much accuracy each layer loses when only its input
// activations are 8-bit (everything else float), beside the weight-bits sweep of
// Sensitivity.h. The ranges come from one calibration of a plan that quantizes every swept
// layer's input (activationSweepPlan), so each point uses the range a plan quantizing all
// of them would export; each point is evaluated by the PlanEvaluation (OpenCV with the
// fake-quantization layer, from the cut before the first node that reads a quantized
// activation). Progress after each point; a cancelled sweep returns the points done so far.
#pragma once

#include "core/base/Error.h"
#include "core/eval/EvaluationResult.h"
#include "core/plan/Plan.h"

#include <functional>
#include <stop_token>
#include <string>
#include <vector>

namespace topiary {

class PlanEvaluation;
struct Layer;

struct ActivationSensitivityPoint {
    std::string layer;
    ActivationSpec act; // what the layer's input became
    EvaluationMetrics metrics;
};

struct ActivationSensitivityResult {
    EvaluationMetrics baseline; // the original model
    std::vector<ActivationSensitivityPoint> points; // in layer order
    bool cancelled = false;
};

// `act` on the input of every layer named (every layer when `names` is empty): the plan to
// calibrate the sweep's ranges with. Errors: a name that is not a layer.
Result<Plan> activationSweepPlan(
    const std::vector<Layer>& layers, const std::vector<std::string>& names, const ActivationSpec& act);

using ActivationSensitivityProgress
    = std::function<void(const ActivationSensitivityResult& soFar, size_t done, size_t total)>;

// One point per layer of `calibrated` (activationSweepPlan's plan with its ranges set): that
// layer's spec alone, with all the ranges. Errors: a plan without ranges, an evaluation error.
Result<ActivationSensitivityResult> analyseActivationSensitivity(PlanEvaluation& evaluation, const Plan& calibrated,
    const ActivationSensitivityProgress& progress = {}, std::stop_token stop = {});

// The points as rows of sensitivityCsv's table (Sensitivity.h), to append after it: kind
// "act", value 8, no energy estimate, members the layer itself.
std::string activationSensitivityCsvRows(const ActivationSensitivityResult& result);

} // namespace topiary
