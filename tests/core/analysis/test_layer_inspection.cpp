// The layer inspector's numbers on layers small enough to work out by hand: histogram
// counts, the |w| cut an element spec implies and the ratio a dragged cut prunes,
// quantization grids, L1 against FPGM on filters built so they disagree, and the
// filters a plan prunes through a residual group (group mean, not the layer's own score).
#include "ModelBuilder.h"

#include "core/model/DependencyGroups.h"
#include "core/compress/Importance.h"
#include "core/analysis/LayerInspection.h"
#include "core/model/Layer.h"
#include "core/model/Model.h"
#include "core/plan/Plan.h"
#include "core/compress/PruneSelection.h"

#include <catch2/catch.hpp>

#include <algorithm>
#include <cmath>

using namespace topiary;
using topiary::test::ModelBuilder;
using topiary::test::setAttr;

namespace {

struct Analysed {
    Model model;
    std::vector<Layer> layers;
    std::vector<DependencyGroup> groups;

    int index(const std::string& name) const
    {
        for (size_t i = 0; i < layers.size(); ++i)
            if (layers[i].name == name)
                return static_cast<int>(i);
        FAIL("no layer " << name);
        return -1;
    }
};

Analysed analyse(const onnx::ModelProto& proto)
{
    auto model = Model::fromProto(proto, {});
    REQUIRE(model.has_value());
    auto layers = findLayers(*model);
    auto groups = findDependencyGroups(*model, layers);
    return {std::move(*model), std::move(layers), std::move(groups)};
}

// A 1x1 conv with the given [cout, cin, 1, 1] weights.
void conv1x1(ModelBuilder& b, const std::string& name, const std::string& in, const std::string& out, int64_t cin,
             int64_t cout, std::vector<float> weights)
{
    b.weight(name + ".weight", {cout, cin, 1, 1}, std::move(weights));
    auto& n = b.node("Conv", {in, name + ".weight"}, {out}, name);
    setAttr(n, "kernel_shape", std::vector<int64_t>{1, 1});
}

// conv "c": 2 filters x 4 inputs with eight distinct magnitudes 0.1 .. 0.8, then a
// consumer so its group is prunable.
//   filter 0: -0.8 -0.5  0.1  0.3     filter 1:  0.7  0.2 -0.4  0.6
Analysed eightWeights()
{
    ModelBuilder b;
    b.input("x", {1, 4, 3, 3});
    conv1x1(b, "c", "x", "y", 4, 2, {-0.8f, -0.5f, 0.1f, 0.3f, 0.7f, 0.2f, -0.4f, 0.6f});
    b.node("Relu", {"y"}, {"r"}, "relu");
    conv1x1(b, "next", "r", "out", 2, 1, {1.0f, 1.0f});
    b.output("out");
    return analyse(b.build());
}

// conv "c": four filters over two inputs, built so L1 and FPGM disagree:
//   a = (5, 0), b = (5.1, 0), c = (4.8, 0.1) huddle together; d = (-1, 0) is small and far.
// L1: 5, 5.1, 4.9, 1 -> d goes first. FPGM sums of distances (worked out below): a is
// nearest the others, d farthest -> a goes first. BN gammas 0.5, 0.6, 0.7, 0.8.
Analysed disagreeing()
{
    ModelBuilder b;
    b.input("x", {1, 2, 3, 3});
    conv1x1(b, "c", "x", "y", 2, 4, {5.0f, 0.0f, 5.1f, 0.0f, 4.8f, 0.1f, -1.0f, 0.0f});
    b.batchNorm("bn", "y", "yn", 4);
    b.node("Relu", {"yn"}, {"r"}, "relu");
    conv1x1(b, "next", "r", "out", 4, 1, {1.0f, 1.0f, 1.0f, 1.0f});
    b.output("out");
    return analyse(b.build());
}

const CriterionScores& scoresOf(const LayerInspection& in, Criterion c)
{
    return in.scores(c);
}

} // namespace

