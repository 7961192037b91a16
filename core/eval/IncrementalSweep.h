// Evaluating many plans that each change a few layers of one model, as sweeps do
// (sensitivity: one layer at a time; criteria comparison: one layer by each criterion):
// PlanEvaluation's policy with the reference the caller already holds, every cut kept
// until forget(), and no upstream check (the sweep makes its plans from the layer it
// names). Predictions equal those of a full Evaluator::run. Not thread-safe.
#pragma once

#include "core/base/Error.h"
#include "core/eval/EvaluationResult.h"
#include "core/eval/Evaluator.h"
#include "core/eval/PlanEvaluation.h"

#include <onnx/onnx_pb.h>

#include <cstdint>
#include <stop_token>

namespace topiary {

class Model;

class IncrementalSweep {
public:
    // `model` must outlive the sweep; `evaluator` sets the images, preprocessing and
    // options (its reference, if any, gives agreement) of every run.
    IncrementalSweep(const Model& model, const Evaluator& evaluator, int64_t cacheBytes = int64_t { 256 } << 20);

    // Runs `compressed` (apply(model, plan).proto) whose first changed layer is
    // `firstChangedLayer` (firstChangedLayer(Plan{}, plan, layers, groups); -1 = none).
    Result<EvaluationResult> run(const onnx::ModelProto& compressed, int firstChangedLayer, std::stop_token stop = {})
    {
        return m_evaluation.run(compressed, firstChangedLayer, {}, stop);
    }
    // Frees the cache of a cut no later plan will use.
    void forget(int firstChangedLayer) { m_evaluation.forget(firstChangedLayer); }

private:
    PlanEvaluation m_evaluation;
};

} // namespace topiary
