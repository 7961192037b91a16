// summarizeDataset(): images read, skipped with reasons, per class, against counts made
// independently (numpy's bincount of the sample's label file; a folder laid out by hand).
#include "OrtRunner.h"

#include "core/data/DatasetSummary.h"

#include <catch2/catch.hpp>
#include <opencv2/imgcodecs.hpp>

#include <filesystem>
#include <fstream>

using namespace topiary;
namespace fs = std::filesystem;

TEST_CASE("dataset summary: the sample's 1000 IDX images per class, named by the preprocessing", "[dataset-summary]")
{
    const fs::path sample = fs::path(TOPIARY_SOURCE_DIR) / "resources" / "sample";
    auto dataset = Dataset::open(sample / "fashion-mnist-test-1000-images-idx3-ubyte");
    REQUIRE(dataset.has_value());
    const std::vector<std::string> names { "T-shirt/top", "Trouser", "Pullover", "Dress", "Coat", "Sandal", "Shirt",
        "Sneaker", "Bag", "Ankle boot" };
    const DatasetSummary summary = summarizeDataset(*dataset, names);
    CHECK(summary.images == 1000);
    CHECK(summary.unlabelled == 0);
    CHECK(summary.skipped.empty());
    // numpy.bincount over the labels file.
    const int64_t expected[] = { 107, 105, 111, 93, 115, 87, 97, 95, 95, 95 };
    REQUIRE(summary.perClass.size() == 10);
    for (int c = 0; c < 10; ++c) {
        CHECK(summary.perClass[static_cast<size_t>(c)].label == c);
        CHECK(summary.perClass[static_cast<size_t>(c)].images == expected[c]);
        CHECK(summary.perClass[static_cast<size_t>(c)].name == names[static_cast<size_t>(c)]);
    }
}

TEST_CASE("dataset summary: an image folder with an unreadable file and a stray file", "[dataset-summary]")
{
    const fs::path root = test::makeTempDir("topiary-dataset-summary");
    const cv::Mat grey(8, 8, CV_8UC1, cv::Scalar(128));
    fs::create_directories(root / "cat");
    fs::create_directories(root / "dog");
    for (int i = 0; i < 3; ++i)
        REQUIRE(cv::imwrite((root / "cat" / ("c" + std::to_string(i) + ".png")).string(), grey));
    REQUIRE(cv::imwrite((root / "dog" / "d0.png").string(), grey));
    std::ofstream(root / "dog" / "broken.png") << "not a png";
    std::ofstream(root / "dog" / "notes.txt") << "hello";

    auto dataset = Dataset::open(root);
    REQUIRE(dataset.has_value());
    const DatasetSummary summary = summarizeDataset(*dataset);
    CHECK(summary.images == 4);
    REQUIRE(summary.perClass.size() == 2);
    CHECK(summary.perClass[0].name == "cat");
    CHECK(summary.perClass[0].images == 3);
    CHECK(summary.perClass[1].name == "dog");
    CHECK(summary.perClass[1].images == 1);
    REQUIRE(summary.skipped.size() == 1);
    CHECK_THAT(summary.skipped[0], Catch::Contains("broken.png"));
    CHECK(summary.ignoredFiles == 1);
    fs::remove_all(root);
}
