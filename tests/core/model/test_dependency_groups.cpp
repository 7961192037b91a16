// Dependency groups on small graphs built in code, one coupling rule per test.
#include "AnalysedModel.h"
#include "ModelBuilder.h"

#include "core/model/DependencyGroups.h"
#include "core/model/Layer.h"
#include "core/model/Model.h"

#include <catch2/catch.hpp>

#include <algorithm>

using namespace topiary;
using test::ModelBuilder;
using test::setAttr;

namespace {

struct Analysed : test::AnalysedModel {
    const DependencyGroup& groupOf(const std::string& name) const
    {
        const int g = producerGroupOf(groups, layer(name));
        REQUIRE(g >= 0);
        return groups[static_cast<size_t>(g)];
    }
    std::vector<std::string> names(const std::vector<int>& layerIndices) const
    {
        std::vector<std::string> out;
        for (int l : layerIndices)
            out.push_back(layers[static_cast<size_t>(l)].name);
        return out;
    }
    const GroupMember& member(const DependencyGroup& g, const std::string& nodeName, MemberRole role) const
    {
        for (const auto& m : g.members)
            if (model.node(m.node).name == nodeName && m.role == role)
                return m;
        FAIL("no " << memberRoleName(role) << " member " << nodeName);
        return g.members.front();
    }
};

Analysed analyse(const onnx::ModelProto& proto)
{
    return Analysed { test::analyseModel(proto) };
}

using Names = std::vector<std::string>;

} // namespace

TEST_CASE("the small CNN: residual Add, BN, depthwise pass-through, GAP + Flatten + Gemm", "[dependency]")
{
    const auto a = analyse(test::makeSmallCnn());
    REQUIRE(a.groups.size() == 4);

    // The stem's channels meet block1.conv2's at the residual Add and pass through dw.
    const auto& res = a.groupOf("stem");
    CHECK(res.prunable);
    CHECK(res.channels == 8);
    CHECK(a.names(res.producers) == Names { "stem", "block1.conv2", "dw" });
    CHECK(a.names(res.consumers) == Names { "block1.conv1", "pw" });
    CHECK(res.norms.size() == 3);
    CHECK(&a.groupOf("block1.conv2") == &res);
    CHECK(&a.groupOf("dw") == &res);
    const auto& dw = a.member(res, "dw", MemberRole::Depthwise);
    CHECK(dw.axes == std::vector<PrunedAxis> { { "dw.weight", 0 } });
    const auto& bn = a.member(res, "stem_bn", MemberRole::Norm);
    CHECK(bn.axes
        == std::vector<PrunedAxis> { { "stem_bn.weight", 0 }, { "stem_bn.bias", 0 }, { "stem_bn.running_mean", 0 },
            { "stem_bn.running_var", 0 } });
    CHECK(a.member(res, "pw", MemberRole::Consumer).axes == std::vector<PrunedAxis> { { "pw.weight", 1 } });

    const auto& inner = a.groupOf("block1.conv1");
    CHECK(inner.prunable);
    CHECK(a.names(inner.consumers) == Names { "block1.conv2" });

    // pw -> BN -> ReLU -> GAP -> Flatten -> fc: one column per channel (H = W = 1).
    const auto& pw = a.groupOf("pw");
    CHECK(pw.prunable);
    const auto& fc = a.member(pw, "fc", MemberRole::Consumer);
    CHECK(fc.stride == 1);
    CHECK(fc.axes == std::vector<PrunedAxis> { { "fc.weight", 1 } }); // transB=1: [out, in]

    // The classifier's outputs are the graph output.
    const auto& cls = a.groupOf("fc");
    CHECK_FALSE(cls.prunable);
    CHECK_THAT(cls.reason, Catch::Contains("graph output"));
    CHECK(a.member(cls, "fc", MemberRole::Producer).axes
        == std::vector<PrunedAxis> { { "fc.weight", 0 }, { "fc.bias", 0 } });

    const auto lookup = producerGroupOfLayers(a.groups, a.layers.size());
    for (size_t i = 0; i < a.layers.size(); ++i)
        CHECK(lookup[i] == producerGroupOf(a.groups, static_cast<int>(i)));
}

