// The whole-network overview matrix on models small enough to rank by hand: rows per
// scored layer, filters sorted by score and normalised by the layer's best, NaN padding,
// and the plan's cuts (whole filters through their dependency group, element pruning as
// each filter's zeroed fraction).
#include "AnalysedModel.h"
#include "ModelBuilder.h"

#include "core/model/DependencyGroups.h"
#include "core/model/Layer.h"
#include "core/model/Model.h"
#include "core/analysis/NetworkOverview.h"
#include "core/plan/Plan.h"
#include "core/compress/PruneSelection.h"

#include <catch2/catch.hpp>

#include <cmath>
#include <string>
#include <vector>

using namespace topiary;
using test::ModelBuilder;
using test::setAttr;

namespace {

using Analysed = test::AnalysedModel;

Analysed analyse(const onnx::ModelProto& proto)
{
    return test::analyseModel(proto);
}

// A 1x1 conv with the given weights (cout x cin, row-major), no bias.
void conv1x1(ModelBuilder& b, const std::string& name, const std::string& in, const std::string& out, int64_t cin,
    int64_t cout, std::vector<float> weights)
{
    b.weight(name + ".weight", { cout, cin, 1, 1 }, std::move(weights));
    auto& n = b.node("Conv", { in, name + ".weight" }, { out }, name);
    setAttr(n, "kernel_shape", std::vector<int64_t> { 1, 1 });
}

// x -> a (2 -> 3) [-> bn] -> Relu -> b (3 -> 2) -> y.
// L1 of a's filters: 3, 1, 4; of b's: 4.5, 6.25.
onnx::ModelProto chain(bool withBatchNorm)
{
    ModelBuilder b;
    b.input("x", { 1, 2, 4, 4 });
    conv1x1(b, "a", "x", "a_out", 2, 3, { 1, -2, 0.5f, 0.5f, -3, 1 });
    if (withBatchNorm)
        b.batchNorm("a_bn", "a_out", "a_bn_out", 3); // gamma 0.5, 0.6, 0.7
    b.node("Relu", { withBatchNorm ? "a_bn_out" : "a_out" }, { "r" }, "relu");
    conv1x1(b, "b", "r", "y", 3, 2, { 1, -0.5f, 3, -2, 0.25f, 4 });
    b.output("y", { 1, 2, 4, 4 });
    return b.build();
}

// p1 and p2 read x and are added, so their filters form one group, read by c.
// L1 of p1's filters: 1, 3; of p2's: 4, 1; the group's mean: 2.5, 2.
onnx::ModelProto residual()
{
    ModelBuilder b;
    b.input("x", { 1, 2, 4, 4 });
    conv1x1(b, "p1", "x", "p1_out", 2, 2, { 1, 0, 2, -1 });
    conv1x1(b, "p2", "x", "p2_out", 2, 2, { 4, 0, 0, -1 });
    b.node("Add", { "p1_out", "p2_out" }, { "s" }, "add");
    conv1x1(b, "c", "s", "y", 2, 2, { 1, 1, 1, 1 });
    b.output("y", { 1, 2, 4, 4 });
    return b.build();
}

std::vector<float> rowOf(const std::vector<float>& values, const NetworkOverview& o, int row)
{
    return { values.begin() + static_cast<std::ptrdiff_t>(o.cell(row, 0)),
        values.begin() + static_cast<std::ptrdiff_t>(o.cell(row, o.columns)) };
}

void checkRow(const std::vector<float>& actual, const std::vector<float>& expected)
{
    REQUIRE(actual.size() == expected.size());
    for (size_t i = 0; i < expected.size(); ++i) {
        INFO("rank " << i);
        if (std::isnan(expected[i]))
            CHECK(std::isnan(actual[i]));
        else
            CHECK(actual[i] == Approx(expected[i]).margin(1e-6));
    }
}

const float kNan = std::nanf("");

} // namespace

TEST_CASE("the overview ranks each layer's filters, normalises by the best and pads short rows", "[overview]")
{
    const auto a = analyse(chain(false));
    REQUIRE(a.layers.size() == 2);
    auto o = networkOverview(a.model, a.layers, a.groups, Plan {}, weightScorer(a.model, a.layers), Criterion::L1);
    REQUIRE(o);
    CHECK(o->criterion == Criterion::L1);
    REQUIRE(o->rows() == 2);
    CHECK(o->columns == 3);
    CHECK(o->layers == std::vector<int> { a.layer("a"), a.layer("b") });
    CHECK(o->skipped.empty());

    // a: L1 = 3, 1, 4 -> ranks filters 2, 0, 1.
    CHECK(std::vector<int64_t>(o->filters.begin(), o->filters.begin() + 3) == std::vector<int64_t> { 2, 0, 1 });
    checkRow(rowOf(o->scores, *o, 0), { 4, 3, 1 });
    checkRow(rowOf(o->importance, *o, 0), { 1, 0.75f, 0.25f });
    checkRow(rowOf(o->pruned, *o, 0), { 0, 0, 0 });
    // b: L1 = 4.5, 6.25 -> filters 1, 0; one padding cell.
    CHECK(std::vector<int64_t>(o->filters.begin() + 3, o->filters.end()) == std::vector<int64_t> { 1, 0, -1 });
    checkRow(rowOf(o->scores, *o, 1), { 6.25f, 4.5f, kNan });
    checkRow(rowOf(o->importance, *o, 1), { 1, 4.5f / 6.25f, kNan });
    checkRow(rowOf(o->pruned, *o, 1), { 0, 0, kNan });
    CHECK(o->rowLength(0) == 3);
    CHECK(o->rowLength(1) == 2);

    // L2 = sqrt(5), sqrt(0.5), sqrt(10): the same order, other proportions.
    auto l2 = networkOverview(a.model, a.layers, a.groups, Plan {}, weightScorer(a.model, a.layers), Criterion::L2);
    REQUIRE(l2);
    checkRow(rowOf(l2->importance, *l2, 0), { 1, std::sqrt(0.5f), std::sqrt(0.05f) });
}

