// Datasets (IDX plain and gzipped, image folders, CSV/TSV lists) and preprocessing:
// samples and labels checked against the raw files, hostile IDX headers, unreadable
// images skipped and counted, and preprocessed values computed by hand.
#include "ModelBuilder.h"

#include "core/data/Dataset.h"
#include "core/data/IdxFile.h"
#include "core/model/Model.h"
#include "core/data/Preprocess.h"
#include "core/data/Preprocessor.h"

#include <catch2/catch.hpp>
#include <opencv2/imgcodecs.hpp>
#include <zlib.h>

#include <filesystem>
#include <fstream>
#include <random>
#include <sstream>

using namespace topiary;
namespace fs = std::filesystem;

namespace {

const fs::path kSample = fs::path(TOPIARY_SOURCE_DIR) / "resources" / "sample";
const fs::path kImages = kSample / "fashion-mnist-test-1000-images-idx3-ubyte";
const fs::path kLabels = kSample / "fashion-mnist-test-1000-labels-idx1-ubyte";

struct TempDir {
    fs::path path;
    TempDir()
    {
        std::random_device rd;
        path = fs::temp_directory_path() / ("topiary-dataset-" + std::to_string(rd()) + std::to_string(rd()));
        fs::create_directories(path);
    }
    ~TempDir()
    {
        std::error_code ec;
        fs::remove_all(path, ec);
    }
};

std::string readBytes(const fs::path& file)
{
    std::ifstream in(file, std::ios::binary);
    std::ostringstream s;
    s << in.rdbuf();
    return s.str();
}

void writeBytes(const fs::path& file, const std::string& bytes)
{
    fs::create_directories(file.parent_path());
    std::ofstream out(file, std::ios::binary);
    out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
}

void writeGzip(const fs::path& file, const std::string& bytes)
{
    gzFile out = gzopen(file.c_str(), "wb9");
    REQUIRE(out != nullptr);
    REQUIRE(gzwrite(out, bytes.data(), static_cast<unsigned>(bytes.size())) == static_cast<int>(bytes.size()));
    REQUIRE(gzclose(out) == Z_OK);
}

std::string bigEndian(uint32_t v)
{
    return { static_cast<char>(v >> 24), static_cast<char>(v >> 16), static_cast<char>(v >> 8), static_cast<char>(v) };
}

std::string errorOf(const Result<Dataset>& r)
{
    REQUIRE_FALSE(r.has_value());
    return r.error().message;
}

// A flat-colour BGR image.
cv::Mat solid(int rows, int cols, cv::Scalar bgr)
{
    return cv::Mat(rows, cols, CV_8UC3, bgr);
}

void writePng(const fs::path& file, const cv::Mat& image)
{
    fs::create_directories(file.parent_path());
    REQUIRE(cv::imwrite(file.string(), image));
}

} // namespace

// ---------------------------------------------------------------- IDX

TEST_CASE("IDX: the sample subset reads as the raw file bytes say", "[dataset]")
{
    auto ds = Dataset::open(kImages);
    REQUIRE(ds.has_value());
    CHECK(ds->kind() == DatasetKind::Idx);
    CHECK(ds->labelsFile() == kLabels); // found by the images -> labels naming convention
    REQUIRE(ds->size() == 1000);
    CHECK(ds->hasLabels());

    const std::string images = readBytes(kImages);
    const std::string labels = readBytes(kLabels);
    REQUIRE(images.size() == 16 + 1000 * 784);
    for (size_t i : { size_t { 0 }, size_t { 1 }, size_t { 517 }, size_t { 999 } }) {
        CHECK(ds->label(i) == static_cast<uint8_t>(labels[8 + i]));
        auto img = ds->image(i);
        REQUIRE(img.has_value());
        REQUIRE(img->rows == 28);
        REQUIRE(img->cols == 28);
        REQUIRE(img->type() == CV_8UC1);
        for (int y = 0; y < 28; ++y)
            for (int x = 0; x < 28; ++x)
                REQUIRE(img->at<uint8_t>(y, x)
                    == static_cast<uint8_t>(images[16 + i * 784 + static_cast<size_t>(y * 28 + x)]));
    }
}

