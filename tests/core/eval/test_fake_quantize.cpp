// 8-bit activations simulated in OpenCV (FuseActivationQdq + FakeQuantizeLayer) against
// ONNX Runtime, which runs the QuantizeLinear/DequantizeLinear pairs themselves: a lone
// pair gives ORT's values exactly (ties rounded half to even, codes clamped, uint8 and int8,
// zero points inside and at the edge); the pair becomes the custom layer in the net OpenCV
// builds; a whole network with 8-bit activations on every layer (residual Add, MaxPool with
// a shared range, dropped and kept Relus) computes ORT's outputs on the same file. Pairs on
// constants, and codes something else reads, are left alone.
#include "ModelBuilder.h"
#include "OrtRunner.h"

#include "core/eval/FakeQuantizeLayer.h"
#include "core/eval/OpenCvNet.h"
#include "core/export/ActivationPlacement.h"
#include "core/export/Apply.h"
#include "core/model/Layer.h"
#include "core/model/Model.h"
#include "core/model/ModelWriter.h"
#include "core/passes/FuseActivationQdq.h"
#include "core/plan/Plan.h"

#include <catch2/catch.hpp>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <random>

using namespace topiary;

namespace {

onnx::TensorProto code(const std::string& name, int32_t type, int value)
{
    onnx::TensorProto t;
    t.set_name(name);
    t.set_data_type(type);
    t.set_raw_data(std::string(1, static_cast<char>(static_cast<uint8_t>(static_cast<int8_t>(value)))));
    if (type == onnx::TensorProto_DataType_UINT8)
        t.set_raw_data(std::string(1, static_cast<char>(static_cast<uint8_t>(value))));
    return t;
}

// x -> QuantizeLinear -> DequantizeLinear -> y, on a 1x1x4xN input.
onnx::ModelProto pairModel(float scale, int32_t type, int zeroPoint, int64_t n)
{
    test::ModelBuilder b;
    b.input("x", { 1, 1, 4, n });
    b.weight("s", {}, { scale });
    *b.proto().mutable_graph()->add_initializer() = code("z", type, zeroPoint);
    b.node("QuantizeLinear", { "x", "s", "z" }, { "q" }, "quantize");
    b.node("DequantizeLinear", { "q", "s", "z" }, { "y" }, "dequantize");
    b.output("y", { 1, 1, 4, n });
    return b.build();
}

int countOp(const onnx::ModelProto& m, std::string_view op)
{
    return static_cast<int>(std::count_if(
        m.graph().node().begin(), m.graph().node().end(), [&](const auto& n) { return n.op_type() == op; }));
}

double relativeDiff(const std::vector<float>& a, const std::vector<float>& b)
{
    REQUIRE(a.size() == b.size());
    double num = 0.0, den = 0.0;
    for (size_t i = 0; i < a.size(); ++i) {
        num += (a[i] - b[i]) * static_cast<double>(a[i] - b[i]);
        den += b[i] * static_cast<double>(b[i]);
    }
    return std::sqrt(num / std::max(den, 1e-30));
}

} // namespace

TEST_CASE("a QuantizeLinear -> DequantizeLinear pair computes ORT's values in OpenCV", "[fake-quantize]")
{
    const float scale = 0.25f;
    // Ties at every half code (x / s = k + 0.5), values beyond both ends, and random values.
    std::vector<float> input;
    for (int k = -140; k <= 140; ++k)
        input.push_back((static_cast<float>(k) + 0.5f) * scale);
    for (float v : { -1000.0f, -40.0f, -0.0f, 0.0f, 31.9f, 63.75f, 64.0f, 1000.0f })
        input.push_back(v);
    std::mt19937 rng(5);
    std::uniform_real_distribution<float> u(-80.0f, 80.0f);
    while (input.size() % 4 != 0 || input.size() < 400)
        input.push_back(u(rng));
    const int64_t n = static_cast<int64_t>(input.size()) / 4;
    const int64_t dims[] = { 1, 1, 4, n };
    const auto dir = test::makeTempDir("fake_quantize");

    struct Case {
        int32_t type;
        int zeroPoint;
    };
    for (const Case c : { Case { onnx::TensorProto_DataType_UINT8, 0 }, Case { onnx::TensorProto_DataType_UINT8, 128 },
             Case { onnx::TensorProto_DataType_UINT8, 255 }, Case { onnx::TensorProto_DataType_INT8, 0 },
             Case { onnx::TensorProto_DataType_INT8, -20 } }) {
        INFO("type " << c.type << ", zero point " << c.zeroPoint);
        const auto model = pairModel(scale, c.type, c.zeroPoint, n);
        const auto file = dir / "pair.onnx";
        REQUIRE(writeModel(model, file));
        const auto ort = test::runInOrt(file, input, dims);
        REQUIRE(ort.ok);
        const auto cv = test::runInOpenCv(model, input, dims);
        REQUIRE(cv.size() == ort.output.size());
        int differ = 0;
        for (size_t i = 0; i < cv.size(); ++i)
            if (cv[i] != ort.output[i]) {
                if (differ++ < 5)
                    UNSCOPED_INFO("x = " << input[i] << ": OpenCV " << cv[i] << ", ORT " << ort.output[i]);
            }
        CHECK(differ == 0);
    }

    // OpenCV runs the pair as the custom layer.
    auto net = OpenCvNet::create(pairModel(scale, onnx::TensorProto_DataType_UINT8, 3, n));
    REQUIRE(net.has_value());
    std::vector<cv::String> types;
    net->openCv().getLayerTypes(types);
    CHECK(std::find(types.begin(), types.end(), std::string(kFakeQuantizeOp)) != types.end());
    std::filesystem::remove_all(dir);
}

