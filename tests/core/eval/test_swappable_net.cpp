// SwappableNet: a net built once and pointed at plans that only change weights computes
// exactly (bit for bit) what a net imported afresh from the applied model computes, for
// convolutions with BatchNorm folded in, depthwise ones, Gemm stored either way, and back
// to the original; a plan that changes the graph is refused and leaves the net as it was.
#include "ModelBuilder.h"
#include "SampleData.h"

#include "core/eval/OpenCvNet.h"
#include "core/eval/SwappableNet.h"
#include "core/export/Apply.h"
#include "core/model/GraphEdit.h"
#include "core/plan/Plan.h"

#include <catch2/catch.hpp>

#include <algorithm>

using namespace topiary;
using test::sampleModel;

namespace {

cv::Mat sampleBatch(int n)
{
    const int dims[4] = { n, 1, 28, 28 };
    cv::Mat blob(4, dims, CV_32F);
    cv::RNG rng(20261206);
    rng.fill(blob, cv::RNG::NORMAL, 0.0, 1.0);
    return blob;
}

cv::Mat freshOutput(const onnx::ModelProto& model, const cv::Mat& input)
{
    auto net = OpenCvNet::create(model);
    REQUIRE(net.has_value());
    auto out = net->forward(input);
    REQUIRE(out.has_value());
    return *out;
}

cv::Mat swappedOutput(SwappableNet& net, const cv::Mat& input)
{
    auto out = net.net().forward(input);
    REQUIRE(out.has_value());
    return *out;
}

bool identical(const cv::Mat& a, const cv::Mat& b)
{
    return a.total() == b.total() && a.type() == b.type()
        && std::equal(a.ptr<float>(), a.ptr<float>() + a.total(), b.ptr<float>());
}

onnx::ModelProto applied(const Plan& plan)
{
    auto a = apply(sampleModel(), plan);
    REQUIRE(a.has_value());
    return std::move(a->proto);
}

PruneSpec element(double ratio) { return { PruneGranularity::Element, Criterion::L1, PruneMode::Ratio, ratio }; }

} // namespace

TEST_CASE("every conv and Gemm weight of the sample is swappable", "[swappable]")
{
    auto net = SwappableNet::create(sampleModel().proto());
    REQUIRE(net.has_value());
    const auto names = net->swappable();
    for (const char* w : { "stem.conv.weight", "down.conv.weight", "block1.conv1.weight", "block1.conv2.weight",
             "dw1.conv.weight", "pw1.conv.weight", "dw2.conv.weight", "pw2.conv.weight", "fc.weight" })
        CHECK(std::find(names.begin(), names.end(), w) != names.end());
    // A dense layer's bias is not read again when the net is set up.
    CHECK(std::find(names.begin(), names.end(), "fc.bias") == names.end());
}

TEST_CASE("swapped weights compute what a fresh net computes, bit for bit", "[swappable]")
{
    const cv::Mat input = sampleBatch(48);
    auto net = SwappableNet::create(sampleModel().proto());
    REQUIRE(net.has_value());
    const cv::Mat original = swappedOutput(*net, input); // set up once with the original weights
    REQUIRE(identical(original, freshOutput(sampleModel().proto(), input)));

    const std::vector<Plan> plans {
        Plan().withPrune("/block1/conv1/Conv", element(0.5)), // BatchNorm folded into it
        Plan().withPrune("/dw1/conv/Conv", element(0.7)), // depthwise: 9 weights a row, realigned copy
        Plan().withPrune("/fc/Gemm", element(0.9)),
        Plan().withQuant("/pw2/conv/Conv", QuantSpec { QuantScheme::Uniform, 3, true, true }),
        Plan().withPrune("/stem/conv/Conv", element(0.6)).withPrune("/fc/Gemm", element(0.3)),
    };
    for (const Plan& plan : plans) {
        const onnx::ModelProto variant = applied(plan);
        auto swapped = net->swapTo(variant);
        REQUIRE(swapped.has_value());
        REQUIRE(*swapped);
        const cv::Mat out = swappedOutput(*net, input);
        CHECK(identical(out, freshOutput(variant, input)));
        CHECK(!identical(out, original));
    }
    auto back = net->swapTo(sampleModel().proto());
    REQUIRE(back.has_value());
    REQUIRE(*back);
    CHECK(identical(swappedOutput(*net, input), original));
}

