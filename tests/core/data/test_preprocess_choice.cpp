// choosePreprocess(): which preprocessing an evaluation uses, from real files in
// temporary folders laid out as a user would (a model folder, a data folder).
#include "OrtRunner.h"

#include "core/model/Model.h"
#include "core/data/Preprocess.h"

#include <catch2/catch.hpp>

#include <filesystem>
#include <fstream>
#include <string>

using namespace topiary;
namespace fs = std::filesystem;

namespace {

const fs::path kSampleModel = fs::path(TOPIARY_SOURCE_DIR) / "resources" / "sample" / "fashion_cnn.onnx";

// A valid spec for the sample (1x28x28) whose mean tells the files apart.
void writeSpec(const fs::path& file, double mean)
{
    fs::create_directories(file.parent_path());
    std::ofstream(file) << R"({"channels": 1, "height": 28, "width": 28, "mean": [)" << mean << R"(], "std": [0.5]})";
}

void touch(const fs::path& file)
{
    fs::create_directories(file.parent_path());
    std::ofstream(file) << "x";
}

// root/models/fashion_cnn.onnx and root/data/, removed at the end.
struct Folders {
    fs::path root = test::makeTempDir("topiary-preprocess-choice");
    fs::path modelFile = root / "models" / "fashion_cnn.onnx";
    fs::path data = root / "data";
    Model model;

    Folders()
        : model(load())
    {
        fs::create_directories(modelFile.parent_path());
        fs::copy_file(kSampleModel, modelFile);
        fs::create_directories(data);
    }
    ~Folders() { fs::remove_all(root); }

    static Model load()
    {
        auto m = Model::load(kSampleModel);
        REQUIRE(m.has_value());
        return std::move(*m);
    }
    PreprocessSearch search(const fs::path& dataset) const
    {
        PreprocessSearch s;
        s.dataset = dataset;
        s.modelFile = modelFile;
        return s;
    }
};

} // namespace

TEST_CASE("preprocess choice: the model's preprocess.json wins over the dataset's", "[preprocess-choice]")
{
    Folders f;
    writeSpec(f.modelFile.parent_path() / "preprocess.json", 0.1);
    writeSpec(f.data / "preprocess.json", 0.2);
    const fs::path images = f.data / "images-idx3-ubyte";
    touch(images);

    auto modelFirst = choosePreprocess(f.model, f.search(images));
    REQUIRE(modelFirst.has_value());
    CHECK(modelFirst->origin == PreprocessOrigin::BesideModel);
    CHECK(modelFirst->file == f.modelFile.parent_path() / "preprocess.json");
    CHECK(modelFirst->spec.mean == std::vector<double> { 0.1 });

    // Without the model's file, the data's is used.
    fs::remove(f.modelFile.parent_path() / "preprocess.json");
    auto chosen = choosePreprocess(f.model, f.search(images));
    REQUIRE(chosen.has_value());
    CHECK(chosen->origin == PreprocessOrigin::BesideDataset);
    CHECK(chosen->file == f.data / "preprocess.json");
    CHECK(chosen->spec.mean == std::vector<double> { 0.2 });
    CHECK(chosen->description == (f.data / "preprocess.json").string());
    CHECK(chosen->warning.empty());

    SECTION("an image folder's own file wins over its parent's")
    {
        const fs::path folder = f.data / "imagefolder";
        writeSpec(folder / "preprocess.json", 0.3);
        auto inFolder = choosePreprocess(f.model, f.search(folder));
        REQUIRE(inFolder.has_value());
        CHECK(inFolder->file == folder / "preprocess.json");
        CHECK(inFolder->spec.mean == std::vector<double> { 0.3 });
    }
}

TEST_CASE("preprocess choice: an explicit file wins over a recorded spec, which wins over the files", "[preprocess-choice]")
{
    Folders f;
    writeSpec(f.modelFile.parent_path() / "preprocess.json", 0.1);
    writeSpec(f.data / "preprocess.json", 0.2);
    const fs::path explicitFile = f.root / "elsewhere" / "mine.json";
    writeSpec(explicitFile, 0.4);
    PreprocessSpec recorded;
    recorded.channels = 1;
    recorded.height = 28;
    recorded.width = 28;
    recorded.mean = { 0.5 };

    PreprocessSearch search = f.search(f.data / "labels.csv");
    search.recorded = recorded;
    search.recordedFrom = "the recipe r.json";
    auto fromRecord = choosePreprocess(f.model, search);
    REQUIRE(fromRecord.has_value());
    CHECK(fromRecord->origin == PreprocessOrigin::Recorded);
    CHECK(fromRecord->spec == recorded);
    CHECK(fromRecord->description == "the recipe r.json");
    CHECK(fromRecord->file.empty());

    search.explicitFile = explicitFile;
    auto fromFlag = choosePreprocess(f.model, search);
    REQUIRE(fromFlag.has_value());
    CHECK(fromFlag->origin == PreprocessOrigin::ExplicitFile);
    CHECK(fromFlag->file == explicitFile);
    CHECK(fromFlag->spec.mean == std::vector<double> { 0.4 });
}

