// PlanEvaluation, the policy the CLI and the window share: the original runs once and is the
// reference; a plan's predictions equal those of a full evaluation of the applied model;
// plans that only change weights on one cut share one downstream net; a plan that changes
// nothing reports the original's numbers, agreeing with them everywhere; plans with 8-bit
// activations cut before the first node that reads a quantized tensor (the Gemm's input
// range is shared back through Flatten), and equal full evaluations too.
#include "SampleData.h"

#include "core/eval/ActivationCut.h"
#include "core/recover/ActivationCalibration.h"
#include "core/recover/CalibrationImages.h"

#include "core/eval/Evaluator.h"
#include "core/eval/PlanEvaluation.h"
#include "core/export/Apply.h"
#include "core/model/DependencyGroups.h"
#include "core/model/Layer.h"
#include "core/plan/Plan.h"

#include <catch2/catch.hpp>

using namespace topiary;
using test::sampleData;
using test::sampleModel;
using test::sampleSpec;

namespace {

PruneSpec element(double ratio) { return { PruneGranularity::Element, Criterion::L1, PruneMode::Ratio, ratio }; }

PlanEvaluation makeEvaluation(int64_t limit, PlanEvaluationOptions options = {})
{
    EvaluationOptions eo;
    eo.limit = limit;
    eo.batchSize = 50;
    auto layers = findLayers(sampleModel());
    auto groups = findDependencyGroups(sampleModel(), layers);
    return PlanEvaluation(
        sampleModel(), std::move(layers), std::move(groups), Evaluator(sampleData(), sampleSpec(), eo), options);
}

EvaluationResult fullRun(const Plan& plan, const std::shared_ptr<const ModelOutputs>& reference, int64_t limit)
{
    EvaluationOptions eo;
    eo.limit = limit;
    eo.reference = reference;
    auto applied = apply(sampleModel(), plan);
    REQUIRE(applied.has_value());
    auto run = Evaluator(sampleData(), sampleSpec(), eo).run(applied->proto);
    REQUIRE(run.has_value());
    return std::move(*run);
}

} // namespace

TEST_CASE("plans evaluated by the policy equal full evaluations, one net per cut", "[plan-evaluation]")
{
    PlanEvaluation evaluation = makeEvaluation(300);
    auto original = evaluation.runOriginal();
    REQUIRE(original.has_value());
    REQUIRE(evaluation.hasOriginal());
    REQUIRE(evaluation.reference());
    CHECK(evaluation.reference()->rows() == 300);

    // A slider dragged on one layer: four weight-only plans on one cut, one net.
    for (double ratio : { 0.2, 0.5, 0.8, 0.5 }) {
        const Plan plan = Plan().withPrune("/pw1/conv/Conv", element(ratio));
        auto run = evaluation.run(plan);
        REQUIRE(run.has_value());
        const EvaluationResult full = fullRun(plan, evaluation.reference(), 300);
        CHECK(run->predictions == full.predictions);
        CHECK(run->predictedSamples == full.predictedSamples);
        CHECK(run->metrics.agreed == full.metrics.agreed);
        CHECK(run->metrics.processed == 300);
    }
    CHECK(evaluation.netsBuilt() == 1);

    // Another layer on the same cut changes only weights too; a low-rank split changes the graph.
    const Plan quant = Plan().withQuant("/pw1/conv/Conv", QuantSpec { QuantScheme::Uniform, 3, true, true });
    auto q = evaluation.run(quant);
    REQUIRE(q.has_value());
    CHECK(q->predictions == fullRun(quant, evaluation.reference(), 300).predictions);
    CHECK(evaluation.netsBuilt() == 1);
    const Plan split = Plan().withLowRank("/pw1/conv/Conv", LowRankSpec { 8 });
    auto s = evaluation.run(split);
    REQUIRE(s.has_value());
    CHECK(s->predictions == fullRun(split, evaluation.reference(), 300).predictions);
    CHECK(evaluation.netsBuilt() == 2);
}