TEST_CASE("IDX: gzipped and plain files give identical samples", "[dataset]")
{
    TempDir dir;
    const fs::path gzImages = dir.path / "t10k-images-idx3-ubyte.gz";
    writeGzip(gzImages, readBytes(kImages));
    writeGzip(dir.path / "t10k-labels-idx1-ubyte.gz", readBytes(kLabels));
    REQUIRE(fs::file_size(gzImages) < fs::file_size(kImages)); // really compressed

    auto plain = Dataset::open(kImages);
    auto gz = Dataset::open(gzImages);
    REQUIRE(plain.has_value());
    REQUIRE(gz.has_value());
    CHECK(gz->labelsFile() == dir.path / "t10k-labels-idx1-ubyte.gz");
    REQUIRE(gz->size() == plain->size());
    for (size_t i = 0; i < plain->size(); ++i) {
        REQUIRE(gz->label(i) == plain->label(i));
        auto a = plain->image(i);
        auto b = gz->image(i);
        REQUIRE(a.has_value());
        REQUIRE(b.has_value());
        REQUIRE(cv::norm(*a, *b, cv::NORM_INF) == 0);
    }
}

TEST_CASE("IDX: the labels file is found by name, or given, or absent", "[dataset]")
{
    TempDir dir;
    const std::string images = readBytes(kImages);
    writeBytes(dir.path / "train-images.idx3-ubyte", images);
    CHECK(idxLabelsFileFor(dir.path / "train-images.idx3-ubyte").empty());
    writeBytes(dir.path / "train-labels.idx1-ubyte", readBytes(kLabels));
    CHECK(idxLabelsFileFor(dir.path / "train-images.idx3-ubyte") == dir.path / "train-labels.idx1-ubyte");

    writeBytes(dir.path / "digits.idx", images);
    auto unlabelled = Dataset::open(dir.path / "digits.idx");
    REQUIRE(unlabelled.has_value());
    CHECK_FALSE(unlabelled->hasLabels());
    CHECK(unlabelled->label(3) == -1);

    auto given = Dataset::open(dir.path / "digits.idx", DatasetOptions { kLabels, {} });
    REQUIRE(given.has_value());
    CHECK(given->label(0) == static_cast<uint8_t>(readBytes(kLabels)[8]));
}

