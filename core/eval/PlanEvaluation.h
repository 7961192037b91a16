// The re-evaluation policy every front end shares (topiary-cli eval, sensitivity and fit,
// the window's live estimate, sweeps): the original model is evaluated once and its
// outputs become the reference later runs compare with (agreement, KL); a plan is applied
// and evaluated from the cut before its first changed layer, by one IncrementalEvaluator
// per cut (the activations upstream of the cut cached, one downstream net whose weights
// are swapped between plans), the most recently used cuts kept; a plan that changes no
// layer reports the original's numbers. Predictions equal those of a full evaluation of
// the applied model. Not thread-safe (it owns OpenCV nets and caches): one per worker.
#pragma once

#include "core/base/Error.h"
#include "core/eval/EvaluationResult.h"
#include "core/eval/Evaluator.h"
#include "core/eval/IncrementalEvaluator.h"
#include "core/model/DependencyGroups.h"
#include "core/model/Layer.h"

#include <onnx/onnx_pb.h>

#include <cstdint>
#include <list>
#include <memory>
#include <stop_token>
#include <utility>
#include <vector>

namespace topiary {

class Model;
class Plan;

struct PlanEvaluationOptions {
    size_t cutsKept = 3; // evaluators kept, one per cut: going back and forth stays warm
    int64_t cacheBytesPerCut = int64_t { 128 } << 20;
    // Check that each compressed model computes the cut as the original does (a plan built
    // elsewhere); sweeps that make their plans from firstChangedLayer can skip it.
    bool verifyUpstream = true;
};

class PlanEvaluation {
public:
    // `model` must outlive this object; `evaluator` sets the images, preprocessing and
    // options of every run. When its options hold a reference, that is taken as the
    // original's outputs (a caller that evaluated the original itself) and the original
    // runs again only if runOriginal() is called.
    PlanEvaluation(const Model& model, std::vector<Layer> layers, std::vector<DependencyGroup> groups,
        const Evaluator& evaluator, PlanEvaluationOptions options = {});

    const Model& model() const { return m_model; }
    const std::vector<Layer>& layers() const { return m_layers; }
    const std::vector<DependencyGroup>& groups() const { return m_groups; }
    const Evaluator& evaluator() const { return m_evaluator; }

    // Evaluates the original (once; later calls return the same result without running).
    // Its outputs are not in the result but in reference(). A cancelled run is returned
    // as it stands and keeps nothing.
    Result<EvaluationResult> runOriginal(const Evaluator::Progress& progress = {}, std::stop_token stop = {});
    bool hasReference() const { return m_reference != nullptr; }
    bool hasOriginal() const { return m_ranOriginal; } // runOriginal() completed
    const EvaluationMetrics& originalMetrics() const { return m_original.metrics; }
    std::shared_ptr<const ModelOutputs> reference() const { return m_reference; }

    // Applies `plan` and evaluates it (the original first when it has not run yet).
    Result<EvaluationResult> run(const Plan& plan, const Evaluator::Progress& progress = {}, std::stop_token stop = {});
    // Evaluates an already applied model whose first changed layer is `firstChangedLayer`
    // (firstChangedLayer(Plan{}, plan, layers, groups); -1: none, which runs in full).
    Result<EvaluationResult> run(const onnx::ModelProto& compressed, int firstChangedLayer,
        const Evaluator::Progress& progress = {}, std::stop_token stop = {});

    // Frees the evaluator of a cut no later plan will use (its cache is kept until the next
    // cut's evaluator is made, to fill that one's cache from: IncrementalEvaluator::seedFrom).
    void forget(int firstChangedLayer);
    // Downstream nets built so far over all cuts (a profile: weight-only plans build none).
    int64_t netsBuilt() const;

private:
    Result<IncrementalEvaluator*> evaluatorFor(int layer);
    const Evaluator& compared();

    const Model& m_model;
    std::vector<Layer> m_layers;
    std::vector<DependencyGroup> m_groups;
    Evaluator m_evaluator;
    PlanEvaluationOptions m_options;
    std::shared_ptr<const ModelOutputs> m_reference;
    EvaluationResult m_original; // without its outputs, which are m_reference
    bool m_ranOriginal = false;
    std::unique_ptr<Evaluator> m_compared; // the evaluator with the original as reference
    std::list<std::pair<int, IncrementalEvaluator>> m_byCut; // most recently used first
    std::list<std::pair<int, IncrementalEvaluator>> m_forgotten; // the last one forgotten, as a seed
    int64_t m_netsBuiltByForgotten = 0;
};

} // namespace topiary
