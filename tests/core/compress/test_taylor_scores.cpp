// Taylor scores as core keeps them: their JSON (strict), the per-filter sums in every
// weight layout, the scorer that lets Criterion::Taylor select filters like L1 does, and
// the cache that must miss when the model or the data change. The scores themselves are
// checked against PyTorch in tests/train/test_taylor.cpp (the trainer computes them).
#include "SampleData.h"

#include "core/compress/TaylorScores.h"
#include "core/model/DependencyGroups.h"
#include "core/plan/Plan.h"

#include <catch2/catch.hpp>

#include <filesystem>
#include <fstream>
#include <unistd.h>

using namespace topiary;
using namespace topiary::test;
namespace fs = std::filesystem;

TEST_CASE("Taylor scores survive JSON and are read strictly", "[core][taylor]")
{
    TaylorScores s;
    s.images = 64;
    s.batches = 2;
    s.layers["conv"] = { 0.5f, 0.0f, 2.25f };
    auto back = taylorScoresFromJson(taylorScoresToJson(s));
    REQUIRE(back);
    CHECK(*back == s);
    auto j = taylorScoresToJson(s);
    j["extra"] = 1;
    CHECK_FALSE(taylorScoresFromJson(j));
    j = taylorScoresToJson(s);
    j["layers"]["conv"][1] = -1.0;
    auto negative = taylorScoresFromJson(j);
    REQUIRE_FALSE(negative);
    CHECK(negative.error().message.find("taylor.layers.conv[1]") != std::string::npos);
}

TEST_CASE("Taylor filter sums follow the layer's output-channel axis", "[core][taylor]")
{
    // Gemm with transB = 0 stores K x N: filter n is column n.
    Layer gemm;
    gemm.name = "fc";
    gemm.kind = LayerKind::Gemm;
    gemm.weightShape = { 2, 3 };
    gemm.weightTransposed = true;
    gemm.outChannels = 3;
    auto sums = taylorFilterSums(std::vector<float> { 1, -2, 3, 4, 5, -6 }, gemm);
    REQUIRE(sums);
    CHECK(*sums == std::vector<float> { 5, 7, 9 });
    // Conv O x I x k x k: filter o is everything of row o.
    Layer conv;
    conv.name = "conv";
    conv.kind = LayerKind::Conv;
    conv.weightShape = { 2, 1, 1, 2 };
    conv.kernel = { 1, 2 };
    conv.outChannels = 2;
    conv.inChannels = 1;
    sums = taylorFilterSums(std::vector<float> { 1, -1, 0.5f, 0.25f }, conv);
    REQUIRE(sums);
    CHECK(*sums == std::vector<float> { 2, 0.75f });
}

TEST_CASE("Criterion::Taylor selects the filters with the lowest scores", "[core][taylor]")
{
    const Model& model = sampleModel();
    const auto layers = findLayers(model);
    const auto groups = findDependencyGroups(model, layers);
    const std::string name = "/pw2/conv/Conv";
    int index = -1;
    for (size_t i = 0; i < layers.size(); ++i)
        if (layers[i].name == name)
            index = static_cast<int>(i);
    REQUIRE(index >= 0);
    const Layer& layer = layers[static_cast<size_t>(index)];
    // Scores that rank the filters in reverse index order: the last filters go first.
    TaylorScores scores;
    for (int64_t f = 0; f < layer.outChannels; ++f)
        scores.layers[name].push_back(static_cast<float>(layer.outChannels - f));
    auto scorer = taylorScorer(scores, layers, weightScorer(model, layers));
    Plan plan;
    plan.setPrune(name, PruneSpec { PruneGranularity::Filter, Criterion::Taylor, PruneMode::Ratio, 0.25 });
    auto selection = selectPruned(model, layers, groups, plan, scorer);
    REQUIRE(selection);
    const auto pruned = selection->prunedFilters(groups, index);
    const int64_t n = layer.outChannels;
    REQUIRE(static_cast<int64_t>(pruned.size()) == n / 4);
    for (size_t i = 0; i < pruned.size(); ++i)
        CHECK(pruned[i] == n - static_cast<int64_t>(pruned.size()) + static_cast<int64_t>(i));
    // Other criteria go to the fallback; a layer without scores is an error naming it.
    CHECK(scorer(index, Criterion::L1));
    auto missing = scorer(0, Criterion::Taylor);
    REQUIRE_FALSE(missing);
    CHECK(missing.error().message.find(layers[0].name) != std::string::npos);
    // Without scores, Taylor is an error that says what it needs.
    auto none = weightScorer(model, layers)(index, Criterion::Taylor);
    REQUIRE_FALSE(none);
    CHECK(none.error().message.find("gradients") != std::string::npos);
}

TEST_CASE("the Taylor cache returns what was stored until the model or data change", "[core][taylor]")
{
    const fs::path dir = fs::temp_directory_path() / ("topiary-taylor-cache-" + std::to_string(::getpid()));
    fs::remove_all(dir);
    fs::create_directories(dir);
    const fs::path model = dir / "model.onnx", data = dir / "data.idx";
    fs::copy_file(sampleDir() / "fashion_cnn.onnx", model);
    std::ofstream(data) << "images";
    TaylorRequest request { model, data, { { "mean", 0.5 } }, 4, 8, 1 };
    TaylorScores scores;
    scores.images = 32;
    scores.batches = 4;
    scores.layers["a"] = { 1.0f, 2.0f };
    const TaylorCache cache(dir / "cache");
    CHECK_FALSE(cache.find(request));
    REQUIRE(cache.store(request, scores));
    auto hit = cache.find(request);
    REQUIRE(hit);
    CHECK(*hit == scores);

    TaylorRequest other = request;
    other.batches = 5;
    CHECK_FALSE(cache.find(other));
    other = request;
    other.preprocess = { { "mean", 0.4 } };
    CHECK_FALSE(cache.find(other));

    std::ofstream(data, std::ios::app) << " more";
    CHECK_FALSE(cache.find(request)); // the data changed
    REQUIRE(cache.store(request, scores));
    CHECK(cache.find(request));
    {
        std::fstream f(model, std::ios::in | std::ios::out | std::ios::binary);
        f.seekp(-1, std::ios::end);
        f.put('\x01');
    }
    CHECK_FALSE(cache.find(request)); // the model changed (same size)
    fs::remove_all(dir);
}