TEST_CASE("IDX: hostile headers and truncated files give clear errors", "[dataset]")
{
    TempDir dir;
    const std::string images = readBytes(kImages);
    const fs::path file = dir.path / "bad-images-idx3-ubyte";

    SECTION("truncated in the pixels")
    {
        writeBytes(file, images.substr(0, 16 + 784 * 10 + 5));
        const std::string e = errorOf(Dataset::fromIdx(file, {}));
        CHECK_THAT(e,
            Catch::Contains("truncated") && Catch::Contains("1000 images of 28x28") && Catch::Contains(file.string()));
    }
    SECTION("truncated in the header")
    {
        writeBytes(file, images.substr(0, 10));
        CHECK_THAT(errorOf(Dataset::fromIdx(file, {})), Catch::Contains("truncated") && Catch::Contains("header"));
    }
    SECTION("truncated gzip stream")
    {
        const fs::path whole = dir.path / "whole.gz";
        writeGzip(whole, images);
        const std::string gz = readBytes(whole);
        writeBytes(file, gz.substr(0, gz.size() / 2));
        CHECK_THAT(errorOf(Dataset::fromIdx(file, {})), Catch::Contains("truncated"));
    }
    SECTION("wrong magic: not IDX at all")
    {
        writeBytes(file, "PK\x03\x04 this is a zip file, not IDX");
        CHECK_THAT(
            errorOf(Dataset::fromIdx(file, {})), Catch::Contains("not an IDX file") && Catch::Contains("0x00000803"));
    }
    SECTION("wrong magic: a labels file where images are expected")
    {
        CHECK_THAT(errorOf(Dataset::fromIdx(kLabels, {})), Catch::Contains("1 dimension(s), expected 3"));
    }
    SECTION("wrong element type")
    {
        writeBytes(file, std::string("\0\0\x0D\x03", 4) + bigEndian(1) + bigEndian(1) + bigEndian(1) + "abcd");
        CHECK_THAT(errorOf(Dataset::fromIdx(file, {})), Catch::Contains("element type 0x0d is not supported"));
    }
    SECTION("dims whose product overflows 64 bits")
    {
        writeBytes(file,
            std::string("\0\0\x08\x03", 4) + bigEndian(0xFFFFFFFFu) + bigEndian(0xFFFFFFFFu) + bigEndian(0xFFFFFFFFu)
                + "tiny");
        CHECK_THAT(errorOf(Dataset::fromIdx(file, {})),
            Catch::Contains("4294967295 x 4294967295 x 4294967295") && Catch::Contains("exceed the limit"));
    }
    SECTION("dims under the limit but far beyond the file")
    {
        writeBytes(file,
            std::string("\0\0\x08\x03", 4) + bigEndian(1'000'000) + bigEndian(28) + bigEndian(28)
                + std::string(784 * 3, '\x7f'));
        CHECK_THAT(errorOf(Dataset::fromIdx(file, {})),
            Catch::Contains("truncated") && Catch::Contains("784000000 bytes") && Catch::Contains("holds 2352 bytes"));
    }
    SECTION("a zero dimension")
    {
        writeBytes(file, std::string("\0\0\x08\x03", 4) + bigEndian(5) + bigEndian(0) + bigEndian(28));
        CHECK_THAT(errorOf(Dataset::fromIdx(file, {})), Catch::Contains("dimension 1 is 0"));
    }
    SECTION("bytes after the declared data")
    {
        writeBytes(file, images + "extra");
        CHECK_THAT(errorOf(Dataset::fromIdx(file, {})), Catch::Contains("more data than the header declares"));
    }
    SECTION("labels for a different number of images")
    {
        writeBytes(file, images);
        const std::string labels = readBytes(kLabels);
        const fs::path labelsFile = dir.path / "short-labels";
        writeBytes(labelsFile, std::string("\0\0\x08\x01", 4) + bigEndian(999) + labels.substr(8, 999));
        CHECK_THAT(errorOf(Dataset::fromIdx(file, labelsFile)), Catch::Contains("999 labels for the 1000 images"));
    }
    SECTION("a missing file")
    {
        CHECK_THAT(errorOf(Dataset::fromIdx(dir.path / "nope", {})), Catch::Contains("no such file"));
    }
}

// ---------------------------------------------------------------- image folders

TEST_CASE("image folder: classes by sorted folder name, corrupt files skipped and counted", "[dataset]")
{
    TempDir dir;
    // Written out of order: the dataset must sort them.
    writePng(dir.path / "dog" / "b.png", solid(5, 7, { 0, 0, 200 }));
    writePng(dir.path / "dog" / "a.png", solid(5, 7, { 0, 200, 0 }));
    writePng(dir.path / "cat" / "x.png", solid(4, 4, { 10, 20, 30 }));
    writePng(dir.path / "cat" / "nested" / "y.png", solid(4, 4, { 40, 50, 60 }));
    writeBytes(dir.path / "dog" / "corrupt.png", "this is not a PNG at all");
    writeBytes(dir.path / "cat" / "notes.txt", "not an image, not counted as skipped");

    auto ds = Dataset::open(dir.path);
    REQUIRE(ds.has_value());
    CHECK(ds->kind() == DatasetKind::ImageFolder);
    CHECK(ds->classNames() == std::vector<std::string> { "cat", "dog" });
    REQUIRE(ds->size() == 4);
    REQUIRE(ds->skipped().size() == 1);
    CHECK_THAT(ds->skipped()[0], Catch::Contains("corrupt.png"));
    CHECK(ds->ignoredFiles() == 1);

    // torchvision order: class by class; within a class, folder then name.
    CHECK(ds->sampleName(0) == (dir.path / "cat" / "x.png").string());
    CHECK(ds->sampleName(1) == (dir.path / "cat" / "nested" / "y.png").string());
    CHECK(ds->sampleName(2) == (dir.path / "dog" / "a.png").string());
    CHECK(ds->sampleName(3) == (dir.path / "dog" / "b.png").string());
    CHECK(ds->label(0) == 0);
    CHECK(ds->label(1) == 0);
    CHECK(ds->label(2) == 1);
    CHECK(ds->label(3) == 1);

    auto img = ds->image(3);
    REQUIRE(img.has_value());
    CHECK(img->type() == CV_8UC3);
    CHECK(img->at<cv::Vec3b>(2, 3) == cv::Vec3b(0, 0, 200));
}

