// The compare-criteria view's numbers: rankings and pruned sets by each criterion against
// scores worked out by hand on a tiny model, criteria that cannot rank a layer with their
// reasons, and the measured accuracy of each criterion against an independent full
// evaluation of the applied plan on the bundled sample.
#include "ModelBuilder.h"
#include "SampleData.h"
#include "core/eval/ActivationStats.h"
#include "core/export/Apply.h"
#include "core/analysis/CriteriaComparison.h"
#include "core/data/Dataset.h"
#include "core/model/DependencyGroups.h"
#include "core/eval/Evaluator.h"
#include "core/model/Layer.h"
#include "core/model/Model.h"
#include "core/plan/Plan.h"
#include "core/data/Preprocess.h"
#include "core/compress/PruneSelection.h"
#include "core/analysis/Sensitivity.h"

#include <catch2/catch.hpp>

#include <cmath>
#include <filesystem>

using namespace topiary;
using test::sampleModel;
using test::sampleData;
using test::sampleSpec;
using topiary::test::ModelBuilder;
namespace fs = std::filesystem;

namespace {

const fs::path kSample = fs::path(TOPIARY_SOURCE_DIR) / "resources" / "sample";

// x(2ch) -> c1 (4 filters, 1x1) -> bn -> relu -> c2 (2 filters, 1x1) -> y
// c1's filters (rows of 2 weights):
//   f0 = [2.9, 0]    L1 2.9  L2 2.9
//   f1 = [1.5, 1.5]  L1 3.0  L2 2.1213
//   f2 = [-2, 2]     L1 4.0  L2 2.8284
//   f3 = [0, 0.5]    L1 0.5  L2 0.5
// BN gamma = [0.1, -0.9, 0.5, 0.7] (|gamma| ranks f1, f3, f2, f0).
Model tinyModel()
{
    ModelBuilder b;
    b.input("x", { 1, 2, 3, 3 });
    b.weight("c1.w", { 4, 2, 1, 1 }, { 2.9f, 0.0f, 1.5f, 1.5f, -2.0f, 2.0f, 0.0f, 0.5f });
    b.node("Conv", { "x", "c1.w" }, { "a" }, "c1");
    b.weight("bn.weight", { 4 }, { 0.1f, -0.9f, 0.5f, 0.7f });
    b.weight("bn.bias", { 4 }, { 0.0f, 0.0f, 0.0f, 0.0f });
    b.weight("bn.mean", { 4 }, { 0.0f, 0.0f, 0.0f, 0.0f });
    b.weight("bn.var", { 4 }, { 1.0f, 1.0f, 1.0f, 1.0f });
    b.node("BatchNormalization", { "a", "bn.weight", "bn.bias", "bn.mean", "bn.var" }, { "an" }, "bn");
    b.node("Relu", { "an" }, { "r" }, "relu");
    b.weight("c2.w", { 2, 4, 1, 1 }, { 1, 2, 3, 4, 5, 6, 7, 8 });
    b.node("Conv", { "r", "c2.w" }, { "y" }, "c2");
    b.output("y", { 1, 2, 3, 3 });
    auto m = Model::fromProto(b.build(), ".");
    REQUIRE(m.has_value());
    return std::move(*m);
}

const CriterionRanking& byCriterion(const CriteriaComparison& c, Criterion criterion)
{
    for (const auto& r : c.criteria)
        if (r.criterion == criterion)
            return r;
    FAIL("criterion missing");
    return c.criteria.front();
}

size_t slot(Criterion criterion)
{
    for (size_t i = 0; i < kComparedCriteria.size(); ++i)
        if (kComparedCriteria[i] == criterion)
            return i;
    return 0;
}

} // namespace

