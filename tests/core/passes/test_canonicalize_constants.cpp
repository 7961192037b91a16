// The canonicalization passes that fold constants (Identity, Constant nodes, Clip inputs,
// Gemm scalars, shape arithmetic) on small graphs with the exporter quirk each exists for:
// OpenCV 4.6 rejects or miscomputes the original and runs the canonical model exactly.
#include "CanonicalizeSupport.h"

#include "core/passes/OpenCvCanonicalizer.h"
#include "core/passes/ClipInputsToAttributes.h"
#include "core/model/ConstantEvaluator.h"
#include "core/passes/EliminateDeadCode.h"
#include "core/passes/FoldConstantNodes.h"
#include "core/passes/FoldGemmScalars.h"
#include "core/passes/FoldIdentityOnConstants.h"
#include "core/passes/FoldShapeComputations.h"

#include <algorithm>
#include <cmath>
#include <functional>
#include <limits>
#include <string>
#include <vector>

using namespace topiary;
using namespace topiary::test;

// --------------------------------------------------------------------------- Identity

TEST_CASE("foldIdentityOnConstants: Identity on a weight, as PyTorch's de-duplication emits it", "[canonicalize]")
{
    QuietOpenCv quiet;
    auto build = [](bool quirk) {
        ModelBuilder b;
        b.input("x", { 1, 3, 8, 8 });
        b.weight("w", { 4, 3, 3, 3 });
        b.weight("bias", { 4 });
        std::string w = "w", bias = "bias";
        if (quirk) { // a chain, as when a de-duplicated tensor is itself an alias
            b.node("Identity", { "w" }, { "w_alias" }, "Identity_0");
            b.node("Identity", { "w_alias" }, { "w_alias2" }, "Identity_1");
            b.node("Identity", { "bias" }, { "bias_alias" }, "Identity_2");
            w = "w_alias2";
            bias = "bias_alias";
        }
        auto& conv = b.node("Conv", { "x", w, bias }, { "c" }, "conv");
        test::setAttr(conv, "kernel_shape", std::vector<int64_t> { 3, 3 });
        test::setAttr(conv, "pads", std::vector<int64_t> { 1, 1, 1, 1 });
        b.node("Identity", { "c" }, { "y" }, "activation_identity"); // on a computed tensor: kept
        b.output("y", { 1, 4, 8, 8 });
        return b.build();
    };
    const auto quirky = build(true);
    const Inputs in { { "x", ramp({ 1, 3, 8, 8 }) } };

    auto rejected = OpenCvNet::createWithoutCanonicalizing(quirky);
    REQUIRE_FALSE(rejected);
    CHECK_THAT(rejected.error().message, Catch::Contains("Identity_0") && Catch::Contains("(Identity)"));

    onnx::ModelProto folded = quirky;
    foldIdentityOnConstants(folded);
    CHECK(countOps(folded, "Identity") == 1);
    CHECK(folded.graph().node(0).input(1) == "w");

    auto expected = runOpenCv(build(false), in, false);
    auto actual = runOpenCv(quirky, in, true);
    REQUIRE(expected);
    REQUIRE(actual);
    CHECK(maxAbsDiff(values(*actual), values(*expected)) == 0.0f);
}

TEST_CASE("foldIdentityOnConstants keeps a graph output that is an Identity of a constant", "[canonicalize]")
{
    ModelBuilder b;
    b.input("x", { 1, 2 });
    b.weight("c", { 1, 2 }, { 3.0f, 4.0f });
    b.node("Identity", { "c" }, { "c_out" }, "Identity_0");
    b.node("Add", { "x", "c" }, { "y" }, "add");
    b.output("y", { 1, 2 });
    b.output("c_out", { 1, 2 });
    onnx::ModelProto m = b.build();
    foldIdentityOnConstants(m);
    CHECK(countOps(m, "Identity") == 0);
    const onnx::TensorProto* out = nullptr;
    for (const auto& t : m.graph().initializer())
        if (t.name() == "c_out")
            out = &t;
    REQUIRE(out);
    CHECK(out->raw_data() == m.graph().initializer(0).raw_data());
}

// --------------------------------------------------------------------------- Constant nodes

