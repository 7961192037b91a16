// checkDataset(): the preview's predictions against ONNX Runtime on the same images, and
// the near-chance verdict on the sample with its own and with a wrong preprocessing.
#include "OrtRunner.h"

#include "core/analysis/DatasetCheck.h"
#include "core/data/Preprocessor.h"
#include "core/model/Model.h"

#include <catch2/catch.hpp>

#include <algorithm>
#include <filesystem>

using namespace topiary;
namespace fs = std::filesystem;

namespace {

const fs::path kSample = fs::path(TOPIARY_SOURCE_DIR) / "resources" / "sample";

} // namespace

TEST_CASE("near chance: below chance plus 15 % of the way to perfect", "[dataset-check]")
{
    // Ten classes: chance 10 %, the bar 10 + 0.15 * 90 = 23.5 %.
    CHECK(isNearChance(Estimate { 0.118, 0.099, 0.140, 1000 }, 10));
    CHECK(isNearChance(Estimate { 0.234, 0.20, 0.27, 1000 }, 10));
    CHECK_FALSE(isNearChance(Estimate { 0.236, 0.20, 0.27, 1000 }, 10));
    CHECK_FALSE(isNearChance(Estimate { 0.928, 0.91, 0.94, 1000 }, 10));
    CHECK_FALSE(isNearChance(Estimate { 0.10, 0.02, 0.40, 19 }, 10)); // too few images to say
    // A thousand classes: the bar is 0.1 + 0.15 * 99.9 = 15.085 %.
    CHECK(isNearChance(Estimate { 0.15, 0.14, 0.16, 2000 }, 1000));
    CHECK_FALSE(isNearChance(Estimate { 0.152, 0.14, 0.16, 2000 }, 1000));
    // Two classes: the bar is 50 + 7.5 = 57.5 %; one class has no chance level.
    CHECK(isNearChance(Estimate { 0.57, 0.50, 0.64, 200 }, 2));
    CHECK_FALSE(isNearChance(Estimate { 0.58, 0.51, 0.65, 200 }, 2));
    CHECK_FALSE(isNearChance(Estimate { 0.57, 0.50, 0.64, 200 }, 1));
}

TEST_CASE("dataset check: the sample model on its images, predictions as ONNX Runtime makes them", "[dataset-check]")
{
    auto model = Model::load(kSample / "fashion_cnn.onnx");
    REQUIRE(model.has_value());
    auto dataset = Dataset::open(kSample / "fashion-mnist-test-1000-images-idx3-ubyte");
    REQUIRE(dataset.has_value());
    auto spec = loadPreprocess(kSample / "preprocess.json");
    REQUIRE(spec.has_value());

    DatasetCheckOptions options;
    options.limit = 200;
    options.previews = 6;
    auto check = checkDataset(model->proto(), *dataset, *spec, options);
    REQUIRE(check.has_value());
    CHECK(check->metrics.labelled == 200);
    CHECK(check->chance == Approx(0.1));
    CHECK_FALSE(check->nearChance);
    CHECK(check->metrics.top1().value > 0.8); // 91.89 % on the full test set (TRAINING.md)
    CHECK_THAT(check->verdict, !Catch::Contains("chance"));

    REQUIRE(check->previews.size() == 6);
    auto preprocessor = Preprocessor::create(*spec);
    REQUIRE(preprocessor.has_value());
    for (const PreviewSample& sample : check->previews) {
        CHECK(sample.label == dataset->label(sample.index));
        CHECK(sample.image.rows == 28);
        CHECK(sample.image.cols == 28);
        auto image = dataset->image(sample.index);
        REQUIRE(image.has_value());
        auto blob = preprocessor->blob(*image);
        REQUIRE(blob.has_value());
        const int64_t dims[] = { 1, 1, 28, 28 };
        auto ort = test::runInOrt(kSample / "fashion_cnn.onnx",
            std::span<const float>(blob->ptr<float>(), blob->total()), dims);
        REQUIRE(ort.ok);
        const int expected = static_cast<int>(std::max_element(ort.output.begin(), ort.output.end()) - ort.output.begin());
        CHECK(sample.predicted == expected);
    }
}

TEST_CASE("dataset check: a wrong normalisation is called near chance, pointing at the preprocessing", "[dataset-check]")
{
    auto model = Model::load(kSample / "fashion_cnn.onnx");
    REQUIRE(model.has_value());
    auto dataset = Dataset::open(kSample / "fashion-mnist-test-1000-images-idx3-ubyte");
    REQUIRE(dataset.has_value());
    // What the window used without a preprocess.json: pixels / 255, no mean or std
    // (topiary-cli eval reports 19.80 % on all 1000 images with it).
    auto spec = defaultPreprocess(*model);
    REQUIRE(spec.has_value());
    DatasetCheckOptions options;
    options.limit = 200;
    auto check = checkDataset(model->proto(), *dataset, *spec, options);
    REQUIRE(check.has_value());
    INFO(check->verdict);
    CHECK(check->nearChance);
    CHECK_THAT(check->verdict, Catch::Contains("near chance") && Catch::Contains("preprocessing"));
}