TEST_CASE("Concat shifts a consumer's input channels by the producer's offset", "[dependency]")
{
    ModelBuilder b;
    b.input("x", { 1, 3, 8, 8 });
    b.conv("a", "x", "ya", 3, 4, 3);
    b.conv("b", "x", "yb", 3, 6, 3);
    auto& cat = b.node("Concat", { "ya", "yb" }, { "cat" }, "cat");
    setAttr(cat, "axis", int64_t { 1 });
    b.batchNorm("bn", "cat", "catn", 10); // a BN after the Concat, as in DenseNet
    b.node("Relu", { "catn" }, { "r" }, "relu");
    b.conv("c", "r", "out", 10, 5, 1);
    b.output("out");
    const auto a = analyse(b.build());

    const auto& ga = a.groupOf("a");
    const auto& gb = a.groupOf("b");
    REQUIRE(&ga != &gb);
    CHECK(ga.prunable);
    CHECK(gb.prunable);
    CHECK(ga.channels == 4);
    CHECK(gb.channels == 6);
    const auto& ca = a.member(ga, "c", MemberRole::Consumer);
    const auto& cb = a.member(gb, "c", MemberRole::Consumer);
    CHECK(ca.offset == 0);
    CHECK(cb.offset == 4);
    const std::vector<int64_t> prune { 0, 2 };
    CHECK(cb.prunedIndices(prune) == std::vector<int64_t> { 4, 6 });
    CHECK(ca.prunedIndices(prune) == std::vector<int64_t> { 0, 2 });
    CHECK(a.member(gb, "bn", MemberRole::Norm).prunedIndices(prune) == std::vector<int64_t> { 4, 6 });
    // c's own outputs are the graph output.
    CHECK_FALSE(a.groupOf("c").prunable);
}

TEST_CASE("Flatten before a Gemm widens each channel to H*W columns", "[dependency]")
{
    for (const bool asReshape : { false, true }) {
        INFO((asReshape ? "Reshape" : "Flatten"));
        ModelBuilder b;
        b.input("x", { 1, 2, 6, 6 });
        b.conv("conv", "x", "y", 2, 4, 3, 1, true, 2); // 4 x 3 x 3
        b.node("Relu", { "y" }, { "r" }, "relu");
        if (asReshape) {
            b.int64s("shape", { 2 }, { 1, 36 });
            b.node("Reshape", { "r", "shape" }, { "flat" }, "reshape");
        } else {
            setAttr(b.node("Flatten", { "r" }, { "flat" }, "flatten"), "axis", int64_t { 1 });
        }
        b.weight("fc.weight", { 36, 5 }); // transB = 0: [in, out]
        b.node("Gemm", { "flat", "fc.weight" }, { "out" }, "fc");
        b.output("out");
        const auto a = analyse(b.build());
        const auto& g = a.groupOf("conv");
        CHECK(g.prunable);
        const auto& fc = a.member(g, "fc", MemberRole::Consumer);
        CHECK(fc.stride == 9);
        CHECK(fc.axes == std::vector<PrunedAxis> { { "fc.weight", 0 } });
        const std::vector<int64_t> prune { 1 };
        CHECK(fc.prunedIndices(prune) == std::vector<int64_t> { 9, 10, 11, 12, 13, 14, 15, 16, 17 });
        if (asReshape) // the literal 36 in the shape must be recomputed
            CHECK(a.member(g, "reshape", MemberRole::Reshape).axes.empty());
    }
}

TEST_CASE(
    "an SE block couples the squeeze conv's inputs and the expand conv's outputs to the main path", "[dependency]")
{
    ModelBuilder b;
    b.input("x", { 1, 3, 8, 8 });
    b.conv("main", "x", "m", 3, 8, 3);
    b.node("Sigmoid", { "m" }, { "ms" }, "act_sig");
    b.node("Mul", { "m", "ms" }, { "ma" }, "act_mul"); // SiLU
    b.node("GlobalAveragePool", { "ma" }, { "p" }, "gap");
    b.conv("squeeze", "p", "s", 8, 2, 1);
    b.node("Relu", { "s" }, { "sr" }, "se_relu");
    b.conv("expand", "sr", "e", 2, 8, 1);
    b.node("Sigmoid", { "e" }, { "es" }, "se_sig");
    b.node("Mul", { "es", "ma" }, { "scaled" }, "se_mul");
    b.conv("project", "scaled", "out", 8, 4, 1);
    b.output("out");
    const auto a = analyse(b.build());

    const auto& g = a.groupOf("main");
    CHECK(g.prunable);
    CHECK(a.names(g.producers) == Names { "main", "expand" });
    CHECK(a.names(g.consumers) == Names { "squeeze", "project" });
    CHECK(a.member(g, "expand", MemberRole::Producer).axes
        == std::vector<PrunedAxis> { { "expand.weight", 0 }, { "expand.bias", 0 } });
    const auto& sq = a.groupOf("squeeze");
    CHECK(sq.prunable);
    CHECK(a.names(sq.consumers) == Names { "expand" });
}