TEST_CASE("the overview marks filters the plan cuts whole, and element pruning as fractions", "[overview]")
{
    const auto a = analyse(chain(false));
    Plan plan;
    // One of a's three filters: the lowest L1 (filter 1, last in rank).
    plan.setPrune("a", { PruneGranularity::Filter, Criterion::L1, PruneMode::Ratio, 1.0 / 3.0 });
    // Half of b's six weights: |w| = 1, .5, 3, 2, .25, 4 loses .25, .5 and 1, i.e. two of
    // filter 0's three weights and one of filter 1's.
    plan.setPrune("b", { PruneGranularity::Element, Criterion::L1, PruneMode::Ratio, 0.5 });
    auto o = networkOverview(a.model, a.layers, a.groups, plan, weightScorer(a.model, a.layers), Criterion::L1);
    REQUIRE(o);
    checkRow(rowOf(o->pruned, *o, 0), { 0, 0, 1 });
    checkRow(rowOf(o->pruned, *o, 1), { 1.0f / 3.0f, 2.0f / 3.0f, kNan });

    // The same from a selection the caller made.
    auto selection = selectPruned(a.model, a.layers, a.groups, plan, weightScorer(a.model, a.layers));
    REQUIRE(selection);
    auto fromSelection = networkOverview(a.layers, a.groups, *selection, weightScorer(a.model, a.layers), Criterion::L1);
    REQUIRE(fromSelection);
    checkRow(fromSelection->pruned, o->pruned);
}

TEST_CASE("the overview shows a group's cut in every producer, even where that filter scores high", "[overview]")
{
    const auto a = analyse(residual());
    const int p1 = a.layer("p1");
    REQUIRE(producerGroupOf(a.groups, p1) == producerGroupOf(a.groups, a.layer("p2")));
    // Half the group: channel means 2.5 and 2, so channel 1 goes from p1 and from p2.
    const Plan plan = withLayerPrune(
        Plan {}, a.layers, a.groups, p1, { PruneGranularity::Filter, Criterion::L1, PruneMode::Ratio, 0.5 });
    auto o = networkOverview(a.model, a.layers, a.groups, plan, weightScorer(a.model, a.layers), Criterion::L1);
    REQUIRE(o);
    REQUIRE(o->rows() == 3);
    CHECK(o->columns == 2);
    // p1: filter 1 (L1 3) ranks first and is pruned; p2: filter 1 (L1 1) ranks last.
    CHECK(o->filters[o->cell(0, 0)] == 1);
    checkRow(rowOf(o->importance, *o, 0), { 1, 1.0f / 3.0f });
    checkRow(rowOf(o->pruned, *o, 0), { 1, 0 });
    checkRow(rowOf(o->importance, *o, 1), { 1, 0.25f });
    checkRow(rowOf(o->pruned, *o, 1), { 0, 1 });
    checkRow(rowOf(o->pruned, *o, 2), { 0, 0 });
}

TEST_CASE("the overview skips layers the criterion cannot score and reports plans that cannot select",
    "[overview]")
{
    const auto a = analyse(chain(true));
    auto o = networkOverview(a.model, a.layers, a.groups, Plan {}, weightScorer(a.model, a.layers), Criterion::BnScale);
    REQUIRE(o);
    REQUIRE(o->rows() == 1);
    CHECK(o->layers.front() == a.layer("a"));
    // |gamma| = 0.5, 0.6, 0.7.
    checkRow(o->importance, { 1, 0.6f / 0.7f, 0.5f / 0.7f });
    REQUIRE(o->skipped.size() == 1);
    CHECK(o->skipped.front().rfind("b: ", 0) == 0);

    const auto r = analyse(residual());
    Plan disagreeing;
    disagreeing.setPrune("p1", { PruneGranularity::Filter, Criterion::L1, PruneMode::Ratio, 0.5 });
    disagreeing.setPrune("p2", { PruneGranularity::Filter, Criterion::L2, PruneMode::Ratio, 0.5 });
    CHECK_FALSE(networkOverview(r.model, r.layers, r.groups, disagreeing, weightScorer(r.model, r.layers), Criterion::L1));
}
