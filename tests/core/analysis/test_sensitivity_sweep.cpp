// The sensitivity sweep in its exact mode (the default) and with sequential stopping: exact
// points equal full evaluations of the applied model on every image, ratio 0 included; the
// sequential rule, worked by hand; and on the sample, every point it stops reads on the
// same side of the tolerance as the exact run of that point.
#include "SampleData.h"

#include "core/analysis/Sensitivity.h"
#include "core/eval/Evaluator.h"
#include "core/export/Apply.h"
#include "core/plan/Plan.h"

#include <catch2/catch.hpp>

using namespace topiary;
using test::sampleData;
using test::sampleModel;
using test::sampleSpec;

namespace {

EvaluationMetrics pointAfter(int64_t images, int64_t correct, int64_t agreed)
{
    EvaluationMetrics m;
    m.total = 1000;
    m.processed = m.labelled = m.compared = images;
    m.top1Correct = correct;
    m.agreed = agreed;
    return m;
}

} // namespace

TEST_CASE("exact sweep points equal full evaluations on every image", "[sensitivity]")
{
    EvaluationOptions eo;
    eo.limit = 200;
    eo.batchSize = 64;
    const Evaluator evaluator(sampleData(), sampleSpec(), eo);
    SensitivityOptions so;
    so.ratios = { 0.0, 0.5, 0.9 };
    so.layers = { "/down/conv/Conv", "/dw2/conv/Conv", "/fc/Gemm" };
    auto result = analyseSensitivity(sampleModel(), evaluator, so);
    REQUIRE(result.has_value());
    REQUIRE(result->points.size() == 9);

    EvaluationOptions keep = eo;
    auto original = Evaluator(sampleData(), sampleSpec(), keep).run(sampleModel().proto());
    REQUIRE(original.has_value());
    CHECK(result->baseline.top1Correct == original->metrics.top1Correct);
    EvaluationOptions withRef = eo;
    withRef.reference = std::make_shared<const ModelOutputs>(original->outputs);
    const Evaluator full(sampleData(), sampleSpec(), withRef);
    for (const auto& p : result->points) {
        INFO(p.layer << " at " << p.value);
        REQUIRE(p.evaluated);
        CHECK_FALSE(p.stoppedEarly);
        CHECK(p.metrics.processed == 200);
        auto applied = apply(sampleModel(), Plan().withPrune(p.layer,
            PruneSpec { PruneGranularity::Element, Criterion::L1, PruneMode::Ratio, p.value }));
        REQUIRE(applied.has_value());
        auto run = full.run(applied->proto);
        REQUIRE(run.has_value());
        CHECK(p.metrics.top1Correct == run->metrics.top1Correct);
        CHECK(p.metrics.agreed == run->metrics.agreed);
        CHECK(p.metrics.compared == run->metrics.compared);
    }
}

TEST_CASE("the sequential rule, worked by hand", "[sensitivity]")
{
    SequentialStop rule;
    rule.enabled = true; // tolerance 0.01, z 2.576, at least 200 images
    // 300 images, all agreeing: the Wilson upper bound of the disagreement rate is
    // (z²/n) / (1 + z²/n) = 0.02212 / 1.02212 = 0.0216, not yet under 1 %.
    CHECK(sequentialReading(rule, pointAfter(300, 280, 300), 280) == SequentialReading::Undecided);
    // 1,000 agreeing: 0.006636 / 1.006636 = 0.0066 < 0.01.
    CHECK(sequentialReading(rule, pointAfter(1000, 929, 1000), 929) == SequentialReading::BelowTolerance);
    // 200 images, baseline 190 right, the point 100, differing on 95: loss 0.45, variance
    // 0.475 - 0.2025 = 0.2725, standard error 0.0369; 0.45 - 2.576 * 0.0369 = 0.355 > 0.01.
    CHECK(sequentialReading(rule, pointAfter(200, 100, 105), 190) == SequentialReading::AboveTolerance);
    // Loss 0.02 on 200 images with 10 differing: 0.02 - 2.576 * sqrt((0.05 - 0.0004) / 200) = -0.021.
    CHECK(sequentialReading(rule, pointAfter(200, 186, 190), 190) == SequentialReading::Undecided);
    CHECK(sequentialReading(rule, pointAfter(199, 100, 105), 190) == SequentialReading::Undecided); // too few
    rule.enabled = false;
    CHECK(sequentialReading(rule, pointAfter(200, 100, 105), 190) == SequentialReading::Undecided);
}

TEST_CASE("points the sequential rule stops read as their exact runs do", "[sensitivity]")
{
    EvaluationOptions eo;
    eo.batchSize = 100;
    const Evaluator evaluator(sampleData(), sampleSpec(), eo);
    SensitivityOptions exact;
    exact.ratios = { 0.1, 0.5, 0.7, 0.9 };
    exact.layers = { "/stem/conv/Conv", "/block1/conv2/Conv", "/pw2/conv/Conv" };
    SensitivityOptions sequential = exact;
    sequential.sequential.enabled = true;
    auto e = analyseSensitivity(sampleModel(), evaluator, exact);
    auto s = analyseSensitivity(sampleModel(), evaluator, sequential);
    REQUIRE(e.has_value());
    REQUIRE(s.has_value());
    REQUIRE(e->points.size() == s->points.size());
    const double tolerance = sequential.sequential.tolerance;
    int stopped = 0;
    for (size_t i = 0; i < e->points.size(); ++i) {
        const auto& sp = s->points[i];
        INFO(sp.layer << " at " << sp.value << ": " << sp.metrics.processed << " images");
        const double exactLoss = e->baseline.top1().value - e->points[i].metrics.top1().value;
        if (!sp.stoppedEarly) {
            CHECK(sp.metrics.top1Correct == e->points[i].metrics.top1Correct); // ran to the end: the same
            continue;
        }
        ++stopped;
        CHECK(sp.metrics.processed < 1000);
        CHECK(sp.metrics.processed >= sequential.sequential.minImages);
        if (sp.reading == SequentialReading::AboveTolerance)
            CHECK(exactLoss > tolerance);
        else
            CHECK(exactLoss <= tolerance);
    }
    CHECK(stopped > 0);
}
