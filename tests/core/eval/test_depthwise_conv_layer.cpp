// DepthwiseConvLayer against ONNX Runtime: depthwise convolutions of every geometry the
// layer takes (filters per group, kernel, stride, asymmetric pads, dilation), alone and
// with BatchNorm and an activation after them (which OpenCV folds into the layer), give
// ORT's outputs; the layer is the one OpenCV built, not its own convolution; a grouped
// convolution with several input channels per group stays OpenCV's.
#include "ModelBuilder.h"
#include "OrtRunner.h"

#include "core/eval/DepthwiseConvLayer.h"
#include "core/eval/OpenCvNet.h"

#include <catch2/catch.hpp>

#include <algorithm>
#include <cmath>
#include <fstream>
#include <random>

using namespace topiary;
namespace fs = std::filesystem;

namespace {

struct Geometry {
    int64_t channels = 6, perGroup = 1, kernel = 3, stride = 1, dilation = 1;
    std::vector<int64_t> pads { 1, 1, 1, 1 }; // top, left, bottom, right
    std::string after; // "", "bn", "bn+relu", "bn+clip", "leaky"
    int64_t size = 9; // input height; width is size + 4
};

int64_t outSize(int64_t in, int64_t padA, int64_t padB, const Geometry& g)
{
    return (in + padA + padB - g.dilation * (g.kernel - 1) - 1) / g.stride + 1;
}

onnx::ModelProto depthwiseModel(const Geometry& g)
{
    test::ModelBuilder b;
    const int64_t h = g.size, w = g.size + 4, k = g.channels * g.perGroup;
    b.input("x", { 2, g.channels, h, w });
    std::vector<float> weights(static_cast<size_t>(k * g.kernel * g.kernel));
    std::mt19937 rng(7);
    std::uniform_real_distribution<float> dist(-1.0f, 1.0f);
    for (float& v : weights)
        v = dist(rng);
    std::vector<float> bias(static_cast<size_t>(k));
    for (float& v : bias)
        v = dist(rng);
    b.weight("w", { k, 1, g.kernel, g.kernel }, weights);
    b.weight("b", { k }, bias);
    auto& conv = b.node("Conv", { "x", "w", "b" }, { "conv" }, "dw");
    test::setAttr(conv, "group", g.channels);
    test::setAttr(conv, "kernel_shape", std::vector<int64_t> { g.kernel, g.kernel });
    test::setAttr(conv, "strides", std::vector<int64_t> { g.stride, g.stride });
    test::setAttr(conv, "dilations", std::vector<int64_t> { g.dilation, g.dilation });
    test::setAttr(conv, "pads", std::vector<int64_t> { g.pads[0], g.pads[1], g.pads[2], g.pads[3] });
    const std::string last = b.convTail(g.after, "conv", k);
    b.node("Identity", { last }, { "y" }, "out");
    b.output("y", { 2, k, outSize(h, g.pads[0], g.pads[2], g), outSize(w, g.pads[1], g.pads[3], g) });
    return b.build();
}

std::vector<float> randomInput(size_t n)
{
    std::mt19937 rng(11);
    std::uniform_real_distribution<float> dist(-2.0f, 2.0f);
    std::vector<float> v(n);
    for (float& x : v)
        x = dist(rng);
    return v;
}

bool hasLayerOfType(OpenCvNet& net, std::string_view type)
{
    cv::dnn::Net& cv = net.openCv();
    for (const auto& name : cv.getLayerNames())
        if (cv.getLayer(cv.getLayerId(name))->type == type)
            return true;
    return false;
}

void checkAgainstOrt(const Geometry& g, const fs::path& dir)
{
    const onnx::ModelProto model = depthwiseModel(g);
    const std::vector<int64_t> dims { 2, g.channels, g.size, g.size + 4 };
    const std::vector<float> input = randomInput(static_cast<size_t>(2 * g.channels * g.size * (g.size + 4)));

    auto net = OpenCvNet::create(model);
    REQUIRE(net.has_value());
    CHECK(hasLayerOfType(*net, depthwiseConvLayerType));
    std::vector<int> shape(dims.begin(), dims.end());
    cv::Mat blob(4, shape.data(), CV_32F, const_cast<float*>(input.data()));
    auto out = net->forward(blob);
    REQUIRE(out.has_value());
    std::vector<float> ours(out->ptr<float>(), out->ptr<float>() + out->total());

    const fs::path file = dir / "dw.onnx";
    {
        std::ofstream f(file, std::ios::binary);
        f << model.SerializeAsString();
    }
    const auto ort = test::runInOrt(file, input, dims);
    INFO(ort.error);
    REQUIRE(ort.ok);
    REQUIRE(ort.output.size() == ours.size());
    double worst = 0.0;
    for (size_t i = 0; i < ours.size(); ++i)
        worst = std::max(worst, std::fabs(static_cast<double>(ours[i]) - ort.output[i]));
    CHECK(worst < 1e-5);
}

} // namespace

TEST_CASE("depthwise convolutions of every geometry give ONNX Runtime's outputs", "[depthwise][ort]")
{
    const fs::path dir = test::makeTempDir("topiary-depthwise");
    // Each case changes some fields of the default (6 channels, 3x3, stride 1, pads 1).
    auto with = [](auto change) {
        Geometry g;
        change(g);
        return g;
    };
    const std::vector<std::pair<std::string, Geometry>> cases {
        { "3x3, stride 1, pads 1", Geometry {} },
        { "3x3, stride 2", with([](Geometry& g) { g.stride = 2; }) },
        { "two filters per channel", with([](Geometry& g) { g.perGroup = 2; }) },
        { "5x5, asymmetric pads", with([](Geometry& g) { g.kernel = 5, g.pads = { 2, 0, 1, 2 }; }) },
        { "dilation 2, stride 2, no pads", with([](Geometry& g) { g.stride = 2, g.dilation = 2, g.pads = { 0, 0, 0, 0 }; }) },
        { "stride 3, a 4-pixel input", with([](Geometry& g) { g.stride = 3, g.size = 4; }) },
        { "BatchNorm and ReLU folded in", with([](Geometry& g) { g.after = "bn+relu"; }) },
        { "BatchNorm and Clip (ReLU6 with other bounds)", with([](Geometry& g) { g.stride = 2, g.after = "bn+clip"; }) },
        { "BatchNorm alone", with([](Geometry& g) { g.after = "bn"; }) },
        { "leaky ReLU", with([](Geometry& g) { g.perGroup = 3, g.after = "leaky"; }) },
    };
    for (const auto& [name, g] : cases) {
        SECTION(name) { checkAgainstOrt(g, dir); }
    }
    fs::remove_all(dir);
}

TEST_CASE("a grouped convolution with several channels per group stays OpenCV's", "[depthwise]")
{
    test::ModelBuilder b;
    b.input("x", { 1, 4, 6, 6 });
    b.conv("grouped", "x", "y", 4, 4, 3, 2);
    b.output("y", { 1, 4, 6, 6 });
    auto net = OpenCvNet::create(b.build());
    REQUIRE(net.has_value());
    CHECK_FALSE(hasLayerOfType(*net, depthwiseConvLayerType));
}
