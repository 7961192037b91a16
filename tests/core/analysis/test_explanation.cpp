// Explain mode's numbers on layers small enough to work out by hand (2-bit SQNR of four
// weights, a Huffman code of eight indices, the SVD of a 2x2 matrix, L1 against FPGM on
// filters built to disagree), and checks that they are the numbers the rest of the app
// shows: the inspector's levels and disagreement table, the stats panel's Huffman bytes
// and parameter counts.
#include "ModelBuilder.h"

#include "core/eval/ActivationStats.h"
#include "core/model/CostModel.h"
#include "core/model/DependencyGroups.h"
#include "core/analysis/Explanation.h"
#include "core/analysis/LayerInspection.h"
#include "core/model/Layer.h"
#include "core/model/Model.h"
#include "core/plan/Plan.h"
#include "core/compress/PruneSelection.h"
#include "core/analysis/Stats.h"

#include <catch2/catch.hpp>

#include <cmath>

using namespace topiary;
using topiary::test::ModelBuilder;
using topiary::test::setAttr;

namespace {

struct Analysed {
    Model model;
    std::vector<Layer> layers;
    std::vector<DependencyGroup> groups;
    CostModel cost;

    explicit Analysed(Model m)
        : model(std::move(m))
        , layers(findLayers(model))
        , groups(findDependencyGroups(model, layers))
        , cost(model)
    {
    }

    int index(const std::string& name) const
    {
        for (size_t i = 0; i < layers.size(); ++i)
            if (layers[i].name == name)
                return static_cast<int>(i);
        FAIL("no layer " << name);
        return -1;
    }

    LayerInspection inspect(const std::string& name, const Plan& plan) const
    {
        auto in = inspectLayer(model, layers, groups, index(name), plan, weightScorer(model, layers));
        REQUIRE(in.has_value());
        return std::move(*in);
    }

    Explanation explain(const std::string& name, const Plan& plan, const LayerStats* stats = nullptr) const
    {
        const auto in = inspect(name, plan);
        auto e = explainLayer(model, layers, index(name), plan.spec(name), in, stats);
        REQUIRE(e.has_value());
        return std::move(*e);
    }
};

void conv1x1(ModelBuilder& b, const std::string& name, const std::string& in, const std::string& out, int64_t cin,
             int64_t cout, std::vector<float> weights)
{
    b.weight(name + ".weight", {cout, cin, 1, 1}, std::move(weights));
    auto& n = b.node("Conv", {in, name + ".weight"}, {out}, name);
    setAttr(n, "kernel_shape", std::vector<int64_t>{1, 1});
}

// conv "c" with the given weights, then a consumer so its group is prunable.
std::unique_ptr<Analysed> oneConv(int64_t cin, int64_t cout, std::vector<float> weights)
{
    ModelBuilder b;
    b.input("x", {1, cin, 3, 3});
    conv1x1(b, "c", "x", "y", cin, cout, std::move(weights));
    b.node("Relu", {"y"}, {"r"}, "relu");
    conv1x1(b, "next", "r", "out", cout, 1, std::vector<float>(static_cast<size_t>(cout), 1.0f));
    b.output("out");
    auto model = Model::fromProto(b.build(), {});
    REQUIRE(model.has_value());
    return std::make_unique<Analysed>(std::move(*model));
}

QuantSpec uniform(int bits, bool perChannel = false)
{
    return QuantSpec{QuantScheme::Uniform, bits, true, perChannel};
}

} // namespace

