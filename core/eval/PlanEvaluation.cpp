#include "core/eval/PlanEvaluation.h"

#include "core/eval/ActivationCut.h"
#include "core/eval/SubModel.h"
#include "core/export/Apply.h"
#include "core/model/Model.h"
#include "core/plan/Plan.h"

namespace topiary {

PlanEvaluation::PlanEvaluation(const Model& model, std::vector<Layer> layers, std::vector<DependencyGroup> groups,
    const Evaluator& evaluator, PlanEvaluationOptions options)
    : m_model(model)
    , m_layers(std::move(layers))
    , m_groups(std::move(groups))
    , m_evaluator(evaluator)
    , m_options(options)
    , m_reference(evaluator.options().reference)
{
}

Result<EvaluationResult> PlanEvaluation::runOriginal(const Evaluator::Progress& progress, std::stop_token stop)
{
    if (m_ranOriginal)
        return m_original;
    EvaluationOptions keep = m_evaluator.options();
    keep.keepOutputs = true; // they become the reference
    keep.reference = nullptr;
    auto result = Evaluator(m_evaluator.dataset(), m_evaluator.spec(), keep).run(m_model.proto(), progress, stop);
    if (!result)
        return std::unexpected(result.error().withContext("evaluating the original model"));
    if (result->metrics.cancelled)
        return result;
    m_reference = std::make_shared<const ModelOutputs>(std::move(result->outputs));
    result->outputs = {};
    m_original = *result;
    m_ranOriginal = true;
    m_compared.reset();
    m_byCut.clear(); // their options held no reference
    m_forgotten.clear();
    return result;
}

const Evaluator& PlanEvaluation::compared()
{
    if (!m_compared) {
        EvaluationOptions withReference = m_evaluator.options();
        withReference.reference = m_reference;
        withReference.keepOutputs = false;
        m_compared = std::make_unique<Evaluator>(m_evaluator.dataset(), m_evaluator.spec(), withReference);
    }
    return *m_compared;
}

Result<EvaluationResult> PlanEvaluation::run(const Plan& plan, const Evaluator::Progress& progress, std::stop_token stop)
{
    if (!m_reference) {
        auto original = runOriginal({}, stop);
        if (!original || original->metrics.cancelled)
            return original;
    }
    // With 8-bit activations the cut may have to come earlier than the first changed layer.
    auto evaluated = plan.empty() ? Result<int>(-1) : firstEvaluatedLayer(m_model, m_layers, m_groups, plan);
    if (!evaluated)
        return std::unexpected(evaluated.error());
    const int first = *evaluated == kRunInFull ? 0 : *evaluated;
    if (first < 0 && !m_ranOriginal) // the reference came with the evaluator: run the plan as given
        return compared().run(m_model.proto(), progress, stop);
    if (first < 0 && m_ranOriginal) {
        // The same model: a run would reproduce the original's outputs, so it agrees with
        // them on every image with zero divergence.
        EvaluationResult same = m_original;
        same.metrics.compared = same.metrics.agreed = same.metrics.processed;
        same.metrics.klSum = same.metrics.klSumOfSquares = 0.0;
        return same;
    }
    auto applied = apply(m_model, plan);
    if (!applied)
        return std::unexpected(applied.error());
    return run(applied->proto, *evaluated, progress, stop);
}

Result<EvaluationResult> PlanEvaluation::run(
    const onnx::ModelProto& compressed, int firstChangedLayer, const Evaluator::Progress& progress, std::stop_token stop)
{
    if (!m_reference) {
        auto original = runOriginal({}, stop);
        if (!original || original->metrics.cancelled)
            return original;
    }
    if (firstChangedLayer >= 0) {
        auto evaluator = evaluatorFor(firstChangedLayer);
        if (evaluator)
            return (*evaluator)->run(compressed, progress, stop);
        // No usable cut (it reads another graph input): a full run below.
    }
    return compared().run(compressed, progress, stop);
}

Result<IncrementalEvaluator*> PlanEvaluation::evaluatorFor(int layer)
{
    for (auto it = m_byCut.begin(); it != m_byCut.end(); ++it) {
        if (it->first == layer) {
            m_byCut.splice(m_byCut.begin(), m_byCut, it);
            return &m_byCut.front().second;
        }
    }
    auto cut = cutBeforeLayer(m_model, m_layers, layer);
    if (!cut)
        return std::unexpected(cut.error());
    const Evaluator& evaluator = compared();
    auto incremental = IncrementalEvaluator::create(m_model, std::move(*cut), evaluator.dataset(), evaluator.spec(),
        evaluator.options(), IncrementalOptions { m_options.cacheBytesPerCut, m_options.verifyUpstream });
    if (!incremental)
        return std::unexpected(incremental.error());
    // Fill the new cut's cache from the latest earlier cut's, when one is held: only the
    // nodes between the two cuts run, instead of everything upstream on the images.
    const IncrementalEvaluator* seed = nullptr;
    int seedLayer = -1;
    for (const auto* held : { &m_byCut, &m_forgotten })
        for (const auto& [cutLayer, earlier] : *held)
            if (cutLayer < layer && cutLayer > seedLayer && earlier.cachedSamples() > 0) {
                seed = &earlier;
                seedLayer = cutLayer;
            }
    if (seed) {
        if (auto seeded = incremental->seedFrom(*seed); !seeded)
            return std::unexpected(seeded.error());
    }
    m_forgotten.clear();
    m_byCut.emplace_front(layer, std::move(*incremental));
    while (m_byCut.size() > std::max<size_t>(m_options.cutsKept, 1)) {
        m_netsBuiltByForgotten += m_byCut.back().second.netsBuilt();
        m_byCut.pop_back();
    }
    return &m_byCut.front().second;
}

void PlanEvaluation::forget(int firstChangedLayer)
{
    for (auto it = m_byCut.begin(); it != m_byCut.end(); ++it)
        if (it->first == firstChangedLayer) {
            m_netsBuiltByForgotten += it->second.netsBuilt();
            m_forgotten.clear();
            m_forgotten.splice(m_forgotten.begin(), m_byCut, it);
            return;
        }
}

int64_t PlanEvaluation::netsBuilt() const
{
    int64_t n = m_netsBuiltByForgotten;
    for (const auto& [layer, evaluator] : m_byCut)
        n += evaluator.netsBuilt();
    return n;
}

} // namespace topiary