TEST_CASE("criteria rank a layer's filters and prune what the plan would", "[criteria]")
{
    const Model model = tinyModel();
    auto c = compareCriteria(model, "c1", 0.5, Plan {});
    REQUIRE(c.has_value());
    CHECK(c->filters == 4);
    REQUIRE(c->criteria.size() == kComparedCriteria.size());

    const auto& l1 = byCriterion(*c, Criterion::L1);
    REQUIRE(l1.available);
    CHECK(l1.scores[0] == Approx(2.9));
    CHECK(l1.scores[2] == Approx(4.0));
    CHECK(l1.order == std::vector<int64_t> { 2, 1, 0, 3 });
    CHECK(l1.rank == std::vector<int64_t> { 3, 2, 1, 4 });
    CHECK(l1.pruned == std::vector<int64_t> { 0, 3 });

    const auto& l2 = byCriterion(*c, Criterion::L2);
    REQUIRE(l2.available);
    CHECK(l2.scores[1] == Approx(std::sqrt(4.5)));
    CHECK(l2.order == std::vector<int64_t> { 0, 2, 1, 3 });
    CHECK(l2.pruned == std::vector<int64_t> { 1, 3 });

    // FPGM: each filter's summed distance to the others, straight from the weights.
    const double w[4][2] = { { 2.9, 0 }, { 1.5, 1.5 }, { -2, 2 }, { 0, 0.5 } };
    std::vector<double> fpgm(4, 0.0);
    for (int i = 0; i < 4; ++i)
        for (int j = 0; j < 4; ++j)
            fpgm[static_cast<size_t>(i)] += std::hypot(w[i][0] - w[j][0], w[i][1] - w[j][1]);
    const auto& fp = byCriterion(*c, Criterion::Fpgm);
    REQUIRE(fp.available);
    for (size_t i = 0; i < 4; ++i)
        CHECK(fp.scores[i] == Approx(fpgm[i]).epsilon(1e-5));
    // fpgm = [9.58, 6.71, 11.79, 7.96]: f1 and f3 are nearest the others.
    CHECK(fp.pruned == std::vector<int64_t> { 1, 3 });

    const auto& bn = byCriterion(*c, Criterion::BnScale);
    REQUIRE(bn.available);
    CHECK(bn.order == std::vector<int64_t> { 1, 3, 2, 0 });
    CHECK(bn.pruned == std::vector<int64_t> { 0, 2 });

    // Jaccard: L1 {0,3} vs L2 {1,3} share 1 of 3; L2 and FPGM agree; L1 and BN share {0}.
    CHECK(c->overlap(slot(Criterion::L1), slot(Criterion::L2)) == Approx(1.0 / 3.0));
    CHECK(c->overlap(slot(Criterion::L2), slot(Criterion::Fpgm)) == Approx(1.0));
    CHECK(c->overlap(slot(Criterion::L1), slot(Criterion::BnScale)) == Approx(1.0 / 3.0));
    CHECK(c->overlap(slot(Criterion::L2), slot(Criterion::BnScale)) == Approx(0.0));
    CHECK(std::isnan(c->overlap(slot(Criterion::L1), slot(Criterion::Apoz))));

    // The pruned sets are the ones apply() zeroes.
    const auto layers = findLayers(model);
    const auto groups = findDependencyGroups(model, layers);
    for (const auto& r : c->criteria) {
        if (!r.available)
            continue;
        const Plan plan = criterionPlan(model, "c1", 0.5, r.criterion, Plan {});
        CHECK(plan.spec("c1").prune == PruneSpec { PruneGranularity::Filter, r.criterion, PruneMode::Ratio, 0.5 });
        auto selection = selectPruned(model, layers, groups, plan, weightScorer(model, layers));
        REQUIRE(selection.has_value());
        CHECK(selection->prunedFilters(groups, 0) == r.pruned);
    }
}

TEST_CASE("the plan's channel rounding applies to the compared selections", "[criteria]")
{
    const Model model = tinyModel();
    // Keep a multiple of 4 channels: nothing of the 4 can go.
    const Plan base = Plan().withOptions(PlanOptions { true, 4 });
    auto c = compareCriteria(model, "c1", 0.5, base);
    REQUIRE(c.has_value());
    CHECK(byCriterion(*c, Criterion::L1).pruned.empty());
    CHECK(c->overlap(0, 1) == 1.0);
}