TEST_CASE("image folder: a truncated image is listed, then fails to decode", "[dataset]")
{
    TempDir dir;
    writePng(dir.path / "a" / "good.png", solid(16, 16, { 1, 2, 3 }));
    std::vector<uint8_t> png;
    cv::Mat noise(64, 64, CV_8UC3);
    cv::randu(noise, 0, 255);
    REQUIRE(cv::imencode(".png", noise, png));
    // The signature survives, the pixel data does not.
    writeBytes(dir.path / "a" / "truncated.png", std::string(png.begin(), png.begin() + 60));
    auto ds = Dataset::open(dir.path);
    REQUIRE(ds.has_value());
    REQUIRE(ds->size() == 2);
    CHECK(ds->image(0).has_value());
    auto bad = ds->image(1);
    REQUIRE_FALSE(bad.has_value());
    CHECK_THAT(bad.error().message, Catch::Contains("truncated.png"));
}

TEST_CASE("image folder: images directly in the folder are unlabelled", "[dataset]")
{
    TempDir dir;
    writePng(dir.path / "2.png", solid(3, 3, { 0, 0, 0 }));
    writePng(dir.path / "1.jpg", solid(3, 3, { 255, 255, 255 }));
    auto ds = Dataset::open(dir.path);
    REQUIRE(ds.has_value());
    CHECK(ds->kind() == DatasetKind::UnlabelledFolder);
    REQUIRE(ds->size() == 2);
    CHECK_FALSE(ds->hasLabels());
    CHECK(ds->label(0) == -1);
    CHECK(ds->sampleName(0) == (dir.path / "1.jpg").string());
}

TEST_CASE("image folder: nothing readable is an error", "[dataset]")
{
    TempDir dir;
    CHECK_THAT(errorOf(Dataset::open(dir.path)), Catch::Contains("no images found"));
    writeBytes(dir.path / "c" / "bad.png", "garbage");
    CHECK_THAT(errorOf(Dataset::open(dir.path)), Catch::Contains("none of the 1 image file can be read"));
}

// ---------------------------------------------------------------- lists

TEST_CASE("image list: relative paths, class names, quotes, a header and missing files", "[dataset]")
{
    TempDir dir;
    writePng(dir.path / "imgs" / "a.png", solid(2, 2, { 0, 0, 0 }));
    writePng(dir.path / "imgs" / "b.png", solid(2, 2, { 0, 0, 0 }));
    writePng(dir.path / "imgs" / "c, d.png", solid(2, 2, { 0, 0, 0 }));
    writeBytes(dir.path / "list.csv",
        "path,label\n"
        "imgs/a.png,zebra\n"
        "# a comment\n"
        "\n"
        "imgs/b.png , ant\r\n"
        "\"imgs/c, d.png\",zebra\n"
        "imgs/missing.png,ant\n");

    auto ds = Dataset::open(dir.path / "list.csv");
    REQUIRE(ds.has_value());
    CHECK(ds->kind() == DatasetKind::ImageList);
    CHECK(ds->classNames() == std::vector<std::string> { "ant", "zebra" });
    REQUIRE(ds->size() == 3);
    CHECK(ds->sampleName(0) == (dir.path / "imgs" / "a.png").string());
    CHECK(ds->sampleName(2) == (dir.path / "imgs" / "c, d.png").string());
    CHECK(ds->label(0) == 1);
    CHECK(ds->label(1) == 0);
    CHECK(ds->label(2) == 1);
    REQUIRE(ds->skipped().size() == 1);
    CHECK_THAT(ds->skipped()[0], Catch::Contains("missing.png") && Catch::Contains("line 7"));

    // With the model's class order given, names map through it.
    auto ordered = Dataset::open(dir.path / "list.csv", DatasetOptions { {}, { "zebra", "ant", "bee" } });
    REQUIRE(ordered.has_value());
    CHECK(ordered->label(0) == 0);
    CHECK(ordered->label(1) == 1);
}

