// Each canonicalization pass on a small graph that has the exporter quirk it exists for:
// OpenCV 4.6 rejects (or silently miscomputes) the original, and runs the canonical model
// with the outputs of a direct computation or of the same graph without the quirk.
#include "ModelBuilder.h"

#include "core/passes/OpenCvCanonicalizer.h"
#include "core/eval/OpenCvNet.h"
#include "core/passes/ClipInputsToAttributes.h"
#include "core/model/ConstantEvaluator.h"
#include "core/passes/DeclareOutputShapes.h"
#include "core/passes/EliminateDeadCode.h"
#include "core/passes/ExpandBroadcastOperands.h"
#include "core/passes/FoldConstantNodes.h"
#include "core/passes/FoldGemmScalars.h"
#include "core/passes/FoldIdentityOnConstants.h"
#include "core/passes/FoldShapeComputations.h"
#include "core/passes/OrderBroadcastOperands.h"
#include "core/passes/RewriteReversedDiv.h"

#include <catch2/catch.hpp>
#include <opencv2/core/utils/logger.hpp>

#include <algorithm>
#include <cmath>
#include <functional>
#include <limits>
#include <string>
#include <vector>

using namespace topiary;
using topiary::test::ModelBuilder;

namespace {

// OpenCV logs every node it fails to import; these tests provoke such failures on purpose.
struct QuietOpenCv {
    QuietOpenCv()
        : m_previous(cv::utils::logging::setLogLevel(cv::utils::logging::LOG_LEVEL_SILENT))
    {
    }
    ~QuietOpenCv() { cv::utils::logging::setLogLevel(m_previous); }
    cv::utils::logging::LogLevel m_previous;
};

// Deterministic values of both signs, never zero (some tests divide by them).
cv::Mat ramp(const std::vector<int>& dims, float scale = 0.1f, float offset = -0.65f)
{
    cv::Mat m(static_cast<int>(dims.size()), dims.data(), CV_32F);
    auto* p = m.ptr<float>();
    for (size_t i = 0; i < m.total(); ++i)
        p[i] = static_cast<float>((i * 37) % 23) * scale + offset;
    return m;
}

std::vector<float> values(const cv::Mat& m)
{
    return { m.ptr<float>(), m.ptr<float>() + m.total() };
}

std::vector<int> dimsOf(const cv::Mat& m)
{
    return { m.size.p, m.size.p + m.dims };
}

std::vector<int64_t> dims64(const std::vector<int>& d)
{
    return { d.begin(), d.end() };
}

// a OP b with numpy broadcasting, computed directly: the independent reference.
std::vector<float> broadcastReference(const std::function<float(float, float)>& op, const std::vector<float>& a,
    std::vector<int> aDims, const std::vector<float>& b, std::vector<int> bDims)
{
    const size_t rank = std::max(aDims.size(), bDims.size());
    aDims.insert(aDims.begin(), rank - aDims.size(), 1);
    bDims.insert(bDims.begin(), rank - bDims.size(), 1);
    std::vector<int> out(rank);
    for (size_t i = 0; i < rank; ++i)
        out[i] = std::max(aDims[i], bDims[i]);
    size_t total = 1;
    for (int d : out)
        total *= static_cast<size_t>(d);
    std::vector<float> result(total);
    std::vector<int> index(rank, 0);
    for (size_t k = 0; k < total; ++k) {
        size_t ia = 0, ib = 0;
        for (size_t d = 0; d < rank; ++d) {
            ia = ia * static_cast<size_t>(aDims[d]) + static_cast<size_t>(aDims[d] == 1 ? 0 : index[d]);
            ib = ib * static_cast<size_t>(bDims[d]) + static_cast<size_t>(bDims[d] == 1 ? 0 : index[d]);
        }
        result[k] = op(a[ia], b[ib]);
        for (size_t d = rank; d-- > 0;) {
            if (++index[d] < out[d])
                break;
            index[d] = 0;
        }
    }
    return result;
}

float maxAbsDiff(const std::vector<float>& a, const std::vector<float>& b)
{
    REQUIRE(a.size() == b.size());
    float m = 0.0f;
    for (size_t i = 0; i < a.size(); ++i)
        m = std::max(m, std::fabs(a[i] - b[i]));
    return m;
}

using Inputs = std::vector<std::pair<std::string, cv::Mat>>;

// Runs the model in OpenCV, canonicalized or as is; the first output, or the error.
Result<cv::Mat> runOpenCv(const onnx::ModelProto& model, const Inputs& inputs, bool canonicalize)
{
    auto net = canonicalize ? OpenCvNet::create(model) : OpenCvNet::createWithoutCanonicalizing(model);
    if (!net)
        return std::unexpected(net.error());
    auto out = net->forward(inputs);
    if (!out)
        return std::unexpected(out.error());
    return out->front();
}

int countOps(const onnx::ModelProto& model, const std::string& op)
{
    return static_cast<int>(std::count_if(model.graph().node().begin(), model.graph().node().end(),
        [&op](const onnx::NodeProto& n) { return n.op_type() == op; }));
}

onnx::TensorProto floatTensor(std::vector<int64_t> dims, std::vector<float> v)
{
    onnx::TensorProto t;
    t.set_data_type(onnx::TensorProto_DataType_FLOAT);
    for (int64_t d : dims)
        t.add_dims(d);
    for (float x : v)
        t.add_float_data(x);
    return t;
}

} // namespace

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