TEST_CASE("foldConstantNodes: every Constant form becomes an initializer", "[canonicalize]")
{
    ModelBuilder b;
    b.input("x", { 1, 2, 2, 2 });
    auto& c1 = b.node("Constant", {}, { "c_tensor" }, "Constant_0");
    test::setAttr(c1, "value", floatTensor({ 1, 2, 1, 1 }, { 0.5f, -2.0f }));
    auto& c2 = b.node("Constant", {}, { "c_float" }, "Constant_1");
    test::setAttr(c2, "value_float", 3.0f);
    auto& c3 = b.node("Constant", {}, { "c_ints" }, "Constant_2");
    test::setAttr(c3, "value_ints", std::vector<int64_t> { 1, 8 });
    b.node("Mul", { "x", "c_tensor" }, { "m" }, "mul");
    b.node("Add", { "m", "c_float" }, { "a" }, "add");
    b.node("Reshape", { "a", "c_ints" }, { "y" }, "reshape");
    b.output("y", { 1, 8 });
    const onnx::ModelProto original = b.build();

    onnx::ModelProto m = original;
    foldConstantNodes(m);
    CHECK(countOps(m, "Constant") == 0);
    REQUIRE(m.graph().initializer_size() == 3);
    CHECK(m.graph().initializer(1).name() == "c_float");

    const cv::Mat x = ramp({ 1, 2, 2, 2 });
    std::vector<float> expected;
    for (size_t i = 0; i < 8; ++i)
        expected.push_back(values(x)[i] * (i < 4 ? 0.5f : -2.0f) + 3.0f);
    auto y = runOpenCv(original, { { "x", x } }, true);
    REQUIRE(y);
    CHECK(dimsOf(*y) == std::vector<int> { 1, 8 });
    CHECK(maxAbsDiff(values(*y), expected) < 1e-6f); // OpenCV may fuse the Mul and Add
}

// --------------------------------------------------------------------------- Clip

TEST_CASE("clipInputsToAttributes: Clip with min/max as inputs (opset >= 11)", "[canonicalize]")
{
    QuietOpenCv quiet;
    const cv::Mat x = ramp({ 1, 4, 3, 3 });
    auto clamp = [&x](float lo, float hi) {
        std::vector<float> v = values(x);
        for (auto& e : v)
            e = std::clamp(e, lo, hi);
        return v;
    };

    SECTION("both bounds, from Constant nodes as PyTorch exports ReLU6")
    {
        ModelBuilder b;
        b.input("x", { 1, 4, 3, 3 });
        auto& lo = b.node("Constant", {}, { "lo" }, "Constant_0");
        test::setAttr(lo, "value", floatTensor({}, { -0.25f }));
        auto& hi = b.node("Constant", {}, { "hi" }, "Constant_1");
        test::setAttr(hi, "value", floatTensor({}, { 0.5f }));
        b.node("Clip", { "x", "lo", "hi" }, { "y" }, "Clip_5");
        b.output("y", { 1, 4, 3, 3 });
        const onnx::ModelProto original = b.build();

        auto rejected = runOpenCv(original, { { "x", x } }, false);
        REQUIRE_FALSE(rejected);
        CHECK_THAT(rejected.error().message, Catch::StartsWith("OpenCV cannot import node 'Clip_5' (Clip)"));

        auto canonical = canonicalizeForOpenCv(original);
        REQUIRE(canonical);
        REQUIRE(countOps(*canonical, "Clip") == 1);
        CHECK(canonical->graph().node(0).input_size() == 1);

        auto y = runOpenCv(original, { { "x", x } }, true);
        REQUIRE(y);
        CHECK(maxAbsDiff(values(*y), clamp(-0.25f, 0.5f)) == 0.0f);
    }
    SECTION("only max: min is an omitted optional input")
    {
        ModelBuilder b;
        b.input("x", { 1, 4, 3, 3 });
        b.weight("hi", {}, { 0.5f });
        b.node("Clip", { "x", "", "hi" }, { "y" }, "clip");
        b.output("y", { 1, 4, 3, 3 });
        REQUIRE_FALSE(runOpenCv(b.build(), { { "x", x } }, false));
        auto y = runOpenCv(b.build(), { { "x", x } }, true);
        REQUIRE(y);
        CHECK(maxAbsDiff(values(*y), clamp(-INFINITY, 0.5f)) == 0.0f);
    }
    SECTION("computed bounds are left alone")
    {
        ModelBuilder b;
        b.input("x", { 1, 4, 3, 3 });
        b.input("lo", {});
        b.node("Clip", { "x", "lo" }, { "y" }, "clip");
        b.output("y", { 1, 4, 3, 3 });
        onnx::ModelProto m = b.build();
        clipInputsToAttributes(m);
        CHECK(m.graph().node(0).input_size() == 2);
        CHECK(m.graph().node(0).attribute_size() == 0);
    }
}