TEST_CASE("image list: TSV with class indices, and malformed lists", "[dataset]")
{
    TempDir dir;
    writePng(dir.path / "a.png", solid(2, 2, { 0, 0, 0 }));
    writeBytes(dir.path / "list.tsv", "a.png\t7\n" + (dir.path / "a.png").string() + "\t\n");
    auto ds = Dataset::open(dir.path / "list.tsv");
    REQUIRE(ds.has_value());
    REQUIRE(ds->size() == 2);
    CHECK(ds->label(0) == 7);
    CHECK(ds->label(1) == -1);
    CHECK(ds->maxLabel() == 7);

    writeBytes(dir.path / "mixed.csv", "a.png,3\na.png,cat\n");
    CHECK_THAT(errorOf(Dataset::open(dir.path / "mixed.csv")),
        Catch::Contains("mixed.csv:2") && Catch::Contains("mix class indices"));
    writeBytes(dir.path / "fields.csv", "a.png,1\na.png,1,extra\n");
    CHECK_THAT(errorOf(Dataset::open(dir.path / "fields.csv")),
        Catch::Contains("fields.csv:2") && Catch::Contains("3 fields"));
    writeBytes(dir.path / "negative.csv", "a.png,-4\n");
    CHECK_THAT(errorOf(Dataset::open(dir.path / "negative.csv")), Catch::Contains("negative.csv:1"));
    writeBytes(dir.path / "quote.csv", "\"a.png,1\n");
    CHECK_THAT(errorOf(Dataset::open(dir.path / "quote.csv")), Catch::Contains("quote is not closed"));
    writeBytes(dir.path / "names.csv", "a.png,cat\n");
    CHECK_THAT(errorOf(Dataset::fromList(dir.path / "names.csv", { "dog" })), Catch::Contains("unknown class 'cat'"));
    writeBytes(dir.path / "empty.csv", "path,label\n");
    CHECK_THAT(errorOf(Dataset::open(dir.path / "empty.csv")), Catch::Contains("names no images"));
}

// ---------------------------------------------------------------- preprocessing

TEST_CASE("preprocess: the sample's preprocess.json is the training normalisation", "[dataset][preprocess]")
{
    auto spec = loadPreprocess(kSample / "preprocess.json");
    REQUIRE(spec.has_value());
    CHECK(spec->inputName == "input");
    CHECK(spec->channels == 1);
    CHECK(spec->height == 28);
    CHECK(spec->width == 28);
    CHECK(spec->resize == 0);
    CHECK(spec->classes.size() == 10);
    CHECK(spec->classes.front() == "T-shirt/top");

    auto pre = Preprocessor::create(*spec);
    REQUIRE(pre.has_value());
    cv::Mat image(28, 28, CV_8UC1, cv::Scalar(0));
    image.at<uint8_t>(5, 9) = 200;
    auto blob = pre->blob(image);
    REQUIRE(blob.has_value());
    REQUIRE(blob->total() == 28 * 28);
    // (200 / 255 - 0.286) / 0.353 and (0 - 0.286) / 0.353, worked out by hand.
    CHECK(blob->ptr<float>()[5 * 28 + 9] == Approx(1.4116536132866746).epsilon(1e-6));
    CHECK(blob->ptr<float>()[0] == Approx(-0.8101983002832861).epsilon(1e-6));
}

