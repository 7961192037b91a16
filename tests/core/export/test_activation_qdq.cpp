// 8-bit activations exported in the QDQ format: the file passes the full ONNX checker,
// ONNX Runtime runs it, and the graph ORT optimizes from it runs the integer kernels
// (QLinearConv, QLinearAdd, QLinearGlobalAveragePool, uint8 MaxPool, QGemm): read from
// ORT's verbose log, where it names each QDQ node group it fuses ("Matched Conv";
// tests/ort/bench.js). ORT's output is near the float model's, not equal to it.
#include "ModelBuilder.h"
#include "OrtRunner.h"

#include "core/export/ActivationPlacement.h"
#include "core/export/Apply.h"
#include "core/model/Layer.h"
#include "core/model/Model.h"
#include "core/model/ModelWriter.h"
#include "core/plan/Plan.h"
#include "core/recover/ActivationCalibration.h"

#include <catch2/catch.hpp>
#include <opencv2/core.hpp>

#include <cmath>
#include <cstdlib>
#include <fstream>
#include <map>
#include <random>

using namespace topiary;

namespace {


// Weights of both signs around zero (the builder's ramp is all positive).
void randomizeWeights(onnx::ModelProto& proto)
{
    std::mt19937 rng(7);
    std::normal_distribution<float> d(0.0f, 0.2f);
    for (auto& t : *proto.mutable_graph()->mutable_initializer()) {
        std::vector<float> v(t.raw_data().size() / 4);
        for (float& x : v)
            x = d(rng);
        t.set_raw_data(std::string(reinterpret_cast<const char*>(v.data()), v.size() * 4));
    }
}

// The node groups ORT's verbose log says it fused into integer kernels, by op.
std::map<std::string, int> fusedGroups(const std::filesystem::path& log)
{
    std::ifstream in(log);
    std::map<std::string, int> ops;
    std::string line;
    const std::string tag = "MatchAndProcess] Matched ";
    while (std::getline(in, line))
        if (auto at = line.find(tag); at != std::string::npos)
            ++ops[line.substr(at + tag.size())];
    return ops;
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

// Min/max ranges of every 8-bit activation of `plan`, calibrated on 32 images of shape
// {32, channels, size, size} with values uniform in [-1, 1].
ActivationRanges calibrateOnNoise(const Model& model, const Plan& plan, int channels, int size)
{
    CalibrationImages images;
    images.inputName = "input";
    const int dims[] = { 32, channels, size, size };
    images.blob = cv::Mat(4, dims, CV_32F);
    cv::randu(images.blob, -1.0f, 1.0f);
    CalibrationOptions options;
    options.method = CalibrationMethod::MinMax;
    auto calibration = calibrateActivations(model, plan, images, options);
    REQUIRE(calibration);
    return calibration->ranges;
}

// An int8 QDQ export written to dir/int8.onnx (full checker), and the node groups ONNX
// Runtime fused into integer kernels when it loaded the file (`listed` names them).
struct OrtFusions {
    std::filesystem::path file;
    std::map<std::string, int> ops;
    std::string listed;
};

OrtFusions writeAndLoadInOrt(const onnx::ModelProto& exported, const std::filesystem::path& dir, const std::string& shape)
{
    OrtFusions result { dir / "int8.onnx", {}, {} };
    auto written = writeModel(exported, result.file);
    INFO((written ? std::string() : written.error().message));
    REQUIRE(written);
    const auto log = dir / "ort.log";
    const auto script = std::filesystem::path(TOPIARY_SOURCE_DIR) / "tests" / "ort" / "bench.js";
    const std::string cmd = "node '" + script.string() + "' '" + result.file.string() + "' " + shape
        + " 1 0 1 verbose > /dev/null 2> '" + log.string() + "'";
    REQUIRE(std::system(cmd.c_str()) == 0);
    result.ops = fusedGroups(log);
    for (const auto& [op, n] : result.ops)
        result.listed += op + ":" + std::to_string(n) + " ";
    return result;
}

// `count` values uniform in [-1, 1] from a generator seeded with `seed`.
std::vector<float> noise(size_t count, unsigned seed)
{
    std::vector<float> values(count);
    std::mt19937 rng(seed);
    std::uniform_real_distribution<float> u(-1.0f, 1.0f);
    for (float& x : values)
        x = u(rng);
    return values;
}

} // namespace

TEST_CASE("8-bit activations export as QDQ that ONNX Runtime runs in integer kernels", "[export][qdq][ort]")
{
    onnx::ModelProto proto = test::makeResidualNet();
    randomizeWeights(proto);
    auto model = Model::fromProto(proto, {});
    REQUIRE(model);
    const auto layers = findLayers(*model);
    REQUIRE(layers.size() == 5);
    const bool symmetric = GENERATE(false, true);
    INFO((symmetric ? "int8 symmetric" : "uint8 asymmetric"));
    Plan plan = quantizeAll(Plan {}, layers, QuantSpec { QuantScheme::Uniform, 8, true, true }, false);
    plan = quantizeAllActivations(plan, layers, ActivationSpec { 8, symmetric }, false);

    // Placement: every layer input, the Add, the pool's shared range, the GAP's own.
    auto placement = placeActivations(proto.graph(), plan);
    REQUIRE(placement);
    const auto ranges = placement->rangeTensors();
    for (const char* t : { "input", "a1", "a2", "c3o", "a3", "p", "a4", "gap", "flat" }) {
        INFO(t);
        CHECK(std::find(ranges.begin(), ranges.end(), t) != ranges.end());
    }
    CHECK(std::find(ranges.begin(), ranges.end(), "logits") == ranges.end()); // graph outputs stay float

    // Calibration on 32 random images.
    const ActivationRanges ranges32 = calibrateOnNoise(*model, plan, 3, 16);
    CHECK(ranges32.tensors.at("a3") == ranges32.tensors.at("p")); // MaxPool shares
    CHECK(ranges32.tensors.at("a1").min == (symmetric ? -ranges32.tensors.at("a1").max : 0.0f));
    plan.setActivationRanges(ranges32);

    ApplyOptions o;
    o.int8Qdq = true;
    auto applied = apply(*model, plan, o);
    REQUIRE(applied);
    CHECK(applied->report.qdqActivations >= 9);
    const auto dir = test::makeTempDir("topiary-act-qdq");

    // ORT's fusions: every Conv, the Add, the pool, the GAP and the Gemm run as integer kernels.
    const auto [file, fused, listed] = writeAndLoadInOrt(applied->proto, dir, "1,3,16,16");
    INFO("ORT fused: " << listed);
    CHECK(fused.count("MaxPool") == 1);
    CHECK(fused.count("GlobalAveragePool") == 1);
    if (!symmetric) { // int8 symmetric keeps the Relus between pairs, and ORT then fuses less
        CHECK((fused.count("Conv") == 1 && fused.at("Conv") == 4));
        CHECK(fused.count("Add") == 1);
    }
    CHECK(fused.count("Gemm") == 1);

    // ORT runs the file, and it is not the float model.
    const std::vector<float> input = noise(3 * 16 * 16, 3);
    const int64_t inDims[] = { 1, 3, 16, 16 };
    const auto ort = test::runInOrt(file, input, inDims);
    REQUIRE(ort.ok);
    auto floatFile = dir / "float.onnx";
    REQUIRE(writeModel(proto, floatFile));
    const auto reference = test::runInOrt(floatFile, input, inDims);
    REQUIRE(reference.ok);
    CHECK(relativeDiff(ort.output, reference.output) > 1e-4);
    CHECK(relativeDiff(ort.output, reference.output) < 0.1);
    std::filesystem::remove_all(dir);
}

namespace {

// Two branches concatenated: conv-relu on the left, conv-relu-MaxPool on the right (so the
// Concat's shared range chains with the pool's), then conv-relu, GAP, Gemm.
onnx::ModelProto makeConcatNet()
{
    test::ModelBuilder b;
    b.input("input", { 1, 3, 16, 16 });
    b.conv("left", "input", "lo", 3, 8, 3);
    b.node("Relu", { "lo" }, { "l" }, "left_relu");
    b.conv("right", "input", "ro", 3, 8, 1);
    b.node("Relu", { "ro" }, { "r" }, "right_relu");
    auto& pool = b.node("MaxPool", { "r" }, { "rp" }, "right_pool");
    test::setAttr(pool, "kernel_shape", std::vector<int64_t> { 3, 3 });
    test::setAttr(pool, "pads", std::vector<int64_t> { 1, 1, 1, 1 });
    auto& cat = b.node("Concat", { "l", "rp" }, { "cat" }, "concat");
    test::setAttr(cat, "axis", int64_t { 1 });
    b.conv("mix", "cat", "mo", 16, 8, 3);
    b.node("Relu", { "mo" }, { "m" }, "mix_relu");
    b.node("GlobalAveragePool", { "m" }, { "gap" }, "gap");
    auto& fl = b.node("Flatten", { "gap" }, { "flat" }, "flatten");
    test::setAttr(fl, "axis", int64_t { 1 });
    b.weight("fc.weight", { 10, 8 });
    b.weight("fc.bias", { 10 });
    auto& fc = b.node("Gemm", { "flat", "fc.weight", "fc.bias" }, { "logits" }, "fc");
    test::setAttr(fc, "transB", int64_t { 1 });
    b.output("logits", { 1, 10 });
    return b.build();
}

} // namespace

TEST_CASE("a Concat of 8-bit activations shares one range and runs on codes in ONNX Runtime", "[export][qdq][ort]")
{
    onnx::ModelProto proto = makeConcatNet();
    randomizeWeights(proto);
    auto model = Model::fromProto(proto, {});
    REQUIRE(model);
    const auto layers = findLayers(*model);
    REQUIRE(layers.size() == 4);
    Plan plan = quantizeAll(Plan {}, layers, QuantSpec { QuantScheme::Uniform, 8, true, true }, false);
    plan = quantizeAllActivations(plan, layers, ActivationSpec { 8, false }, false);

    // One group: both Concat inputs, its output, and the pool's input (chained through rp).
    auto placement = placeActivations(proto.graph(), plan);
    REQUIRE(placement);
    const std::vector<std::string> members { "l", "r", "rp", "cat" };
    const auto inGroup = [&](const std::vector<std::string>& g) {
        return std::all_of(members.begin(), members.end(),
            [&](const std::string& t) { return std::find(g.begin(), g.end(), t) != g.end(); });
    };
    CHECK(std::count_if(placement->shared.begin(), placement->shared.end(), inGroup) == 1);
    for (const auto& g : placement->shared) // disjoint groups
        for (const auto& t : g)
            CHECK(std::count_if(placement->shared.begin(), placement->shared.end(),
                      [&](const auto& h) { return std::find(h.begin(), h.end(), t) != h.end(); })
                == 1);

    const ActivationRanges ranges = calibrateOnNoise(*model, plan, 3, 16);
    const TensorRange cat = ranges.tensors.at("cat");
    for (const auto& t : members) {
        INFO(t);
        CHECK(ranges.tensors.at(t) == cat);
    }
    CHECK(cat.max > 0.0f);
    plan.setActivationRanges(ranges);

    ApplyOptions o;
    o.int8Qdq = true;
    auto applied = apply(*model, plan, o);
    REQUIRE(applied);
    const auto dir = test::makeTempDir("topiary-concat-qdq");

    // ORT runs the Concat on codes (QLinearConcat), between integer convolutions.
    const auto [file, fused, listed] = writeAndLoadInOrt(applied->proto, dir, "1,3,16,16");
    INFO("ORT fused: " << listed);
    CHECK(fused.count("Concat") == 1);
    CHECK(fused.count("MaxPool") == 1);
    CHECK((fused.count("Conv") == 1 && fused.at("Conv") == 3));

    // The evaluator's simulation (OpenCV on the fake-quantized export) gives ORT's outputs.
    const std::vector<float> input = noise(3 * 16 * 16, 5);
    const int64_t inDims[] = { 1, 3, 16, 16 };
    const auto ort = test::runInOrt(file, input, inDims);
    REQUIRE(ort.ok);
    auto simulated = apply(*model, plan);
    REQUIRE(simulated);
    const auto cv = test::runInOpenCv(simulated->proto, input, inDims);
    const auto floatOut = test::runInOpenCv(proto, input, inDims);
    INFO("OpenCV vs ORT " << relativeDiff(cv, ort.output) << ", 8-bit vs float " << relativeDiff(cv, floatOut));
    CHECK(relativeDiff(cv, ort.output) < 1e-5);
    CHECK(relativeDiff(cv, floatOut) > 1e-4);
    std::filesystem::remove_all(dir);
}

TEST_CASE("BatchNormalization after a Conv is folded before its weights are quantized", "[export][qdq][ort]")
{
    onnx::ModelProto proto = test::makeSmallCnn(); // conv-bn-relu, residual with BN, depthwise-separable, GAP, Gemm
    randomizeWeights(proto);
    std::mt19937 rng(11);
    std::uniform_real_distribution<float> positive(0.5f, 1.5f);
    for (auto& t : *proto.mutable_graph()->mutable_initializer())
        if (t.name().ends_with("running_var")) {
            std::vector<float> v(t.raw_data().size() / 4);
            for (float& x : v)
                x = positive(rng);
            t.set_raw_data(std::string(reinterpret_cast<const char*>(v.data()), v.size() * 4));
        }
    auto model = Model::fromProto(proto, {});
    REQUIRE(model);
    const auto layers = findLayers(*model);
    REQUIRE(layers.size() == 6);
    Plan plan = quantizeAll(Plan {}, layers, QuantSpec { QuantScheme::Uniform, 8, true, true }, false);
    plan = quantizeAllActivations(plan, layers, ActivationSpec { 8, false }, false);

    plan.setActivationRanges(calibrateOnNoise(*model, plan, 1, 28));

    ApplyOptions o;
    o.int8Qdq = true;
    auto applied = apply(*model, plan, o);
    INFO((applied ? std::string() : applied.error().message));
    REQUIRE(applied);
    int norms = 0;
    for (const auto& n : applied->proto.graph().node())
        norms += n.op_type() == "BatchNormalization" ? 1 : 0;
    CHECK(norms == 0);
    const auto dir = test::makeTempDir("topiary-bn-qdq");

    // Every Conv (the depthwise one too) and the residual Add run as integer kernels.
    const auto [file, fused, listed] = writeAndLoadInOrt(applied->proto, dir, "1,1,28,28");
    INFO("ORT fused: " << listed);
    CHECK((fused.count("Conv") == 1 && fused.at("Conv") == 5));
    CHECK(fused.count("Add") == 1);
    CHECK(fused.count("Gemm") == 1);

    // Outputs near the float model's, and what the evaluator simulates.
    std::vector<float> input(28 * 28);
    std::uniform_real_distribution<float> u(-1.0f, 1.0f);
    for (float& x : input)
        x = u(rng);
    const int64_t inDims[] = { 1, 1, 28, 28 };
    const auto ort = test::runInOrt(file, input, inDims);
    REQUIRE(ort.ok);
    auto floatFile = dir / "float.onnx";
    REQUIRE(writeModel(proto, floatFile));
    const auto reference = test::runInOrt(floatFile, input, inDims);
    REQUIRE(reference.ok);
    auto simulated = apply(*model, plan);
    REQUIRE(simulated);
    const auto cv = test::runInOpenCv(simulated->proto, input, inDims);
    INFO("int8 vs float " << relativeDiff(ort.output, reference.output) << ", OpenCV vs ORT " << relativeDiff(cv, ort.output));
    CHECK(relativeDiff(ort.output, reference.output) > 1e-4);
    CHECK(relativeDiff(ort.output, reference.output) < 0.1);
    CHECK(relativeDiff(cv, ort.output) < 1e-5);
    std::filesystem::remove_all(dir);
}
