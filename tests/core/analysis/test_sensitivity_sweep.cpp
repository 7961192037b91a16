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

#include <cmath>

using namespace topiary;
using test::sampleData;
using test::sampleModel;
using test::sampleSpec;

namespace {

EvaluationMetrics pointAfter(int64_t images, int64_t correct, int64_t agreed)
{
    EvaluationMetrics m;
    m.total = 1000;
    m.batchSize = 100;
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
    rule.enabled = true; // tolerance 0.01, confidence 0.99, at least 200 images
    // 1,000 images in batches of 100: looks at 200, 300, ..., 900, so each look has
    // 0.01 / 8 = 0.00125.
    CHECK(sequentialLooks(rule, 1000, 100) == 8);
    CHECK(sequentialLooks(rule, 1000, 64) == 13); // 256, 320, ..., 960
    // Below: "10 of the 1,000 images change" against k images with x changed, exactly:
    // P(X <= 0 | k = 300) = C(990, 300) / C(1000, 300) = 0.0277: not yet;
    CHECK(sequentialReading(rule, pointAfter(300, 280, 300), 280) == SequentialReading::Undecided);
    // k = 500: 0.000933 < 0.00125; k = 600 with one changed: 0.00160, not yet;
    CHECK(sequentialReading(rule, pointAfter(500, 460, 500), 460) == SequentialReading::BelowTolerance);
    CHECK(sequentialReading(rule, pointAfter(600, 550, 599), 551) == SequentialReading::Undecided);
    // k = 900 with 4 changed: 0.000131; with 5: 0.00152.
    CHECK(sequentialReading(rule, pointAfter(900, 830, 896), 830) == SequentialReading::BelowTolerance);
    CHECK(sequentialReading(rule, pointAfter(900, 830, 895), 830) == SequentialReading::Undecided);
    // The last batch is the exact result: no reading there.
    CHECK(sequentialReading(rule, pointAfter(1000, 929, 1000), 929) == SequentialReading::Undecided);
    // Above: 200 images, baseline 190 right, the point 100, changed on 95: loss 0.45,
    // variance (0.475 - 0.2025) x 200/199 = 0.2739, finite-population standard error
    // sqrt(0.2739 / 200 x 800/999) = 0.0331, z(0.00125) = 3.023: 0.45 - 0.100 = 0.350 > 0.01.
    CHECK(sequentialReading(rule, pointAfter(200, 100, 105), 190) == SequentialReading::AboveTolerance);
    // Loss 0.02 on 200 images with 10 changed: 0.02 - 3.023 x sqrt((0.05 - 0.0004) x 200/199 / 200 x 0.8) < 0.
    CHECK(sequentialReading(rule, pointAfter(200, 186, 190), 190) == SequentialReading::Undecided);
    CHECK(sequentialReading(rule, pointAfter(199, 100, 105), 190) == SequentialReading::Undecided); // too few
    rule.enabled = false;
    CHECK(sequentialReading(rule, pointAfter(200, 100, 105), 190) == SequentialReading::Undecided);
}

TEST_CASE("a stopped point's top-1 is paired with the baseline's and rounded toward its reading", "[sensitivity]")
{
    EvaluationMetrics baseline = pointAfter(1000, 905, 1000);
    // 300 images on which the baseline had 280 right and the point 250: loss 30/300 = 0.1;
    // 300 x 0.905 - 30 = 241.5, rounded down (above: the loss only grows).
    CHECK(pairedTop1Correct(pointAfter(300, 250, 260), 280, baseline, SequentialReading::AboveTolerance) == 241);
    // Below: 500 images, baseline 455 right, the point 453: 452.5 - 2 = 450.5, rounded
    // toward the baseline's 452.5 (the loss only shrinks): 451.
    CHECK(pairedTop1Correct(pointAfter(500, 453, 497), 455, baseline, SequentialReading::BelowTolerance) == 451);
    // A point better than the baseline: 452.5 + 1 = 453.5, rounded toward 452.5: 453.
    CHECK(pairedTop1Correct(pointAfter(500, 456, 498), 455, baseline, SequentialReading::BelowTolerance) == 453);
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
        // The curve's reading: the baseline's top-1 minus the point's reported (paired) top-1.
        const double shownLoss = s->baseline.top1().value - sp.metrics.top1().value;
        if (sp.reading == SequentialReading::AboveTolerance) {
            CHECK(exactLoss > tolerance);
            CHECK(shownLoss > tolerance);
        } else {
            REQUIRE(sp.reading == SequentialReading::BelowTolerance);
            CHECK(std::abs(exactLoss) < tolerance);
            CHECK(std::abs(shownLoss) < tolerance);
        }
    }
    CHECK(stopped > 0);
}
