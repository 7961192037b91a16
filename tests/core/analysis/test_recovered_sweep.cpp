// The recovered sweep (RecoveredSweep): each prune point equals an independent recover() +
// apply() + evaluation of that single-layer plan, its unrecovered numbers are the input
// sweep's; and on the sample, where recovery repairs the first conv of the residual pair
// (/block1/conv1) almost fully, the greedy proposal read from the recovered sweep is another
// plan than the plain sweep's, predicting less loss (measured: /pw2 at 0.5 instead of 0.8).
#include "SampleData.h"

#include "core/analysis/BudgetFit.h"
#include "core/analysis/RecoveredSweep.h"
#include "core/analysis/Sensitivity.h"
#include "core/analysis/Stats.h"
#include "core/eval/Evaluator.h"
#include "core/model/CostModel.h"
#include "core/model/DependencyGroups.h"
#include "core/plan/Plan.h"
#include "core/recover/CalibrationImages.h"
#include "core/recover/Recovery.h"

#include <catch2/catch.hpp>

#include <memory>

using namespace topiary;
using test::sampleData;
using test::sampleModel;
using test::sampleSpec;

namespace {

struct Fixture {
    EvaluationOptions eo;
    SensitivityOptions so;
    CalibrationImages images;
    RecoveredSweepOptions ro;

    Fixture()
    {
        eo.limit = 300;
        eo.batchSize = 100;
        so.granularity = PruneGranularity::Filter;
        so.ratios = { 0.0, 0.5, 0.8 };
        so.layers = { "/block1/conv1/Conv", "/pw2/conv/Conv" };
        auto i = loadCalibrationImages(sampleModel(), sampleData(), sampleSpec(), 128, RecoverySpec::kDefaultSeed);
        REQUIRE(i);
        images = std::move(*i);
        REQUIRE(parseRecoveryMethods("bn,bias,lsq", ro.recovery).has_value());
        ro.calibration = &images;
    }
};

} // namespace

TEST_CASE("a recovered sweep point equals recovery and evaluation of its single-layer plan", "[recovered_sweep]")
{
    Fixture f;
    const Evaluator evaluator(sampleData(), sampleSpec(), f.eo);
    auto sweep = analyseSensitivity(sampleModel(), evaluator, f.so);
    REQUIRE(sweep);
    REQUIRE(sweep->points.size() == 6);
    auto recovered = recoverSweep(sampleModel(), *sweep, f.so, evaluator, f.ro);
    REQUIRE(recovered);
    REQUIRE(recovered->recovered.points.size() == 6);
    REQUIRE(recovered->unrecovered.size() == 6);

    auto original = evaluator.run(sampleModel().proto());
    REQUIRE(original);
    EvaluationOptions withRef = f.eo;
    withRef.reference = std::make_shared<const ModelOutputs>(original->outputs);
    const Evaluator full(sampleData(), sampleSpec(), withRef);
    int improved = 0;
    for (size_t i = 0; i < sweep->points.size(); ++i) {
        const SensitivityPoint& plain = sweep->points[i];
        const SensitivityPoint& p = recovered->recovered.points[i];
        INFO(p.layer << " at " << p.value);
        CHECK(p.layer == plain.layer);
        CHECK(p.value == plain.value);
        CHECK(recovered->unrecovered[i].top1Correct == plain.metrics.top1Correct);
        if (p.value == 0.0) {
            CHECK_FALSE(recovered->repaired[i]);
            CHECK(p.metrics.top1Correct == sweep->baseline.top1Correct);
            continue;
        }
        CHECK(recovered->repaired[i]);
        Plan plan = Plan().withPrune(p.layer, PruneSpec { PruneGranularity::Filter, Criterion::L1, PruneMode::Ratio, p.value });
        plan.setRecovery(f.ro.recovery);
        auto repaired = applyRecovered(sampleModel(), plan, f.images);
        REQUIRE(repaired);
        auto run = full.run(repaired->applied.proto);
        REQUIRE(run);
        CHECK(p.metrics.top1Correct == run->metrics.top1Correct);
        CHECK(p.metrics.agreed == run->metrics.agreed);
        CHECK(p.metrics.labelled == 300);
        improved += p.metrics.top1Correct > plain.metrics.top1Correct;
        if (p.layer == "/block1/conv1/Conv" && p.value == 0.8) // 35 % before, about 89 % after on 1,000
            CHECK(p.metrics.top1Correct - plain.metrics.top1Correct > 100);
    }
    CHECK(improved >= 3); // recovery gives back accuracy at (nearly) every cut point here
    // The CSV carries both numbers.
    const std::string csv = recoveredSweepCsv(*recovered);
    CHECK(csv.find("top1_unrecovered,top1,") != std::string::npos);
}

TEST_CASE("the greedy proposal from a recovered sweep differs from the plain sweep's", "[recovered_sweep]")
{
    Fixture f;
    const Evaluator evaluator(sampleData(), sampleSpec(), f.eo);
    auto sweep = analyseSensitivity(sampleModel(), evaluator, f.so);
    REQUIRE(sweep);
    auto recovered = recoverSweep(sampleModel(), *sweep, f.so, evaluator, f.ro);
    REQUIRE(recovered);

    const CostModel cost(sampleModel());
    const auto groups = findDependencyGroups(sampleModel(), cost.layers());
    const StatsModel stats(sampleModel(), cost, groups);
    // A budget that needs more than /pw2 alone at 0.8 can give.
    const double pw2Only = budgetFraction(stats,
        Plan().withPrune("/pw2/conv/Conv", PruneSpec { PruneGranularity::Filter, Criterion::L1, PruneMode::Ratio, 0.8 }),
        BudgetMetric::Macs);
    const BudgetTarget target { BudgetMetric::Macs, pw2Only - 0.02 };
    auto plain = fitBudget(sampleModel(), stats, *sweep, f.so, target);
    auto fromRecovered = fitBudget(sampleModel(), stats, recovered->recovered, f.so, target);
    REQUIRE(plain);
    REQUIRE(fromRecovered);
    const auto ratio = [](const BudgetFit& fit, const char* layer) {
        const PruneSpec& s = fit.plan.spec(layer).prune;
        return s.granularity == PruneGranularity::None ? 0.0 : s.value;
    };
    INFO("plain: conv1 " << ratio(*plain, "/block1/conv1/Conv") << " pw2 " << ratio(*plain, "/pw2/conv/Conv")
                         << "; recovered: conv1 " << ratio(*fromRecovered, "/block1/conv1/Conv") << " pw2 "
                         << ratio(*fromRecovered, "/pw2/conv/Conv"));
    CHECK(plain->met);
    CHECK(fromRecovered->met);
    CHECK_FALSE(fromRecovered->plan == plain->plan);
    CHECK(fromRecovered->predictedLoss < plain->predictedLoss);
}

TEST_CASE("a recovered sweep needs methods and images", "[recovered_sweep]")
{
    SensitivityResult empty;
    const Evaluator evaluator(sampleData(), sampleSpec(), {});
    RecoveredSweepOptions none;
    CHECK_FALSE(recoverSweep(sampleModel(), empty, {}, evaluator, none).has_value());
    REQUIRE(parseRecoveryMethods("lsq", none.recovery).has_value());
    CHECK_FALSE(recoverSweep(sampleModel(), empty, {}, evaluator, none).has_value());
}