TEST_CASE("a channel shuffle (Reshape, Transpose, Reshape) is not prunable, with the reason", "[dependency]")
{
    ModelBuilder b;
    b.input("x", { 1, 3, 4, 4 });
    b.conv("conv", "x", "y", 3, 8, 3);
    b.int64s("s5", { 5 }, { 1, 2, 4, 4, 4 });
    b.node("Reshape", { "y", "s5" }, { "y5" }, "shuffle_reshape");
    setAttr(
        b.node("Transpose", { "y5" }, { "t5" }, "shuffle_transpose"), "perm", std::vector<int64_t> { 0, 2, 1, 3, 4 });
    b.int64s("s4", { 4 }, { 1, -1, 4, 4 });
    b.node("Reshape", { "t5", "s4" }, { "z" }, "shuffle_back");
    b.conv("dw", "z", "d", 8, 8, 3, 8);
    b.conv("next", "d", "n", 8, 6, 1);
    b.node("Relu", { "n" }, { "out" }, "relu");
    b.conv("head", "out", "h", 6, 2, 1);
    b.output("h");
    const auto a = analyse(b.build());

    const auto& g = a.groupOf("conv");
    CHECK_FALSE(g.prunable);
    CHECK_THAT(g.reason, Catch::Contains("Reshape 'shuffle_reshape'"));
    // The depthwise conv after the shuffle still has a group: fixed channels, not prunable.
    const auto& d = a.groupOf("dw");
    CHECK_FALSE(d.prunable);
    CHECK_THAT(d.reason, Catch::Contains("shuffle_back"));
    CHECK(a.groupOf("next").prunable);
}

TEST_CASE("channels that reach an op the analysis does not know are not prunable", "[dependency]")
{
    ModelBuilder b;
    b.input("x", { 1, 3, 4, 4 });
    b.conv("conv", "x", "y", 3, 8, 3);
    auto& lrn = b.node("LRN", { "y" }, { "l" }, "lrn");
    setAttr(lrn, "size", int64_t { 3 });
    b.conv("next", "l", "out", 8, 4, 1);
    b.output("out");
    const auto a = analyse(b.build());
    const auto& g = a.groupOf("conv");
    CHECK_FALSE(g.prunable);
    CHECK_THAT(g.reason, Catch::Contains("LRN 'lrn'"));
}

TEST_CASE("a per-channel constant operand loses the pruned channels; a scalar does not", "[dependency]")
{
    ModelBuilder b;
    b.input("x", { 1, 3, 4, 4 });
    b.conv("conv", "x", "y", 3, 4, 3);
    b.weight("scale", { 4, 1, 1 });
    b.node("Mul", { "y", "scale" }, { "ys" }, "mul");
    b.weight("shift", { 1 });
    b.node("Add", { "ys", "shift" }, { "yt" }, "add");
    b.weight("slope", { 4, 1, 1 });
    b.node("PRelu", { "yt", "slope" }, { "yp" }, "prelu");
    b.conv("next", "yp", "out", 4, 2, 1);
    b.output("out");
    const auto a = analyse(b.build());
    const auto& g = a.groupOf("conv");
    CHECK(g.prunable);
    CHECK(a.member(g, "mul", MemberRole::Elementwise).axes == std::vector<PrunedAxis> { { "scale", 0 } });
    CHECK(a.member(g, "prelu", MemberRole::Elementwise).axes == std::vector<PrunedAxis> { { "slope", 0 } });
    CHECK(std::none_of(
        g.members.begin(), g.members.end(), [&](const GroupMember& m) { return a.model.node(m.node).name == "add"; }));
}

TEST_CASE("a depthwise conv over a Concat puts both producers in one group, side by side", "[dependency]")
{
    ModelBuilder b;
    b.input("x", { 1, 3, 4, 4 });
    b.conv("a", "x", "ya", 3, 4, 1);
    b.conv("b", "x", "yb", 3, 2, 1);
    setAttr(b.node("Concat", { "ya", "yb" }, { "cat" }, "cat"), "axis", int64_t { 1 });
    b.conv("dw", "cat", "d", 6, 6, 3, 6);
    b.conv("pw", "d", "out", 6, 3, 1);
    b.output("out");
    const auto a = analyse(b.build());
    const auto& g = a.groupOf("dw");
    CHECK(g.prunable);
    CHECK(g.channels == 6);
    CHECK(a.names(g.producers) == Names { "a", "b", "dw" });
    // Group channel k is one channel of a or of b, and channel k' of dw and pw, consistently.
    for (int64_t k = 0; k < g.channels; ++k) {
        int64_t dwChannel = -1, pwChannel = -1, sources = 0;
        for (const auto& m : g.members) {
            if (!m.covers(k))
                continue;
            const std::string& n = a.model.node(m.node).name;
            if (n == "dw")
                dwChannel = m.channelOf(k);
            else if (n == "pw")
                pwChannel = m.channelOf(k);
            else if (m.role == MemberRole::Producer)
                ++sources;
        }
        CHECK(sources == 1);
        CHECK(dwChannel >= 0);
        CHECK(dwChannel == pwChannel);
    }
}

