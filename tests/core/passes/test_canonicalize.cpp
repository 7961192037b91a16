// The canonicalization driver and OpenCvNet: a copy is returned, external data is refused,
// every output comes back in order, OpenCV's errors name the node.
#include "CanonicalizeSupport.h"

#include "core/passes/OpenCvCanonicalizer.h"
#include "core/passes/DeclareOutputShapes.h"

#include <algorithm>
#include <cmath>
#include <functional>
#include <limits>
#include <string>
#include <vector>

using namespace topiary;
using namespace topiary::test;

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