// --------------------------------------------------------------------------- driver and runner

TEST_CASE("canonicalizeForOpenCv returns a copy and leaves the original alone", "[canonicalize]")
{
    ModelBuilder b;
    b.input("x", { 1, 2, 2, 2 });
    b.weight("w", { 2, 2, 1, 1 });
    b.node("Identity", { "w" }, { "w2" }, "Identity_0");
    b.weight("lo", {}, { 0.0f });
    b.weight("hi", {}, { 6.0f });
    b.node("Conv", { "x", "w2" }, { "c" }, "conv");
    b.node("Clip", { "c", "lo", "hi" }, { "y" }, "clip");
    b.output("y", { 1, 2, 2, 2 });
    const onnx::ModelProto original = b.build();
    const std::string before = original.SerializeAsString();

    auto canonical = canonicalizeForOpenCv(original);
    REQUIRE(canonical);
    CHECK(original.SerializeAsString() == before);
    CHECK(canonical->graph().node_size() == 2);
    CHECK(canonical->graph().initializer_size() == 1); // lo and hi became attributes
    CHECK_FALSE(openCvPasses().empty());
}

TEST_CASE("canonicalizeForOpenCv refuses external data it cannot hand to OpenCV", "[canonicalize]")
{
    ModelBuilder b;
    b.input("x", { 1, 2 });
    b.weight("w", { 2, 2 });
    b.node("MatMul", { "x", "w" }, { "y" }, "matmul");
    b.output("y", { 1, 2 });
    onnx::ModelProto m = b.build();
    auto* w = m.mutable_graph()->mutable_initializer(0);
    w->clear_raw_data();
    w->set_data_location(onnx::TensorProto_DataLocation_EXTERNAL);
    auto result = canonicalizeForOpenCv(m);
    REQUIRE_FALSE(result);
    CHECK_THAT(result.error().message, Catch::Contains("'w'"));
}

TEST_CASE("OpenCvNet runs a small CNN and checks what it is fed", "[canonicalize]")
{
    auto net = OpenCvNet::create(test::makeSmallCnn());
    REQUIRE(net);
    CHECK(net->inputNames() == std::vector<std::string> { "input" });
    CHECK(net->outputNames() == std::vector<std::string> { "logits" });

    const cv::Mat x = ramp({ 1, 1, 28, 28 });
    auto y = net->forward(x);
    REQUIRE(y);
    CHECK(dimsOf(*y) == std::vector<int> { 1, 10 });
    auto again = net->forward(x);
    REQUIRE(again);
    CHECK(maxAbsDiff(values(*y), values(*again)) == 0.0f);

    auto wrongName = net->forward(Inputs { { "image", x } });
    REQUIRE_FALSE(wrongName);
    CHECK_THAT(wrongName.error().message, Catch::Contains("no input named 'image'"));
    cv::Mat ints(4, std::vector<int> { 1, 1, 28, 28 }.data(), CV_32S, cv::Scalar(0));
    CHECK_FALSE(net->forward(ints));
    CHECK_FALSE(net->forward(Inputs {}));
}

