// APoZ and mean activations of the bundled sample model against ONNX Runtime: the same
// images through the same model with every ReLU output added as a graph output
// (tests/ort/run_outputs.js), zeros counted per channel here from ORT's tensors. Also
// where APoZ is not defined, and the FilterScorer adapter that makes Criterion::Apoz
// work in selectPruned and apply like L1.
#include "ModelBuilder.h"
#include "SampleData.h"
#include "OrtRunner.h"

#include "core/eval/ActivationStats.h"
#include "core/export/Apply.h"
#include "core/data/Dataset.h"
#include "core/model/DependencyGroups.h"
#include "core/compress/Importance.h"
#include "core/model/Layer.h"
#include "core/model/Model.h"
#include "core/plan/Plan.h"
#include "core/data/Preprocess.h"
#include "core/data/Preprocessor.h"
#include "core/compress/PruneSelection.h"

#include <catch2/catch.hpp>

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <numeric>
#include <sstream>

using namespace topiary;
using test::sampleModel;
using test::sampleData;
using test::sampleSpec;
namespace fs = std::filesystem;

namespace {

const fs::path kSample = fs::path(TOPIARY_SOURCE_DIR) / "resources" / "sample";

std::string quoted(const fs::path& p)
{
    std::string s = "'";
    for (char c : p.string())
        s += c == '\'' ? std::string("'\\''") : std::string(1, c);
    return s + "'";
}

struct OrtTensor {
    std::vector<int64_t> dims;
    std::vector<float> values;
};

// Every graph output of `model` on `input` ([n, 1, 28, 28]), by name, from ONNX Runtime.
std::map<std::string, OrtTensor> runAllOutputsInOrt(const onnx::ModelProto& model, const std::vector<float>& input, int n)
{
    const fs::path dir = test::makeTempDir("topiary-apoz");
    const fs::path modelFile = dir / "model.onnx";
    {
        std::ofstream f(modelFile, std::ios::binary);
        REQUIRE(model.SerializeToOstream(&f));
        std::ofstream in(dir / "input.bin", std::ios::binary);
        in.write(reinterpret_cast<const char*>(input.data()), static_cast<std::streamsize>(input.size() * sizeof(float)));
    }
    const fs::path script = fs::path(TOPIARY_SOURCE_DIR) / "tests" / "ort" / "run_outputs.js";
    const std::string cmd = "node " + quoted(script) + " " + quoted(modelFile) + " " + quoted(dir / "input.bin") + " "
        + std::to_string(n) + ",1,28,28 " + quoted(dir) + " 2> " + quoted(dir / "stderr.txt");
    const int rc = std::system(cmd.c_str());
    if (rc != 0) {
        std::ifstream err(dir / "stderr.txt");
        std::stringstream ss;
        ss << err.rdbuf();
        FAIL("onnxruntime failed: " << ss.str());
    }
    std::map<std::string, OrtTensor> out;
    std::ifstream list(dir / "outputs.txt");
    int index = 0;
    std::string name, dims;
    while (list >> index >> name >> dims) {
        OrtTensor t;
        std::stringstream ds(dims);
        for (std::string d; std::getline(ds, d, ',');)
            t.dims.push_back(std::stoll(d));
        const fs::path bin = dir / (std::to_string(index) + ".bin");
        t.values.resize(fs::file_size(bin) / sizeof(float));
        std::ifstream f(bin, std::ios::binary);
        f.read(reinterpret_cast<char*>(t.values.data()), static_cast<std::streamsize>(fs::file_size(bin)));
        out[name] = std::move(t);
    }
    std::error_code ec;
    fs::remove_all(dir, ec);
    return out;
}

} // namespace