TEST_CASE("inspection histogram counts the layer's weights in equal bins", "[inspection]")
{
    const auto a = eightWeights();
    InspectionOptions options;
    options.histogramBins = 4;
    auto in = inspectLayer(a.model, a.layers, a.groups, a.index("c"), Plan{}, weightScorer(a.model, a.layers), options);
    REQUIRE(in);
    // Range [-0.8, 0.7] in bins of 0.375: edges -0.8, -0.425, -0.05, 0.325, 0.7.
    // -0.8 -0.5 | -0.4 | 0.1 0.2 0.3 | 0.6 0.7
    REQUIRE(in->histogram.bins() == 4);
    CHECK(in->histogram.edges[1] == Approx(-0.425));
    CHECK(in->histogram.counts == std::vector<int64_t>{2, 1, 3, 2});
    CHECK(in->histogram.total == 8);
    CHECK(in->name == "c");
    CHECK(in->weightShape == std::vector<int64_t>{2, 4, 1, 1});
    CHECK(in->limits.filters == 2);
    CHECK(in->limits.elements == 8);
    CHECK(in->limits.maxRank == 2);  // min(2 filters, 4 inputs)
    CHECK(in->limits.filterPrunable);
    CHECK(in->limits.maxMagnitude == Approx(0.8));
    // L1 of the filters: 1.7 and 1.9
    CHECK(in->limits.maxScore[static_cast<size_t>(inspectedCriterionIndex(Criterion::L1))] == Approx(1.9));
    CHECK(in->limits.criterionReason[static_cast<size_t>(inspectedCriterionIndex(Criterion::L1))].empty());
    CHECK_FALSE(in->limits.criterionReason[static_cast<size_t>(inspectedCriterionIndex(Criterion::BnScale))].empty());
    // No element spec: no cut, nothing pruned, no quantization grid.
    CHECK_FALSE(in->elementThreshold.has_value());
    CHECK(in->elementPrunedFraction == 0.0);
    CHECK(in->levels.values.empty());
    CHECK(in->levels.count == 0);
}

TEST_CASE("the |w| cut of an element spec and the ratio a dragged cut prunes", "[inspection]")
{
    const auto a = eightWeights();
    const std::vector<float> w{-0.8f, -0.5f, 0.1f, 0.3f, 0.7f, 0.2f, -0.4f, 0.6f};
    const auto cut = [&](PruneMode mode, double value) {
        return elementThresholdOf(w, PruneSpec{PruneGranularity::Element, Criterion::L1, mode, value});
    };
    // |w| sorted: 0.1 0.2 0.3 0.4 0.5 0.6 0.7 0.8; ratio r prunes round(8r), the cut is the
    // smallest kept |w|.
    CHECK(*cut(PruneMode::Ratio, 0.5) == Approx(0.5));
    CHECK(*cut(PruneMode::Ratio, 0.375) == Approx(0.4));
    CHECK(*cut(PruneMode::Ratio, 0.3) == Approx(0.3));  // 2.4 -> 2 pruned
    CHECK(*cut(PruneMode::Ratio, 0.0625) == 0.0);        // 0.5 -> 0 (half to even)
    CHECK(*cut(PruneMode::Ratio, 0.1875) == Approx(0.3));  // 1.5 -> 2
    CHECK(*cut(PruneMode::Ratio, 1.0) > 0.8);
    CHECK(*cut(PruneMode::Ratio, 1.0) < 0.80001);
    CHECK(*cut(PruneMode::Threshold, 0.35) == 0.35);
    // mean |w| = 0.45, population std = 0.1·sqrt(63/12)
    CHECK(*cut(PruneMode::MeanStdRule, 1.0) == Approx(0.45 + 0.1 * std::sqrt(63.0 / 12.0)));
    CHECK_FALSE(cut(PruneMode::Ratio, 1.5).has_value());
    CHECK_FALSE(elementThresholdOf(w, PruneSpec{PruneGranularity::Filter, Criterion::L1, PruneMode::Ratio, 0.5}));

    CHECK(elementRatioBelow(w, 0.5) == 0.5);
    CHECK(elementRatioBelow(w, 0.45) == 0.5);
    CHECK(elementRatioBelow(w, 0.05) == 0.0);
    CHECK(elementRatioBelow(w, 0.81) == 1.0);
    CHECK(*elementRatioBelow(a.model, a.layers[static_cast<size_t>(a.index("c"))], 0.35) == 0.375);

    // Through a plan: a cut at every ratio and back gives the same ratio.
    for (double ratio : {0.125, 0.25, 0.5, 0.75, 1.0}) {
        const Plan plan = Plan{}.withPrune("c", {PruneGranularity::Element, Criterion::L1, PruneMode::Ratio, ratio});
        auto in = inspectLayer(a.model, a.layers, a.groups, a.index("c"), plan, weightScorer(a.model, a.layers));
        REQUIRE(in);
        REQUIRE(in->elementThreshold);
        CHECK(in->elementPrunedFraction == ratio);
        CHECK(elementRatioBelow(w, *in->elementThreshold) == ratio);
        // Element pruning leaves whole filters alone.
        CHECK(in->prunedFilterCount() == 0);
    }
    const Plan mean = Plan{}.withPrune("c", {PruneGranularity::Element, Criterion::L1, PruneMode::MeanStdRule, 1.0});
    auto in = inspectLayer(a.model, a.layers, a.groups, a.index("c"), mean, weightScorer(a.model, a.layers));
    REQUIRE(in);
    CHECK(in->elementPrunedFraction == 0.75);  // 0.1 .. 0.6 lie below 0.679
}

