// Filter traces on small graphs built in code: which nodes lose what, and at which hop,
// worked out by hand from each graph's wiring.
#include "AnalysedModel.h"
#include "ModelBuilder.h"

#include "core/model/DependencyGroups.h"
#include "core/analysis/FilterTrace.h"
#include "core/model/Layer.h"
#include "core/model/Model.h"

#include <catch2/catch.hpp>

using namespace topiary;
using test::ModelBuilder;
using test::setAttr;

namespace {

struct Traced : test::AnalysedModel {
    FilterTrace trace(const std::string& layerName, int64_t filter) const
    {
        auto t = traceFilter(model, layers, groups, layer(layerName), filter);
        REQUIRE(t.has_value());
        return *t;
    }
    // "name:role:hop:begin-end" per step, the order a test reads best.
    std::vector<std::string> summary(const FilterTrace& t) const
    {
        std::vector<std::string> out;
        for (const auto& s : t.steps)
            out.push_back(model.node(s.node).name + ":" + traceRoleName(s.role) + ":" + std::to_string(s.hop) + ":"
                + std::to_string(s.begin) + "-" + std::to_string(s.end));
        return out;
    }
};

Traced analyse(const onnx::ModelProto& proto)
{
    return Traced { test::analyseModel(proto) };
}

using Lines = std::vector<std::string>;

} // namespace

TEST_CASE("conv -> BN -> ReLU -> conv: the BN channel, then the next conv's input channel", "[trace]")
{
    ModelBuilder b;
    b.input("x", { 1, 3, 8, 8 });
    b.conv("conv1", "x", "y1", 3, 6, 3);
    b.batchNorm("bn1", "y1", "b1", 6);
    b.node("Relu", { "b1" }, { "r1" }, "relu1");
    b.conv("conv2", "r1", "out", 6, 4, 3);
    b.output("out");
    const auto a = analyse(b.build());

    const auto t = a.trace("conv1", 2);
    CHECK(t.prunable);
    CHECK(t.filter == 2);
    CHECK(a.summary(t)
        == Lines { "conv1:filter:0:2-3", "bn1:norm:1:2-3", "relu1:pass-through:2:2-3", "conv2:consumer:3:2-3" });
    CHECK(t.steps[0].axes == std::vector<PrunedAxis> { { "conv1.weight", 0 }, { "conv1.bias", 0 } });
    CHECK(t.steps[0].tensors == std::vector<TraceTensor> { { "y1", 2, 6 } });
    CHECK(t.steps[1].axes
        == std::vector<PrunedAxis> {
            { "bn1.weight", 0 }, { "bn1.bias", 0 }, { "bn1.running_mean", 0 }, { "bn1.running_var", 0 } });
    CHECK(t.steps[1].tensors == std::vector<TraceTensor> { { "b1", 2, 6 } });
    // The consumer loses input channel 2: axis 1 of its [4, 6, 3, 3] weight; the tensor is its input.
    CHECK(t.steps[3].axes == std::vector<PrunedAxis> { { "conv2.weight", 1 } });
    CHECK(t.steps[3].tensors == std::vector<TraceTensor> { { "r1", 2, 6 } });
    CHECK(t.steps[3].layer == a.layer("conv2"));
    CHECK_THAT(t.steps[1].description, Catch::Contains("bn1") && Catch::Contains("channel 2"));
    CHECK_THAT(t.steps[3].description, Catch::Contains("input channel 2"));

    // conv2's own filters reach the graph output: traced, but not prunable.
    const auto last = a.trace("conv2", 0);
    CHECK_FALSE(last.prunable);
    CHECK(a.summary(last) == Lines { "conv2:filter:0:0-1" });

    CHECK_FALSE(traceFilter(a.model, a.layers, a.groups, a.layer("conv1"), 6).has_value());
    CHECK_FALSE(traceFilter(a.model, a.layers, a.groups, 7, 0).has_value());
}

TEST_CASE("a residual Add: the other branch's producer loses the same filter", "[trace]")
{
    // a -> bna --+
    //            Add -> relu -> c
    // b ---------+
    ModelBuilder b;
    b.input("x", { 1, 4, 8, 8 });
    b.conv("a", "x", "ya", 4, 5, 1);
    b.batchNorm("bna", "ya", "na", 5);
    b.conv("b", "x", "yb", 4, 5, 1);
    b.node("Add", { "na", "yb" }, { "s" }, "add");
    b.node("Relu", { "s" }, { "r" }, "relu");
    b.conv("c", "r", "out", 5, 2, 1);
    b.output("out");
    const auto a = analyse(b.build());

    // From a: BN (1), Add (2), then both b (back up the Add's other input) and relu (3), c (4).
    const auto ta = a.trace("a", 3);
    CHECK(a.summary(ta)
        == Lines { "a:filter:0:3-4", "bna:norm:1:3-4", "add:pass-through:2:3-4", "b:partner:3:3-4",
            "relu:pass-through:3:3-4", "c:consumer:4:3-4" });
    CHECK(ta.steps[3].axes == std::vector<PrunedAxis> { { "b.weight", 0 }, { "b.bias", 0 } });
    CHECK(ta.steps[3].layer == a.layer("b"));
    CHECK_THAT(ta.steps[3].description, Catch::Contains("filter 3") && Catch::Contains("residual"));
    CHECK(ta.steps[2].tensors == std::vector<TraceTensor> { { "s", 3, 5 } });

    // Each step says where the channel comes from: b and relu both from the Add.
    const int addNode = a.model.findNode("add");
    CHECK(ta.steps[0].from == -1);
    CHECK(ta.steps[1].from == a.model.findNode("a"));
    CHECK(ta.steps[3].from == addNode);
    CHECK(ta.steps[4].from == addNode);
    CHECK(ta.steps[5].from == a.model.findNode("relu"));

    // From b: the Add is one hop away, a's BN two, a itself three.
    const auto tb = a.trace("b", 1);
    CHECK(a.summary(tb)
        == Lines { "b:filter:0:1-2", "add:pass-through:1:1-2", "bna:norm:2:1-2", "relu:pass-through:2:1-2",
            "a:partner:3:1-2", "c:consumer:3:1-2" });
}

