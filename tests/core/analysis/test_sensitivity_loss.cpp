// lossAtRatio: the per-layer top-1 loss the graph's Sensitivity colouring shows, read off a
// sensitivity result built by hand (no model runs), so every number is checked by arithmetic.
#include "core/model/Layer.h"
#include "core/analysis/Sensitivity.h"

#include <catch2/catch.hpp>

#include <cmath>

using namespace topiary;

namespace {

Layer named(const char* name)
{
    Layer layer;
    layer.name = name;
    return layer;
}

EvaluationMetrics correct(int64_t right, int64_t of)
{
    EvaluationMetrics metrics;
    metrics.labelled = of;
    metrics.top1Correct = right;
    return metrics;
}

SensitivityPoint point(const char* layer, SweepKind kind, double value, bool evaluated, EvaluationMetrics metrics = {})
{
    SensitivityPoint p;
    p.layer = layer;
    p.kind = kind;
    p.value = value;
    p.evaluated = evaluated;
    p.metrics = metrics;
    return p;
}

} // namespace

TEST_CASE("lossAtRatio is the baseline minus the measured top-1 at that ratio", "[sensitivity-loss]")
{
    const std::vector<Layer> layers { named("conv1"), named("conv2"), named("conv3"), named("fc") };
    SensitivityResult result;
    result.baseline = correct(90, 100); // 0.90
    result.points = {
        point("conv1", SweepKind::Prune, 0.3, true, correct(80, 100)), // another ratio
        point("conv1", SweepKind::Prune, 0.5, true, correct(60, 100)), // 0.90 - 0.60
        point("conv2", SweepKind::Prune, 0.5, false), // only estimated
        point("conv3", SweepKind::Bits, 0.5, true, correct(10, 100)), // not a prune point
        point("fc", SweepKind::Prune, 0.5, true, correct(95, 100)), // better than baseline: 0
        point("gone", SweepKind::Prune, 0.5, true, correct(0, 100)), // no such layer
    };

    const std::vector<double> loss = lossAtRatio(result, layers, 0.5);
    REQUIRE(loss.size() == 4);
    CHECK(loss[0] == Approx(0.30));
    CHECK(std::isnan(loss[1]));
    CHECK(std::isnan(loss[2]));
    CHECK(loss[3] == 0.0);

    // 0.1 + 0.2 is not 0.3 in binary; a ratio list spelled either way still matches.
    const std::vector<double> at30 = lossAtRatio(result, layers, 0.1 + 0.2);
    CHECK(at30[0] == Approx(0.10));
    CHECK(std::isnan(at30[3]));
}

TEST_CASE("lossAtRatio puts a filter group's loss on its first producer only", "[sensitivity-loss]")
{
    // A residual group {conv1, conv3} swept at filter granularity is named "conv1".
    const std::vector<Layer> layers { named("conv1"), named("conv2"), named("conv3") };
    SensitivityResult result;
    result.baseline = correct(40, 50); // 0.80
    result.points = { point("conv1", SweepKind::Prune, 0.5, true, correct(30, 50)) }; // 0.60
    const std::vector<double> loss = lossAtRatio(result, layers, 0.5);
    CHECK(loss[0] == Approx(0.20));
    CHECK(std::isnan(loss[1]));
    CHECK(std::isnan(loss[2]));
}

TEST_CASE("lossAtRatio is NaN everywhere without a labelled baseline", "[sensitivity-loss]")
{
    const std::vector<Layer> layers { named("conv1") };
    SensitivityResult result; // baseline with no labelled images (agreement only)
    result.points = { point("conv1", SweepKind::Prune, 0.5, true, correct(30, 50)) };
    const std::vector<double> loss = lossAtRatio(result, layers, 0.5);
    REQUIRE(loss.size() == 1);
    CHECK(std::isnan(loss[0]));
}
