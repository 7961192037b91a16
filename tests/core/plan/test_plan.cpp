// The Plan value: defaults, copy-on-write edits, equality, diffs, and the global edits.
#include "ModelBuilder.h"

#include "core/model/DependencyGroups.h"
#include "core/model/Layer.h"
#include "core/model/Model.h"
#include "core/plan/Plan.h"

#include <catch2/catch.hpp>

#include <algorithm>

using namespace topiary;

namespace {

const PruneSpec kFilter30 { PruneGranularity::Filter, Criterion::L1, PruneMode::Ratio, 0.3 };
const PruneSpec kElement50 { PruneGranularity::Element, Criterion::L1, PruneMode::Ratio, 0.5 };
const QuantSpec kInt8 { QuantScheme::Uniform, 8, true, true };

struct SmallCnn {
    Model model;
    std::vector<Layer> layers;
    std::vector<DependencyGroup> groups;
};

SmallCnn smallCnn()
{
    auto model = Model::fromProto(test::makeSmallCnn(), {});
    REQUIRE(model.has_value());
    auto layers = findLayers(*model);
    auto groups = findDependencyGroups(*model, layers);
    // stem, block1.conv1, block1.conv2, dw, pw, fc
    REQUIRE(layers.size() == 6);
    return SmallCnn { std::move(*model), std::move(layers), std::move(groups) };
}

// input -> Gemm fc1 (16 -> 8) -> Relu -> MatMul mm2 (constant 8 x 6) + bias -> Relu -> Gemm fc3 (6 -> 4).
SmallCnn smallMlp()
{
    test::ModelBuilder b;
    b.input("input", { 1, 16 });
    b.weight("fc1.weight", { 8, 16 });
    b.weight("fc1.bias", { 8 });
    test::setAttr(b.node("Gemm", { "input", "fc1.weight", "fc1.bias" }, { "h1" }, "fc1"), "transB", int64_t { 1 });
    b.node("Relu", { "h1" }, { "r1" }, "relu1");
    b.weight("mm2.weight", { 8, 6 });
    b.weight("mm2.bias", { 6 });
    b.node("MatMul", { "r1", "mm2.weight" }, { "h2" }, "mm2");
    b.node("Add", { "h2", "mm2.bias" }, { "h2b" }, "mm2.add");
    b.node("Relu", { "h2b" }, { "r2" }, "relu2");
    b.weight("fc3.weight", { 4, 6 });
    test::setAttr(b.node("Gemm", { "r2", "fc3.weight" }, { "logits" }, "fc3"), "transB", int64_t { 1 });
    b.output("logits", { 1, 4 });
    auto model = Model::fromProto(b.build(), {});
    REQUIRE(model.has_value());
    auto layers = findLayers(*model);
    auto groups = findDependencyGroups(*model, layers);
    REQUIRE(layers.size() == 3);
    return SmallCnn { std::move(*model), std::move(layers), std::move(groups) };
}

} // namespace

TEST_CASE("pruning all layers reaches Gemm and MatMul and says what it skips", "[plan]")
{
    const auto mlp = smallMlp();
    std::vector<SkippedLayer> skipped;
    const Plan all = pruneAllLayers(Plan(), mlp.layers, mlp.groups, kFilter30, false, &skipped);
    CHECK(all.spec("fc1").prune == kFilter30);
    CHECK(all.spec("mm2").prune == kFilter30);
    CHECK_FALSE(all.contains("fc3")); // its outputs are the classes
    REQUIRE(skipped.size() == 1);
    CHECK(skipped[0].layer == "fc3");
    CHECK_THAT(skipped[0].reason, Catch::StartsWith("filters cannot be removed: ") && Catch::Contains("graph output"));

    skipped.clear();
    const Plan inner = pruneAllLayers(Plan(), mlp.layers, mlp.groups, kFilter30, true, &skipped);
    CHECK(inner.layers().size() == 1);
    CHECK(inner.spec("mm2").prune == kFilter30);
    REQUIRE(skipped.size() == 2);
    CHECK(skipped[0] == SkippedLayer { "fc1", "the first layer (--skip-first-last)" });
    CHECK(skipped[1].layer == "fc3");

    // Element pruning keeps every shape: the classifier is pruned too, unless skipped.
    skipped.clear();
    const Plan el = pruneAllLayers(Plan(), mlp.layers, mlp.groups, kElement50, false, &skipped);
    for (const char* name : { "fc1", "mm2", "fc3" })
        CHECK(el.spec(name).prune == kElement50);
    CHECK(skipped.empty());
    const Plan elSkip = pruneAllLayers(Plan(), mlp.layers, mlp.groups, kElement50, true, &skipped);
    CHECK(elSkip.layers().size() == 1);
    CHECK(skipped == std::vector<SkippedLayer> { { "fc1", "the first layer (--skip-first-last)" },
                         { "fc3", "the last layer (--skip-first-last)" } });

    // On convolutions it agrees with pruneAllConvs; skipping the stem names the group's reason.
    const auto net = smallCnn();
    skipped.clear();
    CHECK(pruneAllLayers(Plan(), net.layers, net.groups, kFilter30, true, &skipped)
        == pruneAllConvs(Plan(), net.layers, net.groups, kFilter30, true));
    std::vector<std::string> names;
    for (const auto& s : skipped)
        names.push_back(s.layer + ": " + s.reason);
    CHECK(std::find(names.begin(), names.end(), "stem: the first layer (--skip-first-last)") != names.end());
    CHECK(std::find(names.begin(), names.end(),
              "block1.conv2: shares its channels with the first layer 'stem' (--skip-first-last)")
        != names.end());
}

