// Evaluating many plans that each change a few layers of one model, as sweeps do
// (sensitivity: one layer at a time; criteria comparison: one layer by each criterion).
// Activations upstream of a plan's first changed layer are the original's, so they are
// computed once per cut and cached (IncrementalEvaluator), and each plan runs only the
// downstream part; the predictions equal those of a full Evaluator::run. A plan with no
// usable cut (nothing changed, or a cut that reads another graph input) runs in full.
// Not thread-safe (it owns OpenCV nets and caches): one per worker thread.
#pragma once

#include "core/base/Error.h"
#include "core/eval/EvaluationResult.h"
#include "core/eval/Evaluator.h"
#include "core/eval/IncrementalEvaluator.h"
#include "core/model/Layer.h"

#include <onnx/onnx_pb.h>

#include <cstdint>
#include <map>
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
    Result<EvaluationResult> run(const onnx::ModelProto& compressed, int firstChangedLayer, std::stop_token stop = {});
    // Frees the cache of a cut no later plan will use.
    void forget(int firstChangedLayer) { m_byCut.erase(firstChangedLayer); }

private:
    const Model& m_model;
    Evaluator m_evaluator;
    int64_t m_cacheBytes;
    std::vector<Layer> m_layers;
    std::map<int, IncrementalEvaluator> m_byCut;
};

} // namespace topiary
