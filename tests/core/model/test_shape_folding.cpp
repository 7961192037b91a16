// Shape computations (Shape -> Gather -> Div -> Slice, as PyTorch emits for chunk()) are
// folded so that the shapes, and so the costs, downstream of them are known.
#include "ModelBuilder.h"

#include "core/model/CostModel.h"
#include "core/model/Model.h"

#include <catch2/catch.hpp>

#include <climits>

using namespace topiary;
using topiary::test::ModelBuilder;

namespace {
// x[:, :C/2] computed from the runtime shape, then a 1x1 conv on the half.
onnx::ModelProto chunkModel()
{
    ModelBuilder b;
    b.input("x", {1, 8, 4, 4});
    b.node("Shape", {"x"}, {"shape"}, "shape");
    b.int64s("one", {}, {1});
    b.int64s("two", {}, {2});
    b.int64s("zero1d", {1}, {0});
    b.int64s("axis1", {1}, {1});
    auto& g = b.node("Gather", {"shape", "one"}, {"c"}, "gather");
    test::setAttr(g, "axis", int64_t{0});
    b.node("Div", {"c", "two"}, {"half"}, "div");
    b.int64s("zero", {1}, {0});
    auto& u = b.node("Unsqueeze", {"half", "zero"}, {"end"}, "unsqueeze");
    (void)u;
    b.node("Slice", {"x", "zero1d", "end", "axis1"}, {"left"}, "slice");
    b.conv("conv", "left", "y", 4, 6, 1, 1, false);
    b.output("y", {1, 6, 4, 4});
    return b.build();
}
} // namespace

TEST_CASE("a Slice whose ends come from the input's shape gets a known shape", "[shapes]")
{
    auto m = Model::fromProto(chunkModel(), {});
    REQUIRE(m);
    REQUIRE(m->tensor("left"));
    CHECK(m->tensor("left")->shape == std::vector<int64_t>{1, 4, 4, 4});
    const CostModel cost(*m);
    REQUIRE(cost.layers().size() == 1);
    CHECK(cost.forLayer(0).linearMacs == 6 * 16 * 4);
    // the model itself still holds the runtime computation
    CHECK(m->node(m->findNode("div")).opType == "Div");
}

TEST_CASE("a Shape node without inputs is left alone (found by the fuzzer)", "[shapes][hostile]")
{
    ModelBuilder b;
    b.input("x", {1, 4});
    b.node("Shape", {}, {"s"}, "shape");
    b.node("Relu", {"x"}, {"y"}, "relu");
    b.output("y", {1, 4});
    b.output("s", {2}, onnx::TensorProto_DataType_INT64);
    auto m = Model::fromProto(b.build(), {});
    CHECK(m.has_value());
}

TEST_CASE("arithmetic on empty or overflowing constants is not folded (fuzzer finding)", "[shapes][hostile]")
{
    ModelBuilder b;
    b.input("x", {1, 4});
    b.int64s("empty", {0}, {});
    b.int64s("big", {1}, {INT64_MAX});
    b.int64s("two", {1}, {2});
    b.node("Add", {"empty", "two"}, {"e"}, "add_empty");
    b.node("Mul", {"big", "two"}, {"o"}, "mul_overflow");
    b.node("Relu", {"x"}, {"y"}, "relu");
    b.output("y", {1, 4});
    b.output("e", {0}, onnx::TensorProto_DataType_INT64);
    b.output("o", {1}, onnx::TensorProto_DataType_INT64);
    auto m = Model::fromProto(b.build(), {});
    REQUIRE(m.has_value());
    CHECK(m->node(m->findNode("mul_overflow")).opType == "Mul");
}
