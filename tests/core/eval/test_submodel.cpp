// Cutting models in two: the cut chosen before each layer of the bundled sample model
// (worked out by hand from its graph), both halves passing the ONNX checker and, run one
// after the other in OpenCV, giving the full model's outputs; shape arithmetic and
// constant-only nodes moving downstream; cuts that do not separate the graph.
#include "ModelBuilder.h"
#include "SampleData.h"

#include "core/data/Dataset.h"
#include "core/model/Layer.h"
#include "core/model/Model.h"
#include "core/passes/OpenCvCanonicalizer.h"
#include "core/eval/OpenCvNet.h"
#include "core/data/Preprocess.h"
#include "core/data/Preprocessor.h"
#include "core/eval/SubModel.h"

#include <catch2/catch.hpp>
#include <onnx/checker.h>
#include <onnx/shape_inference/implementation.h>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <map>

using namespace topiary;
using test::sampleModel;
using topiary::test::ModelBuilder;
using topiary::test::setAttr;
namespace fs = std::filesystem;

namespace {

const fs::path kSample = fs::path(TOPIARY_SOURCE_DIR) / "resources" / "sample";

// onnx.checker.check_model(full_check=True): the structural checks, then strict shape inference.
void requireValid(const onnx::ModelProto& proto)
{
    INFO(proto.graph().name());
    REQUIRE_NOTHROW(onnx::checker::check_model(proto));
    onnx::ModelProto copy = proto;
    const onnx::ShapeInferenceOptions options(true, 1, false);
    REQUIRE_NOTHROW(onnx::shape_inference::InferShapes(copy, onnx::OpSchemaRegistry::Instance(), options));
}

// The first n images of the sample subset, preprocessed as the model expects.
cv::Mat sampleImages(int n)
{
    auto ds = Dataset::open(kSample / "fashion-mnist-test-1000-images-idx3-ubyte");
    REQUIRE(ds.has_value());
    auto spec = loadPreprocess(kSample / "preprocess.json");
    REQUIRE(spec.has_value());
    auto pre = Preprocessor::create(*spec);
    REQUIRE(pre.has_value());
    const int dims[4] = { n, 1, 28, 28 };
    cv::Mat blob(4, dims, CV_32F);
    for (int i = 0; i < n; ++i) {
        auto img = ds->image(static_cast<size_t>(i));
        REQUIRE(img.has_value());
        REQUIRE(pre->write(*img, blob.ptr<float>() + static_cast<size_t>(i) * pre->floatsPerImage()).has_value());
    }
    return blob;
}

float maxAbsDiff(const cv::Mat& a, const cv::Mat& b)
{
    REQUIRE(a.total() == b.total());
    float worst = 0.0f;
    for (size_t i = 0; i < a.total(); ++i)
        worst = std::max(worst, std::abs(a.ptr<float>()[i] - b.ptr<float>()[i]));
    return worst;
}

std::vector<std::string> nodeNames(const onnx::ModelProto& m)
{
    std::vector<std::string> names;
    for (const auto& n : m.graph().node())
        names.push_back(n.name());
    return names;
}

// Runs the upstream model (when there is one) and then the downstream one on `images`.
cv::Mat runInTwo(const onnx::ModelProto& model, const Cut& cut, const cv::Mat& images, const std::string& inputName)
{
    std::map<std::string, cv::Mat> values { { inputName, images } };
    auto up = upstreamModel(model, cut);
    if (up) {
        auto net = OpenCvNet::create(*up);
        REQUIRE(net.has_value());
        auto outs = net->forward({ { inputName, images } });
        REQUIRE(outs.has_value());
        for (size_t i = 0; i < outs->size(); ++i)
            values[net->outputNames()[i]] = (*outs)[i];
    }
    auto down = downstreamModel(model, cut);
    REQUIRE(down.has_value());
    auto net = OpenCvNet::create(*down);
    REQUIRE(net.has_value());
    std::vector<std::pair<std::string, cv::Mat>> feeds;
    for (const auto& name : net->inputNames()) {
        REQUIRE(values.contains(name));
        feeds.emplace_back(name, values[name]);
    }
    auto outs = net->forward(feeds);
    REQUIRE(outs.has_value());
    return outs->front();
}

} // namespace