TEST_CASE("quantization levels of the layer's spec, clipped to the histogram", "[inspection]")
{
    const auto a = eightWeights();
    const Layer& c = a.layers[static_cast<size_t>(a.index("c"))];
    const double lo = -0.8f;
    const double hi = 0.7f;
    const auto levels = [&](QuantSpec spec) { return quantLevels(a.model, c, spec, lo, hi); };

    SECTION("uniform symmetric 2 bits: q in {-1, 0, 1}, s = 0.8; +0.8 lies beyond the data")
    {
        auto q = levels({QuantScheme::Uniform, 2, true, false});
        CHECK(q.count == 3);
        CHECK(q.channel == -1);
        REQUIRE(q.values.size() == 2);
        CHECK(q.values[0] == Approx(-0.8));
        CHECK(q.values[1] == 0.0);
    }
    SECTION("uniform symmetric 4 bits: q in -7..7, s = 0.8/7; 7s > 0.7 is clipped")
    {
        auto q = levels({QuantScheme::Uniform, 4, true, false});
        CHECK(q.count == 15);
        REQUIRE(q.values.size() == 14);
        for (int i = 0; i < 14; ++i)
            CHECK(q.values[static_cast<size_t>(i)] == Approx((i - 7) * 0.8 / 7.0));
    }
    SECTION("uniform asymmetric 2 bits: s = 1.5/3, zero point round(0.8/0.5) = 2")
    {
        auto q = levels({QuantScheme::Uniform, 2, false, false});
        CHECK(q.count == 4);
        REQUIRE(q.values.size() == 3);  // -1.0 lies below the data
        CHECK(q.values[0] == Approx(-0.5));
        CHECK(q.values[1] == Approx(0.0).margin(1e-7));
        CHECK(q.values[2] == Approx(0.5));
    }
    SECTION("binary and ternary: the channel with the larger scale")
    {
        // mean |w|: filter 0 = 1.7/4 = 0.425, filter 1 = 1.9/4 = 0.475
        auto b = levels({QuantScheme::Binary, 1, true, false});
        CHECK(b.channel == 1);
        REQUIRE(b.values.size() == 2);
        CHECK(b.values[0] == Approx(-0.475));
        CHECK(b.values[1] == Approx(0.475));
        // ternary thresholds 0.7·mean: 0.2975 keeps 0.8 0.5 0.3 (mean 1.6/3), 0.3325 keeps
        // 0.7 0.4 0.6 (mean 1.7/3)
        auto t = levels({QuantScheme::Ternary, 2, true, false});
        CHECK(t.channel == 1);
        REQUIRE(t.values.size() == 3);
        CHECK(t.values[0] == Approx(-1.7 / 3));
        CHECK(t.values[1] == 0.0);
        CHECK(t.values[2] == Approx(1.7 / 3));
    }
    SECTION("codebook of 2 centroids: k-means splits at the gap around zero")
    {
        // -0.8 -0.5 -0.4 | 0.1 0.2 0.3 0.6 0.7 (the midpoint of the initial -0.8, 0.7 is -0.05)
        auto q = levels({QuantScheme::Codebook, 1, true, false});
        CHECK(q.count == 2);
        REQUIRE(q.values.size() == 2);
        CHECK(q.values[0] == Approx(-1.7 / 3));
        CHECK(q.values[1] == Approx(0.38));
    }
    SECTION("per-channel uniform names the channel it draws")
    {
        auto q = levels({QuantScheme::Uniform, 2, true, true});
        CHECK(q.channel == 0);  // scale 0.8 against 0.7
        CHECK(q.count == 3);
    }
    SECTION("floats have no grid, 16-bit grids are counted but not listed")
    {
        CHECK(levels({QuantScheme::Float16, 16, true, false}).count == 0);
        auto q = levels({QuantScheme::Uniform, 16, true, false});
        CHECK(q.count == 65535);
        CHECK(q.values.empty());
        CHECK(q.error.empty());
    }
    SECTION("a spec quantize() refuses reports why")
    {
        auto q = levels({QuantScheme::Codebook, 12, true, false});
        CHECK(q.values.empty());
        CHECK_FALSE(q.error.empty());
    }
    SECTION("an MSE range: the clipping range the search chose, beside min/max")
    {
        // 2 bits symmetric: levels {-s, 0, s}. For s near 0.55 the six weights with |w| > s/2
        // go to ±s and 0.1, 0.2 to 0, so the squared error is least at the mean of those six
        // |w|: 3.3 / 6 = 0.55. The search's nearest step is f = 0.69: s = 0.69 · 0.8 = 0.552
        // (0.68 gives 0.544, farther). Min/max would give s = 0.8.
        QuantSpec spec{QuantScheme::Uniform, 2, true, false};
        spec.range = QuantRange::Mse;
        auto q = levels(spec);
        REQUIRE(q.mseRange);
        REQUIRE(q.minMaxRange);
        CHECK(q.mseRange->first == Approx(-0.552));
        CHECK(q.mseRange->second == Approx(0.552));
        CHECK(q.minMaxRange->first == Approx(-0.8));
        CHECK(q.minMaxRange->second == Approx(0.8));
        // The grid drawn is the MSE one.
        REQUIRE(q.values.size() == 3);
        CHECK(q.values[2] == Approx(0.552));
        // A min/max range has no such lines.
        CHECK_FALSE(levels({QuantScheme::Uniform, 2, true, false}).mseRange);
    }
    SECTION("the plan's quant spec reaches the inspection")
    {
        const Plan plan = Plan{}.withQuant("c", {QuantScheme::Uniform, 2, true, false});
        auto in = inspectLayer(a.model, a.layers, a.groups, a.index("c"), plan, weightScorer(a.model, a.layers));
        REQUIRE(in);
        CHECK(in->levels.values.size() == 2);
    }
}

