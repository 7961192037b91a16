// The ONNX -> libtorch bridge against independent references: PyTorch autograd through
// the same modules (outputs, gradients, BatchNorm running statistics in training mode)
// and OpenCV's forward pass on the bundled sample.
#include "SampleData.h"
#include "TrainTestSupport.h"

#include "core/data/Preprocessor.h"
#include "core/eval/OpenCvNet.h"
#include "train/GraphRunner.h"

#include <catch2/catch.hpp>

#include <cmath>

using namespace topiary;
using namespace topiary::test;

namespace {

void checkAgainstPyTorch(const std::string& name, bool training)
{
    const auto ref = readJson(trainFixturesDir() / (name + ".json"));
    auto runner = train::GraphRunner::create(readProto(trainFixturesDir() / (name + ".onnx")));
    REQUIRE(runner);
    const auto& mode = ref.at(training ? "train" : "eval");
    auto result
        = runner->gradients({ tensorFromJson(ref.at("input")) }, tensorFromJson(ref.at("loss_weights")), training);
    REQUIRE(result);
    INFO(name << (training ? " (train mode)" : " (eval mode)"));
    CHECK(relativeDifference(result->outputs[0], tensorFromJson(mode.at("output"))) < 1e-4);
    CHECK(result->loss == Approx(mode.at("loss").get<double>()).epsilon(1e-4));
    const auto& grads = mode.at("gradients");
    REQUIRE(result->gradients.size() == grads.size());
    // Gradients that are zero in exact arithmetic (a conv bias before train-mode BatchNorm)
    // are float noise in both: each tensor is compared relative to its own scale, but at
    // least to 1 % of the largest gradient of the model.
    double largest = 0.0;
    for (const auto& [param, expected] : grads.items())
        for (float v : expected.at("values"))
            largest = std::max(largest, static_cast<double>(std::abs(v)));
    for (const auto& [param, expected] : grads.items()) {
        INFO("gradient of " << param);
        REQUIRE(result->gradients.contains(param));
        CHECK(relativeDifference(result->gradients.at(param), tensorFromJson(expected), 1e-2 * largest) < 1e-4);
    }
    for (const auto& [buffer, expected] : mode.at("buffers").items()) {
        INFO("buffer " << buffer << " after the pass");
        REQUIRE(result->tensorsAfter.contains(buffer));
        CHECK(relativeDifference(result->tensorsAfter.at(buffer), tensorFromJson(expected)) < 1e-5);
    }
}

} // namespace

TEST_CASE("the graph's outputs and gradients equal PyTorch autograd", "[train][torch_graph]")
{
    for (const char* name : { "small_cnn", "ops_net" }) {
        checkAgainstPyTorch(name, false);
        checkAgainstPyTorch(name, true);
    }
}

TEST_CASE("the reference tells train-mode gradients from eval-mode ones", "[train][torch_graph]")
{
    // Train-mode BatchNorm normalizes by the batch: its gradients must not be the eval ones.
    const auto ref = readJson(trainFixturesDir() / "small_cnn.json");
    const auto a = tensorFromJson(ref["eval"]["gradients"]["c1.weight"]);
    const auto b = tensorFromJson(ref["train"]["gradients"]["c1.weight"]);
    CHECK(relativeDifference(a, b) > 1e-2);
}

TEST_CASE("an operator the trainer cannot run is an error naming it", "[train][torch_graph]")
{
    auto proto = readProto(trainFixturesDir() / "small_cnn.onnx");
    for (auto& node : *proto.mutable_graph()->mutable_node())
        if (node.op_type() == "Relu") {
            node.set_op_type("Erf");
            break;
        }
    auto runner = train::GraphRunner::create(proto);
    REQUIRE_FALSE(runner);
    CHECK_THAT(runner.error().message, Catch::Contains("cannot run Erf"));
}

TEST_CASE("the sample's forward pass equals OpenCV's", "[train][torch_graph]")
{
    const Model& model = sampleModel();
    auto runner = train::GraphRunner::create(model.proto());
    REQUIRE(runner);
    auto net = OpenCvNet::create(model.proto());
    REQUIRE(net);
    auto preprocessor = Preprocessor::create(sampleSpec());
    REQUIRE(preprocessor);
    const Dataset data = sampleData();
    const int64_t n = 16;
    train::FloatTensor input { { n, 1, 28, 28 }, std::vector<float>(static_cast<size_t>(n) * 784) };
    for (int64_t i = 0; i < n; ++i) {
        auto image = data.image(static_cast<size_t>(i));
        REQUIRE(image);
        REQUIRE(preprocessor->write(*image, input.values.data() + i * 784));
    }
    auto ours = runner->forward({ input });
    REQUIRE(ours);
    cv::Mat blob(std::vector<int> { static_cast<int>(n), 1, 28, 28 }, CV_32F, input.values.data());
    auto theirs = net->forward(blob);
    REQUIRE(theirs);
    train::FloatTensor reference { { n, 10 }, { theirs->ptr<float>(), theirs->ptr<float>() + n * 10 } };
    CHECK(relativeDifference((*ours)[0], reference) < 1e-4);
}