TEST_CASE("criteria that cannot rank a layer say why", "[criteria]")
{
    const Model model = tinyModel();
    auto c = compareCriteria(model, "c1", 0.25, Plan {});
    REQUIRE(c.has_value());
    const auto& apoz = byCriterion(*c, Criterion::Apoz);
    CHECK_FALSE(apoz.available);
    CHECK(apoz.reason.find("needs a dataset") != std::string::npos);
    CHECK(apoz.pruned.empty());

    // c2's output is the graph output: its group cannot be pruned by any criterion.
    auto last = compareCriteria(model, "c2", 0.5, Plan {});
    REQUIRE(last.has_value());
    for (const auto& r : last->criteria) {
        CHECK_FALSE(r.available);
        CHECK(r.reason.find("cannot be pruned") != std::string::npos);
    }

    CHECK_FALSE(compareCriteria(model, "nope", 0.5, Plan {}).has_value());
    CHECK_FALSE(compareCriteria(model, "c1", 1.0, Plan {}).has_value());
    CHECK_FALSE(compareCriteria(model, "c1", -0.1, Plan {}).has_value());
}

TEST_CASE("without a BatchNorm or a ReLU, BN scale and APoZ are unavailable", "[criteria]")
{
    // The sample's stem conv has BN and ReLU; its block1 second conv feeds the residual Add.
    const Model& model = sampleModel();
    const auto layers = findLayers(model);
    ActivationStatsOptions o;
    o.samples = 16;
    auto stats = gatherActivationStats(model, layers, sampleData(), sampleSpec(), o);
    REQUIRE(stats.has_value());
    const FilterScorer scorer = activationScorer(*stats, weightScorer(model, layers));
    auto c = compareCriteria(model, "/block1/conv2/Conv", 0.25, Plan {}, scorer);
    REQUIRE(c.has_value());
    // Its group (the residual) has producers followed by ReLU-less Adds: APoZ is left out
    // for this layer with the reason.
    const auto& apoz = byCriterion(*c, Criterion::Apoz);
    CHECK_FALSE(apoz.available);
    CHECK(apoz.reason.find("no ReLU") != std::string::npos);
    CHECK(byCriterion(*c, Criterion::BnScale).available);

    auto fc = compareCriteria(model, "/fc/Gemm", 0.25, Plan {}, scorer);
    REQUIRE(fc.has_value());
    for (const auto& r : fc->criteria)
        CHECK_FALSE(r.available);
}

TEST_CASE("measured accuracy per criterion equals a full evaluation of the applied plan", "[criteria]")
{
    const Model& model = sampleModel();
    const auto layers = findLayers(model);
    const auto groups = findDependencyGroups(model, layers);
    ActivationStatsOptions so;
    so.samples = 64;
    auto stats = gatherActivationStats(model, layers, sampleData(), sampleSpec(), so);
    REQUIRE(stats.has_value());

    EvaluationOptions eo;
    eo.limit = 200;
    const Evaluator evaluator(sampleData(), sampleSpec(), eo);
    const std::string layer = "/pw1/conv/Conv";
    // A base plan that also edits a later layer and asks something else of this one.
    Plan base;
    base.setPrune("/pw2/conv/Conv", { PruneGranularity::Element, Criterion::L1, PruneMode::Ratio, 0.5 });
    base.setPrune(layer, { PruneGranularity::Element, Criterion::L1, PruneMode::Ratio, 0.3 });

    const FilterScorer scorer = activationScorer(*stats, weightScorer(model, layers));
    size_t calls = 0;
    auto measured = measureCriteria(model, layer, 0.5, base, evaluator, scorer,
        [&](const CriteriaMeasurement&, size_t done, size_t total) {
            CHECK(done == calls);
            CHECK(total == 6);
            ++calls;
        });
    REQUIRE(measured.has_value());
    CHECK_FALSE(measured->cancelled);
    CHECK(calls == 7); // at 0 (nothing measured), then after the baseline and each criterion

    // Independent: full runs of apply(model, plan) against the original's outputs.
    auto original = evaluator.run(model.proto());
    REQUIRE(original.has_value());
    EvaluationOptions withRef = eo;
    withRef.reference = std::make_shared<const ModelOutputs>(original->outputs);
    const Evaluator full(sampleData(), sampleSpec(), withRef);

    auto baseApplied = apply(model, base);
    REQUIRE(baseApplied.has_value());
    auto baseRun = full.run(baseApplied->proto);
    REQUIRE(baseRun.has_value());
    REQUIRE(measured->baselineEvaluated);
    CHECK(measured->baseline.top1Correct == baseRun->metrics.top1Correct);
    CHECK(measured->baseline.agreed == baseRun->metrics.agreed);
    CHECK(measured->baseline.labelled == 200);

    int layerIndex = -1;
    for (size_t i = 0; i < layers.size(); ++i)
        if (layers[i].name == layer)
            layerIndex = static_cast<int>(i);
    REQUIRE(layerIndex >= 0);
    int differentFromBase = 0;
    for (const auto& m : measured->criteria) {
        INFO("criterion " << static_cast<int>(m.criterion));
        if (m.criterion == Criterion::Taylor) { // needs the trainer's scores; this scorer has none
            CHECK_FALSE(m.available);
            continue;
        }
        REQUIRE(m.available);
        REQUIRE(m.evaluated);
        Plan plan = base;
        for (int l : groups[static_cast<size_t>(producerGroupOf(groups, layerIndex))].producers)
            plan.setPrune(layers[static_cast<size_t>(l)].name, { PruneGranularity::Filter, m.criterion, PruneMode::Ratio, 0.5 });
        auto selection = selectPruned(model, layers, groups, plan, scorer);
        REQUIRE(selection.has_value());
        auto applied = apply(model, plan, {}, &*selection);
        REQUIRE(applied.has_value());
        auto run = full.run(applied->proto);
        REQUIRE(run.has_value());
        CHECK(m.metrics.labelled == run->metrics.labelled);
        CHECK(m.metrics.top1Correct == run->metrics.top1Correct);
        CHECK(m.metrics.agreed == run->metrics.agreed);
        CHECK(m.metrics.top1().low == Approx(run->metrics.top1().low));
        differentFromBase += m.metrics.top1Correct != measured->baseline.top1Correct ? 1 : 0;
    }
    CHECK(differentFromBase > 0); // halving a layer's filters shows
}