TEST_CASE("preprocess: resize of the shorter side, centre crop, channel order, mean and std", "[dataset][preprocess]")
{
    // 8 wide x 6 high, made of 2x2 blocks of one colour: block (bx, by) is BGR (10 bx + by, 50 + bx, 100 + by).
    cv::Mat image(6, 8, CV_8UC3);
    for (int y = 0; y < 6; ++y)
        for (int x = 0; x < 8; ++x)
            image.at<cv::Vec3b>(y, x) = cv::Vec3b(static_cast<uint8_t>(10 * (x / 2) + y / 2),
                static_cast<uint8_t>(50 + x / 2), static_cast<uint8_t>(100 + y / 2));
    PreprocessSpec spec;
    spec.channels = 3;
    spec.height = 2;
    spec.width = 2;
    spec.resize = 3; // 8x6 -> 4x3 (the longer side 3 * 8 / 6 = 4): each block becomes one pixel
    spec.mean = { 0.485, 0.456, 0.406 };
    spec.stddev = { 0.229, 0.224, 0.225 };
    auto pre = Preprocessor::create(spec);
    REQUIRE(pre.has_value());

    // Crop 2x2 of 4x3: left = round(2 / 2) = 1, top = round(1 / 2) = 0 (Python rounds halves to even).
    auto geometry = pre->geometry(image);
    REQUIRE(geometry.has_value());
    REQUIRE(geometry->size() == cv::Size(2, 2));
    CHECK(geometry->at<cv::Vec3b>(0, 0) == cv::Vec3b(10, 51, 100));
    CHECK(geometry->at<cv::Vec3b>(1, 1) == cv::Vec3b(21, 52, 101));

    auto blob = pre->blob(image);
    REQUIRE(blob.has_value());
    const float* v = blob->ptr<float>();
    // RGB: channel 0 is red. Values by hand: (100/255 - 0.485)/0.229, (51/255 - 0.456)/0.224, (21/255 - 0.406)/0.225.
    CHECK(v[0 * 4 + 0] == Approx(-0.4054285469646373).epsilon(1e-6));
    CHECK(v[1 * 4 + 0] == Approx(-1.1428571428571428).epsilon(1e-6));
    CHECK(v[2 * 4 + 3] == Approx(-1.4384313725490199).epsilon(1e-6));

    spec.colorOrder = ColorOrder::Bgr;
    auto bgr = Preprocessor::create(spec)->blob(image);
    REQUIRE(bgr.has_value());
    // BGR: channel 0 is blue, 10 at (0, 0): (10/255 - 0.485)/0.229.
    CHECK(bgr->ptr<float>()[0] == Approx((10.0 / 255 - 0.485) / 0.229).epsilon(1e-6));
}

TEST_CASE("preprocess: grayscale conversion, stretching and zero padding", "[dataset][preprocess]")
{
    PreprocessSpec spec;
    spec.channels = 1;
    spec.height = 4;
    spec.width = 4;
    spec.mean = { 0.5 };
    spec.stddev = { 0.25 };
    auto pre = Preprocessor::create(spec);
    REQUIRE(pre.has_value());

    // Pure red -> luma 0.299 * 255 = 76.2 -> 76; then (76/255 - 0.5)/0.25. Stretched from 2x2 to 4x4.
    auto blob = pre->blob(solid(2, 2, { 0, 0, 255 }));
    REQUIRE(blob.has_value());
    for (int i = 0; i < 16; ++i)
        CHECK(blob->ptr<float>()[i] == Approx(-0.807843137254902).epsilon(1e-6));

    // A 2x2 image, shorter side already 2: no resize; the 4x4 crop pads one zero pixel on each side.
    spec.resize = 2;
    auto padded = Preprocessor::create(spec)->geometry(cv::Mat(2, 2, CV_8UC1, cv::Scalar(9)));
    REQUIRE(padded.has_value());
    REQUIRE(padded->size() == cv::Size(4, 4));
    CHECK(padded->at<uint8_t>(0, 0) == 0);
    CHECK(padded->at<uint8_t>(1, 1) == 9);
    CHECK(padded->at<uint8_t>(2, 2) == 9);
    CHECK(padded->at<uint8_t>(3, 3) == 0);
}

