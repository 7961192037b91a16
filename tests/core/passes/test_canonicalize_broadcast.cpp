// The canonicalization passes for broadcasting Add/Sub/Mul/Div that OpenCV 4.6 rejects or
// miscomputes, checked against a direct numpy-style broadcast.
#include "CanonicalizeSupport.h"

#include "core/model/ConstantEvaluator.h"
#include "core/passes/ExpandBroadcastOperands.h"
#include "core/passes/OrderBroadcastOperands.h"
#include "core/passes/RewriteReversedDiv.h"

#include <algorithm>
#include <cmath>
#include <functional>
#include <limits>
#include <string>
#include <vector>

using namespace topiary;
using namespace topiary::test;

// --------------------------------------------------------------------------- broadcasting

namespace {

// x [1,4,3,3] (graph input) OP g, where g is either a second graph input or a constant.
struct BinaryCase {
    std::string op;
    bool gFirst = false;
    bool gConstant = false;
    std::vector<int> gDims;
};

onnx::ModelProto binaryModel(const BinaryCase& c, const cv::Mat& g)
{
    ModelBuilder b;
    b.input("x", { 1, 4, 3, 3 });
    if (c.gConstant)
        b.weight("g", dims64(c.gDims), values(g));
    else
        b.input("g", dims64(c.gDims));
    if (c.gFirst)
        b.node(c.op, { "g", "x" }, { "y" }, c.op + "_0");
    else
        b.node(c.op, { "x", "g" }, { "y" }, c.op + "_0");
    b.output("y", { 1, 4, 3, 3 });
    return b.build();
}

std::function<float(float, float)> opFunction(const std::string& op)
{
    if (op == "Add")
        return [](float a, float b) { return a + b; };
    if (op == "Sub")
        return [](float a, float b) { return a - b; };
    if (op == "Mul")
        return [](float a, float b) { return a * b; };
    return [](float a, float b) { return a / b; };
}

// How far OpenCV's result is from a direct computation; +inf if it fails.
float binaryError(const BinaryCase& c, bool canonicalize)
{
    const cv::Mat x = ramp({ 1, 4, 3, 3 });
    const cv::Mat g = ramp(c.gDims, 0.05f, 0.3f);
    Inputs in { { "x", x } };
    if (!c.gConstant)
        in.emplace_back("g", g);
    auto y = runOpenCv(binaryModel(c, g), in, canonicalize);
    if (!y || y->total() != 36)
        return INFINITY;
    const auto expected = c.gFirst
        ? broadcastReference(opFunction(c.op), values(g), c.gDims, values(x), { 1, 4, 3, 3 })
        : broadcastReference(opFunction(c.op), values(x), { 1, 4, 3, 3 }, values(g), c.gDims);
    return maxAbsDiff(values(*y), expected);
}

std::string describe(const BinaryCase& c)
{
    std::string dims;
    for (int d : c.gDims)
        dims += (dims.empty() ? "" : ",") + std::to_string(d);
    return c.op + (c.gFirst ? "(g, x)" : "(x, g)") + " with " + (c.gConstant ? "constant" : "computed") + " g [" + dims
        + "]";
}

} // namespace

TEST_CASE("rewriteReversedDiv: Div with the broadcast operand as numerator", "[canonicalize]")
{
    QuietOpenCv quiet;
    // OpenCV 4.6 imports these without complaint and computes x / g instead of g / x.
    const std::vector<BinaryCase> cases {
        { "Div", true, true, { 1, 4, 1, 1 } },
        { "Div", true, true, { 1, 4, 3, 3 } },
        { "Div", true, false, { 1, 4, 1, 1 } },
        { "Div", true, false, { 1, 1, 3, 3 } },
    };
    for (const auto& c : cases) {
        INFO(describe(c));
        CHECK(binaryError(c, false) > 0.1f);
        // Multiplying by a reciprocal rounds twice, as OpenCV's own x / g does.
        CHECK(binaryError(c, true) < 1e-5f);
    }

    onnx::ModelProto m = binaryModel(cases[0], ramp({ 1, 4, 1, 1 }));
    rewriteReversedDiv(m);
    REQUIRE(m.graph().node_size() == 2);
    CHECK(m.graph().node(0).op_type() == "Reciprocal");
    CHECK(m.graph().node(1).op_type() == "Mul");
}

TEST_CASE("orderBroadcastOperands: Add/Sub of two computed tensors, smaller one first", "[canonicalize]")
{
    QuietOpenCv quiet;
    const std::vector<BinaryCase> cases {
        { "Add", true, false, { 1, 4, 1, 1 } },
        { "Add", true, false, { 4, 3, 3 } },
        { "Sub", true, false, { 1, 4, 1, 1 } },
        { "Sub", true, false, { 1, 4, 3, 1 } },
    };
    for (const auto& c : cases) {
        INFO(describe(c));
        CHECK(binaryError(c, false) == INFINITY);
        CHECK(binaryError(c, true) == 0.0f);
    }

    onnx::ModelProto m = binaryModel(cases[2], ramp({ 1, 4, 1, 1 }));
    orderBroadcastOperands(m);
    REQUIRE(m.graph().node_size() == 2);
    CHECK(m.graph().node(0).op_type() == "Neg");
    CHECK(m.graph().node(1).op_type() == "Add");
    CHECK(m.graph().node(1).input(1) == "g");
}