TEST_CASE("where APoZ is measured in the sample model", "[apoz]")
{
    const Model& model = sampleModel();
    const auto layers = findLayers(model);
    // Read off the graph: conv -> BN -> Relu, except the residual's second conv (into Add)
    // and the classifier.
    const std::map<std::string, std::string> relu {
        { "/stem/conv/Conv", "/stem/relu/Relu_output_0" },
        { "/down/conv/Conv", "/down/relu/Relu_output_0" },
        { "/block1/conv1/Conv", "/block1/relu1/Relu_output_0" },
        { "/dw1/conv/Conv", "/dw1/relu/Relu_output_0" },
        { "/pw1/conv/Conv", "/pw1/relu/Relu_output_0" },
        { "/dw2/conv/Conv", "/dw2/relu/Relu_output_0" },
        { "/pw2/conv/Conv", "/pw2/relu/Relu_output_0" },
    };
    for (const auto& layer : layers) {
        INFO(layer.name);
        const ActivationSite site = activationSite(model, layer);
        if (relu.contains(layer.name)) {
            CHECK(site.relu);
            CHECK(site.tensor == relu.at(layer.name));
            CHECK(site.note.empty());
        } else {
            CHECK_FALSE(site.relu);
            CHECK_FALSE(site.note.empty());
        }
    }
    const auto conv2 = std::find_if(layers.begin(), layers.end(), [](const Layer& l) { return l.name == "/block1/conv2/Conv"; });
    const ActivationSite residual = activationSite(model, *conv2);
    CHECK(residual.tensor == "/block1/bn2/BatchNormalization_output_0");
    CHECK(residual.note == "no ReLU follows: its output goes to Add");
    CHECK(activationSite(model, layers.back()).note == "no ReLU follows: its output is a graph output");

    // ReLU6 (Clip at 0 and 6) counts as a ReLU.
    test::ModelBuilder b;
    b.input("x", { 1, 2, 4, 4 });
    b.conv("c", "x", "y", 2, 3, 3);
    b.weight("lo", {}, { 0.0f });
    b.weight("hi", {}, { 6.0f });
    b.node("Clip", { "y", "lo", "hi" }, { "z" }, "relu6");
    b.output("z", { 1, 3, 4, 4 });
    auto clipped = Model::fromProto(b.build(), {});
    REQUIRE(clipped.has_value());
    const ActivationSite six = activationSite(*clipped, findLayers(*clipped).front());
    CHECK(six.relu);
    CHECK(six.tensor == "z");
}

TEST_CASE("APoZ and mean activations agree with ONNX Runtime", "[apoz]")
{
    const Model& model = sampleModel();
    const auto layers = findLayers(model);
    constexpr int kImages = 48;
    ActivationStatsOptions options;
    options.samples = kImages;
    options.shuffle = false; // the first 48 images
    options.batchSize = 20; // batches that do not divide the count
    int64_t lastDone = 0;
    auto stats = gatherActivationStats(model, layers, sampleData(), sampleSpec(), options,
        [&](int64_t done, int64_t total) {
            CHECK(total == kImages);
            CHECK(done > lastDone);
            lastDone = done;
        });
    REQUIRE(stats.has_value());
    CHECK(lastDone == kImages);
    CHECK(stats->samples == kImages);
    CHECK(stats->skipped == 0);
    REQUIRE(stats->layers.size() == layers.size());

    // The reference: ORT on the same images, with every activation as a graph output.
    const Dataset ds = sampleData();
    auto pre = Preprocessor::create(sampleSpec());
    REQUIRE(pre.has_value());
    std::vector<float> input(kImages * pre->floatsPerImage());
    for (int i = 0; i < kImages; ++i) {
        auto img = ds.image(static_cast<size_t>(i));
        REQUIRE(img.has_value());
        REQUIRE(pre->write(*img, input.data() + static_cast<size_t>(i) * pre->floatsPerImage()).has_value());
    }
    onnx::ModelProto withOutputs = model.proto();
    for (const auto& l : stats->layers) {
        if (l.site.tensor == "logits")
            continue;
        auto* out = withOutputs.mutable_graph()->add_output();
        out->set_name(l.site.tensor);
        out->mutable_type()->mutable_tensor_type()->set_elem_type(onnx::TensorProto_DataType_FLOAT);
    }
    const auto ort = runAllOutputsInOrt(withOutputs, input, kImages);

    int64_t zerosCompared = 0;
    double worstMean = 0.0;
    for (size_t i = 0; i < layers.size(); ++i) {
        const LayerActivationStats& l = stats->layers[i];
        INFO(l.name << " at " << l.site.tensor);
        CHECK(l.layer == static_cast<int>(i));
        CHECK(l.name == layers[i].name);
        REQUIRE(ort.contains(l.site.tensor));
        const OrtTensor& t = ort.at(l.site.tensor);
        REQUIRE(t.dims.size() >= 2);
        REQUIRE(t.dims[0] == kImages);
        const auto channels = static_cast<size_t>(t.dims[1]);
        size_t inner = 1;
        for (size_t d = 2; d < t.dims.size(); ++d)
            inner *= static_cast<size_t>(t.dims[d]);
        REQUIRE(l.channels() == static_cast<int64_t>(channels));
        CHECK(l.valuesPerChannel == static_cast<int64_t>(kImages * inner));
        std::vector<int64_t> zeros(channels, 0);
        std::vector<int64_t> nearZero(channels, 0); // ORT's positive values within rounding of 0
        std::vector<double> sums(channels, 0.0);
        for (size_t n = 0; n < static_cast<size_t>(kImages); ++n)
            for (size_t c = 0; c < channels; ++c)
                for (size_t k = 0; k < inner; ++k) {
                    const float v = t.values[(n * channels + c) * inner + k];
                    zeros[c] += v == 0.0f;
                    nearZero[c] += v > 0.0f && v < 1e-4f;
                    sums[c] += v;
                }
        if (l.site.relu) {
            CHECK(l.apozDefined());
            // Counts agree up to the values a rounding difference moves across 0: Topiary's
            // convolutions (oneDNN, OpenCV) and ORT's sum in different orders, so a
            // pre-activation within float rounding of 0 may be clamped on one side only.
            for (size_t c = 0; c < channels; ++c) {
                INFO("channel " << c << ": " << l.zeros[c] << " zeros, ORT " << zeros[c]);
                CHECK(std::abs(l.zeros[c] - zeros[c]) <= nearZero[c] + 1);
            }
            zerosCompared += std::accumulate(zeros.begin(), zeros.end(), int64_t { 0 });
            const auto apoz = l.apoz();
            for (size_t c = 0; c < channels; ++c)
                CHECK(apoz[c] == static_cast<double>(l.zeros[c]) / static_cast<double>(kImages * inner));
        } else {
            CHECK_FALSE(l.apozDefined());
        }
        const auto mean = l.meanActivation();
        for (size_t c = 0; c < channels; ++c) {
            const double expected = sums[c] / static_cast<double>(kImages * inner);
            worstMean = std::max(worstMean, std::abs(mean[c] - expected));
            CHECK(mean[c] == Approx(expected).epsilon(1e-4).margin(1e-5));
        }
    }
    CHECK(zerosCompared > 100000); // the comparison is not vacuous
    INFO("worst mean difference " << worstMean);
    CHECK(worstMean < 1e-4);
}