TEST_CASE("explanation of 2-bit uniform quantization of four weights, by hand", "[explanation]")
{
    // Filter 0: 1.0 -0.5, filter 1: 0.25 0.8.
    const auto a = oneConv(2, 2, {1.0f, -0.5f, 0.25f, 0.8f});
    const double sumW2 = 1.0 + 0.25 + 0.0625 + 0.64;  // 1.9525

    SECTION("per tensor")
    {
        // 2-bit symmetric: q in [-1, 1], s = max|w| / 1 = 1. round(w/s): 1, -0 (half to
        // even), 0, 1 -> values 1, 0, 0, 1; errors 0, 0.5, 0.25, 0.2.
        Plan plan;
        plan.setQuant("c", uniform(2));
        const auto e = a->explain("c", plan);
        REQUIRE(e.quant);
        const auto& q = *e.quant;
        CHECK(q.qmin == -1);
        CHECK(q.qmax == 1);
        CHECK(q.levels == 3);
        CHECK(q.channels == 1);
        CHECK(q.channel == -1);
        CHECK(q.scale == Approx(1.0));
        CHECK(q.zeroPoint == 0);
        CHECK(q.clipLow == Approx(-1.0));
        CHECK(q.clipHigh == Approx(1.0));
        // Two weights sit at qmax without being cut: max scaling clips nothing.
        REQUIRE(q.clippedFraction);
        CHECK(*q.clippedFraction == 0.0);
        const double sumErr = 0.0 + 0.25 + 0.0625 + 0.04;  // 0.3525
        CHECK(q.mse == Approx(sumErr / 4));
        CHECK(q.sqnrDb == Approx(10.0 * std::log10(sumW2 / sumErr)));  // 7.434 dB
        CHECK(q.sqnrDb == Approx(7.4343).epsilon(1e-4));
        CHECK(q.weightMin == Approx(-0.5));
        CHECK(q.weightMax == Approx(1.0));
        CHECK_FALSE(e.huffman);
        CHECK_FALSE(e.lowRank);
        // The inspector's level count for the same spec.
        CHECK(q.levels == a->inspect("c", plan).levels.count);
    }
    SECTION("per channel: the widest channel's scale is shown")
    {
        // Channel 0: s = 1 as above; channel 1: s = 0.8, 0.25/0.8 = 0.31 -> 0, 0.8 -> 1.
        Plan plan;
        plan.setQuant("c", uniform(2, true));
        const auto e = a->explain("c", plan);
        REQUIRE(e.quant);
        CHECK(e.quant->channels == 2);
        CHECK(e.quant->channel == 0);
        CHECK(e.quant->scale == Approx(1.0));
        CHECK(*e.quant->clippedFraction == 0.0);
        const double sumErr = 0.0 + 0.25 + 0.0625 + 0.0;
        CHECK(e.quant->sqnrDb == Approx(10.0 * std::log10(sumW2 / sumErr)));
        CHECK(e.quant->levels == a->inspect("c", plan).levels.count);
    }
    SECTION("8 bits: 255 levels, as the inspector counts them")
    {
        Plan plan;
        plan.setQuant("c", uniform(8));
        const auto e = a->explain("c", plan);
        REQUIRE(e.quant);
        CHECK(e.quant->levels == 255);
        CHECK(e.quant->scale == Approx(1.0 / 127));
        CHECK(e.quant->levels == a->inspect("c", plan).levels.count);
    }
    SECTION("a float32 layer has no quantization topic")
    {
        const auto e = a->explain("c", Plan{});
        CHECK_FALSE(e.quant);
        CHECK(e.quantError.empty());
    }
    SECTION("a spec quantize() refuses is reported, not explained")
    {
        Plan plan;
        plan.setQuant("c", uniform(40));
        const auto e = a->explain("c", plan);
        CHECK_FALSE(e.quant);
        CHECK_FALSE(e.quantError.empty());
    }
}