TEST_CASE("L1 and FPGM disagree on a layer built for it", "[inspection]")
{
    const auto a = disagreeing();
    const int c = a.index("c");
    // FPGM sums of distances:
    //   a: |a-b| 0.1 + |a-c| sqrt(0.05) + |a-d| 6
    //   b: 0.1 + |b-c| sqrt(0.1) + |b-d| 6.1
    //   c: sqrt(0.05) + sqrt(0.1) + |c-d| sqrt(33.65)
    //   d: 6 + 6.1 + sqrt(33.65)
    const double fa = 0.1 + std::sqrt(0.05) + 6.0;
    const double fb = 0.1 + std::sqrt(0.1) + 6.1;
    const double fc = std::sqrt(0.05) + std::sqrt(0.1) + std::sqrt(33.65);
    const double fd = 6.0 + 6.1 + std::sqrt(33.65);

    SECTION("every criterion's scores, APoZ absent with the reason")
    {
        auto in = inspectLayer(a.model, a.layers, a.groups, c, Plan{}, weightScorer(a.model, a.layers));
        REQUIRE(in);
        const auto& l1 = scoresOf(*in, Criterion::L1);
        REQUIRE(l1.available());
        CHECK(*l1.scores == std::vector<float>{5.0f, 5.1f, 4.9f, 1.0f});
        const auto& fpgm = scoresOf(*in, Criterion::Fpgm);
        REQUIRE(fpgm.available());
        CHECK((*fpgm.scores)[0] == Approx(fa).epsilon(1e-5));
        CHECK((*fpgm.scores)[1] == Approx(fb).epsilon(1e-5));
        CHECK((*fpgm.scores)[2] == Approx(fc).epsilon(1e-5));
        CHECK((*fpgm.scores)[3] == Approx(fd).epsilon(1e-5));
        const auto& bn = scoresOf(*in, Criterion::BnScale);
        REQUIRE(bn.available());
        CHECK(*bn.scores == std::vector<float>{0.5f, 0.6f, 0.7f, 0.8f});
        const auto& apoz = scoresOf(*in, Criterion::Apoz);
        CHECK_FALSE(apoz.available());
        CHECK(apoz.reason.find("dataset") != std::string::npos);

        // Kernel L1 of a 1x1 conv is |w| itself.
        CHECK(in->kernels.rows == 4);
        CHECK(in->kernels.cols == 2);
        CHECK(in->kernels.values == std::vector<float>{5.0f, 0.0f, 5.1f, 0.0f, 4.8f, 0.1f, 1.0f, 0.0f});

        // Nothing pruned: the table shows the default ratio, 1 of 4 filters.
        const auto& d = in->disagreement;
        CHECK(d.ratio == Disagreement::kDefaultRatio);
        REQUIRE(d.criteria == std::vector<Criterion>{Criterion::L1, Criterion::L2, Criterion::Fpgm, Criterion::BnScale});
        CHECK(d.keep[0] == Mask{1, 1, 1, 0});  // L1: d
        CHECK(d.keep[1] == Mask{1, 1, 1, 0});  // L2: d
        CHECK(d.keep[2] == Mask{0, 1, 1, 1});  // FPGM: a
        CHECK(d.keep[3] == Mask{0, 1, 1, 1});  // BN: gamma 0.5
        CHECK(d.jaccard[0][1] == 1.0);
        CHECK(d.jaccard[0][2] == 0.0);
        CHECK(d.jaccard[2][3] == 1.0);
        CHECK(d.jaccard[1][0] == d.jaccard[0][1]);
        CHECK(d.jaccard[2][2] == 1.0);
    }
    SECTION("at the plan's ratio: L1 prunes c and d, FPGM a and c, overlap 1/3")
    {
        const Plan plan = withLayerPrune(Plan{}, a.layers, a.groups, c,
                                         {PruneGranularity::Filter, Criterion::L1, PruneMode::Ratio, 0.5});
        auto in = inspectLayer(a.model, a.layers, a.groups, c, plan, weightScorer(a.model, a.layers));
        REQUIRE(in);
        CHECK(in->pruneError.empty());
        CHECK(in->keptFilters == Mask{1, 1, 0, 0});
        CHECK(in->prunedFilterCount() == 2);
        const auto& d = in->disagreement;
        CHECK(d.ratio == 0.5);
        CHECK(d.keep[0] == Mask{1, 1, 0, 0});
        CHECK(d.keep[2] == Mask{0, 1, 0, 1});
        CHECK(d.jaccard[0][2] == Approx(1.0 / 3.0));
        // BN prunes a and b: against L1 nothing in common.
        CHECK(d.jaccard[0][3] == 0.0);
    }
    SECTION("a ratio asked for overrides the plan's")
    {
        InspectionOptions options;
        options.disagreementRatio = 0.75;
        auto in = inspectLayer(a.model, a.layers, a.groups, c, Plan{}, weightScorer(a.model, a.layers), options);
        REQUIRE(in);
        CHECK(in->disagreement.ratio == 0.75);
        CHECK(in->disagreement.keep[0] == Mask{0, 1, 0, 0});  // L1 keeps b (5.1)
        CHECK(in->disagreement.keep[2] == Mask{0, 0, 0, 1});  // FPGM keeps d
        CHECK(in->disagreement.jaccard[0][2] == Approx(2.0 / 4.0));
    }
    SECTION("a scorer that knows APoZ makes it available; its errors come back as reasons")
    {
        const FilterScorer base = weightScorer(a.model, a.layers);
        const FilterScorer scorer = [&](int layer, Criterion criterion) -> Result<std::vector<float>> {
            if (criterion == Criterion::Apoz)
                return std::vector<float>{0.9f, 0.1f, 0.8f, 0.7f};
            if (criterion == Criterion::BnScale)
                return fail("no BN for this test");
            return base(layer, criterion);
        };
        const Plan plan = withLayerPrune(Plan{}, a.layers, a.groups, c,
                                         {PruneGranularity::Filter, Criterion::Apoz, PruneMode::Ratio, 0.25});
        auto in = inspectLayer(a.model, a.layers, a.groups, c, plan, scorer);
        REQUIRE(in);
        CHECK(scoresOf(*in, Criterion::Apoz).available());
        CHECK(scoresOf(*in, Criterion::BnScale).reason == "no BN for this test");
        CHECK(in->keptFilters == Mask{1, 0, 1, 1});
        CHECK(in->disagreement.criteria.back() == Criterion::Apoz);
    }
}