TEST_CASE("Criterion::Apoz works through the FilterScorer adapter", "[apoz]")
{
    const Model& model = sampleModel();
    const auto layers = findLayers(model);
    const auto groups = findDependencyGroups(model, layers);
    ActivationStatsOptions options;
    options.samples = 64;
    auto stats = gatherActivationStats(model, layers, sampleData(), sampleSpec(), options);
    REQUIRE(stats.has_value());
    const FilterScorer scorer = activationScorer(*stats, weightScorer(model, layers));

    // Scores are 1 - APoZ; other criteria fall through to the weights.
    const int pw1 = 5;
    REQUIRE(layers[pw1].name == "/pw1/conv/Conv");
    auto scores = scorer(pw1, Criterion::Apoz);
    REQUIRE(scores.has_value());
    const auto apoz = stats->layers[pw1].apoz();
    REQUIRE(scores->size() == apoz.size());
    for (size_t c = 0; c < apoz.size(); ++c)
        CHECK((*scores)[c] == static_cast<float>(1.0 - apoz[c]));
    auto l1 = scorer(pw1, Criterion::L1);
    REQUIRE(l1.has_value());
    auto direct = filterScores(model, layers[pw1], Criterion::L1);
    REQUIRE(direct.has_value());
    CHECK(*l1 == *direct);
    auto undefined = scorer(3, Criterion::Apoz); // block1/conv2 feeds the residual Add
    REQUIRE_FALSE(undefined.has_value());
    CHECK(undefined.error().message.find("APoZ is not defined for layer '/block1/conv2/Conv'") != std::string::npos);
    CHECK_FALSE(apozScores(*stats, 99).has_value());

    // A plan pruning a quarter of pw1's group by APoZ drops the channels with the most zeros.
    Plan plan;
    const int g = producerGroupOf(groups, pw1);
    REQUIRE(g >= 0);
    for (int p : groups[static_cast<size_t>(g)].producers)
        plan.setPrune(layers[static_cast<size_t>(p)].name,
            { PruneGranularity::Filter, Criterion::Apoz, PruneMode::Ratio, 0.25 });
    auto selection = selectPruned(model, layers, groups, plan, scorer);
    REQUIRE(selection.has_value());
    const auto pruned = selection->prunedFilters(groups, pw1);
    REQUIRE(!pruned.empty());
    std::map<std::string, std::vector<float>> producerScores;
    for (int p : groups[static_cast<size_t>(g)].producers) {
        auto s = scorer(p, Criterion::Apoz);
        REQUIRE(s.has_value());
        producerScores[layers[static_cast<size_t>(p)].name] = *s;
    }
    const auto groupScore = groupScores(groups[static_cast<size_t>(g)], layers, producerScores);
    float worstKept = 2.0f, bestPruned = -1.0f;
    for (size_t c = 0; c < groupScore.size(); ++c) {
        const bool isPruned = std::find(pruned.begin(), pruned.end(), static_cast<int64_t>(c)) != pruned.end();
        (isPruned ? bestPruned : worstKept)
            = isPruned ? std::max(bestPruned, groupScore[c]) : std::min(worstKept, groupScore[c]);
    }
    CHECK(bestPruned <= worstKept);
    auto out = apply(model, plan, {}, &*selection);
    REQUIRE(out.has_value());
    CHECK(out->report.removedChannels == static_cast<int64_t>(pruned.size()));
    // Without the adapter the criterion is still an error, as before.
    CHECK_FALSE(selectPruned(model, layers, groups, plan, weightScorer(model, layers)).has_value());
}