TEST_CASE("explanation of Huffman-coded codebook indices matches the stats panel", "[explanation]")
{
    // Eight weights, four distinct values: the linear k-means init over [-0.3, 0.9] is
    // already -0.3, 0.1, 0.5, 0.9, so counts are 1, 5, 1, 1. Huffman: 1+1 -> 2, 1+2 -> 3,
    // 3+5 -> 8, so lengths 3, 1, 2, 3 (ties by index) and 1·3 + 5·1 + 1·2 + 1·3 = 13 bits.
    const auto a = oneConv(4, 2, {0.1f, 0.1f, 0.1f, 0.1f, 0.1f, 0.5f, 0.9f, -0.3f});
    Plan plan;
    plan.setQuant("c", QuantSpec{QuantScheme::Codebook, 2, true, false});
    const StatsModel statsModel(a->model, a->cost, a->groups);
    const auto stats = statsModel.compute(plan);
    const auto& layerStats = stats.layers[static_cast<size_t>(a->index("c"))];
    const auto e = a->explain("c", plan, &layerStats);
    REQUIRE(e.huffman);
    const auto& h = *e.huffman;
    CHECK(h.plainBits == 2);
    CHECK(h.weights == 8);
    CHECK(h.codedBits == 13);
    CHECK(h.bitsPerWeight == Approx(13.0 / 8));
    CHECK(h.usedSymbols == 4);
    CHECK(h.shortestCode == 1);
    CHECK(h.longestCode == 3);
    // The stats panel's bytes, and that they are this stream plus the codebook (4 floats)
    // and its code table (a byte per entry): ceil((13 + 4·32 + 4·8) / 8) = 22.
    CHECK(h.statsBytes == layerStats.huffmanBytes);
    CHECK(layerStats.huffmanBytes == (h.codedBits + 4 * 32 + 4 * 8 + 7) / 8);
    CHECK(layerStats.huffmanBytes == 22);
    // The codebook is a quantization topic too: four levels spanning the weights.
    REQUIRE(e.quant);
    CHECK(e.quant->levels == 4);
    CHECK(e.quant->clipLow == Approx(-0.3));
    CHECK(e.quant->clipHigh == Approx(0.9));
    CHECK(e.quant->sqnrDb == std::numeric_limits<double>::infinity());
    CHECK_FALSE(e.quant->clippedFraction);
}