TEST_CASE("a plan that changes nothing reports the original's numbers", "[plan-evaluation]")
{
    PlanEvaluation evaluation = makeEvaluation(100);
    auto run = evaluation.run(Plan {}); // runs the original first
    REQUIRE(run.has_value());
    CHECK(evaluation.hasOriginal());
    CHECK(run->metrics.top1Correct == evaluation.originalMetrics().top1Correct);
    CHECK(run->metrics.compared == 100);
    CHECK(run->metrics.agreement().value == 1.0);
    CHECK(evaluation.netsBuilt() == 0);
}

TEST_CASE("the policy keeps the most recently used cuts only", "[plan-evaluation]")
{
    PlanEvaluation evaluation = makeEvaluation(64, PlanEvaluationOptions { 2, int64_t { 16 } << 20, true });
    for (const char* layer : { "/pw1/conv/Conv", "/pw2/conv/Conv", "/fc/Gemm" }) {
        auto run = evaluation.run(Plan().withPrune(layer, element(0.5)));
        REQUIRE(run.has_value());
    }
    CHECK(evaluation.netsBuilt() == 3);
    // /pw1 was dropped: coming back builds its net again; /fc is still warm.
    REQUIRE(evaluation.run(Plan().withPrune("/fc/Gemm", element(0.3))).has_value());
    CHECK(evaluation.netsBuilt() == 3);
    REQUIRE(evaluation.run(Plan().withPrune("/pw1/conv/Conv", element(0.3))).has_value());
    CHECK(evaluation.netsBuilt() == 4);
}

TEST_CASE("plans with 8-bit activations are cut before their first quantized reader", "[plan-evaluation]")
{
    const auto layers = findLayers(sampleModel());
    const auto groups = findDependencyGroups(sampleModel(), layers);
    auto indexOf = [&](std::string_view name) {
        for (size_t i = 0; i < layers.size(); ++i)
            if (layers[i].name == name)
                return static_cast<int>(i);
        return -1;
    };
    auto images = loadCalibrationImages(sampleModel(), sampleData(), sampleSpec(), 64, 1);
    REQUIRE(images.has_value());
    auto act8 = [](const char* layer) {
        Plan p;
        p.setActivation(layer, ActivationSpec { 8, false });
        return p;
    };
    auto calibrated = [&](Plan plan) {
        CalibrationOptions options;
        options.method = CalibrationMethod::MinMax;
        auto c = calibrateActivations(sampleModel(), plan, *images, options);
        REQUIRE(c.has_value());
        REQUIRE_FALSE(c->ranges.empty());
        plan.setActivationRanges(c->ranges);
        return plan;
    };
    PlanEvaluation evaluation = makeEvaluation(300);
    REQUIRE(evaluation.runOriginal().has_value());

    // The classifier's input comes through Flatten from the pooled features: their pair sits
    // before Flatten, which comes after the last conv's node.
    const Plan fc = calibrated(act8("/fc/Gemm"));
    CHECK(firstChangedLayer(Plan {}, fc, layers, groups) == indexOf("/fc/Gemm"));
    auto cut = firstEvaluatedLayer(sampleModel(), layers, groups, fc);
    REQUIRE(cut.has_value());
    CHECK(*cut == indexOf("/pw2/conv/Conv"));

    const Plan pw1 = calibrated(act8("/pw1/conv/Conv"));
    const Plan all = calibrated(quantizeAllActivations(Plan {}, layers, ActivationSpec { 8, false }, false));
    auto allCut = firstEvaluatedLayer(sampleModel(), layers, groups, all);
    REQUIRE(allCut.has_value());
    CHECK(*allCut == 0); // the stem reads the quantized image first
    for (const Plan* plan : { &fc, &pw1, &all }) {
        auto run = evaluation.run(*plan);
        REQUIRE(run.has_value());
        const EvaluationResult full = fullRun(*plan, evaluation.reference(), 300);
        CHECK(run->predictions == full.predictions);
        CHECK(run->metrics.agreed == full.metrics.agreed);
        if (plan == &all)
            CHECK(run->metrics.agreed < 300); // the codes do change predictions
    }
}
