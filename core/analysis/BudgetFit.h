// Fitting a plan to a budget from measured sensitivity, as AIMET's greedy compression-
// ratio selection does: for an allowed accuracy loss t, every layer takes the largest
// measured pruning ratio whose loss is at most t; the smallest t whose plan meets the
// target (MACs, non-zero params or encoded size as a fraction of the original, from
// StatsModel) wins. Losses are top-1 drops from the baseline, or 1 - agreement with the
// original when the data has no labels.
#pragma once

#include "core/base/Error.h"
#include "core/plan/Plan.h"
#include "core/analysis/Sensitivity.h"

#include <string>
#include <vector>

namespace topiary {

class Model;
class StatsModel;

enum class BudgetMetric { Macs, Params, Size };

struct BudgetTarget {
    BudgetMetric metric = BudgetMetric::Macs;
    double fraction = 0.5; // of the original, in (0, 1]
};

struct BudgetFit {
    Plan plan;
    double allowedLoss = 0.0; // the threshold t that was chosen
    double predictedLoss = 0.0; // sum over layers of their measured losses (an upper-bound guess)
    double achieved = 1.0; // the metric's fraction under the plan
    bool met = false; // false: even the largest measured ratios miss the target (plan = those)
};

// sensitivity: prune sweeps (bits sweeps are ignored), evaluated.
Result<BudgetFit> fitBudget(const Model& model, const StatsModel& stats, const SensitivityResult& sensitivity,
    const SensitivityOptions& sweep, const BudgetTarget& target);

const char* budgetMetricName(BudgetMetric metric);

// The metric under `plan` as a fraction of the original model's (1 when the original is 0).
double budgetFraction(const StatsModel& stats, const Plan& plan, BudgetMetric metric);

// The accuracy a point lost: top-1 drop from the baseline (at least 0), or 1 - agreement
// with the original when the data has no labels.
double pointLoss(const EvaluationMetrics& point, const EvaluationMetrics& baseline);

} // namespace topiary
