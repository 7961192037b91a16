// The ONNX -> libtorch bridge on the generated torchvision models (both exports of each:
// BatchNorm folded into the convolutions, and kept as BatchNormalization nodes): its
// forward pass equals PyTorch's own output and OpenCV's, within 1e-4 of the output's
// scale (the scales differ by 16 orders of magnitude between the models).
#include "ReferenceModels.h"
#include "TrainTestSupport.h"

#include "core/eval/OpenCvNet.h"
#include "train/GraphRunner.h"

#include <catch2/catch.hpp>

using namespace topiary;
using namespace topiary::test;

TEST_CASE("the trainer's forward pass equals PyTorch and OpenCV on the torchvision models", "[train][reference]")
{
    const auto names = referenceModelNames();
    REQUIRE_FALSE(names.empty());
    for (const auto& name : names) {
        const auto& ref = references().at(name);
        const auto input = readFloats(referenceDir() / ref["files"]["input"].get<std::string>());
        const auto pytorch = readFloats(referenceDir() / ref["files"]["output"].get<std::string>());
        const double scale = ref["output_stats"]["abs_max"].get<double>();
        const train::FloatTensor in { { 1, 3, 224, 224 }, input };
        const train::FloatTensor expected { { 1, 1000 }, pytorch };
        for (const char* kind : { "folded", "bn" }) {
            INFO(name << " (" << kind << ")");
            const auto proto = readProto(referenceDir() / ref["files"][kind].get<std::string>());
            auto runner = train::GraphRunner::create(proto);
            INFO((runner ? std::string() : runner.error().message));
            REQUIRE(runner);
            auto ours = runner->forward({ in });
            INFO((ours ? std::string() : ours.error().message));
            REQUIRE(ours);
            CHECK(relativeDifference((*ours)[0], expected, scale) < 1e-4);

            auto net = OpenCvNet::create(proto);
            REQUIRE(net);
            cv::Mat blob(std::vector<int> { 1, 3, 224, 224 }, CV_32F, const_cast<float*>(input.data()));
            auto opencv = net->forward(blob);
            REQUIRE(opencv);
            const train::FloatTensor theirs { { 1, 1000 }, { opencv->ptr<float>(), opencv->ptr<float>() + 1000 } };
            CHECK(relativeDifference((*ours)[0], theirs, scale) < 1e-4);
        }
    }
}
