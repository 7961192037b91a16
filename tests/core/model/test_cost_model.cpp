// Layers and analytic costs on small graphs whose numbers are worked out by hand here.
#include "ModelBuilder.h"

#include "core/model/CostModel.h"
#include "core/model/Model.h"

#include <catch2/catch.hpp>

using namespace topiary;
using topiary::test::ModelBuilder;

TEST_CASE("layers of the small CNN: kinds, channels, attached BatchNorms", "[layers]")
{
    auto m = Model::fromProto(test::makeSmallCnn(), {});
    REQUIRE(m);
    const auto layers = findLayers(*m);
    REQUIRE(layers.size() == 6);
    CHECK(layers[0].name == "stem");
    CHECK(layers[0].outChannels == 8);
    CHECK(layers[0].inChannels == 1);
    CHECK(m->node(layers[0].batchNorm).name == "stem_bn");
    CHECK(layers[3].name == "dw");
    CHECK(layers[3].isDepthwise());
    CHECK(layers[3].group == 8);
    CHECK(layers[5].kind == LayerKind::Gemm);
    CHECK(layers[5].outChannels == 10);
    CHECK(layers[5].inChannels == 16);
    CHECK(layers[5].batchNorm == -1);
    CHECK(layers[5].bias == "fc.bias");
}

TEST_CASE("params and MACs follow DESIGN.md's definitions", "[cost]")
{
    auto m = Model::fromProto(test::makeSmallCnn(), {});
    REQUIRE(m);
    const CostModel cost(*m);
    // stem: 8 filters of 1x3x3 on 28x28 output
    CHECK(cost.forLayer(0).params == 8 * 9);
    CHECK(cost.forLayer(0).linearMacs == 8 * 28 * 28 * 1 * 9);
    // depthwise, stride 2: 8 x 14 x 14 outputs, each 1 x 3 x 3
    CHECK(cost.forLayer(3).linearMacs == 8 * 14 * 14 * 9);
    // pointwise 8 -> 16 on 14x14
    CHECK(cost.forLayer(4).linearMacs == 16 * 14 * 14 * 8);
    // Gemm 16 -> 10 with bias
    CHECK(cost.forLayer(5).params == 16 * 10 + 10);
    CHECK(cost.forLayer(5).linearMacs == 16 * 10);
    const int64_t convParams = 8 * 9 + 8 * 8 * 9 * 2 + 8 * 9 + 16 * 8 + 170;
    const int64_t bnParams = 2 * (8 + 8 + 8 + 8 + 16);
    CHECK(cost.totals().params == convParams + bnParams);
    CHECK(cost.totals().weightBytes == 4 * (convParams + bnParams));
    CHECK(cost.totals().linearMacs ==
          8 * 28 * 28 * 9 + 2 * 8 * 28 * 28 * 8 * 9 + 8 * 14 * 14 * 9 + 16 * 14 * 14 * 8 + 160);
    CHECK(cost.totals().allMacs() > cost.totals().linearMacs);
}

TEST_CASE("other ops' MACs: pooling, elementwise, BN and activation MatMuls", "[cost]")
{
    ModelBuilder b;
    b.input("q", {1, 4, 6, 8});
    b.input("k", {1, 4, 8, 6});
    b.node("MatMul", {"q", "k"}, {"s"}, "scores");     // 4 x (6x8 @ 8x6) = 4*6*6*8
    b.node("Softmax", {"s"}, {"p"}, "softmax");        // 144 elements
    auto& pool = b.node("MaxPool", {"p"}, {"m"}, "pool");  // 4x3x3 outputs x 2x2 kernel
    test::setAttr(pool, "kernel_shape", std::vector<int64_t>{2, 2});
    test::setAttr(pool, "strides", std::vector<int64_t>{2, 2});
    b.output("m");
    auto m = Model::fromProto(b.build(), {});
    REQUIRE(m);
    const CostModel cost(*m);
    REQUIRE(cost.layers().empty());
    CHECK(cost.nodes()[0].otherMacs == 4 * 6 * 6 * 8);
    CHECK(cost.nodes()[1].otherMacs == 4 * 6 * 6);
    CHECK(cost.nodes()[2].otherMacs == 4 * 3 * 3 * 4);
    CHECK(cost.totals().linearMacs == 0);
}