TEST_CASE("the cut before each layer of the sample model", "[submodel]")
{
    const Model& model = sampleModel();
    const auto layers = findLayers(model);
    const std::map<std::string, std::vector<std::string>> expected {
        { "/stem/conv/Conv", { "input" } },
        { "/down/conv/Conv", { "/stem/relu/Relu_output_0" } },
        { "/block1/conv1/Conv", { "/down/relu/Relu_output_0" } },
        // the residual: the skip connection crosses the cut too
        { "/block1/conv2/Conv", { "/down/relu/Relu_output_0", "/block1/relu1/Relu_output_0" } },
        { "/dw1/conv/Conv", { "/block1/relu2/Relu_output_0" } },
        { "/pw1/conv/Conv", { "/dw1/relu/Relu_output_0" } },
        { "/dw2/conv/Conv", { "/pw1/relu/Relu_output_0" } },
        { "/pw2/conv/Conv", { "/dw2/relu/Relu_output_0" } },
        { "/fc/Gemm", { "/flatten/Flatten_output_0" } },
    };
    REQUIRE(layers.size() == expected.size());
    for (size_t i = 0; i < layers.size(); ++i) {
        INFO(layers[i].name);
        auto cut = cutBeforeLayer(model, layers, static_cast<int>(i));
        REQUIRE(cut.has_value());
        CHECK(cut->firstNode == layers[i].node);
        CHECK(cut->tensors == expected.at(layers[i].name));
        REQUIRE(cut->infos.size() == cut->tensors.size());
        for (const auto& info : cut->infos) {
            CHECK(info.elemType == onnx::TensorProto_DataType_FLOAT);
            REQUIRE(info.hasShape);
            CHECK(info.shape.front() == -1); // the symbolic batch, not the index's pinned 1
        }
        for (int n : cut->upstreamNodes)
            CHECK(n < layers[i].node);
        CHECK(cut->validFor(layers[i].node));
        CHECK(cut->validFor(-1));
        if (i > 0)
            CHECK_FALSE(cut->validFor(layers[i - 1].node));
    }
    auto pw1 = cutBeforeLayer(model, layers, 5);
    REQUIRE(pw1.has_value());
    CHECK(pw1->infos[0].shape == std::vector<int64_t> { -1, 48, 7, 7 });
    CHECK_FALSE(cutBefore(model, -1).has_value());
    CHECK_FALSE(cutBefore(model, static_cast<int>(model.nodes().size())).has_value());
    CHECK_FALSE(cutBeforeLayer(model, layers, 99).has_value());
}

TEST_CASE("both halves pass the checker and compute the full model in OpenCV", "[submodel]")
{
    const Model& model = sampleModel();
    const auto layers = findLayers(model);
    const cv::Mat images = sampleImages(24);
    auto full = OpenCvNet::create(model.proto());
    REQUIRE(full.has_value());
    auto reference = full->forward(images);
    REQUIRE(reference.has_value());

    for (size_t i = 0; i < layers.size(); ++i) {
        INFO(layers[i].name);
        auto cut = cutBeforeLayer(model, layers, static_cast<int>(i));
        REQUIRE(cut.has_value());
        auto down = downstreamModel(model.proto(), *cut);
        REQUIRE(down.has_value());
        requireValid(*down);
        // The downstream inputs are the cut tensors, declared with the symbolic batch.
        REQUIRE(down->graph().input_size() == static_cast<int>(cut->tensors.size()));
        for (int k = 0; k < down->graph().input_size(); ++k) {
            CHECK(down->graph().input(k).name() == cut->tensors[static_cast<size_t>(k)]);
            CHECK(down->graph().input(k).type().tensor_type().shape().dim(0).dim_param() == "N");
        }
        CHECK(down->graph().output(0).name() == "logits");
        // Only the initializers it reads.
        for (const auto& t : down->graph().initializer())
            CHECK(std::any_of(down->graph().node().begin(), down->graph().node().end(), [&](const auto& n) {
                return std::find(n.input().begin(), n.input().end(), t.name()) != n.input().end();
            }));

        size_t upstreamNodes = 0;
        auto up = upstreamModel(model.proto(), *cut);
        if (i == 0) {
            CHECK_FALSE(up.has_value()); // the cut is the graph input: nothing runs before it
        } else {
            REQUIRE(up.has_value());
            requireValid(*up);
            upstreamNodes = static_cast<size_t>(up->graph().node_size());
            CHECK(upstreamNodes == cut->upstreamNodes.size());
            // The cut tensors are the upstream model's outputs, and stay so for OpenCV.
            auto canonical = canonicalizeForOpenCv(*up);
            REQUIRE(canonical.has_value());
            REQUIRE(canonical->graph().output_size() == static_cast<int>(cut->tensors.size()));
            for (int k = 0; k < canonical->graph().output_size(); ++k)
                CHECK(canonical->graph().output(k).name() == cut->tensors[static_cast<size_t>(k)]);
        }
        // This graph has no branch that both halves need: every node runs exactly once.
        CHECK(upstreamNodes + static_cast<size_t>(down->graph().node_size()) == model.nodes().size());
        CHECK(static_cast<int>(upstreamNodes) == layers[i].node);

        const cv::Mat logits = runInTwo(model.proto(), *cut, images, "input");
        CHECK(maxAbsDiff(logits, *reference) <= 1e-4f);
    }
}