TEST_CASE("the QDQ rewrite leaves pairs on constants and codes read elsewhere alone", "[fake-quantize]")
{
    SECTION("a pair on a computed tensor becomes one node")
    {
        auto m = pairModel(0.5f, onnx::TensorProto_DataType_UINT8, 10, 4);
        fuseActivationQdq(m);
        CHECK(countOp(m, kFakeQuantizeOp) == 1);
        CHECK(countOp(m, "DequantizeLinear") == 0);
    }
    SECTION("codes that are also a graph output stay")
    {
        auto m = pairModel(0.5f, onnx::TensorProto_DataType_UINT8, 10, 4);
        auto* out = m.mutable_graph()->add_output();
        out->set_name("q");
        fuseActivationQdq(m);
        CHECK(countOp(m, kFakeQuantizeOp) == 0);
    }
    SECTION("a pair whose halves disagree stays")
    {
        auto m = pairModel(0.5f, onnx::TensorProto_DataType_UINT8, 10, 4);
        *m.mutable_graph()->add_initializer() = code("z2", onnx::TensorProto_DataType_UINT8, 11);
        m.mutable_graph()->mutable_node(1)->set_input(2, "z2");
        fuseActivationQdq(m);
        CHECK(countOp(m, kFakeQuantizeOp) == 0);
    }
    SECTION("a quantized constant stays for widenStoredWeights")
    {
        test::ModelBuilder b;
        b.input("x", { 1, 4 });
        b.weight("w", { 4 }, { 1, 2, 3, 4 });
        b.weight("s", {}, { 0.5f });
        b.node("QuantizeLinear", { "w", "s" }, { "wq" }, "qw");
        b.node("DequantizeLinear", { "wq", "s" }, { "wd" }, "dqw");
        b.node("Add", { "x", "wd" }, { "y" }, "add");
        b.output("y", { 1, 4 });
        auto m = b.build();
        fuseActivationQdq(m);
        CHECK(countOp(m, kFakeQuantizeOp) == 0);
    }
}

TEST_CASE("a network with 8-bit activations on every layer computes ORT's outputs in OpenCV", "[fake-quantize]")
{
    onnx::ModelProto proto = test::makeResidualNet(); // conv-relu, residual block, MaxPool, conv, GAP, Gemm
    std::mt19937 rng(7);
    std::normal_distribution<float> d(0.0f, 0.3f);
    for (auto& t : *proto.mutable_graph()->mutable_initializer()) {
        std::vector<float> v(t.raw_data().size() / 4);
        for (float& x : v)
            x = d(rng);
        t.set_raw_data(std::string(reinterpret_cast<const char*>(v.data()), v.size() * 4));
    }
    const auto dir = test::makeTempDir("fake_quantize_net");
    REQUIRE(writeModel(proto, dir / "float.onnx"));
    auto model = Model::load(dir / "float.onnx");
    REQUIRE(model.has_value());

    std::vector<float> input(3 * 16 * 16);
    std::uniform_real_distribution<float> u(-1.0f, 1.0f);
    for (float& x : input)
        x = u(rng);
    const int64_t dims[] = { 1, 3, 16, 16 };

    for (const bool symmetric : { false, true }) {
        INFO((symmetric ? "int8 symmetric" : "uint8"));
        const Plan plan = quantizeAllActivations(Plan {}, findLayers(*model), ActivationSpec { 8, symmetric }, false);
        auto placement = placeActivations(model->proto().graph(), plan);
        REQUIRE(placement.has_value());
        // Ranges narrower than the values, so codes clamp at both ends somewhere.
        ActivationRanges ranges;
        ranges.images = 1;
        for (const auto& t : placement->rangeTensors())
            ranges.tensors[t] = TensorRange { -0.5f, 1.5f };
        auto applied = apply(*model, plan.withActivationRanges(ranges));
        REQUIRE(applied.has_value());
        REQUIRE(applied->report.qdqActivations > 4);
        const auto file = dir / "act8.onnx";
        REQUIRE(writeModel(applied->proto, file));
        const auto ort = test::runInOrt(file, input, dims);
        REQUIRE(ort.ok);
        const auto cv = test::runInOpenCv(applied->proto, input, dims);
        const auto floatOut = test::runInOpenCv(model->proto(), input, dims);
        INFO("OpenCV vs ORT " << relativeDiff(cv, ort.output) << ", 8-bit vs float " << relativeDiff(cv, floatOut));
        CHECK(relativeDiff(cv, ort.output) < 1e-5);
        CHECK(relativeDiff(cv, floatOut) > 1e-3); // the codes do change the outputs
    }
    std::filesystem::remove_all(dir);
}
