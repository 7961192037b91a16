// The "train" message's options: what a client sends is read back the same, and mistakes
// are errors that name the field.
#include "train/TrainOptions.h"

#include <catch2/catch.hpp>

using namespace topiary;
using namespace topiary::train;

TEST_CASE("training options survive JSON", "[train][options]")
{
    TrainOptions o;
    o.model = "m.onnx";
    o.trainData = "train.idx";
    o.valData = "val.idx";
    o.output = "out.onnx";
    o.epochs = 3;
    o.batchSize = 32;
    o.optimizer = OptimizerKind::Adam;
    o.learningRate = 0.002;
    o.schedule = Schedule::Constant;
    o.seed = 7;
    o.augmentPad = 2;
    o.augmentFlip = true;
    o.distillation = Distillation { 3.0, 0.7 };
    o.shrink = true;
    Recipe recipe;
    recipe.plan.setQuant("conv", QuantSpec { QuantScheme::Uniform, 4, true, true });
    o.recipe = recipe;
    auto back = trainOptionsFromJson(trainOptionsToJson(o));
    REQUIRE(back);
    CHECK(*back == o);
}

TEST_CASE("training options are read strictly", "[train][options]")
{
    const nlohmann::json base = { { "model", "m.onnx" }, { "train_data", "t" }, { "output", "o.onnx" } };
    REQUIRE(trainOptionsFromJson(base));
    CHECK(trainOptionsFromJson(base)->epochs == 1);

    auto error = [&](nlohmann::json patch) {
        nlohmann::json j = base;
        j.merge_patch(patch);
        auto r = trainOptionsFromJson(j);
        return r ? std::string("accepted") : r.error().message;
    };
    CHECK_THAT(error({ { "epoch", 2 } }), Catch::Contains("epoch"));
    CHECK_THAT(error({ { "epochs", 0 } }), Catch::Contains("epochs"));
    CHECK_THAT(error({ { "learning_rate", -1 } }), Catch::Contains("learning_rate"));
    CHECK_THAT(error({ { "optimizer", "rmsprop" } }), Catch::Contains("sgd or adam"));
    CHECK_THAT(error({ { "distillation", { { "alpha", 2 } } } }), Catch::Contains("alpha"));
    CHECK_THAT(error({ { "batch_size", "64" } }), Catch::Contains("batch_size"));
    nlohmann::json missing = base;
    missing.erase("output");
    auto r = trainOptionsFromJson(missing);
    REQUIRE_FALSE(r);
    CHECK_THAT(r.error().message, Catch::Contains("output"));
}