TEST_CASE("foldGemmScalars: alpha and beta, which OpenCV ignores", "[canonicalize]")
{
    QuietOpenCv quiet;
    // y = 2 * x * W^T + 0.5 * c, x 1x3, W 2x3.
    const std::vector<float> w { 1, -2, 3, 0.5f, 4, -1 };
    const std::vector<float> c { 10, -6 };
    const std::vector<float> xs { 1, 2, 3 };
    std::vector<float> expected(2);
    for (int o = 0; o < 2; ++o) {
        float dot = 0;
        for (int k = 0; k < 3; ++k)
            dot += xs[static_cast<size_t>(k)] * w[static_cast<size_t>(o * 3 + k)];
        expected[static_cast<size_t>(o)] = 2.0f * dot + 0.5f * c[static_cast<size_t>(o)];
    }
    ModelBuilder b;
    b.input("x", { 1, 3 });
    b.weight("w", { 2, 3 }, w);
    b.weight("c", { 2 }, c);
    auto& gemm = b.node("Gemm", { "x", "w", "c" }, { "y" }, "gemm");
    test::setAttr(gemm, "transB", int64_t { 1 });
    test::setAttr(gemm, "alpha", 2.0f);
    test::setAttr(gemm, "beta", 0.5f);
    b.output("y", { 1, 2 });
    cv::Mat x(std::vector<int> { 1, 3 }, CV_32F);
    std::copy(xs.begin(), xs.end(), x.ptr<float>());

    // Without the pass OpenCV computes x * W^T + c.
    auto ignored = runOpenCv(b.build(), { { "x", x } }, false);
    REQUIRE(ignored);
    CHECK(maxAbsDiff(values(*ignored), expected) > 1.0f);

    auto canonical = canonicalizeForOpenCv(b.build());
    REQUIRE(canonical);
    for (const auto& n : canonical->graph().node())
        if (n.op_type() == "Gemm")
            for (const auto& a : n.attribute())
                CHECK((a.name() != "alpha" && a.name() != "beta"));
    auto y = runOpenCv(b.build(), { { "x", x } }, true);
    REQUIRE(y);
    CHECK(maxAbsDiff(values(*y), expected) <= 1e-5f);

    SECTION("a computed B keeps the attributes")
    {
        ModelBuilder d;
        d.input("x", { 1, 3 });
        d.input("w", { 2, 3 });
        auto& g = d.node("Gemm", { "x", "w" }, { "y" }, "gemm");
        test::setAttr(g, "transB", int64_t { 1 });
        test::setAttr(g, "alpha", 2.0f);
        d.output("y", { 1, 2 });
        onnx::ModelProto m = d.build();
        foldGemmScalars(m);
        CHECK(m.graph().node(0).input(1) == "w");
        CHECK(m.graph().node(0).attribute_size() == 2);
    }
}

// --------------------------------------------------------------------------- shape arithmetic

TEST_CASE("foldShapeComputations: chunk() as PyTorch exports it in ShuffleNet", "[canonicalize]")
{
    QuietOpenCv quiet;
    // half = (C + 1) / 2 from the runtime shape; y = concat(x[:, half:], x[:, :half]).
    ModelBuilder b;
    b.input("x", { 1, 6, 2, 2 });
    b.node("Shape", { "x" }, { "shape" }, "shape");
    b.int64s("one", {}, { 1 });
    b.int64s("axes", { 1 }, { 1 });
    b.int64s("zero", { 1 }, { 0 });
    b.int64s("one1d", { 1 }, { 1 });
    b.int64s("two1d", { 1 }, { 2 });
    auto& g = b.node("Gather", { "shape", "axes" }, { "c" }, "gather");
    test::setAttr(g, "axis", int64_t { 0 });
    b.node("Add", { "c", "one1d" }, { "c1" }, "add"); // [1] + [1]; the export adds a scalar-shaped one
    b.node("Div", { "c1", "two1d" }, { "half" }, "div");
    b.node("Mul", { "half", "one1d" }, { "end0" }, "mul");
    b.node("Mul", { "half", "two1d" }, { "end1" }, "mul_1");
    b.node("Slice", { "x", "zero", "end0", "axes" }, { "lo" }, "slice");
    b.node("Slice", { "x", "end0", "end1", "axes" }, { "hi" }, "slice_1");
    auto& cat = b.node("Concat", { "hi", "lo" }, { "y" }, "concat");
    test::setAttr(cat, "axis", int64_t { 1 });
    b.output("y", { 1, 6, 2, 2 });
    const onnx::ModelProto original = b.build();

    auto canonical = canonicalizeForOpenCv(original);
    REQUIRE(canonical);
    for (const char* op : { "Shape", "Gather", "Add", "Div", "Mul" })
        CHECK(countOps(*canonical, op) == 0);
    CHECK(countOps(*canonical, "Slice") == 2);

    const cv::Mat x = ramp({ 1, 6, 2, 2 });
    const auto v = values(x);
    std::vector<float> expected(v.begin() + 12, v.end());
    expected.insert(expected.end(), v.begin(), v.begin() + 12);
    auto y = runOpenCv(original, { { "x", x } }, true);
    REQUIRE(y);
    CHECK(maxAbsDiff(values(*y), expected) == 0.0f);
}