TEST_CASE("a stopped measurement returns the criteria measured so far", "[criteria]")
{
    const Model& model = sampleModel();
    EvaluationOptions eo;
    eo.limit = 64;
    const Evaluator evaluator(sampleData(), sampleSpec(), eo);
    std::stop_source stop;
    auto measured = measureCriteria(model, "/pw1/conv/Conv", 0.5, Plan {}, evaluator, {},
        [&](const CriteriaMeasurement&, size_t done, size_t) {
            if (done == 2)
                stop.request_stop(); // after the baseline and L1
        },
        stop.get_token());
    REQUIRE(measured.has_value());
    CHECK(measured->cancelled);
    CHECK(measured->baselineEvaluated);
    CHECK(measured->baseline.agreement().value == 1.0);
    REQUIRE(measured->criteria.size() == kComparedCriteria.size());
    CHECK(measured->criteria[0].evaluated);
    CHECK(measured->criteria[0].metrics.labelled == 64);
    for (size_t i = 1; i < kComparedCriteria.size(); ++i)
        CHECK_FALSE(measured->criteria[i].evaluated);
    CHECK_FALSE(measured->criteria[slot(Criterion::Apoz)].available); // no stats given
}

TEST_CASE("the sensitivity sweep, on the same incremental runs, equals full evaluations", "[criteria][sensitivity]")
{
    const Model& model = sampleModel();
    EvaluationOptions eo;
    eo.limit = 64;
    const Evaluator evaluator(sampleData(), sampleSpec(), eo);
    SensitivityOptions so;
    so.ratios = { 0.5 };
    so.granularity = PruneGranularity::Filter;
    so.layers = { "/pw1/conv/Conv", "/stem/conv/Conv" };
    auto result = analyseSensitivity(model, evaluator, so);
    REQUIRE(result.has_value());
    REQUIRE(!result->points.empty());
    auto original = evaluator.run(model.proto());
    REQUIRE(original.has_value());
    EvaluationOptions withRef = eo;
    withRef.reference = std::make_shared<const ModelOutputs>(original->outputs);
    const Evaluator full(sampleData(), sampleSpec(), withRef);
    for (const auto& p : result->points) {
        REQUIRE(p.evaluated);
        auto applied = apply(model, criterionPlan(model, p.layer, 0.5, Criterion::L1, Plan {}));
        REQUIRE(applied.has_value());
        auto run = full.run(applied->proto);
        REQUIRE(run.has_value());
        CHECK(p.metrics.top1Correct == run->metrics.top1Correct);
        CHECK(p.metrics.agreed == run->metrics.agreed);
    }
}