namespace {

onnx::ModelProto denseModel(const std::string& op, int64_t k)
{
    test::ModelBuilder b;
    b.input("x", { 3, k });
    if (op == "Gemm") {
        b.weight("w", { 7, k });
        b.weight("c", { 7 });
        auto& gemm = b.node("Gemm", { "x", "w", "c" }, { "y" }, "fc");
        test::setAttr(gemm, "transB", int64_t { 1 });
    } else {
        b.weight("w", { k, 7 });
        b.node("MatMul", { "x", "w" }, { "y" }, "fc");
    }
    b.output("y", { 3, 7 });
    return b.build();
}

onnx::ModelProto withNewWeights(onnx::ModelProto model)
{
    for (auto& t : *model.mutable_graph()->mutable_initializer())
        if (t.name() == "w") {
            auto values = readFloats(t);
            REQUIRE(values.has_value());
            for (size_t i = 0; i < values->size(); i += 3)
                (*values)[i] = -2.0f * static_cast<float>(i);
            t = makeFloatTensor("w", { t.dims().begin(), t.dims().end() }, *values);
        }
    return model;
}

} // namespace

// OpenCV 4.6 computes a dense layer from a padded copy of its weights when a row is not a
// multiple of 8 floats, and from a transposed copy for MatMul: those are rebuilt, and the
// answer is the same either way.
TEST_CASE("dense weights are swapped only where OpenCV reads them again", "[swappable]")
{
    struct Case {
        const char* op;
        int64_t k;
        bool swappable;
    };
    for (const Case c : { Case { "Gemm", 16, true }, Case { "Gemm", 12, false }, Case { "MatMul", 16, false } }) {
        INFO(c.op << " with rows of " << c.k);
        const onnx::ModelProto model = denseModel(c.op, c.k);
        auto net = SwappableNet::create(model);
        INFO((net ? std::string() : net.error().message));
        REQUIRE(net.has_value());
        const auto names = net->swappable();
        CHECK((std::find(names.begin(), names.end(), "w") != names.end()) == c.swappable);
        const cv::Mat x = cv::Mat(3, static_cast<int>(c.k), CV_32F, cv::Scalar(0.5f))
            + cv::Mat::eye(3, static_cast<int>(c.k), CV_32F);
        const cv::Mat before = swappedOutput(*net, x);
        const onnx::ModelProto variant = withNewWeights(model);
        auto swapped = net->swapTo(variant);
        REQUIRE(swapped.has_value());
        CHECK(*swapped == c.swappable);
        if (*swapped)
            CHECK(identical(swappedOutput(*net, x), freshOutput(variant, x)));
        else
            CHECK(identical(swappedOutput(*net, x), before));
    }
}

TEST_CASE("a plan that changes the graph is not swapped", "[swappable]")
{
    const cv::Mat input = sampleBatch(8);
    auto net = SwappableNet::create(sampleModel().proto());
    REQUIRE(net.has_value());
    const cv::Mat original = swappedOutput(*net, input);
    // Low rank splits the layer in two; a changed BatchNorm is not a swappable weight.
    auto swapped = net->swapTo(applied(Plan().withLowRank("/pw2/conv/Conv", LowRankSpec { 16 })));
    REQUIRE(swapped.has_value());
    CHECK_FALSE(*swapped);
    onnx::ModelProto bn = sampleModel().proto();
    for (auto& t : *bn.mutable_graph()->mutable_initializer())
        if (t.name() == "pw1.bn.weight") {
            auto values = readFloats(t);
            REQUIRE(values.has_value());
            (*values)[0] *= 2.0f;
            t = makeFloatTensor(t.name(), { static_cast<int64_t>(values->size()) }, *values);
        }
    swapped = net->swapTo(bn);
    REQUIRE(swapped.has_value());
    CHECK_FALSE(*swapped);
    CHECK(identical(swappedOutput(*net, input), original));
}
