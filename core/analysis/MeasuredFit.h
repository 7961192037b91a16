// A budget fit checked by measuring it. The greedy fit (BudgetFit) predicts a plan's loss
// from each layer's sweep alone, but layers pruned together lose more than their sum
// suggests, down to a model that predicts one class; and recovery (core/recover) gives
// back much of it, unevenly. So the proposed plan is evaluated (after recovery, when the
// options ask for it: the fit then keeps its promise for the model that will be exported).
// With an allowed loss (the GUI's "allowed loss", topiary-cli fit --max-loss) the plan is
// adjusted and measured again, for a bounded number of rounds:
//   - measured loss above the allowed loss: the layers (or dependency groups) whose sweep
//     lost most at their ratio drop to their next lower measured ratio (backed off; they
//     are never raised again);
//   - within the loss but missing the target (after a back-off): the cut moves to the
//     layer whose next measured ratio costs least sweep loss per unit of budget saved.
// It stops when a plan meets the target within the loss, or nothing is left to move: then
// the target is out of reach at that loss for these sweeps, and the best plan tried is
// chosen (within the loss and most compressed; else the one that lost least).
#pragma once

#include "core/analysis/BudgetFit.h"
#include "core/base/Error.h"
#include "core/eval/EvaluationResult.h"
#include "core/plan/Plan.h"
#include "core/recover/Recovery.h"

#include <functional>
#include <optional>
#include <stop_token>
#include <vector>

namespace topiary {

class Evaluator;

struct MeasuredFitOptions {
    std::optional<double> maxLoss; // allowed loss as a fraction (0.02 = 2 points); none = measure once
    int rounds = 6; // adjustment rounds at most
    // Recovery: with methods in `recovery` and calibration images, every plan tried carries
    // `recovery` and is measured after recover() (its loss before recovery is measured too).
    RecoverySpec recovery;
    const CalibrationImages* calibration = nullptr;
    RecoveryOptions recoveryOptions;
};

// One plan tried: the greedy proposal first, then each adjustment.
struct FitAttempt {
    enum class Step { Proposal, BackOff, Move };
    Step step = Step::Proposal;
    Plan plan;
    double achieved = 1.0; // the target metric's fraction of the original
    bool met = false; // achieved <= the target
    double predictedLoss = 0.0; // sum of the pruned layers' (groups') sweep losses at their ratios
    double measuredLoss = 0.0; // the plan evaluated (recovered, when recovery is on): top-1 drop
                               // (or 1 - agreement without labels)
    std::optional<double> unrecoveredLoss; // with recovery: the same plan evaluated without it
    EvaluationMetrics metrics;
};

struct MeasuredFit {
    BudgetFit proposal; // the greedy fit
    std::vector<FitAttempt> attempts;
    size_t chosen = 0; // the best attempt: meets the target within the loss; else the most
                       // compressed within the loss; else the one that lost least
    bool withinLoss = true; // the chosen attempt's measured loss is within maxLoss (true without one)
    bool recovered = false; // attempts were measured after recovery

    const FitAttempt& best() const { return attempts[chosen]; }
    bool succeeded() const { return best().met && withinLoss; }
};

// Called after each attempt is measured (progress for a window or a terminal).
using FitProgress = std::function<void(const FitAttempt& attempt, int round, int rounds)>;

// sensitivity: an evaluated prune sweep (as for fitBudget); the evaluator measures each
// attempt on its images and options. Errors: the plan does not apply, evaluation or
// recovery fails, a stop ("cancelled").
Result<MeasuredFit> fitAndMeasure(const Model& model, const StatsModel& stats, const SensitivityResult& sensitivity,
    const SensitivityOptions& sweep, const BudgetTarget& target, const Evaluator& evaluator,
    const MeasuredFitOptions& options, const FitProgress& progress = {}, std::stop_token stop = {});

} // namespace topiary