TEST_CASE("explanation of low rank: explained variance and parameters", "[explanation]")
{
    SECTION("2x2 by hand")
    {
        // W = [[3, 4], [0, 5]]: ||W||² = 50, det = 15, so σ² solve x² - 50x + 225 = 0:
        // σ1² = 45, σ2² = 5; rank 1 keeps 45/50 = 0.9 and errs sqrt(0.1).
        const auto a = oneConv(2, 2, {3.0f, 4.0f, 0.0f, 5.0f});
        Plan plan;
        plan.setLowRank("c", LowRankSpec{1});
        const StatsModel statsModel(a->model, a->cost, a->groups);
        const auto e = a->explain("c", plan);
        REQUIRE(e.lowRank);
        CHECK(e.lowRank->rank == 1);
        CHECK(e.lowRank->rows == 2);
        CHECK(e.lowRank->cols == 2);
        CHECK(e.lowRank->explainedVariance == Approx(0.9));
        CHECK(e.lowRank->relativeError == Approx(std::sqrt(0.1)));
        CHECK(e.lowRank->firstSingular == Approx(std::sqrt(45.0)));
        CHECK(e.lowRank->lastKeptSingular == Approx(std::sqrt(45.0)));
        CHECK(e.lowRank->paramsBefore == 4);
        CHECK(e.lowRank->paramsAfter == 4);  // 1·(2 + 2): no saving on a 2x2
        // The stats panel counts the same parameters, factored and not.
        const auto idx = static_cast<size_t>(a->index("c"));
        CHECK(statsModel.compute(plan).layers[idx].params == e.lowRank->paramsAfter);
        CHECK(statsModel.compute(Plan{}).layers[idx].params == e.lowRank->paramsBefore);
    }
    SECTION("a 3x4 layer with bias against numpy")
    {
        ModelBuilder b;
        b.input("x", {1, 4, 5, 5});
        b.conv("c", "x", "y", 4, 3, 1);  // ramp weights with a bias
        b.output("y");
        auto model = Model::fromProto(b.build(), {});
        REQUIRE(model.has_value());
        const Analysed a(std::move(*model));
        const auto* w = a.model.constant(a.layers[0].weight);
        REQUIRE(w);
        std::string list;
        for (float v : w->floats)
            list += std::to_string(v) + ",";
        const std::string cmd = "/usr/bin/python3 -c \"import numpy as np; s=np.linalg.svd(np.array([" + list
            + "],dtype=np.float64).reshape(3,4),compute_uv=False); print(repr(float((s[:2]**2).sum()/(s**2).sum())))\"";
        FILE* pipe = popen(cmd.c_str(), "r");
        REQUIRE(pipe);
        char buffer[128] = {};
        REQUIRE(fgets(buffer, sizeof buffer, pipe));
        pclose(pipe);
        const double numpyExplained = std::stod(buffer);

        Plan plan;
        plan.setLowRank("c", LowRankSpec{2});
        const auto e = a.explain("c", plan);
        REQUIRE(e.lowRank);
        CHECK(e.lowRank->explainedVariance == Approx(numpyExplained).epsilon(1e-6));
        CHECK(e.lowRank->paramsBefore == 3 * 4 + 3);
        CHECK(e.lowRank->paramsAfter == 2 * (3 + 4) + 3);
        const StatsModel statsModel(a.model, a.cost, a.groups);
        CHECK(statsModel.compute(plan).layers[0].params == e.lowRank->paramsAfter);
        CHECK(statsModel.compute(Plan{}).layers[0].params == e.lowRank->paramsBefore);
    }
    SECTION("a factored layer's quantization is not explained on its weight")
    {
        // apply() quantizes the two factors instead; the stats give it no Huffman size either.
        const auto a = oneConv(2, 2, {3.0f, 4.0f, 0.0f, 5.0f});
        Plan plan;
        plan.setLowRank("c", LowRankSpec{1});
        plan.setQuant("c", QuantSpec{QuantScheme::Codebook, 2, true, false});
        const auto e = a->explain("c", plan);
        CHECK(e.lowRank);
        CHECK_FALSE(e.quant);
        CHECK_FALSE(e.huffman);
        CHECK_THAT(e.quantError, Catch::Contains("factored"));
    }
    SECTION("a rank beyond the layer is an error in the explanation")
    {
        const auto a = oneConv(2, 2, {3.0f, 4.0f, 0.0f, 5.0f});
        Plan plan;
        plan.setLowRank("c", LowRankSpec{3});
        const auto e = a->explain("c", plan);
        CHECK_FALSE(e.lowRank);
        CHECK_FALSE(e.lowRankError.empty());
    }
}

