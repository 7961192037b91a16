// Calibration of a plan's 8-bit activations: the compressed model (weights as the plan
// makes them, activations in float) runs on the calibration images, the tensors its
// ActivationPlacement quantizes are tapped batch by batch (TensorTaps), and each gets a
// range by the chosen method (ActivationRange); tensors that share codes (MaxPool,
// Flatten, Reshape) get the union of their ranges. Two passes over the images (min/max,
// then histograms) unless the method is MinMax.
#pragma once

#include "core/base/Error.h"
#include "core/compress/ActivationRange.h"
#include "core/export/Apply.h"
#include "core/plan/ActivationRanges.h"
#include "core/recover/CalibrationImages.h"

#include <functional>
#include <map>
#include <stop_token>
#include <string>

namespace topiary {

class Model;
class Plan;

struct CalibrationOptions {
    CalibrationMethod method = CalibrationMethod::Mse;
    double percentile = ActivationRanges::kDefaultPercentile;
    int batchSize = 8; // every tapped tensor of a batch is in memory at once
    const ConstantValues* values = nullptr; // recovered weights, or none
    std::function<void(int pass, int64_t images)> progress; // after each batch
};

struct Calibration {
    ActivationRanges ranges;
    std::map<std::string, ActivationHistogram> histograms; // per range tensor (for the window)
};

// The plan without activation quantization: what calibration and recovery run.
Plan withFloatActivations(const Plan& plan);

// Errors: a model OpenCV cannot run, a stop. A plan with no 8-bit activation gives empty ranges.
Result<Calibration> calibrateActivations(const Model& model, const Plan& plan, const CalibrationImages& images,
    const CalibrationOptions& options, std::stop_token stop = {});

} // namespace topiary
