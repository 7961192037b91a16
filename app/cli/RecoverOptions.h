// The recovery flags that apply and eval share:
//   --recover bn,bias,lsq   methods (overrides a recipe's recovery section; "none" clears it)
//   --calib N               calibration images (default 256, or the recipe's)
//   --calib-data PATH       where they come from (default: --data)
//   --calib-positions N     conv output positions per image a refit samples (default 64)
//   --ridge X               least squares' ridge, relative to the inputs' Gram diagonal (1e-4)
// and the calibration run itself, with progress on stderr. Each reader prints its own
// error and returns the exit code to use, or nullopt.
#pragma once

#include "app/cli/Args.h"

#include "core/compress/PruneSelection.h"
#include "core/export/Apply.h"
#include "core/model/Model.h"
#include "core/plan/Plan.h"
#include "core/recover/CalibrationImages.h"
#include "core/recover/Recovery.h"

#include <optional>
#include <set>
#include <string>

namespace topiary::cli {

inline const std::set<std::string> kRecoverValueOptions { "recover", "calib", "calib-data", "calib-positions", "ridge" };
inline constexpr const char* kRecoverUsage
    = "[--recover bn,bias,lsq [--calib N] [--calib-data PATH] [--calib-positions N] [--ridge X]]";

// Sets plan.recovery() from the flags (keeping what a recipe gave where a flag is absent).
std::optional<int> readRecoverOptions(const char* command, const Args& args, Plan& plan);

// The calibration images from `source`, prepared as --preprocess (or the recipe's, or the
// files beside the data and model) says.
std::optional<int> loadCalibrationFor(const char* command, const Model& model, const Args& args,
    const std::string& source, int64_t count, uint64_t seed, CalibrationImages& out);

// The calibration images of plan.recovery(): from its source, else --data (loadCalibrationFor).
std::optional<int> loadCalibration(const char* command, const Model& model, const Plan& plan, const Args& args,
    CalibrationImages& out);

// The refit's tuning from --calib-positions and --ridge (defaults where absent).
std::optional<int> readRecoveryTuning(const char* command, const Args& args, RecoveryOptions& out);

// recover() + apply() when the plan asks for recovery, plain apply() otherwise
// (calibration images from loadCalibration).
std::optional<int> applyWithRecovery(const char* command, const Model& model, const Plan& plan, const Args& args,
    const ApplyOptions& options, const PruneSelection* selection, RecoveredModel& out);

// "recovery bn,bias,lsq on 256 images: 9 layers, 4 refitted, 7 BN re-estimated, 8 bias-corrected (1.2 s)"
std::string recoverySummary(const Plan& plan, const RecoveryResult& result, double seconds);

} // namespace topiary::cli
