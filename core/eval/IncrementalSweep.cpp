#include "core/eval/IncrementalSweep.h"

#include "core/model/DependencyGroups.h"
#include "core/model/Layer.h"
#include "core/model/Model.h"

#include <limits>

namespace topiary {

namespace {

PlanEvaluation sweepEvaluation(const Model& model, const Evaluator& evaluator, int64_t cacheBytes)
{
    auto layers = findLayers(model);
    auto groups = findDependencyGroups(model, layers);
    return PlanEvaluation(model, std::move(layers), std::move(groups), evaluator,
        PlanEvaluationOptions { std::numeric_limits<size_t>::max(), cacheBytes, false });
}

} // namespace

IncrementalSweep::IncrementalSweep(const Model& model, const Evaluator& evaluator, int64_t cacheBytes)
    : m_evaluation(sweepEvaluation(model, evaluator, cacheBytes))
{
}

} // namespace topiary
