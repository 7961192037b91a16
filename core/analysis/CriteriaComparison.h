// Does the choice of pruning criterion matter? For one layer, the filter rankings by L1,
// L2, FPGM, APoZ and BN scale side by side, the filters that pruning a fraction of the
// layer removes by each (the very selection apply() makes), how much those sets overlap,
// and — measured on a dataset — the accuracy of the model pruned each way, everything
// else as a base plan says. Criteria that cannot rank this layer say why.
#pragma once

#include "core/plan/CompressionSpec.h"
#include "core/base/Error.h"
#include "core/eval/EvaluationResult.h"
#include "core/compress/PruneSelection.h"

#include <array>
#include <cstdint>
#include <functional>
#include <stop_token>
#include <string>
#include <vector>

namespace topiary {

class Evaluator;
class Model;
class Plan;

// The criteria compared, in display order.
inline constexpr std::array<Criterion, 6> kComparedCriteria {
    Criterion::L1, Criterion::L2, Criterion::Fpgm, Criterion::Apoz, Criterion::Taylor, Criterion::BnScale
};

struct CriterionRanking {
    Criterion criterion = Criterion::L1;
    bool available = false;
    std::string reason; // why not, when !available
    // Per filter of the layer (output channel), when available: the layer's own score by
    // the criterion, and the score pruning ranks it by — the mean over the producers of its
    // dependency group (equal to the own score when the layer is the only producer).
    std::vector<float> layerScores;
    std::vector<float> scores;
    std::vector<int64_t> order; // filters from most important (rank 1) to least; ties by index
    std::vector<int64_t> rank; // per filter: 1-based position in `order`
    std::vector<int64_t> pruned; // filters the fraction removes (apply()'s selection), sorted
};

struct CriteriaComparison {
    std::string layer;
    double fraction = 0.0;
    int64_t filters = 0; // output channels of the layer
    std::vector<CriterionRanking> criteria; // one per kComparedCriteria, in that order
    // criteria.size()² row-major: Jaccard index |A∩B| / |A∪B| of the pruned sets (1 when
    // both are empty); NaN where either criterion is unavailable.
    std::vector<double> jaccard;

    double overlap(size_t a, size_t b) const { return jaccard[a * criteria.size() + b]; }
};

// Ranks `layer`'s filters by every criterion and selects what pruning `fraction` (in
// [0, 1)) of them removes, with the base plan's options (channel rounding). `scorer`
// scores filters (empty: weightScorer(model, findLayers(model))); APoZ needs one made by
// activationScorer() from a dataset's statistics, and a criterion the scorer refuses is
// unavailable with the reason. Errors: no such layer, a fraction out of range.
Result<CriteriaComparison> compareCriteria(const Model& model, const std::string& layer, double fraction,
    const Plan& base, const FilterScorer& scorer = {});

// The plan a criterion is measured with: `base` with `layer`'s filter pruning (its whole
// dependency group, as an editor sets it) replaced by Filter / Ratio / fraction / criterion.
Plan criterionPlan(const Model& model, const std::string& layer, double fraction, Criterion criterion, const Plan& base);

struct CriterionMeasurement {
    Criterion criterion = Criterion::L1;
    bool available = false; // false: not measured (CriteriaComparison says why)
    bool evaluated = false;
    EvaluationMetrics metrics; // when evaluated; agreement is with the original model
};

struct CriteriaMeasurement {
    std::string layer;
    double fraction = 0.0;
    bool baselineEvaluated = false;
    EvaluationMetrics baseline; // the base plan unchanged
    std::vector<CriterionMeasurement> criteria; // one per kComparedCriteria, in that order
    bool cancelled = false;
};

using CriteriaProgress = std::function<void(const CriteriaMeasurement& soFar, size_t done, size_t total)>;

// Evaluates the base plan (the baseline), then criterionPlan() for every available
// criterion, with the evaluator's images; agreement is with the original model. Plans
// are applied with `scorer`'s selection (as compareCriteria). Runs
// reuse the activations upstream of the first changed layer (IncrementalSweep). Progress
// after the baseline and after each criterion (done counts both); a stopped run returns
// what was measured, marked cancelled.
Result<CriteriaMeasurement> measureCriteria(const Model& model, const std::string& layer, double fraction,
    const Plan& base, const Evaluator& evaluator, const FilterScorer& scorer = {},
    const CriteriaProgress& progress = {}, std::stop_token stop = {});

} // namespace topiary
