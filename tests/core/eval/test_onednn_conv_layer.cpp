// OneDnnConvLayer against ONNX Runtime: dense convolutions of the geometries the layer takes
// (kernel, stride, asymmetric pads, dilation, with a bias or without), alone and with
// BatchNorm and an activation after them (which OpenCV folds into the layer), give ORT's
// outputs; the layer is the one OpenCV built, not its own convolution. A batch of another
// size after the first (a new primitive) is checked too, and the sample's dense
// convolutions run on it.
#include "ModelBuilder.h"
#include "OrtRunner.h"
#include "SampleData.h"

#include "core/eval/OneDnnConvLayer.h"
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
    int64_t inputs = 5, outputs = 7, kernel = 3, stride = 1, dilation = 1;
    std::vector<int64_t> pads { 1, 1, 1, 1 }; // top, left, bottom, right
    bool bias = true;
    std::string after; // "", "bn", "bn+relu", "bn+clip", "leaky", "relu"
    int64_t size = 9; // input height; width is size + 3
};

int64_t outSize(int64_t in, int64_t padA, int64_t padB, const Geometry& g)
{
    return (in + padA + padB - g.dilation * (g.kernel - 1) - 1) / g.stride + 1;
}

std::vector<float> uniform(size_t n, unsigned seed, float range)
{
    std::mt19937 rng(seed);
    std::uniform_real_distribution<float> dist(-range, range);
    std::vector<float> v(n);
    for (float& x : v)
        x = dist(rng);
    return v;
}

onnx::ModelProto denseConvModel(const Geometry& g, int64_t batch)
{
    test::ModelBuilder b;
    const int64_t h = g.size, w = g.size + 3, k = g.outputs;
    b.input("x", { batch, g.inputs, h, w });
    b.weight("w", { k, g.inputs, g.kernel, g.kernel }, uniform(static_cast<size_t>(k * g.inputs * g.kernel * g.kernel), 7, 1.0f));
    std::vector<std::string> inputs { "x", "w" };
    if (g.bias) {
        b.weight("b", { k }, uniform(static_cast<size_t>(k), 8, 1.0f));
        inputs.push_back("b");
    }
    auto& conv = b.node("Conv", inputs, { "conv" }, "dense");
    test::setAttr(conv, "kernel_shape", std::vector<int64_t> { g.kernel, g.kernel });
    test::setAttr(conv, "strides", std::vector<int64_t> { g.stride, g.stride });
    test::setAttr(conv, "dilations", std::vector<int64_t> { g.dilation, g.dilation });
    test::setAttr(conv, "pads", std::vector<int64_t> { g.pads[0], g.pads[1], g.pads[2], g.pads[3] });
    const std::string last = b.convTail(g.after, "conv", k);
    b.node("Identity", { last }, { "y" }, "out");
    b.output("y", { batch, k, outSize(h, g.pads[0], g.pads[2], g), outSize(w, g.pads[1], g.pads[3], g) });
    return b.build();
}

bool hasLayerOfType(OpenCvNet& net, std::string_view type)
{
    cv::dnn::Net& cv = net.openCv();
    for (const auto& name : cv.getLayerNames())
        if (cv.getLayer(cv.getLayerId(name))->type == type)
            return true;
    return false;
}

double worstDifference(const cv::Mat& ours, const std::vector<float>& theirs)
{
    REQUIRE(ours.total() == theirs.size());
    double worst = 0.0;
    for (size_t i = 0; i < theirs.size(); ++i)
        worst = std::max(worst, std::fabs(static_cast<double>(ours.ptr<float>()[i]) - theirs[i]));
    return worst;
}

// The net runs a batch of 3 and then one of 2 (OpenCV sets the net up again, the layer
// makes a new primitive); each is compared with ORT on the same images.
void checkAgainstOrt(const Geometry& g, const fs::path& dir)
{
    auto net = OpenCvNet::create(denseConvModel(g, 3));
    REQUIRE(net.has_value());
    CHECK(hasLayerOfType(*net, oneDnnConvLayerType));
    CHECK_FALSE(hasLayerOfType(*net, "Convolution"));
    for (int64_t batch : { 3, 2 }) {
        const std::vector<int64_t> dims { batch, g.inputs, g.size, g.size + 3 };
        const std::vector<float> input = uniform(static_cast<size_t>(batch * g.inputs * g.size * (g.size + 3)), 11 + batch, 2.0f);
        std::vector<int> shape(dims.begin(), dims.end());
        cv::Mat blob(4, shape.data(), CV_32F, const_cast<float*>(input.data()));
        auto out = net->forward(blob);
        REQUIRE(out.has_value());

        const fs::path file = dir / "dense.onnx";
        {
            std::ofstream f(file, std::ios::binary);
            f << denseConvModel(g, batch).SerializeAsString();
        }
        const auto ort = test::runInOrt(file, input, dims);
        INFO(ort.error);
        REQUIRE(ort.ok);
        INFO("batch " << batch);
        CHECK(worstDifference(*out, ort.output) < 1e-4);
    }
}

} // namespace

TEST_CASE("dense convolutions on oneDNN give ONNX Runtime's outputs", "[onednn][ort]")
{
    const fs::path dir = test::makeTempDir("topiary-onednn");
    auto with = [](auto change) {
        Geometry g;
        change(g);
        return g;
    };
    const std::vector<std::pair<std::string, Geometry>> cases {
        { "3x3, stride 1, pads 1", Geometry {} },
        { "3x3, stride 2", with([](Geometry& g) { g.stride = 2; }) },
        { "no bias", with([](Geometry& g) { g.bias = false; }) },
        { "1x1, 16 channels in and out", with([](Geometry& g) { g.kernel = 1, g.inputs = 16, g.outputs = 16, g.pads = { 0, 0, 0, 0 }; }) },
        { "5x5, asymmetric pads", with([](Geometry& g) { g.kernel = 5, g.pads = { 2, 0, 1, 2 }; }) },
        { "dilation 2, stride 2, no pads", with([](Geometry& g) { g.stride = 2, g.dilation = 2, g.pads = { 0, 0, 0, 0 }; }) },
        { "48 channels in and out (the sample's blocks)", with([](Geometry& g) { g.inputs = 48, g.outputs = 48; }) },
        { "BatchNorm and ReLU folded in", with([](Geometry& g) { g.inputs = 16, g.outputs = 24, g.after = "bn+relu"; }) },
        { "BatchNorm and Clip (ReLU6 with other bounds), no bias", with([](Geometry& g) { g.stride = 2, g.bias = false, g.after = "bn+clip"; }) },
        { "BatchNorm alone", with([](Geometry& g) { g.after = "bn"; }) },
        { "ReLU alone", with([](Geometry& g) { g.after = "relu"; }) },
        { "leaky ReLU", with([](Geometry& g) { g.after = "leaky"; }) },
    };
    for (const auto& [name, g] : cases) {
        SECTION(name) { checkAgainstOrt(g, dir); }
    }
    fs::remove_all(dir);
}

TEST_CASE("the sample's dense convolutions run on oneDNN", "[onednn]")
{
    auto net = OpenCvNet::create(test::sampleModel().proto());
    REQUIRE(net.has_value());
    CHECK(hasLayerOfType(*net, oneDnnConvLayerType));
}