TEST_CASE("Concat: the channel moves by the producer's offset", "[trace]")
{
    ModelBuilder b;
    b.input("x", { 1, 3, 8, 8 });
    b.conv("a", "x", "ya", 3, 4, 3);
    b.conv("b", "x", "yb", 3, 6, 3);
    setAttr(b.node("Concat", { "ya", "yb" }, { "cat" }, "cat"), "axis", int64_t { 1 });
    b.batchNorm("bn", "cat", "catn", 10);
    b.node("Relu", { "catn" }, { "r" }, "relu");
    b.conv("c", "r", "out", 10, 5, 1);
    b.output("out");
    const auto a = analyse(b.build());

    // b's filter 2 is channel 4 + 2 = 6 of the concatenation; a is not touched.
    const auto t = a.trace("b", 2);
    CHECK(a.summary(t)
        == Lines { "b:filter:0:2-3", "cat:pass-through:1:6-7", "bn:norm:2:6-7", "relu:pass-through:3:6-7",
            "c:consumer:4:6-7" });
    CHECK(t.steps[1].tensors == std::vector<TraceTensor> { { "cat", 6, 10 } });
    CHECK(t.steps[4].tensors == std::vector<TraceTensor> { { "r", 6, 10 } });
    CHECK_THAT(t.steps[4].description, Catch::Contains("input channel 6"));

    // a's filter 2 stays channel 2.
    const auto ta = a.trace("a", 2);
    CHECK(a.summary(ta)
        == Lines { "a:filter:0:2-3", "cat:pass-through:1:2-3", "bn:norm:2:2-3", "relu:pass-through:3:2-3",
            "c:consumer:4:2-3" });
}

TEST_CASE("Flatten -> Gemm: one channel is H*W columns", "[trace]")
{
    ModelBuilder b;
    b.input("x", { 1, 2, 6, 6 });
    b.conv("conv", "x", "y", 2, 4, 3, 1, true, 2); // 4 x 3 x 3 output
    b.node("Relu", { "y" }, { "r" }, "relu");
    setAttr(b.node("Flatten", { "r" }, { "flat" }, "flatten"), "axis", int64_t { 1 });
    b.weight("fc.weight", { 36, 5 }); // transB = 0: [in, out], rows are inputs
    b.node("Gemm", { "flat", "fc.weight" }, { "out" }, "fc");
    b.output("out");
    const auto a = analyse(b.build());

    // Channel 1 of a 4 x 3 x 3 tensor is flattened to positions 9..17.
    const auto t = a.trace("conv", 1);
    CHECK(a.summary(t)
        == Lines {
            "conv:filter:0:1-2", "relu:pass-through:1:1-2", "flatten:pass-through:2:1-2", "fc:consumer:3:9-18" });
    const auto& fc = t.steps[3];
    CHECK(fc.channel == 1);
    CHECK(fc.axes == std::vector<PrunedAxis> { { "fc.weight", 0 } });
    CHECK_THAT(fc.description, Catch::Contains("columns 9..17") && Catch::Contains("9 positions"));
}

TEST_CASE("the small CNN: a depthwise conv passes the residual channel on", "[trace]")
{
    // stem -> stem_bn -> relu, the residual block whose conv2 joins it at an Add, then a
    // depthwise conv dw whose filter k goes with channel k (see makeSmallCnn).
    const auto a = analyse(test::makeSmallCnn());
    const auto t = a.trace("stem", 5);
    bool sawDepthwise = false, sawPartner = false;
    int lastHop = 0;
    for (const auto& s : t.steps) {
        CHECK(s.hop >= lastHop);
        lastHop = s.hop;
        const auto& name = a.model.node(s.node).name;
        if (name == "dw") {
            CHECK(s.role == TraceRole::Depthwise);
            CHECK(s.begin == 5);
            sawDepthwise = true;
        }
        if (name == "block1.conv2") {
            CHECK(s.role == TraceRole::Partner);
            CHECK(s.begin == 5);
            sawPartner = true;
        }
        CHECK(name != "block1.bn1"); // a consumer's own outputs are another group's channels
    }
    CHECK(sawDepthwise);
    CHECK(sawPartner);
    CHECK(t.steps.front().role == TraceRole::Filter);
}