TEST_CASE("the pruned mask follows the residual group, not the layer's own scores", "[inspection]")
{
    // a (2 -> 4) feeds b (4 -> 4) and the residual Add(a, b); a and b produce one group.
    //   L1 of a's filters: 10 10 1 1;  of b's: 1 2 3 4;  group mean: 5.5 6 2 2.5
    // Ratio 0.5 by the mean prunes channels 2 and 3, though b alone would lose 0 and 1.
    ModelBuilder b;
    b.input("x", {1, 2, 3, 3});
    conv1x1(b, "a", "x", "ya", 2, 4, {10, 0, 10, 0, 1, 0, 1, 0});
    conv1x1(b, "b", "ya", "yb", 4, 4, {0, 0, 0, 1, 0, 0, 0, 2, 0, 0, 0, 3, 0, 0, 0, 4});
    b.node("Add", {"ya", "yb"}, {"s"}, "add");
    conv1x1(b, "head", "s", "out", 4, 1, {1, 1, 1, 1});
    b.output("out");
    const auto m = analyse(b.build());
    const int ia = m.index("a");
    const int ib = m.index("b");
    const PruneSpec half{PruneGranularity::Filter, Criterion::L1, PruneMode::Ratio, 0.5};

    const Plan plan = withLayerPrune(Plan{}, m.layers, m.groups, ib, half);
    for (int layer : {ia, ib}) {
        auto in = inspectLayer(m.model, m.layers, m.groups, layer, plan, weightScorer(m.model, m.layers));
        REQUIRE(in);
        CHECK(in->pruneError.empty());
        CHECK(in->keptFilters == Mask{1, 1, 0, 0});
    }
    auto inB = inspectLayer(m.model, m.layers, m.groups, ib, plan, weightScorer(m.model, m.layers));
    REQUIRE(inB);
    CHECK(inB->disagreement.keep[0] == Mask{0, 0, 1, 1});  // b's own L1 at the same ratio

    // The head is a consumer only: its filters are not pruned by the group.
    auto head = inspectLayer(m.model, m.layers, m.groups, m.index("head"), plan, weightScorer(m.model, m.layers));
    REQUIRE(head);
    CHECK(head->keptFilters == Mask{1});

    SECTION("coupled layers that ask for different pruning: the error, nothing struck out")
    {
        Plan bad = Plan{}.withPrune("a", half);
        bad.setPrune("b", {PruneGranularity::Filter, Criterion::L1, PruneMode::Ratio, 0.25});
        auto in = inspectLayer(m.model, m.layers, m.groups, ib, bad, weightScorer(m.model, m.layers));
        REQUIRE(in);
        CHECK_FALSE(in->pruneError.empty());
        CHECK(in->keptFilters == Mask{1, 1, 1, 1});
    }
    SECTION("channel rounding of the plan's options is honoured")
    {
        PlanOptions options;
        options.roundChannels = true;
        options.channelMultiple = 3;  // keep 2 -> rounded up to 3: the best pruned (2.5) returns
        auto in = inspectLayer(m.model, m.layers, m.groups, ib, plan.withOptions(options),
                               weightScorer(m.model, m.layers));
        REQUIRE(in);
        CHECK(in->keptFilters == Mask{1, 1, 0, 1});
    }
}

