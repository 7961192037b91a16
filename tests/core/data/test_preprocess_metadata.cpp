// Mean and std from the model's metadata_props ("mean", "std"), and where choosePreprocess
// says each value came from.
#include "OrtRunner.h"

#include "core/data/Preprocess.h"
#include "core/model/Model.h"

#include <catch2/catch.hpp>

#include <filesystem>
#include <fstream>

using namespace topiary;
namespace fs = std::filesystem;

namespace {

const fs::path kSampleModel = fs::path(TOPIARY_SOURCE_DIR) / "resources" / "sample" / "fashion_cnn.onnx";

onnx::ModelProto sampleProto()
{
    auto model = Model::load(kSampleModel);
    REQUIRE(model.has_value());
    return model->proto();
}

void setMetadata(onnx::ModelProto& proto, const std::string& key, const std::string& value)
{
    auto* entry = proto.add_metadata_props();
    entry->set_key(key);
    entry->set_value(value);
}

Model modelWith(onnx::ModelProto proto)
{
    auto model = Model::fromProto(std::move(proto), kSampleModel.parent_path());
    REQUIRE(model.has_value());
    return std::move(*model);
}

} // namespace

TEST_CASE("metadata normalisation: comma lists, brackets and spaces", "[preprocess-metadata]")
{
    auto proto = sampleProto();
    setMetadata(proto, "mean", " 0.2860 ");
    setMetadata(proto, "std", "[0.485, 0.456,0.406]");
    setMetadata(proto, "author", "not ours");
    auto read = normalizationFromMetadata(proto);
    REQUIRE(read.has_value());
    REQUIRE(read->mean.has_value());
    CHECK(*read->mean == std::vector<double> { 0.286 });
    REQUIRE(read->stddev.has_value());
    CHECK(*read->stddev == std::vector<double> { 0.485, 0.456, 0.406 });

    auto none = normalizationFromMetadata(sampleProto());
    REQUIRE(none.has_value());
    CHECK(none->empty());
}

TEST_CASE("metadata normalisation: a value that does not parse is an error naming the key", "[preprocess-metadata]")
{
    for (auto [key, value] : { std::pair { "mean", "0.5;0.5" }, std::pair { "std", "" }, std::pair { "std", "0,1" },
             std::pair { "mean", "0.1,0.2" }, std::pair { "std", "-1" }, std::pair { "mean", "nan" } }) {
        auto proto = sampleProto();
        setMetadata(proto, key, value);
        auto read = normalizationFromMetadata(proto);
        INFO(key << " = " << value);
        REQUIRE_FALSE(read.has_value());
        CHECK_THAT(read.error().message, Catch::Contains(std::string("'") + key + "'"));
    }
}

TEST_CASE("preprocess choice: the model's metadata gives mean and std over the input-shape defaults",
    "[preprocess-metadata]")
{
    const fs::path root = test::makeTempDir("topiary-preprocess-metadata");
    const fs::path data = root / "data" / "images-idx3-ubyte";
    fs::create_directories(data.parent_path());
    std::ofstream(data) << "x";
    auto proto = sampleProto();
    setMetadata(proto, "mean", "0.2860");
    setMetadata(proto, "std", "0.3530");
    const Model model = modelWith(proto);

    PreprocessSearch search;
    search.dataset = data;
    auto chosen = choosePreprocess(model, search);
    REQUIRE(chosen.has_value());
    CHECK(chosen->origin == PreprocessOrigin::ModelMetadata);
    CHECK(chosen->warning.empty());
    CHECK(chosen->spec.mean == std::vector<double> { 0.286 });
    CHECK(chosen->spec.stddev == std::vector<double> { 0.353 });
    // The sample's input is 1x1x28x28: the shape comes from it, the scale is the default.
    CHECK(chosen->spec.channels == 1);
    CHECK(chosen->spec.height == 28);
    CHECK(chosen->sourceOf("mean") == "the model's metadata");
    CHECK(chosen->sourceOf("std") == "the model's metadata");
    CHECK(chosen->sourceOf("height") == "the model's input shape");
    CHECK(chosen->sourceOf("scale") == "default");
    CHECK(chosen->sourceOf("layout").empty());

    SECTION("the model's metadata wins over a preprocess.json beside the data: it belongs to the model")
    {
        std::ofstream(data.parent_path() / "preprocess.json")
            << R"({"channels": 1, "height": 28, "width": 28, "mean": [0.5]})";
        auto fromMeta = choosePreprocess(model, search);
        REQUIRE(fromMeta.has_value());
        CHECK(fromMeta->origin == PreprocessOrigin::ModelMetadata);
        CHECK(fromMeta->spec.mean == std::vector<double> { 0.286 });
        CHECK(fromMeta->sourceOf("mean") == "the model's metadata");
    }
    SECTION("a preprocess.json beside the data names the fields it sets")
    {
        std::ofstream(data.parent_path() / "preprocess.json")
            << R"({"channels": 1, "height": 28, "width": 28, "mean": [0.5]})";
        auto fromFile = choosePreprocess(modelWith(sampleProto()), search);
        REQUIRE(fromFile.has_value());
        CHECK(fromFile->origin == PreprocessOrigin::BesideDataset);
        CHECK(fromFile->spec.mean == std::vector<double> { 0.5 });
        CHECK(fromFile->sourceOf("mean") == (data.parent_path() / "preprocess.json").string());
        CHECK(fromFile->sourceOf("std") == "default");
    }
    SECTION("only a mean: used, with a warning that std is a default")
    {
        auto meanOnly = sampleProto();
        setMetadata(meanOnly, "mean", "0.25");
        auto half = choosePreprocess(modelWith(meanOnly), search);
        REQUIRE(half.has_value());
        CHECK(half->origin == PreprocessOrigin::ModelMetadata);
        CHECK(half->spec.mean == std::vector<double> { 0.25 });
        CHECK(half->spec.stddev == std::vector<double> { 1.0 });
        CHECK_THAT(half->warning, Catch::Contains("std"));
    }
    SECTION("three values for the one-channel input do not fit: an error, not the defaults")
    {
        auto wrong = sampleProto();
        setMetadata(wrong, "mean", "0.485,0.456,0.406");
        auto refused = choosePreprocess(modelWith(wrong), search);
        REQUIRE_FALSE(refused.has_value());
        CHECK_THAT(refused.error().message, Catch::Contains("metadata"));
    }
    fs::remove_all(root);
}
