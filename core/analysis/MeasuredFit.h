// A budget fit checked by measuring it. The greedy fit (BudgetFit) predicts a plan's loss
// from each layer's sweep alone, but layers pruned together lose more than their sum
// suggests, down to a model that predicts one class. So the proposed plan is evaluated;
// with an allowed loss (the GUI's "allowed loss", topiary-cli fit --max-loss) a plan
// whose measured loss exceeds it is backed off: the layers (or dependency groups) whose
// sweep lost most at their ratio drop to their next lower measured ratio, and the plan is
// evaluated again, for a bounded number of rounds, until it is within the loss or nothing
// is left to back off. Backing off lowers compression, so a plan within the loss that no
// longer meets the target shows the target out of reach at that loss (for these sweeps).
#pragma once

#include "core/analysis/BudgetFit.h"
#include "core/base/Error.h"
#include "core/eval/EvaluationResult.h"
#include "core/plan/Plan.h"

#include <optional>
#include <vector>

namespace topiary {

class Evaluator;

struct MeasuredFitOptions {
    std::optional<double> maxLoss; // allowed loss as a fraction (0.02 = 2 points); none = measure once
    int rounds = 6; // back-off rounds at most
};

// One plan tried: the greedy proposal first, then each back-off.
struct FitAttempt {
    Plan plan;
    double achieved = 1.0; // the target metric's fraction of the original
    bool met = false; // achieved <= the target
    double predictedLoss = 0.0; // sum of the pruned layers' (groups') sweep losses at their ratios
    double measuredLoss = 0.0; // the plan evaluated: top-1 drop (or 1 - agreement without labels)
    EvaluationMetrics metrics;
};

struct MeasuredFit {
    BudgetFit proposal; // the greedy fit
    std::vector<FitAttempt> attempts;
    size_t chosen = 0; // the best attempt: meets the target within the loss; else the most
                       // compressed within the loss; else the one that lost least
    bool withinLoss = true; // the chosen attempt's measured loss is within maxLoss (true without one)

    const FitAttempt& best() const { return attempts[chosen]; }
    bool succeeded() const { return best().met && withinLoss; }
};

// sensitivity: an evaluated prune sweep (as for fitBudget); the evaluator measures each
// attempt on its images and options.
Result<MeasuredFit> fitAndMeasure(const Model& model, const StatsModel& stats, const SensitivityResult& sensitivity,
    const SensitivityOptions& sweep, const BudgetTarget& target, const Evaluator& evaluator,
    const MeasuredFitOptions& options);

} // namespace topiary