TEST_CASE("OpenCvNet returns every graph output, in order", "[canonicalize]")
{
    ModelBuilder b;
    b.input("x", { 1, 2, 2, 2 });
    b.node("Relu", { "x" }, { "r" }, "relu");
    b.node("Sigmoid", { "r" }, { "s" }, "sigmoid");
    b.output("s", { 1, 2, 2, 2 });
    b.output("r", { 1, 2, 2, 2 });
    auto net = OpenCvNet::create(b.build());
    REQUIRE(net);
    const cv::Mat x = ramp({ 1, 2, 2, 2 });
    auto out = net->forward(Inputs { { "x", x } });
    REQUIRE(out);
    REQUIRE(out->size() == 2);
    for (size_t i = 0; i < 8; ++i) {
        const float r = std::max(0.0f, values(x)[i]);
        CHECK(values((*out)[1])[i] == r);
        CHECK(values((*out)[0])[i] == Approx(1.0 / (1.0 + std::exp(-r))).epsilon(1e-6));
    }
}

TEST_CASE("openCvError names the node and keeps OpenCV's reason", "[canonicalize]")
{
    const cv::Exception e(cv::Error::StsError,
        "OpenCV(4.6.0) ./modules/dnn/src/onnx/onnx_importer.cpp:1040: error: (-2:Unspecified error) in "
        "function 'handleNode'\n> Node [Identity@ai.onnx]:(onnx_node!Identity_0) parse error: "
        "OpenCV(4.6.0) ./modules/dnn/src/layer.cpp:246: error: (-215:Assertion failed) inputs.size() "
        "in function 'getMemoryShapes'\n> ",
        "handleNode", "onnx_importer.cpp", 1040);
    const Error error = openCvError(e, "loading");
    CHECK(error.message == "OpenCV cannot import node 'Identity_0' (Identity): (-215:Assertion failed) inputs.size()");
}

TEST_CASE("OpenCvNet runs a model with a symbolic batch dimension", "[canonicalize]")
{
    auto fixed = OpenCvNet::create(test::makeSmallCnn(false));
    auto dynamic = OpenCvNet::create(test::makeSmallCnn(true));
    REQUIRE(fixed);
    REQUIRE(dynamic);
    const cv::Mat one = ramp({ 1, 1, 28, 28 });
    auto expected = fixed->forward(one);
    REQUIRE(expected);
    auto y1 = dynamic->forward(one);
    REQUIRE(y1);
    CHECK(maxAbsDiff(values(*y1), values(*expected)) == 0.0f);

    cv::Mat two(4, std::vector<int> { 2, 1, 28, 28 }.data(), CV_32F);
    one.reshape(1, 1).copyTo(two.reshape(1, 2).row(0));
    one.reshape(1, 1).copyTo(two.reshape(1, 2).row(1));
    auto y2 = dynamic->forward(two);
    REQUIRE(y2);
    REQUIRE(dimsOf(*y2) == std::vector<int> { 2, 10 });
    const auto v = values(*y2);
    CHECK(maxAbsDiff(std::vector<float>(v.begin(), v.begin() + 10), values(*expected)) < 1e-6f);
    CHECK(maxAbsDiff(std::vector<float>(v.begin() + 10, v.end()), values(*expected)) < 1e-6f);
}

TEST_CASE("declareOutputShapes: an output declared without a shape", "[canonicalize]")
{
    QuietOpenCv quiet;
    ModelBuilder b;
    b.input("x", { 1, 2, 3, 3 });
    b.node("Relu", { "x" }, { "r" }, "relu");
    b.node("Sigmoid", { "r" }, { "s" }, "sigmoid");
    b.output("s", { 1, 2, 3, 3 });
    b.output("r"); // ModelBuilder leaves the shape out when given no dims
    const onnx::ModelProto original = b.build();
    REQUIRE_FALSE(original.graph().output(1).type().tensor_type().has_shape());
    REQUIRE_FALSE(OpenCvNet::createWithoutCanonicalizing(original));

    onnx::ModelProto m = original;
    declareOutputShapes(m);
    const auto& shape = m.graph().output(1).type().tensor_type().shape();
    REQUIRE(shape.dim_size() == 4);
    CHECK(shape.dim(3).dim_value() == 3);

    auto net = OpenCvNet::create(original);
    REQUIRE(net);
    const cv::Mat x = ramp({ 1, 2, 3, 3 });
    auto out = net->forward(Inputs { { "x", x } });
    REQUIRE(out);
    for (size_t i = 0; i < 18; ++i)
        CHECK(values((*out)[1])[i] == std::max(0.0f, values(x)[i]));
}