TEST_CASE("preprocess choice: no file anywhere falls back to the model's defaults with a warning", "[preprocess-choice]")
{
    Folders f;
    PreprocessSearch search = f.search(f.data / "images-idx3-ubyte");
    auto chosen = choosePreprocess(f.model, search);
    REQUIRE(chosen.has_value());
    CHECK(chosen->origin == PreprocessOrigin::ModelDefaults);
    CHECK(chosen->file.empty());
    CHECK_FALSE(chosen->warning.empty());
    CHECK(chosen->warning.find("preprocess.json") != std::string::npos);
    // The sample takes 1x28x28: one channel, pixels / 255, no normalisation.
    CHECK(chosen->spec.channels == 1);
    CHECK(chosen->spec.height == 28);
    CHECK(chosen->spec.width == 28);
    CHECK(chosen->spec.scale == Approx(1.0 / 255.0));
    CHECK(chosen->spec.mean == std::vector<double> { 0.0 });

    SECTION("a model that is not a file (a bundled resource) is not looked beside")
    {
        writeSpec(f.modelFile.parent_path() / "preprocess.json", 0.1);
        search.modelFile.clear();
        auto noModelFile = choosePreprocess(f.model, search);
        REQUIRE(noModelFile.has_value());
        CHECK(noModelFile->origin == PreprocessOrigin::ModelDefaults);
    }
}

TEST_CASE("preprocess choice: a broken or unfitting file is an error naming it, not the defaults", "[preprocess-choice]")
{
    Folders f;
    const fs::path images = f.data / "images-idx3-ubyte";
    SECTION("does not parse")
    {
        std::ofstream(f.data / "preprocess.json") << R"({"channels": 1, "height": 28)";
        auto chosen = choosePreprocess(f.model, f.search(images));
        REQUIRE_FALSE(chosen.has_value());
        CHECK(chosen.error().message.find((f.data / "preprocess.json").string()) != std::string::npos);
    }
    SECTION("does not fit the model's 28x28 input")
    {
        std::ofstream(f.data / "preprocess.json") << R"({"channels": 1, "height": 32, "width": 32})";
        auto chosen = choosePreprocess(f.model, f.search(images));
        REQUIRE_FALSE(chosen.has_value());
        CHECK(chosen.error().message.find((f.data / "preprocess.json").string()) != std::string::npos);
    }
    SECTION("an explicit file that is missing")
    {
        PreprocessSearch search = f.search(images);
        search.explicitFile = f.root / "missing.json";
        auto chosen = choosePreprocess(f.model, search);
        REQUIRE_FALSE(chosen.has_value());
        CHECK(chosen.error().message.find("missing.json") != std::string::npos);
    }
}

namespace {

Model withMetadata(const Model& model, std::initializer_list<std::pair<const char*, const char*>> props)
{
    onnx::ModelProto proto = model.proto();
    for (const auto& [key, value] : props) {
        auto* p = proto.add_metadata_props();
        p->set_key(key);
        p->set_value(value);
    }
    auto m = Model::fromProto(std::move(proto), {});
    REQUIRE(m.has_value());
    return std::move(*m);
}

} // namespace

TEST_CASE("preprocess choice: mean and std in the model's metadata", "[preprocess-choice]")
{
    Folders f;
    const fs::path images = f.data / "images-idx3-ubyte";
    touch(images);
    writeSpec(f.data / "preprocess.json", 0.2);

    // torchvision's Normalize values (0..1 scale), as a JSON list and as plain text.
    const Model meta = withMetadata(f.model, { { "mean", "[0.286]" }, { "std", "0.353" } });
    auto chosen = choosePreprocess(meta, f.search(images));
    REQUIRE(chosen.has_value());
    CHECK(chosen->origin == PreprocessOrigin::ModelMetadata); // before the dataset's file
    CHECK(chosen->description == "the model's metadata (mean, std)");
    CHECK(chosen->spec.mean == std::vector<double> { 0.286 });
    CHECK(chosen->spec.stddev == std::vector<double> { 0.353 });
    CHECK(chosen->spec.scale == Approx(1.0 / 255.0));
    CHECK(chosen->spec.channels == 1);
    CHECK(chosen->warning.empty());

    // The model's own preprocess.json still wins: the user put it there.
    writeSpec(f.modelFile.parent_path() / "preprocess.json", 0.1);
    PreprocessSearch search = f.search(images);
    auto besideModel = choosePreprocess(meta, search);
    REQUIRE(besideModel.has_value());
    CHECK(besideModel->origin == PreprocessOrigin::BesideModel);

    // Hugging Face's names, in pixel units (any value above 1): scale 1.
    auto pixels = preprocessFromMetadata(withMetadata(f.model, { { "image_mean", "72.93" }, { "image_std", "90.0" } }));
    REQUIRE(pixels.has_value());
    REQUIRE(pixels->has_value());
    CHECK((*pixels)->scale == 1.0);
    CHECK((*pixels)->mean == std::vector<double> { 72.93 });

    // Topiary's own key holds a whole spec.
    std::string source;
    auto whole = preprocessFromMetadata(
        withMetadata(f.model, { { "topiary.preprocess", R"({"channels": 1, "height": 28, "width": 28, "mean": [0.5], "std": [0.25]})" } }),
        &source);
    REQUIRE(whole.has_value());
    REQUIRE(whole->has_value());
    CHECK((*whole)->stddev == std::vector<double> { 0.25 });
    CHECK(source == "the model's metadata (topiary.preprocess)");

    // No keys: nothing. A value that does not parse is an error naming the key, never the defaults.
    auto none = preprocessFromMetadata(f.model);
    REQUIRE(none.has_value());
    CHECK_FALSE(none->has_value());
    auto bad = preprocessFromMetadata(withMetadata(f.model, { { "mean", "zero point three" } }));
    REQUIRE_FALSE(bad.has_value());
    CHECK_THAT(bad.error().message, Catch::Contains("metadata 'mean'"));
    PreprocessSearch dataOnly;
    dataOnly.dataset = images;
    auto badStd = choosePreprocess(withMetadata(f.model, { { "std", "0" } }), dataOnly);
    REQUIRE_FALSE(badStd.has_value());
    CHECK_THAT(badStd.error().message, Catch::Contains("model's metadata (std)"));
}