TEST_CASE("peak activation memory follows tensor lifetimes", "[cost]")
{
    // x -> a -> b -> c, plus x also read by the last node: x stays alive throughout.
    ModelBuilder b;
    b.input("x", {1, 100});
    b.node("Relu", {"x"}, {"a"}, "n0");
    b.node("Relu", {"a"}, {"b"}, "n1");
    b.node("Add", {"b", "x"}, {"c"}, "n2");
    b.output("c");
    auto m = Model::fromProto(b.build(), {});
    REQUIRE(m);
    const CostModel cost(*m);
    // step 1: x, a, b live = 3 tensors of 400 bytes; step 2: x, b, c = 3 tensors.
    CHECK(cost.totals().peakActivationBytes == 3 * 400);
    CHECK(cost.totals().activationBytes == 3 * 400);
    // traffic: n0 400+400, n1 400+400, n2 800+400
    CHECK(cost.totals().trafficBytes == 800 + 800 + 1200);
}

TEST_CASE("Gemm without transB, MatMul with a constant, grouped and transposed convs", "[layers][cost]")
{
    ModelBuilder b;
    b.input("x", {1, 8, 5, 5});
    b.conv("grouped", "x", "g", 8, 16, 3, 2, false);
    b.weight("up.weight", {16, 4, 2, 2});
    auto& up = b.node("ConvTranspose", {"g", "up.weight"}, {"u"}, "up");
    test::setAttr(up, "strides", std::vector<int64_t>{2, 2});
    auto& flat = b.node("Flatten", {"u"}, {"f"}, "flatten");
    test::setAttr(flat, "axis", int64_t{1});
    b.weight("gemm.w", {4 * 10 * 10, 3});
    b.node("Gemm", {"f", "gemm.w"}, {"o1"}, "gemm");
    b.weight("mm.w", {3, 2});
    b.node("MatMul", {"o1", "mm.w"}, {"o2"}, "mm");
    b.output("o2");
    auto m = Model::fromProto(b.build(), {});
    REQUIRE(m);
    const CostModel cost(*m);
    REQUIRE(cost.layers().size() == 4);
    const auto& L = cost.layers();
    CHECK(L[0].group == 2);
    CHECK(L[0].inChannels == 8);
    CHECK(cost.forLayer(0).linearMacs == 16 * 5 * 5 * 4 * 9);
    CHECK(L[1].kind == LayerKind::ConvTranspose);
    CHECK(L[1].outChannels == 4);
    CHECK(cost.forLayer(1).linearMacs == 16 * 5 * 5 * 4 * 4);
    CHECK(L[2].weightTransposed);
    CHECK(L[2].outChannels == 3);
    CHECK(cost.forLayer(2).linearMacs == 400 * 3);
    CHECK(L[3].kind == LayerKind::MatMul);
    CHECK(cost.forLayer(3).linearMacs == 3 * 2);
}

TEST_CASE("weights shared through Identity nodes are resolved and counted per use", "[layers]")
{
    ModelBuilder b;
    b.input("x", {1, 4});
    b.weight("shared", {4, 4});
    b.node("Identity", {"shared"}, {"shared_copy"}, "id");
    b.node("MatMul", {"x", "shared"}, {"a"}, "mm1");
    b.node("MatMul", {"a", "shared_copy"}, {"b"}, "mm2");
    b.output("b");
    auto m = Model::fromProto(b.build(), {});
    REQUIRE(m);
    const CostModel cost(*m);
    REQUIRE(cost.layers().size() == 2);
    CHECK(cost.layers()[1].weight == "shared");
    CHECK(cost.totals().params == 32);
}

TEST_CASE("ops without inputs cost nothing and do not crash (fuzzer finding)", "[cost][hostile]")
{
    ModelBuilder b;
    b.input("x", {1, 4});
    b.node("MatMul", {}, {"m"}, "empty_matmul");
    b.node("GlobalAveragePool", {}, {"g"}, "empty_pool");
    b.node("Relu", {"x"}, {"y"}, "relu");
    b.output("y", {1, 4});
    auto m = Model::fromProto(b.build(), {});
    REQUIRE(m);
    const CostModel cost(*m);
    CHECK(cost.nodes()[0].otherMacs == 0);
    CHECK(cost.nodes()[1].otherMacs == 0);
}
