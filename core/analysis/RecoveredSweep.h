// A sensitivity sweep measured after recovery. A plain sweep (Sensitivity) scores each
// layer pruned alone as compressed; but recovery (core/recover) repairs some layers far
// better than others (pruning the first conv of a residual pair is absorbed by the
// least-squares refit of the second), so a fit from the plain sweep avoids exactly the
// layers recovery repairs best. Here each prune point's single-layer plan (the layer, or
// its dependency group's members, at the point's ratio) carries the recovery methods, is
// repaired by recover() on the calibration images and evaluated on every image of the
// evaluator (exact mode, whatever mode the input sweep ran in). Ratio-0 points keep the
// baseline (nothing changed: nothing to recover); bit-width points are copied as measured.
#pragma once

#include "core/analysis/Sensitivity.h"
#include "core/base/Error.h"
#include "core/eval/EvaluationResult.h"
#include "core/plan/RecoverySpec.h"
#include "core/recover/Recovery.h"

#include <functional>
#include <stop_token>
#include <string>
#include <vector>

namespace topiary {

class Evaluator;
class Model;

struct RecoveredSweepOptions {
    RecoverySpec recovery; // the methods (needs at least one)
    const CalibrationImages* calibration = nullptr; // needs images
    RecoveryOptions recoveryOptions;
};

struct RecoveredSweep {
    // The input sweep with each evaluated prune point's metrics measured after recovery
    // (stoppedEarly cleared: every image ran); fitBudget and fitAndMeasure read it as a sweep.
    SensitivityResult recovered;
    // Per point of `recovered`, the input sweep's metrics (before recovery).
    std::vector<EvaluationMetrics> unrecovered;
    // Per point: it was recovered and re-evaluated (a prune point with a ratio above 0).
    std::vector<bool> repaired;
};

using RecoveredSweepProgress = std::function<void(size_t done, size_t total)>;

// sweep: an evaluated sensitivity result of `model` made with `options` (its granularity and
// criterion build each point's plan); the evaluator should be the one it ran on (same images,
// same baseline). Errors: no methods or no images, a plan that does not apply, evaluation
// or recovery failures, a stop ("cancelled").
Result<RecoveredSweep> recoverSweep(const Model& model, const SensitivityResult& sweep,
    const SensitivityOptions& options, const Evaluator& evaluator, const RecoveredSweepOptions& recovery,
    const RecoveredSweepProgress& progress = {}, std::stop_token stop = {});

// CSV: a comment line on what top1 means, then layer,members,kind,value,energy_removed,
// top1_unrecovered,top1,agreement,correct,images,recovered (recovered 1 where the point was
// repaired and re-evaluated; elsewhere top1 equals top1_unrecovered).
std::string recoveredSweepCsv(const RecoveredSweep& sweep);

} // namespace topiary