TEST_CASE("a plan mentions only layers with a non-default spec", "[plan]")
{
    Plan plan;
    CHECK(plan.empty());
    CHECK(plan.spec("conv1") == LayerSpec {});
    plan.setPrune("conv1", kFilter30);
    CHECK(plan.contains("conv1"));
    CHECK(plan.spec("conv1").prune == kFilter30);
    plan.setQuant("conv1", kInt8);
    plan.setLowRank("conv2", LowRankSpec { 4 });
    CHECK(plan.layers().size() == 2);
    plan.setPrune("conv1", {});
    plan.setQuant("conv1", {});
    CHECK_FALSE(plan.contains("conv1")); // back to the default: gone
    CHECK(plan.layers().size() == 1);
}

TEST_CASE("plans are values: edits never reach other copies, equal content compares equal", "[plan]")
{
    const Plan a = Plan().withPrune("conv1", kFilter30);
    Plan b = a;
    CHECK(a == b);
    b.setQuant("conv1", kInt8);
    CHECK_FALSE(a == b);
    CHECK(a.spec("conv1").quant == QuantSpec {});
    const Plan c = a.withQuant("conv1", kInt8);
    CHECK(b == c); // same content, built separately
    CHECK(a.withLowRank("x", { 3 }).withLowRank("x", {}) == a);
    CHECK_FALSE(a == a.withOptions(PlanOptions { true, 8 }));
}

TEST_CASE("the diff names the layers whose specs differ, and option changes", "[plan]")
{
    const Plan a = Plan().withPrune("a", kFilter30).withQuant("b", kInt8);
    const Plan b = a.withPrune("a", kElement50).withLowRank("c", { 2 }).withQuant("b", {});
    const PlanDiff d = diff(a, b);
    CHECK(d.layers == std::vector<std::string> { "a", "b", "c" });
    CHECK_FALSE(d.optionsChanged);
    CHECK(diff(a, a).empty());
    const PlanDiff o = diff(a, a.withOptions(PlanOptions { true, 16 }));
    CHECK(o.layers.empty());
    CHECK(o.optionsChanged);
}

TEST_CASE("the first changed layer follows filter pruning through its group", "[plan]")
{
    const auto net = smallCnn();
    const Plan base;
    CHECK(firstChangedLayer(base, base, net.layers, net.groups) == -1);
    // Quantizing block1.conv2 changes only block1.conv2.
    CHECK(firstChangedLayer(base, base.withQuant("block1.conv2", kInt8), net.layers, net.groups) == 2);
    // Filter-pruning it removes channels of the residual group, which starts at the stem.
    CHECK(firstChangedLayer(base, base.withPrune("block1.conv2", kFilter30), net.layers, net.groups) == 0);
    CHECK(firstChangedLayer(base, base.withPrune("block1.conv2", kFilter30), net.layers) == 2); // no groups
    // pw's group starts at pw.
    const Plan pw = base.withPrune("pw", kFilter30);
    CHECK(firstChangedLayer(base, pw, net.layers, net.groups) == 4);
    // Rounding options reach every filter-pruned group.
    CHECK(firstChangedLayer(pw, pw.withOptions(PlanOptions { true, 8 }), net.layers, net.groups) == 4);
    CHECK(firstChangedLayer(base, base.withOptions(PlanOptions { true, 8 }), net.layers, net.groups) == -1);
}