TEST_CASE("shape arithmetic and constant-only nodes move downstream of the cut", "[submodel]")
{
    ModelBuilder b;
    b.input("x", { 2, 3, 8, 8 });
    b.conv("c1", "x", "a", 3, 4, 3);
    b.node("Relu", { "a" }, { "r" }, "relu1");
    // Reshape target computed from r's shape (int64, not an activation to cache)...
    b.node("Shape", { "r" }, { "s" }, "shape");
    b.int64s("zero", {}, { 0 });
    setAttr(b.node("Gather", { "s", "zero" }, { "n" }, "gather"), "axis", int64_t { 0 });
    b.int64s("axes0", { 1 }, { 0 });
    b.node("Unsqueeze", { "n", "axes0" }, { "n1" }, "unsqueeze");
    b.int64s("minus1", { 1 }, { -1 });
    setAttr(b.node("Concat", { "n1", "minus1" }, { "target" }, "concat"), "axis", int64_t { 0 });
    // ... and a value computed from constants alone, both before the layer in graph order.
    b.weight("k", { 1 }, { 0.5f });
    b.node("Mul", { "k", "k" }, { "k2" }, "square");
    b.conv("c2", "r", "c", 4, 4, 3);
    b.node("Mul", { "c", "k2" }, { "cm" }, "scale");
    b.node("Reshape", { "cm", "target" }, { "f" }, "reshape");
    b.weight("W", { 5, 256 });
    setAttr(b.node("Gemm", { "f", "W" }, { "y" }, "fc"), "transB", int64_t { 1 });
    b.output("y", { 2, 5 });
    auto model = Model::fromProto(b.build(), {});
    REQUIRE(model.has_value());

    const int c2 = model->findNode("c2");
    REQUIRE(c2 > model->findNode("square"));
    auto cut = cutBefore(*model, c2);
    REQUIRE(cut.has_value());
    CHECK(cut->tensors == std::vector<std::string> { "r" });
    CHECK(cut->upstreamNodes == std::vector<int> { model->findNode("c1"), model->findNode("relu1") });
    CHECK(cut->infos[0].shape == std::vector<int64_t> { 2, 4, 8, 8 }); // a fixed batch stays fixed

    auto down = downstreamModel(model->proto(), *cut);
    REQUIRE(down.has_value());
    requireValid(*down);
    CHECK(nodeNames(*down)
        == std::vector<std::string> { "shape", "gather", "unsqueeze", "concat", "square", "c2", "scale", "reshape",
            "fc" });
    auto up = upstreamModel(model->proto(), *cut);
    REQUIRE(up.has_value());
    requireValid(*up);
    CHECK(nodeNames(*up) == std::vector<std::string> { "c1", "relu1" });
    CHECK(up->graph().initializer_size() == 2); // c1's weight and bias

    // Random inputs: the two halves in OpenCV give what the whole model gives.
    const int dims[4] = { 2, 3, 8, 8 };
    cv::Mat x(4, dims, CV_32F);
    cv::randu(x, -1.0f, 1.0f);
    auto full = OpenCvNet::create(model->proto());
    REQUIRE(full.has_value());
    auto reference = full->forward(x);
    REQUIRE(reference.has_value());
    const cv::Mat y = runInTwo(model->proto(), *cut, x, "x");
    CHECK(maxAbsDiff(y, *reference) <= 1e-3f * std::max(1.0f, static_cast<float>(cv::norm(*reference, cv::NORM_INF))));
}

TEST_CASE("extracting with a cut that does not separate the graph is an error", "[submodel]")
{
    const Model& model = sampleModel();
    auto infos = tensorInfos(model, std::vector<std::string> { "/block1/relu1/Relu_output_0" });
    REQUIRE(infos.has_value());
    std::vector<TensorInfo> outputs(1);
    outputs[0].name = "logits";
    // The residual's skip connection bypasses this tensor.
    auto sub = extractSubModel(model.proto(), *infos, outputs);
    REQUIRE_FALSE(sub.has_value());
    CHECK(sub.error().message.find("graph input 'input'") != std::string::npos);

    TensorInfo weight;
    weight.name = "fc.weight";
    CHECK_FALSE(extractSubModel(model.proto(), std::span<const TensorInfo>(&weight, 1), outputs).has_value());
    TensorInfo unknown;
    unknown.name = "no such tensor";
    CHECK_FALSE(extractSubModel(model.proto(), std::span<const TensorInfo>(&unknown, 1), outputs).has_value());
    CHECK_FALSE(tensorInfos(model, std::vector<std::string> { "no such tensor" }).has_value());

    // An output that is an input of the sub-model.
    auto same = tensorInfos(model, std::vector<std::string> { "/flatten/Flatten_output_0" });
    REQUIRE(same.has_value());
    std::vector<TensorInfo> flatOut(1);
    flatOut[0].name = "/flatten/Flatten_output_0";
    CHECK_FALSE(extractSubModel(model.proto(), *same, flatOut).has_value());

    // Any tensors in between work, also ones that are not a layer's cut.
    auto mid = tensorInfos(model, std::vector<std::string> { "/pw2/bn/BatchNormalization_output_0" });
    REQUIRE(mid.has_value());
    auto tail = extractSubModel(model.proto(), *mid, outputs);
    REQUIRE(tail.has_value());
    requireValid(*tail);
    CHECK(nodeNames(*tail)
        == std::vector<std::string> { "/pw2/relu/Relu", "/gap/GlobalAveragePool", "/flatten/Flatten", "/fc/Gemm" });
}
