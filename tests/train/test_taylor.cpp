// Taylor importance from the trainer against PyTorch computing the same scores
// (gradient_reference.py: |w · dL/dw| of the mean cross-entropy, eval mode, summed over
// batches and per output channel), on a small CNN and on a graph with grouped, depthwise,
// transposed convolutions and MatMul weights (whose filters lie on axis 1).
#include "TrainTestSupport.h"

#include "core/model/Layer.h"
#include "train/Trainer.h"

#include <catch2/catch.hpp>

using namespace topiary;
using namespace topiary::test;

TEST_CASE("Taylor importance equals PyTorch's on the same batches", "[train][taylor]")
{
    for (const char* name : { "small_cnn", "ops_net" }) {
        INFO(name);
        const auto ref = readJson(trainFixturesDir() / (std::string(name) + ".json"));
        auto model = Model::fromProto(readProto(trainFixturesDir() / (std::string(name) + ".onnx")), {});
        REQUIRE(model);
        const auto input = tensorFromJson(ref.at("input"));
        const auto& taylor = ref.at("taylor");
        train::ImageSet images;
        images.count = input.shape[0];
        images.channels = input.shape[1];
        images.height = input.shape[2];
        images.width = input.shape[3];
        images.pixels = input.values;
        images.labels = taylor.at("labels").get<std::vector<int64_t>>();
        const int batch = taylor.at("batch_size").get<int>();

        std::vector<nlohmann::json> events;
        auto scores = train::taylorImportance(*model, images, batch, { [&](const auto& e) { events.push_back(e); } });
        INFO((scores ? std::string() : scores.error().message));
        REQUIRE(scores);
        CHECK(scores->images == images.count);
        CHECK(scores->batches == (images.count + batch - 1) / batch);
        CHECK(events.size() == static_cast<size_t>(scores->batches)); // one progress event per batch

        const auto& expected = taylor.at("scores");
        size_t compared = 0;
        for (const auto& layer : findLayers(*model)) {
            INFO("layer " << layer.name << ", weight " << layer.weight);
            REQUIRE(expected.contains(layer.weight));
            REQUIRE(scores->layers.contains(layer.name));
            const auto want = expected.at(layer.weight).get<std::vector<float>>();
            const auto& got = scores->layers.at(layer.name);
            REQUIRE(got.size() == want.size());
            const int64_t n = static_cast<int64_t>(want.size());
            CHECK(relativeDifference({ { n }, got }, { { n }, want }) < 1e-4);
            ++compared;
        }
        CHECK(compared == expected.size()); // every weight PyTorch scored is a layer here
    }
}