TEST_CASE("expandBroadcastOperands: broadcasts other than per channel", "[canonicalize]")
{
    QuietOpenCv quiet;
    const std::vector<BinaryCase> cases {
        { "Add", false, true, { 1, 1, 3, 3 } }, // a constant spatial map
        { "Mul", false, true, { 1, 1, 3, 3 } }, { "Mul", true, true, { 3 } }, // a constant along the last axis
        { "Div", false, true, { 3 } }, { "Add", false, false, { 1, 1, 3, 3 } }, // a computed spatial map
        { "Add", false, false, { 1, 1, 1, 1 } }, // a computed scalar
        { "Mul", false, false, { 1, 1, 1, 1 } }, { "Div", false, false, { 1 } },
        { "Sub", true, false, { 1, 1, 3, 3 } }, // with orderBroadcastOperands
    };
    for (const auto& c : cases) {
        INFO(describe(c));
        CHECK(binaryError(c, false) == INFINITY);
        CHECK(binaryError(c, true) == (c.op == "Div" ? Approx(0.0).margin(1e-5) : Approx(0.0)));
    }

    SECTION("a constant is tiled to the full shape")
    {
        onnx::ModelProto m = binaryModel(cases[0], ramp({ 1, 1, 3, 3 }));
        expandBroadcastOperands(m);
        REQUIRE(m.graph().initializer_size() == 2);
        const auto& tiled = m.graph().initializer(1);
        CHECK(std::vector<int64_t>(tiled.dims().begin(), tiled.dims().end()) == std::vector<int64_t> { 1, 4, 3, 3 });
        CHECK(m.graph().node(0).input(1) == tiled.name());
    }
    SECTION("a computed scalar goes through two Expands OpenCV supports")
    {
        onnx::ModelProto m = binaryModel(cases[5], ramp({ 1, 1, 1, 1 }));
        expandBroadcastOperands(m);
        CHECK(countOps(m, "Expand") == 2);
    }
    SECTION("per-channel operands are left to OpenCV")
    {
        onnx::ModelProto m = binaryModel({ "Add", false, false, { 1, 4, 1, 1 } }, ramp({ 1, 4, 1, 1 }));
        const std::string before = m.SerializeAsString();
        expandBroadcastOperands(m);
        CHECK(m.SerializeAsString() == before);
    }
}

TEST_CASE("broadcasts OpenCV 4.6 already handles stay exact after canonicalization", "[canonicalize]")
{
    for (const char* op : { "Add", "Sub", "Mul", "Div" }) {
        for (bool gFirst : { false, true }) {
            for (bool constant : { false, true }) {
                for (const auto& dims : std::vector<std::vector<int>> { { 1, 4, 1, 1 }, { 1, 4, 3, 3 }, { 4, 1, 1 } }) {
                    const BinaryCase c { op, gFirst, constant, dims };
                    INFO(describe(c));
                    CHECK(binaryError(c, true) == Approx(0.0).margin(std::string(op) == "Div" ? 1e-5 : 0.0));
                }
            }
        }
    }
}

TEST_CASE("squeeze-and-excitation: Mul of a [1,C,1,1] gate and the feature map", "[canonicalize]")
{
    // EfficientNet's block: x * sigmoid(conv(avgpool(x))), gate first as torchvision writes it.
    ModelBuilder b;
    b.input("x", { 1, 4, 5, 5 });
    b.node("GlobalAveragePool", { "x" }, { "pooled" }, "pool");
    b.conv("fc", "pooled", "fc_out", 4, 4, 1);
    b.node("Sigmoid", { "fc_out" }, { "gate" }, "sigmoid");
    b.node("Mul", { "gate", "x" }, { "y" }, "scale");
    b.output("y", { 1, 4, 5, 5 });
    const cv::Mat x = ramp({ 1, 4, 5, 5 });

    // Direct computation: 1x1 conv weights and biases as ModelBuilder generates them.
    const auto v = values(x);
    const onnx::ModelProto model = b.build();
    const auto w = readConstant(model.graph().initializer(0));
    const auto bias = readConstant(model.graph().initializer(1));
    REQUIRE(w);
    REQUIRE(bias);
    std::vector<float> mean(4, 0.0f), expected(v.size());
    for (size_t c = 0; c < 4; ++c) {
        for (size_t i = 0; i < 25; ++i)
            mean[c] += v[c * 25 + i];
        mean[c] /= 25.0f;
    }
    for (size_t o = 0; o < 4; ++o) {
        double z = bias->reals[o];
        for (size_t c = 0; c < 4; ++c)
            z += w->reals[o * 4 + c] * mean[c];
        const double gate = 1.0 / (1.0 + std::exp(-z));
        for (size_t i = 0; i < 25; ++i)
            expected[o * 25 + i] = static_cast<float>(gate * v[o * 25 + i]);
    }
    auto y = runOpenCv(model, { { "x", x } }, true);
    REQUIRE(y);
    CHECK(maxAbsDiff(values(*y), expected) < 1e-6f);
}