TEST_CASE("channels coupled two contradicting ways make the group not prunable", "[dependency]")
{
    // cat = [a, a]; cat + b couples a's channel 0 with b's channels 0 and 2.
    ModelBuilder b;
    b.input("x", { 1, 3, 4, 4 });
    b.conv("a", "x", "ya", 3, 2, 1);
    setAttr(b.node("Concat", { "ya", "ya" }, { "cat" }, "cat"), "axis", int64_t { 1 });
    b.conv("b", "x", "yb", 3, 4, 1);
    b.node("Add", { "cat", "yb" }, { "sum" }, "add");
    b.conv("c", "sum", "out", 4, 2, 1);
    b.output("out");
    const auto a = analyse(b.build());
    const auto& g = a.groupOf("a");
    CHECK(&g == &a.groupOf("b"));
    CHECK_FALSE(g.prunable);
    CHECK_THAT(g.reason, Catch::Contains("contradicting"));
}

TEST_CASE("Gemm chains, ReduceMean over space, Softmax over channels", "[dependency]")
{
    ModelBuilder b;
    b.input("x", { 1, 3, 4, 4 });
    b.conv("conv", "x", "y", 3, 6, 3);
    b.node("Relu", { "y" }, { "r" }, "relu");
    auto& mean = b.node("ReduceMean", { "r" }, { "m" }, "mean"); // ShuffleNet's tail
    setAttr(mean, "axes", std::vector<int64_t> { 2, 3 });
    setAttr(mean, "keepdims", int64_t { 0 });
    b.weight("fc1.weight", { 5, 6 });
    b.weight("fc1.bias", { 5 });
    setAttr(b.node("Gemm", { "m", "fc1.weight", "fc1.bias" }, { "h" }, "fc1"), "transB", int64_t { 1 });
    b.node("Relu", { "h" }, { "hr" }, "relu2");
    b.weight("fc2.weight", { 5, 3 });
    b.node("Gemm", { "hr", "fc2.weight" }, { "logits" }, "fc2");
    setAttr(b.node("Softmax", { "logits" }, { "prob" }, "softmax"), "axis", int64_t { 1 });
    b.output("prob");
    const auto a = analyse(b.build());
    const auto& g = a.groupOf("conv");
    CHECK(g.prunable);
    CHECK(a.member(g, "fc1", MemberRole::Consumer).axes == std::vector<PrunedAxis> { { "fc1.weight", 1 } });
    const auto& h = a.groupOf("fc1");
    CHECK(h.prunable);
    CHECK(a.member(h, "fc1", MemberRole::Producer).axes
        == std::vector<PrunedAxis> { { "fc1.weight", 0 }, { "fc1.bias", 0 } });
    CHECK(a.member(h, "fc2", MemberRole::Consumer).axes == std::vector<PrunedAxis> { { "fc2.weight", 0 } });
    const auto& out = a.groupOf("fc2");
    CHECK_FALSE(out.prunable);
    CHECK_THAT(out.reason, Catch::Contains("Softmax"));
}

TEST_CASE("group scores reduce the producers' filter scores channel by channel", "[dependency]")
{
    const auto a = analyse(test::makeSmallCnn());
    const auto& g = a.groupOf("stem");
    const std::map<std::string, std::vector<float>> scores { { "stem", { 1, 2, 3, 4, 5, 6, 7, 8 } },
        { "block1.conv2", { 3, 2, 1, 0, 0, 0, 0, 0 } }, { "unrelated", { 9 } } };
    const auto mean = groupScores(g, a.layers, scores, ScoreReduction::Mean);
    CHECK(mean == std::vector<float> { 2, 2, 2, 2, 2.5f, 3, 3.5f, 4 });
    const auto sum = groupScores(g, a.layers, scores, ScoreReduction::Sum);
    CHECK(sum == std::vector<float> { 4, 4, 4, 4, 5, 6, 7, 8 });
    const auto max = groupScores(g, a.layers, scores, ScoreReduction::Max);
    CHECK(max == std::vector<float> { 3, 2, 3, 4, 5, 6, 7, 8 });
}

TEST_CASE("kept channels round up to a multiple, within the layer", "[dependency]")
{
    CHECK(roundKeptChannels(64, 45, 8) == 48);
    CHECK(roundKeptChannels(64, 48, 8) == 48);
    CHECK(roundKeptChannels(64, 1, 8) == 8);
    CHECK(roundKeptChannels(60, 59, 8) == 60);
    CHECK(roundKeptChannels(6, 2, 8) == 6);
    CHECK(roundKeptChannels(64, 0, 1) == 1);
    CHECK(roundKeptChannels(64, 45, 0) == 45);
}
