// The .topiary project file: round trip, paths relative to the project's folder, the
// model fingerprint noticing a moved or changed model, and damaged, hostile or
// unwritable files giving errors instead of crashes or half-read projects.
#include "OrtRunner.h"

#include "core/base/Estimate.h"
#include "core/plan/Project.h"

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include <fstream>
#include <sstream>

#include <unistd.h>

using namespace topiary;
namespace fs = std::filesystem;
using nlohmann::json;
using Catch::Contains;

namespace {

struct TempDir {
    fs::path path = test::makeTempDir("topiary-project");
    ~TempDir()
    {
        std::error_code ec;
        fs::permissions(path, fs::perms::owner_all, fs::perm_options::add, ec);
        fs::remove_all(path, ec);
    }
};

void writeText(const fs::path& file, const std::string& text)
{
    std::ofstream out(file, std::ios::binary);
    out << text;
}

std::string readText(const fs::path& file)
{
    std::ifstream in(file, std::ios::binary);
    std::stringstream ss;
    ss << in.rdbuf();
    return ss.str();
}

std::vector<fs::path> listFolder(const fs::path& dir)
{
    std::vector<fs::path> names;
    for (const auto& e : fs::directory_iterator(dir))
        names.push_back(e.path().filename());
    std::sort(names.begin(), names.end());
    return names;
}

Plan samplePlan(double ratio)
{
    Plan plan;
    plan.setPrune("conv1", { PruneGranularity::Filter, Criterion::Fpgm, PruneMode::Ratio, ratio });
    plan.setQuant("fc", { QuantScheme::Uniform, 8, true, true });
    plan.setLowRank("conv2", { 4 });
    plan.setOptions({ true, 16 });
    return plan;
}

// A project whose model is a small file in `folder`, fingerprinted.
Project sampleProject(const fs::path& folder, const fs::path& modelName = "model.onnx")
{
    const fs::path model = folder / modelName;
    fs::create_directories(model.parent_path());
    writeText(model, "not really onnx, but bytes to fingerprint");
    Project p;
    p.modelPath = model;
    auto f = fingerprintFile(model);
    REQUIRE(f);
    p.modelFingerprint = *f;
    p.datasetPath = "/data/imagenet/val";
    PreprocessSpec spec;
    spec.channels = 1;
    spec.height = 28;
    spec.width = 28;
    spec.mean = { 0.286 };
    spec.stddev = { 0.353 };
    spec.classes = { "T-shirt", "Trouser" };
    p.preprocess = spec;
    p.plan = samplePlan(0.3);
    HistoryEntry first { Plan {}, "original", HistoryEvaluation { wilsonInterval(912, 1000), 4'000'000, 123'456 } };
    HistoryEntry second { samplePlan(0.3), "conv1 pruned 30%", std::nullopt };
    HistoryEntry third { samplePlan(0.5), "conv1 pruned 50% \"aggressive\" <b>",
        HistoryEvaluation { wilsonInterval(1000, 1000), 1'234'567, 65'432 } };
    p.history = { first, second, third };
    p.current = 1;
    return p;
}

std::string errorOf(const fs::path& file)
{
    auto r = readProject(file);
    REQUIRE_FALSE(r.has_value());
    return r.error().message;
}

// Writes `project`, lets `edit` change its JSON, writes that back and returns the error of reading it.
template <class Edit> std::string errorAfterEdit(const fs::path& folder, Edit edit)
{
    const fs::path file = folder / "edited.topiary";
    REQUIRE(writeProject(file, sampleProject(folder)));
    json j = json::parse(readText(file));
    edit(j);
    writeText(file, j.dump());
    return errorOf(file);
}

} // namespace

TEST_CASE("FNV-1a 64 fingerprints match the published test vectors", "[project]")
{
    // From the FNV reference (isthe.com/chongo/tech/comp/fnv): fnv1a64("") = cbf29ce484222325,
    // "a" = af63dc4c8601ec8c, "foobar" = 85944171f73967e8.
    TempDir dir;
    const std::pair<std::string, uint64_t> vectors[] = { { "", 0xcbf29ce484222325ULL },
        { "a", 0xaf63dc4c8601ec8cULL }, { "foobar", 0x85944171f73967e8ULL } };
    for (const auto& [text, hash] : vectors) {
        writeText(dir.path / "f", text);
        auto f = fingerprintFile(dir.path / "f");
        REQUIRE(f);
        CHECK(f->fnv1a64 == hash);
        CHECK(f->size == static_cast<int64_t>(text.size()));
    }
    // Longer than one read buffer: the hash carries over buffer boundaries.
    std::string big(3 << 20, '\0');
    for (size_t i = 0; i < big.size(); ++i)
        big[i] = static_cast<char>(i * 2654435761u >> 13);
    uint64_t expected = 14695981039346656037ULL;
    for (unsigned char c : big)
        expected = (expected ^ c) * 1099511628211ULL;
    writeText(dir.path / "big", big);
    auto f = fingerprintFile(dir.path / "big");
    REQUIRE(f);
    CHECK(f->fnv1a64 == expected);
    CHECK(f->size == static_cast<int64_t>(big.size()));

    CHECK_THAT(fingerprintFile(dir.path / "absent").error().message, Contains("does not exist"));
    CHECK_THAT(fingerprintFile(dir.path).error().message, Contains("it is a folder"));
}

TEST_CASE("a project round-trips through its file", "[project]")
{
    TempDir dir;
    const Project p = sampleProject(dir.path);
    const fs::path file = dir.path / "session.topiary";
    auto written = writeProject(file, p);
    INFO((written ? std::string() : written.error().message));
    REQUIRE(written);
    CHECK(listFolder(dir.path) == std::vector<fs::path> { "model.onnx", "session.topiary" });

    auto read = readProject(file);
    INFO((read ? std::string() : read.error().message));
    REQUIRE(read);
    CHECK(*read == p);
    CHECK(read->history[2].label == "conv1 pruned 50% \"aggressive\" <b>");
    CHECK(read->history[0].evaluation->top1.n == 1000);
    CHECK(read->history[2].evaluation->top1.value == 1.0);
    CHECK_FALSE(read->history[1].evaluation.has_value());
    CHECK(read->history[1].plan.spec("conv1").prune.value == 0.3);
    CHECK(read->plan.options().channelMultiple == 16);

    // On disk: the model next to the project is relative, the dataset elsewhere absolute,
    // and the plans are recipes.
    const json j = json::parse(readText(file));
    CHECK(j["model"]["path"] == "model.onnx");
    CHECK(j["dataset"]["path"] == "/data/imagenet/val");
    CHECK(j["model"]["fnv1a64"].get<std::string>().size() == 16);
    CHECK(j["plan"]["version"] == 1);
    CHECK(j["plan"]["layers"]["conv1"]["prune"]["criterion"] == "fpgm");
    CHECK(j["history"][0]["evaluation"]["images"] == 1000);
    CHECK(j["current"] == 1);

    // Saving again replaces the file and leaves no temporary behind.
    Project changed = p;
    changed.current = 2;
    REQUIRE(writeProject(file, changed));
    CHECK(readProject(file)->current == 2);
    CHECK(listFolder(dir.path) == std::vector<fs::path> { "model.onnx", "session.topiary" });
}

TEST_CASE("a project without dataset and history round-trips", "[project]")
{
    TempDir dir;
    Project p = sampleProject(dir.path);
    p.datasetPath.clear();
    p.preprocess.reset();
    p.history.clear();
    p.current = -1;
    p.plan = Plan {};
    REQUIRE(writeProject(dir.path / "p.topiary", p));
    const json j = json::parse(readText(dir.path / "p.topiary"));
    CHECK_FALSE(j.contains("dataset"));
    auto read = readProject(dir.path / "p.topiary");
    REQUIRE(read);
    CHECK(*read == p);
}

TEST_CASE("paths inside the project's folder move with it, others stay absolute", "[project]")
{
    TempDir dir;
    const fs::path before = dir.path / "before";
    fs::create_directories(before);
    const fs::path outside = dir.path / "elsewhere";
    Project p = sampleProject(before, "models/net.onnx");
    p.datasetPath = outside / "images";
    REQUIRE(writeProject(before / "p.topiary", p));
    const json j = json::parse(readText(before / "p.topiary"));
    CHECK(j["model"]["path"] == "models/net.onnx");
    CHECK(j["dataset"]["path"] == (outside / "images").string());

    // The whole folder moves: the model is found at its new place, unchanged.
    const fs::path after = dir.path / "after";
    fs::rename(before, after);
    auto read = readProject(after / "p.topiary");
    REQUIRE(read);
    CHECK(read->modelPath == after / "models" / "net.onnx");
    CHECK(read->datasetPath == outside / "images");
    CHECK(checkModelFile(*read) == ModelFileState::Unchanged);

    // A project saved in a subfolder refers to a model above it by absolute path.
    fs::create_directories(after / "sub");
    REQUIRE(writeProject(after / "sub" / "q.topiary", *read));
    CHECK(json::parse(readText(after / "sub" / "q.topiary"))["model"]["path"]
        == (after / "models" / "net.onnx").string());
    auto q = readProject(after / "sub" / "q.topiary");
    REQUIRE(q);
    CHECK(q->modelPath == after / "models" / "net.onnx");
}

TEST_CASE("a changed or missing model is detected by its fingerprint", "[project]")
{
    TempDir dir;
    const Project p = sampleProject(dir.path);
    REQUIRE(writeProject(dir.path / "p.topiary", p));
    auto read = readProject(dir.path / "p.topiary");
    REQUIRE(read);
    CHECK(checkModelFile(*read) == ModelFileState::Unchanged);

    // Same size, one byte different: only the hash can tell.
    std::string bytes = readText(p.modelPath);
    bytes[5] ^= 1;
    writeText(p.modelPath, bytes);
    CHECK(fs::file_size(p.modelPath) == static_cast<uintmax_t>(p.modelFingerprint.size));
    CHECK(checkModelFile(*read) == ModelFileState::Changed);

    writeText(p.modelPath, bytes + "more");
    CHECK(checkModelFile(*read) == ModelFileState::Changed);

    fs::remove(p.modelPath);
    CHECK(checkModelFile(*read) == ModelFileState::Missing);
}

TEST_CASE("damaged project files are errors naming the problem", "[project]")
{
    TempDir dir;
    const fs::path file = dir.path / "p.topiary";
    REQUIRE(writeProject(file, sampleProject(dir.path)));
    const std::string good = readText(file);

    SECTION("truncated")
    {
        for (size_t cut : { size_t(0), size_t(1), good.size() / 3, good.size() / 2, good.size() - 2 }) {
            writeText(file, good.substr(0, cut));
            CHECK_THAT(errorOf(file), Contains("not valid JSON") && Contains("p.topiary"));
        }
    }
    SECTION("garbage")
    {
        writeText(file, std::string("\x89PNG\r\n\x1a\n\0\0\0", 11));
        CHECK_THAT(errorOf(file), Contains("not valid JSON"));
    }
    SECTION("missing file and folder")
    {
        CHECK_THAT(errorOf(dir.path / "absent.topiary"), Contains("does not exist"));
        CHECK_THAT(errorOf(dir.path), Contains("it is a folder"));
    }
    SECTION("not an object, a recipe, another format")
    {
        writeText(file, "[1, 2]");
        CHECK_THAT(errorOf(file), Contains("project: expected an object, got array"));
        writeText(file, R"({"version": 1, "layers": {}})");
        CHECK_THAT(errorOf(file), Contains("this is a recipe, not a project"));
        writeText(file, R"({"format": "netron", "version": 1})");
        CHECK_THAT(errorOf(file), Contains("format: 'netron' is not a Topiary project"));
    }
    SECTION("missing fields")
    {
        for (const char* key : { "model", "plan", "history", "current", "version", "format" })
            CHECK_THAT(errorAfterEdit(dir.path, [&](json& j) { j.erase(key); }),
                Contains(std::string(key) + ": missing"));
        CHECK_THAT(errorAfterEdit(dir.path, [](json& j) { j["model"].erase("fnv1a64"); }),
            Contains("model.fnv1a64: missing"));
        CHECK_THAT(errorAfterEdit(dir.path, [](json& j) { j["history"][1].erase("label"); }),
            Contains("history[1].label: missing"));
        CHECK_THAT(errorAfterEdit(dir.path, [](json& j) { j["history"][2]["evaluation"].erase("images"); }),
            Contains("history[2].evaluation.images: missing"));
    }
    SECTION("wrong types and values")
    {
        CHECK_THAT(errorAfterEdit(dir.path, [](json& j) { j["history"] = json::object(); }),
            Contains("history: expected an array, got object"));
        CHECK_THAT(errorAfterEdit(dir.path, [](json& j) { j["current"] = "1"; }),
            Contains("current: expected an integer, got string"));
        CHECK_THAT(errorAfterEdit(dir.path, [](json& j) { j["current"] = 3; }),
            Contains("current: 3 is not an entry of the history (-1 to 2)"));
        CHECK_THAT(errorAfterEdit(dir.path, [](json& j) { j["model"]["size"] = -4; }),
            Contains("model.size: cannot be negative"));
        CHECK_THAT(errorAfterEdit(dir.path, [](json& j) { j["model"]["fnv1a64"] = "xyz"; }),
            Contains("model.fnv1a64: expected 16 hexadecimal digits"));
        CHECK_THAT(errorAfterEdit(dir.path, [](json& j) { j["model"]["path"] = ""; }),
            Contains("model.path: empty"));
        CHECK_THAT(errorAfterEdit(dir.path, [](json& j) { j["model"]["path"] = std::string("a\0b", 3); }),
            Contains("model.path: contains a NUL character"));
        CHECK_THAT(errorAfterEdit(dir.path, [](json& j) { j["history"][0]["evaluation"]["top1"] = 1.5; }),
            Contains("history[0].evaluation.top1: needs 0 <= top1_low <= top1 <= top1_high <= 1"));
        CHECK_THAT(errorAfterEdit(dir.path, [](json& j) { j["history"][0]["evaluation"]["images"] = 0; }),
            Contains("history[0].evaluation.images"));
        CHECK_THAT(errorAfterEdit(dir.path, [](json& j) { j["history"][0]["evaluation"]["macs"] = -1; }),
            Contains("history[0].evaluation.macs: cannot be negative"));
        CHECK_THAT(errorAfterEdit(dir.path, [](json& j) { j["surprise"] = 1; }), Contains("surprise: unknown field"));
        CHECK_THAT(errorAfterEdit(dir.path, [](json& j) { j["history"][0]["colour"] = "red"; }),
            Contains("history[0].colour: unknown field"));
        // The recipe reader's own errors, with where the recipe sits in the project.
        CHECK_THAT(errorAfterEdit(dir.path,
                       [](json& j) { j["history"][1]["plan"]["layers"]["conv1"]["prune"]["value"] = 1.5; }),
            Contains("history[1].plan: layers.conv1.prune.value: a ratio must be in [0, 1)"));
        CHECK_THAT(errorAfterEdit(dir.path, [](json& j) { j["plan"]["model"] = { { "file", "x.onnx" } }; }),
            Contains("plan: a plan in a project names no model"));
        CHECK_THAT(errorAfterEdit(dir.path, [](json& j) { j["dataset"]["preprocess"]["channels"] = 5; }),
            Contains("dataset: preprocess.channels"));
    }
    SECTION("a newer version")
    {
        CHECK_THAT(errorAfterEdit(dir.path,
                       [](json& j) {
                           j["version"] = 2;
                           j["a_field_from_the_future"] = true;
                       }),
            Contains("saved by a newer Topiary (project version 2; this one reads version 1)"));
        CHECK_THAT(errorAfterEdit(dir.path, [](json& j) { j["version"] = 0; }),
            Contains("version: 0 is not a project version"));
    }
}

TEST_CASE("hostile project files are refused within bounds", "[project]")
{
    TempDir dir;
    const fs::path file = dir.path / "p.topiary";

    SECTION("too many history entries")
    {
        CHECK_THAT(errorAfterEdit(dir.path,
                       [](json& j) {
                           const json entry = j["history"][1];
                           j["history"] = json::array();
                           for (size_t i = 0; i <= kMaxProjectHistory; ++i)
                               j["history"].push_back(entry);
                       }),
            Contains("history: 10001 entries is too many (at most 10000)"));
    }
    SECTION("strings too long")
    {
        CHECK_THAT(errorAfterEdit(dir.path, [](json& j) { j["history"][0]["label"] = std::string(5000, 'x'); }),
            Contains("history[0].label: 5000 bytes is too long"));
        CHECK_THAT(errorAfterEdit(dir.path, [](json& j) { j["dataset"]["path"] = std::string(5000, 'd'); }),
            Contains("dataset.path: 5000 bytes is too long"));
    }
    SECTION("a file too large to be a project")
    {
        writeText(file, "{}");
        fs::resize_file(file, static_cast<uintmax_t>(kMaxProjectFileBytes) + 1);
        CHECK_THAT(errorOf(file), Contains("too large for a project"));
    }
    SECTION("deep nesting")
    {
        // Where a string is expected: refused by type, after parsing without exhausting the stack.
        const std::string deep = std::string(200000, '[') + std::string(200000, ']');
        REQUIRE(writeProject(file, sampleProject(dir.path)));
        std::string text = readText(file);
        const std::string label = "\"label\": \"original\"";
        const auto at = text.find(label);
        REQUIRE(at != std::string::npos);
        text.replace(at, label.size(), "\"label\": " + deep);
        writeText(file, text);
        CHECK_THAT(errorOf(file), Contains("history[0].label: expected a string, got array"));
    }
}

TEST_CASE("writeProject refuses invalid projects and unwritable places", "[project]")
{
    TempDir dir;
    const Project good = sampleProject(dir.path);

    Project bad = good;
    bad.current = 7;
    auto r = writeProject(dir.path / "bad.topiary", bad);
    REQUIRE_FALSE(r);
    CHECK_THAT(r.error().message, Contains("cannot save the project") && Contains("current: 7"));
    bad = good;
    bad.history[0].evaluation->top1 = wilsonInterval(0, 0); // nothing measured: NaN
    CHECK_THAT(writeProject(dir.path / "bad.topiary", bad).error().message,
        Contains("history[0].evaluation.top1: the accuracy and its interval must be finite"));
    bad = good;
    bad.modelFingerprint = {};
    CHECK_THAT(
        writeProject(dir.path / "bad.topiary", bad).error().message, Contains("fingerprint was not recorded"));
    CHECK_FALSE(fs::exists(dir.path / "bad.topiary"));

    CHECK_THAT(writeProject(dir.path / "nowhere" / "p.topiary", good).error().message,
        Contains("does not exist") && Contains("nowhere"));
    CHECK_THAT(writeProject(dir.path, good).error().message, Contains("it is a folder"));

    // A read-only folder. Root writes anywhere a mode allows, so as root use sysfs, where
    // nobody may create files.
    fs::path locked = dir.path / "locked";
    if (::geteuid() != 0) {
        fs::create_directory(locked);
        fs::permissions(locked, fs::perms(0555));
    } else {
        locked = "/sys";
    }
    auto denied = writeProject(locked / "p.topiary", good);
    REQUIRE_FALSE(denied);
    CHECK_THAT(denied.error().message, Contains("cannot save the project") && Contains("permission denied")
            && Contains(locked.string()));
    CHECK_FALSE(fs::exists(locked / "p.topiary"));
    if (::geteuid() != 0) {
        CHECK(listFolder(locked).empty());
        fs::permissions(locked, fs::perms::owner_all, fs::perm_options::add);
    }
}

TEST_CASE("a project keeps its plan's recovery, in the plan and in the history", "[project][recovery]")
{
    TempDir dir;
    Project p = sampleProject(dir.path);
    RecoverySpec r;
    r.bias = true;
    r.leastSquares = true;
    r.calibrationImages = 100;
    r.source = "calib/";
    p.plan = p.plan.withRecovery(r);
    if (!p.history.empty())
        p.history.back().plan = p.history.back().plan.withRecovery(r);
    REQUIRE(writeProject(dir.path / "p.topiary", p));
    const json j = json::parse(readText(dir.path / "p.topiary"));
    CHECK(j["plan"]["recovery"]["methods"] == json::array({ "bias", "lsq" }));
    auto read = readProject(dir.path / "p.topiary");
    REQUIRE(read);
    CHECK(*read == p);
    CHECK(read->plan.recovery().calibrationImages == 100);
}