TEST_CASE("preprocess: JSON round trip and strict errors", "[dataset][preprocess]")
{
    PreprocessSpec spec;
    spec.inputName = "pixel_values";
    spec.channels = 3;
    spec.height = 299;
    spec.width = 300;
    spec.resize = 342;
    spec.interpolation = Interpolation::Bicubic;
    spec.colorOrder = ColorOrder::Bgr;
    spec.scale = 1.0 / 127.5;
    spec.mean = { 1.0 };
    spec.stddev = { 0.1, 0.2, 0.3 };
    spec.classes = { "a", "b" };
    const std::string text = preprocessToJson(spec).dump();
    auto back = parsePreprocess(text);
    REQUIRE(back.has_value());
    CHECK(*back == spec);

    auto errorFor = [](const std::string& json) {
        auto r = parsePreprocess(json);
        REQUIRE_FALSE(r.has_value());
        return r.error().message;
    };
    CHECK_THAT(errorFor(R"({"channels": 1, "height": 28, "width": 28, "meen": [0.5]})"),
        Catch::Contains("preprocess.meen: unknown field"));
    CHECK_THAT(errorFor(R"({"channels": 2, "height": 28, "width": 28})"), Catch::Contains("preprocess.channels"));
    CHECK_THAT(errorFor(R"({"channels": 1, "width": 28})"), Catch::Contains("preprocess.height: missing"));
    CHECK_THAT(errorFor(R"({"channels": 1, "height": 28.5, "width": 28})"),
        Catch::Contains("preprocess.height: expected an integer"));
    CHECK_THAT(errorFor(R"({"channels": 3, "height": 8, "width": 8, "mean": [0.1, 0.2]})"),
        Catch::Contains("preprocess.mean: 2 values for 3 channel(s)"));
    CHECK_THAT(errorFor(R"({"channels": 1, "height": 8, "width": 8, "std": [0]})"),
        Catch::Contains("preprocess.std[0]: expected a positive number"));
    CHECK_THAT(errorFor(R"({"channels": 1, "height": 8, "width": 8, "scale": "1/255"})"),
        Catch::Contains("preprocess.scale: expected a number, got string"));
    CHECK_THAT(errorFor(R"({"channels": 1, "height": 8, "width": 8, "layout": "NHWC"})"), Catch::Contains("only NCHW"));
    CHECK_THAT(errorFor(R"({"channels": 1, "height": 8, "width": 8, "classes": [1]})"),
        Catch::Contains("preprocess.classes[0]: expected a string"));
    CHECK_THAT(errorFor(R"([1, 2])"), Catch::Contains("expected an object"));
    CHECK_THAT(errorFor(R"({"channels": )"), Catch::Contains("not valid JSON"));
}

TEST_CASE("preprocess: defaults from the model's input shape", "[dataset][preprocess]")
{
    auto sample = Model::load(kSample / "fashion_cnn.onnx");
    REQUIRE(sample.has_value());
    auto gray = defaultPreprocess(*sample);
    REQUIRE(gray.has_value());
    CHECK(gray->inputName == "input");
    CHECK(gray->channels == 1);
    CHECK(gray->height == 28);
    CHECK(gray->width == 28);
    CHECK(gray->resize == 0);

    test::ModelBuilder b;
    b.dynamicBatchInput("image", { 3, 224, 224 });
    b.node("Relu", { "image" }, { "out" });
    b.output("out");
    auto rgb = defaultPreprocess(b.build());
    REQUIRE(rgb.has_value());
    CHECK(rgb->channels == 3);
    CHECK(rgb->resize == 256); // torchvision's Resize(256) + CenterCrop(224)
    CHECK(rgb->mean == std::vector<double> { 0.485, 0.456, 0.406 });
    CHECK(rgb->stddev == std::vector<double> { 0.229, 0.224, 0.225 });

    // A spec that does not fit the model is refused, naming both shapes.
    rgb->inputName.clear(); // the sample model's only input, whatever its name
    auto ok = checkPreprocessFor(*rgb, sample->proto());
    REQUIRE_FALSE(ok.has_value());
    CHECK_THAT(ok.error().message, Catch::Contains("3x224x224") && Catch::Contains("1x28x28"));

    test::ModelBuilder flat;
    flat.input("x", { 1, 10 });
    flat.node("Relu", { "x" }, { "y" });
    flat.output("y");
    auto notImage = defaultPreprocess(flat.build());
    REQUIRE_FALSE(notImage.has_value());
    CHECK_THAT(notImage.error().message, Catch::Contains("rank 4"));
}
