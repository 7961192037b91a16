// OpenCV dnn, after canonicalization, against PyTorch's own outputs for the torchvision
// reference models (tests/fixtures/make_reference_models.py): both exports of each model,
// max |OpenCV - PyTorch| <= 1e-4 * max(1, max |PyTorch|).
//
// The models are read with protobuf directly, so this checks the OpenCV path on its own,
// independent of the Model loader.
#include "core/passes/OpenCvCanonicalizer.h"
#include "core/eval/OpenCvNet.h"

#include <catch2/catch.hpp>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

using namespace topiary;

namespace {

const std::filesystem::path kReferenceDir = TOPIARY_REFERENCE_DIR;

std::vector<float> readFloats(const std::filesystem::path& file, size_t count)
{
    INFO("reading " << file.string());
    REQUIRE(std::filesystem::exists(file));
    REQUIRE(std::filesystem::file_size(file) == count * sizeof(float));
    std::vector<float> values(count);
    std::ifstream in(file, std::ios::binary);
    in.read(reinterpret_cast<char*>(values.data()), static_cast<std::streamsize>(count * sizeof(float)));
    REQUIRE(in.good());
    return values;
}

onnx::ModelProto readModel(const std::filesystem::path& file)
{
    INFO("reading " << file.string() << " (generate it with tests/fixtures/make_reference_models.py)");
    REQUIRE(std::filesystem::exists(file));
    onnx::ModelProto model;
    std::ifstream in(file, std::ios::binary);
    REQUIRE(model.ParseFromIstream(&in));
    return model;
}

void checkAgainstPyTorch(const std::string& name)
{
    const auto input = readFloats(kReferenceDir / (name + "_input.bin"), 3 * 224 * 224);
    const auto expected = readFloats(kReferenceDir / (name + "_output.bin"), 1000);
    float reference = 1.0f;
    for (float v : expected)
        reference = std::max(reference, std::fabs(v));
    const double tolerance = 1e-4 * reference;

    for (const std::string variant : { "folded", "bn" }) {
        DYNAMIC_SECTION(name << "_" << variant << ".onnx")
        {
            const onnx::ModelProto model = readModel(kReferenceDir / (name + "_" + variant + ".onnx"));
            auto net = OpenCvNet::create(model);
            if (!net)
                FAIL(net.error().message);

            const int shape[] = { 1, 3, 224, 224 };
            const cv::Mat blob(4, shape, CV_32F, const_cast<float*>(input.data()));
            auto output = net->forward(blob);
            if (!output)
                FAIL(output.error().message);
            REQUIRE(output->total() == expected.size());

            const auto* actual = output->ptr<float>();
            double maxDiff = 0.0;
            size_t worst = 0;
            for (size_t i = 0; i < expected.size(); ++i) {
                const double d = std::fabs(static_cast<double>(actual[i]) - expected[i]);
                if (!(d <= maxDiff)) { // NaN counts as the worst
                    maxDiff = d;
                    worst = i;
                }
            }
            INFO("worst at class " << worst << ": OpenCV " << actual[worst] << ", PyTorch " << expected[worst]
                                   << "; max |PyTorch| " << reference);
            REQUIRE(maxDiff <= tolerance);
        }
    }
}

} // namespace

TEST_CASE("OpenCV matches PyTorch: resnet18", "[reference][opencv]")
{
    checkAgainstPyTorch("resnet18");
}
TEST_CASE("OpenCV matches PyTorch: resnet50", "[reference][opencv]")
{
    checkAgainstPyTorch("resnet50");
}
TEST_CASE("OpenCV matches PyTorch: mobilenet_v2", "[reference][opencv]")
{
    checkAgainstPyTorch("mobilenet_v2");
}
TEST_CASE("OpenCV matches PyTorch: squeezenet1_1", "[reference][opencv]")
{
    checkAgainstPyTorch("squeezenet1_1");
}
TEST_CASE("OpenCV matches PyTorch: vgg16", "[reference][opencv]")
{
    checkAgainstPyTorch("vgg16");
}
TEST_CASE("OpenCV matches PyTorch: densenet121", "[reference][opencv]")
{
    checkAgainstPyTorch("densenet121");
}
TEST_CASE("OpenCV matches PyTorch: googlenet", "[reference][opencv]")
{
    checkAgainstPyTorch("googlenet");
}
TEST_CASE("OpenCV matches PyTorch: shufflenet_v2_x1_0", "[reference][opencv]")
{
    checkAgainstPyTorch("shufflenet_v2_x1_0");
}
TEST_CASE("OpenCV matches PyTorch: efficientnet_b0", "[reference][opencv]")
{
    checkAgainstPyTorch("efficientnet_b0");
}
TEST_CASE("OpenCV matches PyTorch: alexnet", "[reference][opencv]")
{
    checkAgainstPyTorch("alexnet");
}