TEST_CASE("explanation of L1 against FPGM: the inspector's disagreement, by hand", "[explanation]")
{
    // Filters over two inputs: a = (5, 0), b = (5.1, 0), c = (4.8, 0.1), d = (-1, 0).
    // L1: 5, 5.1, 4.9, 1. FPGM (summed distances): a 0.1 + 0.224 + 6 = 6.324,
    // b 0.1 + 0.316 + 6.1 = 6.516, c 0.224 + 0.316 + 5.801 = 6.341, d 17.90.
    const auto a = oneConv(2, 4, {5.0f, 0.0f, 5.1f, 0.0f, 4.8f, 0.1f, -1.0f, 0.0f});

    SECTION("no pruning in the plan: the 25 % default, one filter each")
    {
        const auto in = a->inspect("c", Plan{});
        const auto e = explainLayer(a->model, a->layers, a->index("c"), Plan{}.spec("c"), in);
        REQUIRE(e);
        REQUIRE(e->pruning);
        const auto& p = *e->pruning;
        CHECK(p.filters == 4);
        CHECK(p.ratio == Approx(0.25));
        CHECK_FALSE(p.planRatio);
        CHECK(*p.l1Pruned == std::vector<int64_t>{3});
        CHECK(*p.fpgmPruned == std::vector<int64_t>{0});
        CHECK(p.overlap == 0);
        CHECK(p.jaccard == 0.0);
        CHECK(p.planPruned.empty());
    }
    SECTION("the plan prunes half by FPGM")
    {
        Plan plan;
        plan.setPrune("c", PruneSpec{PruneGranularity::Filter, Criterion::Fpgm, PruneMode::Ratio, 0.5});
        const auto in = a->inspect("c", plan);
        const auto e = explainLayer(a->model, a->layers, a->index("c"), plan.spec("c"), in);
        REQUIRE(e);
        REQUIRE(e->pruning);
        const auto& p = *e->pruning;
        CHECK(p.ratio == Approx(0.5));
        CHECK(p.planRatio);
        CHECK(*p.l1Pruned == std::vector<int64_t>{2, 3});
        CHECK(*p.fpgmPruned == std::vector<int64_t>{0, 2});
        CHECK(p.overlap == 1);
        CHECK(p.jaccard == Approx(1.0 / 3));
        CHECK(p.planPruned == std::vector<int64_t>{0, 2});
        // The same sets as the inspector's disagreement table.
        for (size_t i = 0; i < in.disagreement.criteria.size(); ++i) {
            std::vector<int64_t> pruned;
            for (size_t f = 0; f < in.disagreement.keep[i].size(); ++f)
                if (!in.disagreement.keep[i][f])
                    pruned.push_back(static_cast<int64_t>(f));
            if (in.disagreement.criteria[i] == Criterion::L1)
                CHECK(pruned == *p.l1Pruned);
            if (in.disagreement.criteria[i] == Criterion::Fpgm)
                CHECK(pruned == *p.fpgmPruned);
        }
    }
    SECTION("an inspection of another layer is refused")
    {
        const auto in = a->inspect("next", Plan{});
        CHECK_FALSE(explainLayer(a->model, a->layers, a->index("c"), LayerSpec{}, in));
        CHECK_FALSE(explainLayer(a->model, a->layers, 99, LayerSpec{}, in));
    }
}

TEST_CASE("explanation of APoZ: what the counted activations say, by hand", "[explanation]")
{
    const auto a = oneConv(2, 4, {5.0f, 0.0f, 5.1f, 0.0f, 4.8f, 0.1f, -1.0f, 0.0f});
    // Two 3x3 images: 18 activations per channel after the ReLU. Channel 0 is always zero,
    // channel 1 half the time, channel 2 never, channel 3 in 17 of 18.
    ActivationStats stats;
    stats.samples = 2;
    LayerActivationStats c;
    c.layer = a->index("c");
    c.name = "c";
    c.site.tensor = "r";
    c.site.relu = true;
    c.valuesPerChannel = 18;
    c.zeros = { 18, 9, 0, 17 };
    c.sums = { 0.0, 4.5, 9.0, 0.5 };
    LayerActivationStats next;
    next.layer = a->index("next");
    next.name = "next";
    next.site.tensor = "out";
    next.site.note = "its output is a graph output";
    next.valuesPerChannel = 18;
    next.zeros = { 0 };
    next.sums = { 3.0 };
    stats.layers = { c, next };
    if (stats.layers[0].layer != 0)
        std::swap(stats.layers[0], stats.layers[1]);

    const auto in = a->inspect("c", Plan {});
    const auto e = explainLayer(a->model, a->layers, a->index("c"), Plan {}.spec("c"), in, nullptr, &stats);
    REQUIRE(e);
    REQUIRE(e->apoz);
    const ApozExplanation& apoz = *e->apoz;
    CHECK(apoz.defined);
    CHECK(apoz.tensor == "r");
    CHECK(apoz.samples == 2);
    CHECK(apoz.valuesPerChannel == 18);
    CHECK(apoz.channels == 4);
    CHECK(apoz.meanApoz == Approx((1.0 + 0.5 + 0.0 + 17.0 / 18.0) / 4.0));
    CHECK(apoz.mostlyZero == 2); // 18/18 and 17/18 are at least 90 %
    REQUIRE(apoz.highest.size() == 3);
    CHECK(apoz.highest[0].first == 0);
    CHECK(apoz.highest[0].second == Approx(1.0));
    CHECK(apoz.highest[1].first == 3);
    CHECK(apoz.highest[1].second == Approx(17.0 / 18.0));
    CHECK(apoz.highest[2].first == 1);
    CHECK(apoz.highest[2].second == Approx(0.5));
    // The criterion prunes by 1 − APoZ: the channel explained as most often zero scores lowest.
    const auto scores = apozScores(stats, a->index("c"));
    REQUIRE(scores);
    CHECK((*scores)[0] == Approx(0.0));
    CHECK((*scores)[3] == Approx(1.0 / 18.0));

    // No ReLU after "next": APoZ is not defined there, and the explanation says why.
    const auto inNext = a->inspect("next", Plan {});
    const auto eNext = explainLayer(a->model, a->layers, a->index("next"), Plan {}.spec("next"), inNext, nullptr, &stats);
    REQUIRE(eNext);
    REQUIRE(eNext->apoz);
    CHECK_FALSE(eNext->apoz->defined);
    CHECK(eNext->apoz->reason == "its output is a graph output");

    // Without counted activations there is nothing to explain.
    CHECK_FALSE(a->explain("c", Plan {}).apoz);
}