TEST_CASE("pruning all convs by group keeps coupled layers consistent", "[plan]")
{
    const auto net = smallCnn();
    const Plan all = pruneAllConvs(Plan(), net.layers, net.groups, kFilter30, false);
    for (const char* name : { "stem", "block1.conv1", "block1.conv2", "dw", "pw" })
        CHECK(all.spec(name).prune == kFilter30);
    CHECK_FALSE(all.contains("fc")); // not a conv, and its group is not prunable anyway

    // Skipping the first layer (the stem) skips its whole residual group.
    const Plan skip = pruneAllConvs(Plan(), net.layers, net.groups, kFilter30, true);
    for (const char* name : { "stem", "block1.conv2", "dw", "fc" })
        CHECK_FALSE(skip.contains(name));
    CHECK(skip.spec("block1.conv1").prune == kFilter30);
    CHECK(skip.spec("pw").prune == kFilter30);

    // Element pruning is per layer.
    const Plan el = pruneAllConvs(Plan(), net.layers, {}, kElement50, true);
    CHECK_FALSE(el.contains("stem"));
    for (const char* name : { "block1.conv1", "block1.conv2", "dw", "pw" })
        CHECK(el.spec(name).prune == kElement50);
    CHECK_FALSE(el.contains("fc"));
}

TEST_CASE("quantizing all layers can leave the first and last alone", "[plan]")
{
    const auto net = smallCnn();
    const Plan q = quantizeAll(Plan().withPrune("pw", kFilter30), net.layers, kInt8, true);
    CHECK_FALSE(q.contains("stem"));
    CHECK_FALSE(q.contains("fc"));
    CHECK(q.spec("dw").quant == kInt8);
    CHECK(q.spec("pw").quant == kInt8);
    CHECK(q.spec("pw").prune == kFilter30); // other parts of a spec survive
    CHECK(quantizeAll(Plan(), net.layers, kInt8, false).layers().size() == 6);
}

TEST_CASE("a global threshold ranks every filter once and gives each layer its share", "[plan]")
{
    const std::map<std::string, std::vector<float>> scores { { "a", { 1, 2, 3, 4 } }, { "b", { 10, 20, 30, 40 } } };
    GlobalThreshold t;
    t.ratio = 0.5;
    t.criterion = Criterion::L2;
    // Normalized per layer, both layers look alike: each loses half.
    const Plan n = pruneGlobalThreshold(Plan(), scores, t);
    CHECK(n.spec("a").prune == PruneSpec { PruneGranularity::Filter, Criterion::L2, PruneMode::Ratio, 0.5 });
    CHECK(n.spec("b").prune == PruneSpec { PruneGranularity::Filter, Criterion::L2, PruneMode::Ratio, 0.5 });
    // Raw scores: a's four filters are the lowest, but a layer keeps at least 10% (here 1 filter).
    t.normalizePerLayer = false;
    const Plan raw = pruneGlobalThreshold(Plan(), scores, t);
    CHECK(raw.spec("a").prune.value == Approx(0.75));
    CHECK_FALSE(raw.contains("b"));
    t.ratio = 0.0;
    CHECK(pruneGlobalThreshold(Plan(), scores, t).empty());
}

TEST_CASE("a global threshold over groups gives coupled layers one ratio", "[plan]")
{
    const auto net = smallCnn();
    std::map<std::string, std::vector<float>> scores;
    for (const auto& l : net.layers) {
        std::vector<float> s(static_cast<size_t>(l.outChannels));
        for (size_t i = 0; i < s.size(); ++i)
            s[i] = static_cast<float>(i + 1);
        scores[l.name] = s;
    }
    GlobalThreshold t;
    t.ratio = 0.25;
    const Plan p = pruneGlobalThreshold(Plan(), scores, t, net.layers, net.groups);
    const PruneSpec& stem = p.spec("stem").prune;
    CHECK(stem.granularity == PruneGranularity::Filter);
    CHECK(p.spec("block1.conv2").prune == stem);
    CHECK(p.spec("dw").prune == stem);
    CHECK_FALSE(p.contains("fc")); // its group is not prunable
}