TEST_CASE("foldShapeComputations: a scalar plus a 1-element tensor, which OpenCV 4.6 rejects", "[canonicalize]")
{
    QuietOpenCv quiet;
    ModelBuilder b;
    b.input("x", { 1, 8, 2, 2 });
    b.node("Shape", { "x" }, { "shape" }, "shape");
    b.int64s("index1", {}, { 1 });
    b.int64s("zero", { 1 }, { 0 });
    b.int64s("axes", { 1 }, { 1 });
    b.int64s("minus4", { 1 }, { -4 });
    auto& g = b.node("Gather", { "shape", "index1" }, { "c" }, "gather"); // scalar
    test::setAttr(g, "axis", int64_t { 0 });
    b.node("Add", { "c", "minus4" }, { "end" }, "Add_7"); // scalar + [1] -> [1]
    b.node("Slice", { "x", "zero", "end", "axes" }, { "y" }, "slice");
    b.output("y", { 1, 4, 2, 2 });
    const onnx::ModelProto original = b.build();
    const cv::Mat x = ramp({ 1, 8, 2, 2 });

    auto rejected = runOpenCv(original, { { "x", x } }, false);
    REQUIRE_FALSE(rejected);
    CHECK_THAT(rejected.error().message, Catch::Contains("'Add_7' (Add)"));

    auto y = runOpenCv(original, { { "x", x } }, true);
    REQUIRE(y);
    const auto v = values(x);
    CHECK(maxAbsDiff(values(*y), std::vector<float>(v.begin(), v.begin() + 16)) == 0.0f);
}

TEST_CASE("foldShapeComputations: view(n, -1) from Shape/Gather/Unsqueeze/Concat", "[canonicalize]")
{
    ModelBuilder b;
    b.input("x", { 2, 3, 2, 2 });
    b.node("Shape", { "x" }, { "shape" }, "shape");
    b.int64s("i0", {}, { 0 });
    b.int64s("axes0", { 1 }, { 0 });
    b.int64s("minus1", { 1 }, { -1 });
    auto& g = b.node("Gather", { "shape", "i0" }, { "n" }, "gather");
    test::setAttr(g, "axis", int64_t { 0 });
    b.node("Unsqueeze", { "n", "axes0" }, { "n1" }, "unsqueeze");
    auto& cat = b.node("Concat", { "n1", "minus1" }, { "target" }, "concat");
    test::setAttr(cat, "axis", int64_t { 0 });
    b.node("Reshape", { "x", "target" }, { "y" }, "reshape");
    b.output("y", { 2, 12 });
    onnx::ModelProto m = b.build();

    foldShapeComputations(m);
    eliminateDeadCode(m);
    REQUIRE(m.graph().node_size() == 1);
    CHECK(m.graph().node(0).op_type() == "Reshape");
    const onnx::TensorProto* target = nullptr;
    for (const auto& t : m.graph().initializer())
        if (t.name() == "target")
            target = &t;
    REQUIRE(target);
    auto folded = readConstant(*target);
    REQUIRE(folded);
    CHECK(folded->ints == std::vector<int64_t> { 2, -1 });
    CHECK(m.graph().initializer_size() == 1); // the inputs of the folded nodes are gone

    const cv::Mat x = ramp({ 2, 3, 2, 2 });
    auto y = runOpenCv(b.build(), { { "x", x } }, true);
    REQUIRE(y);
    CHECK(dimsOf(*y) == std::vector<int> { 2, 12 });
    CHECK(maxAbsDiff(values(*y), values(x)) == 0.0f);
}