TEST_CASE("explanation of recovery: the selected layer's record, only when the plan was recovered", "[explanation]")
{
    const auto a = oneConv(2, 4, {5.0f, 0.0f, 5.1f, 0.0f, 4.8f, 0.1f, -1.0f, 0.0f});
    // What recover() kept for the two layers: "next" refitted, "c" bias-corrected.
    RecoveryResult recovery;
    recovery.images = 64;
    LayerRecovery c;
    c.layer = a->index("c");
    c.name = "c";
    c.biasShift = { 0.5, 0.0, -0.25, 0.0 };
    LayerRecovery next;
    next.layer = a->index("next");
    next.name = "next";
    next.refitted = true;
    next.residualBefore = 0.2;
    next.residualAfter = 0.01;
    recovery.layers = { c, next };

    const Plan plan;
    const auto inNext = a->inspect("next", plan);
    const auto e = explainLayer(a->model, a->layers, a->index("next"), plan.spec("next"), inNext, nullptr, nullptr,
        &recovery);
    REQUIRE(e);
    REQUIRE(e->recovery);
    CHECK(e->recoveryImages == 64);
    CHECK(e->recovery->layer == "next"); // this layer's record, not the first one
    CHECK(e->recovery->refitted);
    CHECK(e->recovery->residualBefore == 0.2);
    CHECK(e->recovery->residualAfter == 0.01);
    CHECK_FALSE(e->recovery->biasCorrected);

    const auto inC = a->inspect("c", plan);
    const auto ec = explainLayer(a->model, a->layers, a->index("c"), plan.spec("c"), inC, nullptr, nullptr, &recovery);
    REQUIRE(ec);
    REQUIRE(ec->recovery);
    CHECK(ec->recovery->biasCorrected);
    CHECK(ec->recovery->shiftedChannels == 2);
    CHECK(ec->recovery->biasShift == Approx(0.375)); // (0.5 + 0.25) / 2
    CHECK(ec->recovery->maxBiasShift == Approx(0.5));

    // A recovery that did not visit the layer, or none at all: nothing to say.
    RecoveryResult other;
    other.images = 64;
    other.layers = { next };
    const auto none = explainLayer(a->model, a->layers, a->index("c"), plan.spec("c"), inC, nullptr, nullptr, &other);
    REQUIRE(none);
    CHECK_FALSE(none->recovery);
    CHECK_FALSE(a->explain("c", plan).recovery);
}
