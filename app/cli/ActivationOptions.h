// The activation-quantization flags that apply and eval share:
//   --act-bits 8[:symmetric]   (a compact plan flag, see Recipe.h) 8-bit layer inputs
//   --calib N                  calibration images (default 256; shared with --recover)
//   --calib-method M           minmax | percentile | mse | entropy (default mse)
//   --calib-percentile P       for percentile (default 99.99)
// and the calibration itself: ranges are calibrated when the plan quantizes activations
// and has no ranges yet (a recipe may carry them) or a calibration flag asks.
#pragma once

#include "app/cli/Args.h"

#include "core/compress/PruneSelection.h"
#include "core/export/Apply.h"
#include "core/model/Model.h"
#include "core/plan/Plan.h"
#include "core/recover/Recovery.h"

#include <optional>
#include <set>
#include <string>

namespace topiary::cli {

inline const std::set<std::string> kActivationValueOptions { "calib-method", "calib-percentile" };
inline constexpr const char* kActivationUsage
    = "[--act-bits 8[:symmetric] [--calib N] [--calib-method minmax|percentile|mse|entropy] [--calib-percentile P]]";

// Calibrates plan's activation ranges when needed (see above), after recovery when the plan
// asks for it (the ranges are those of the repaired weights); `values` gets the repaired
// constants (empty without recovery). Prints its errors; returns the exit code, or nullopt.
std::optional<int> calibratePlan(const char* command, const Model& model, Plan& plan, const Args& args,
    const PruneSelection* selection, RecoveryResult& recovery);

// calibratePlan() + apply(): the plan's export with recovery and 8-bit activations.
std::optional<int> applyWithActivations(const char* command, const Model& model, Plan& plan, const Args& args,
    const ApplyOptions& options, const PruneSelection* selection, RecoveredModel& out);

} // namespace topiary::cli