TEST_CASE("inspecting a layer that does not exist is an error", "[inspection]")
{
    const auto a = eightWeights();
    CHECK_FALSE(inspectLayer(a.model, a.layers, a.groups, 7, Plan{}, weightScorer(a.model, a.layers)).has_value());
    CHECK_FALSE(inspectLayer(a.model, a.layers, a.groups, -1, Plan{}, weightScorer(a.model, a.layers)).has_value());
}

TEST_CASE("refreshing after a plan edit gives what a fresh inspection gives", "[inspection]")
{
    const auto a = disagreeing();
    const int c = a.index("c");
    const FilterScorer scorer = cachedScorer(weightScorer(a.model, a.layers));
    auto in = inspectLayer(a.model, a.layers, a.groups, c, Plan{}, scorer);
    REQUIRE(in);
    CHECK(in->spec == LayerSpec{});

    LayerSpec spec;
    spec.prune = {PruneGranularity::Filter, Criterion::Fpgm, PruneMode::Ratio, 0.5};
    spec.quant = {QuantScheme::Uniform, 2, true, false};
    const Plan filters = withLayerPrune(Plan{}, a.layers, a.groups, c, spec.prune).withQuant("c", spec.quant);
    refreshInspection(*in, a.model, a.layers, a.groups, filters, scorer);
    CHECK(in->spec == spec);
    CHECK(in->keptFilters == Mask{0, 1, 0, 1});  // FPGM prunes a and c
    CHECK(in->disagreement.ratio == 0.5);
    // 2-bit symmetric over max |w| = 5.1: -5.1, 0, 5.1; the data spans [-1, 5.1].
    REQUIRE(in->levels.values.size() == 2);
    CHECK(in->levels.values[0] == 0.0);
    CHECK(in->levels.values[1] == Approx(5.1));

    // Element pruning at ratio 0.5 of 8 weights: the cut is the 5th smallest |w|.
    const Plan element = Plan{}.withPrune("c", {PruneGranularity::Element, Criterion::L1, PruneMode::Ratio, 0.5});
    refreshInspection(*in, a.model, a.layers, a.groups, element, scorer);
    REQUIRE(in->elementThreshold);
    CHECK(*in->elementThreshold == Approx(1.0));  // |w|: 0 0 0 0.1 | 1 4.8 5 5.1
    CHECK(in->elementPrunedFraction == 0.5);
    CHECK(in->prunedFilterCount() == 0);
    CHECK(in->levels.values.empty());  // back to float

    auto fresh = inspectLayer(a.model, a.layers, a.groups, c, element, scorer);
    REQUIRE(fresh);
    CHECK(fresh->elementThreshold == in->elementThreshold);
    CHECK(fresh->keptFilters == in->keptFilters);
    CHECK(fresh->disagreement.keep == in->disagreement.keep);
}

TEST_CASE("a cached scorer asks once per layer and criterion, errors included", "[inspection]")
{
    int calls = 0;
    const FilterScorer inner = [&](int layer, Criterion criterion) -> Result<std::vector<float>> {
        ++calls;
        if (criterion == Criterion::Apoz)
            return fail("no data");
        return std::vector<float>{static_cast<float>(layer)};
    };
    const FilterScorer cached = cachedScorer(inner);
    const FilterScorer copy = cached;
    CHECK(*cached(3, Criterion::L1) == std::vector<float>{3.0f});
    CHECK(*copy(3, Criterion::L1) == std::vector<float>{3.0f});
    CHECK(calls == 1);
    CHECK(*cached(4, Criterion::L1) == std::vector<float>{4.0f});
    CHECK(calls == 2);
    CHECK(cached(3, Criterion::Apoz).error().message == "no data");
    CHECK_FALSE(copy(3, Criterion::Apoz).has_value());
    CHECK(calls == 3);
}
