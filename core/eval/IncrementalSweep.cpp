#include "core/eval/IncrementalSweep.h"

#include "core/model/Layer.h"
#include "core/model/Model.h"
#include "core/eval/SubModel.h"

namespace topiary {

IncrementalSweep::IncrementalSweep(const Model& model, const Evaluator& evaluator, int64_t cacheBytes)
    : m_model(model)
    , m_evaluator(evaluator)
    , m_cacheBytes(cacheBytes)
    , m_layers(findLayers(model))
{
}

Result<EvaluationResult> IncrementalSweep::run(
    const onnx::ModelProto& compressed, int firstChangedLayer, std::stop_token stop)
{
    if (firstChangedLayer >= 0) {
        auto it = m_byCut.find(firstChangedLayer);
        if (it == m_byCut.end()) {
            auto cut = cutBeforeLayer(m_model, m_layers, firstChangedLayer);
            auto incremental = cut ? IncrementalEvaluator::create(m_model, std::move(*cut), m_evaluator.dataset(),
                                         m_evaluator.spec(), m_evaluator.options(),
                                         IncrementalOptions { m_cacheBytes, false })
                                   : Result<IncrementalEvaluator>(std::unexpected(cut.error()));
            if (incremental)
                it = m_byCut.emplace(firstChangedLayer, std::move(*incremental)).first;
        }
        if (it != m_byCut.end())
            return it->second.run(compressed, {}, stop);
    }
    return m_evaluator.run(compressed, {}, stop); // no usable cut: full run
}

} // namespace topiary