TEST_CASE("evaluateConstantNode follows ONNX semantics", "[canonicalize]")
{
    auto ints = [](std::vector<int64_t> dims, std::vector<int64_t> v) {
        ConstTensor t;
        t.dims = std::move(dims);
        t.ints = std::move(v);
        return t;
    };
    auto eval = [](const onnx::NodeProto& node, std::vector<const ConstTensor*> in) {
        auto out = evaluateConstantNode(node, in, 13);
        REQUIRE(out);
        REQUIRE(out->size() == 1);
        return out->front();
    };
    ModelBuilder b;

    SECTION("Gather with negative and 2-D indices")
    {
        auto& n = b.node("Gather", { "d", "i" }, { "o" });
        test::setAttr(n, "axis", int64_t { 1 });
        const auto data = ints({ 2, 3 }, { 1, 2, 3, 4, 5, 6 });
        const auto idx = ints({ 1, 2 }, { -1, 0 });
        const auto out = eval(n, { &data, &idx });
        CHECK(out.dims == std::vector<int64_t> { 2, 1, 2 });
        CHECK(out.ints == std::vector<int64_t> { 3, 1, 6, 4 });
    }
    SECTION("integer Div truncates toward zero, broadcasting")
    {
        auto& n = b.node("Div", { "a", "b" }, { "o" });
        const auto a = ints({ 3 }, { 7, -7, 9 });
        const auto d = ints({}, { 2 });
        CHECK(eval(n, { &a, &d }).ints == std::vector<int64_t> { 3, -3, 4 });
    }
    SECTION("Slice with negative steps, clamped ends and INT64_MAX")
    {
        auto& n = b.node("Slice", { "x", "s", "e", "a", "st" }, { "o" });
        const auto x = ints({ 2, 4 }, { 0, 1, 2, 3, 4, 5, 6, 7 });
        const auto starts = ints({ 2 }, { -1, 0 });
        const auto ends = ints({ 2 }, { -1000, std::numeric_limits<int64_t>::max() });
        const auto axes = ints({ 2 }, { 1, 0 });
        const auto steps = ints({ 2 }, { -2, 1 });
        const auto out = eval(n, { &x, &starts, &ends, &axes, &steps });
        CHECK(out.dims == std::vector<int64_t> { 2, 2 });
        CHECK(out.ints == std::vector<int64_t> { 3, 1, 7, 5 });
    }
    SECTION("Unsqueeze with negative axes, then Concat")
    {
        auto& u = b.node("Unsqueeze", { "x", "axes" }, { "o" });
        const auto x = ints({ 2 }, { 5, 6 });
        const auto axes = ints({ 1 }, { -1 });
        const auto col = eval(u, { &x, &axes });
        CHECK(col.dims == std::vector<int64_t> { 2, 1 });
        auto& c = b.node("Concat", { "a", "b" }, { "o2" });
        test::setAttr(c, "axis", int64_t { 1 });
        const auto out = eval(c, { &col, &col });
        CHECK(out.dims == std::vector<int64_t> { 2, 2 });
        CHECK(out.ints == std::vector<int64_t> { 5, 5, 6, 6 });
    }
    SECTION("Cast float to int64 truncates; float arithmetic rounds like float32")
    {
        auto& cast = b.node("Cast", { "x" }, { "o" });
        test::setAttr(cast, "to", int64_t { onnx::TensorProto_DataType_INT64 });
        ConstTensor x;
        x.type = onnx::TensorProto_DataType_FLOAT;
        x.dims = { 3 };
        x.reals = { 2.7, -2.7, 0.0 };
        CHECK(eval(cast, { &x }).ints == std::vector<int64_t> { 2, -2, 0 });

        auto& div = b.node("Div", { "a", "b" }, { "o3" });
        ConstTensor one = x, three = x;
        one.dims = three.dims = {};
        one.reals = { 1.0 };
        three.reals = { 3.0 };
        CHECK(eval(div, { &one, &three }).reals.front() == static_cast<double>(1.0f / 3.0f));
    }
    SECTION("unsupported ops and out-of-range indices are not folded")
    {
        const auto x = ints({ 2 }, { 1, 2 });
        auto& n = b.node("Softmax", { "x" }, { "o" });
        CHECK_FALSE(evaluateConstantNode(n, { &x }, 13));
        auto& g = b.node("Gather", { "x", "i" }, { "o2" });
        const auto bad = ints({}, { 2 });
        CHECK_FALSE(evaluateConstantNode(g, { &x, &bad }, 13));
    }
}
