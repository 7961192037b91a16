// predictedFileBytes(): for every export choice (masked or shrunk, int8 QDQ or not,
// float16 storage or not) the predicted size is the size of the file apply() and writeModel() actually put on disk.
#include "ModelBuilder.h"
#include "OrtRunner.h"

#include "core/export/Apply.h"
#include "core/model/CostModel.h"
#include "core/model/DependencyGroups.h"
#include "core/model/Layer.h"
#include "core/model/Model.h"
#include "core/model/ModelWriter.h"
#include "core/plan/Plan.h"
#include "core/compress/PruneSelection.h"
#include "core/analysis/Stats.h"

#include <catch2/catch.hpp>

#include <filesystem>
#include <string>

using namespace topiary;
namespace fs = std::filesystem;

namespace {

const fs::path kSampleModel = fs::path(TOPIARY_SOURCE_DIR) / "resources" / "sample" / "fashion_cnn.onnx";

// Filter pruning on every conv, float16 on the first layer, 8-bit uniform weights (per
// channel, symmetric) on the others but the last, which gets 8-bit asymmetric per tensor,
// and element pruning there: every file-size term of the stats is exercised.
Plan mixedPlan(const std::vector<Layer>& layers, const std::vector<DependencyGroup>& groups)
{
    Plan plan = pruneAllConvs(Plan {}, layers, groups,
        PruneSpec { PruneGranularity::Filter, Criterion::L1, PruneMode::Ratio, 0.25 }, false);
    plan = quantizeAll(plan, layers, QuantSpec { QuantScheme::Uniform, 8, true, true }, false);
    const std::string& last = layers.back().name;
    plan.setQuant(last, QuantSpec { QuantScheme::Uniform, 8, false, false });
    plan.setPrune(last, PruneSpec { PruneGranularity::Element, Criterion::L1, PruneMode::Ratio, 0.5 });
    plan.setQuant(layers.front().name, QuantSpec { QuantScheme::Float16, 16, true, false });
    return plan;
}

// Writes the model under `plan` with each of the four choices and compares the file's
// size with the prediction, to a few bytes (the recipe's length prefix is estimated).
void checkEveryChoice(const Model& model, const fs::path& source, const char* label)
{
    const auto layers = findLayers(model);
    const auto groups = findDependencyGroups(model, layers);
    const CostModel cost(model);
    const Plan plan = mixedPlan(layers, groups);
    auto selection = selectPruned(model, layers, groups, plan, weightScorer(model, layers));
    REQUIRE(selection.has_value());
    const ModelStats stats = StatsModel(model, cost, groups).compute(plan, &*selection);
    const fs::path dir = test::makeTempDir("topiary-export-size");
    int64_t sizes[2][2][2] = {};
    for (bool shrink : { false, true }) {
        for (bool int8 : { false, true }) {
            for (bool half : { false, true }) {
                const ApplyOptions options { shrink, int8, half };
                auto applied = apply(model, plan, options, &*selection);
                REQUIRE(applied.has_value());
                const fs::path file = dir
                    / (std::string(shrink ? "shrunk" : "masked") + (int8 ? "-qdq" : "") + (half ? "-fp16" : "") + ".onnx");
                auto written = writeModel(applied->proto, file, WriteOptions { source, true });
                REQUIRE(written.has_value());
                const auto onDisk = static_cast<int64_t>(fs::file_size(file));
                REQUIRE(onDisk == *written);
                const int64_t predicted = predictedFileBytes(stats, options);
                INFO(label << (shrink ? " shrunk" : " masked") << (int8 ? " int8 QDQ" : " float")
                           << (half ? " float16" : "") << ": file " << onDisk << " bytes, predicted " << predicted);
                CHECK(std::abs(onDisk - predicted) <= 16);
                CHECK(applied->report.qdqWeights == (int8 ? static_cast<int>(layers.size()) - 1 : 0));
                CHECK(applied->report.float16Weights == (half ? 1 : 0));
                sizes[shrink][int8][half] = onDisk;
            }
        }
    }
    // The files differ, so a prediction picked for the wrong choice would be caught.
    for (bool half : { false, true }) {
        CHECK(sizes[1][0][half] < sizes[0][0][half]);
        CHECK(sizes[0][1][half] < sizes[0][0][half]);
        CHECK(sizes[1][1][half] < sizes[0][1][half]);
        CHECK(sizes[1][1][half] < sizes[1][0][half]);
    }
    for (bool shrink : { false, true })
        for (bool int8 : { false, true })
            CHECK(sizes[shrink][int8][1] < sizes[shrink][int8][0]);
    fs::remove_all(dir);
}

} // namespace

TEST_CASE("predicted file size equals the written file for each export choice: the sample", "[export-size]")
{
    auto model = Model::load(kSampleModel);
    REQUIRE(model.has_value());
    checkEveryChoice(*model, kSampleModel, "fashion_cnn");
}

TEST_CASE("predicted file size equals the written file for each export choice: a built CNN", "[export-size]")
{
    auto model = Model::fromProto(test::makeSmallCnn(), {});
    REQUIRE(model.has_value());
    checkEveryChoice(*model, {}, "small CNN");
}

TEST_CASE("predicted file size of an unedited model is the source file plus the recipe", "[export-size]")
{
    auto model = Model::load(kSampleModel);
    REQUIRE(model.has_value());
    const auto layers = findLayers(*model);
    const auto groups = findDependencyGroups(*model, layers);
    const CostModel cost(*model);
    const ModelStats stats = StatsModel(*model, cost, groups).compute(Plan {});
    // Nothing to shrink or quantize: every choice writes the same file.
    const int64_t masked = predictedFileBytes(stats, ApplyOptions { false, false });
    CHECK(predictedFileBytes(stats, ApplyOptions { true, false }) == masked);
    CHECK(predictedFileBytes(stats, ApplyOptions { false, true }) == masked);
    CHECK(predictedFileBytes(stats, ApplyOptions { true, true }) == masked);
    auto applied = apply(*model, Plan {});
    REQUIRE(applied.has_value());
    CHECK(std::abs(serializedSize(applied->proto) - masked) <= 16);
    CHECK(masked > static_cast<int64_t>(fs::file_size(kSampleModel)));
}

TEST_CASE("float16 and int8 QDQ exports open with every layer, and their own exports are predicted", "[export-size]")
{
    struct Case {
        const char* name;
        QuantSpec quant;
        ApplyOptions storage;
        const char* warning;
    };
    const Case cases[] = {
        { "float16", QuantSpec { QuantScheme::Float16, 16, true, false }, ApplyOptions { false, false, true }, "float16" },
        { "int8 QDQ", QuantSpec { QuantScheme::Uniform, 8, true, true }, ApplyOptions { false, true, false }, "DequantizeLinear" },
    };
    auto model = Model::load(kSampleModel);
    REQUIRE(model.has_value());
    const auto layers = findLayers(*model);
    for (const Case& c : cases) {
        SECTION(c.name)
        {
            const Plan stored = quantizeAll(Plan {}, layers, c.quant, false);
            auto applied = apply(*model, stored, c.storage);
            REQUIRE(applied.has_value());
            CHECK(applied->report.float16Weights + applied->report.qdqWeights == static_cast<int>(layers.size()));
            const fs::path dir = test::makeTempDir("topiary-export-stored");
            const fs::path file = dir / "stored.onnx";
            REQUIRE(writeModel(applied->proto, file, WriteOptions { kSampleModel, true }).has_value());
            // Well under the float file: the weights are nearly all of it.
            CHECK(fs::file_size(file) < fs::file_size(kSampleModel) * 6 / 10);

            auto reopened = Model::load(file);
            REQUIRE(reopened.has_value());
            REQUIRE(findLayers(*reopened).size() == layers.size());
            CHECK(reopened->widenedBytes() > 0);
            REQUIRE_FALSE(reopened->warnings().empty());
            CHECK_THAT(reopened->warnings().back(), Catch::Contains(c.warning));

            // Exporting the reopened model: as float32 (widened) and in the stored form again.
            const auto again = findLayers(*reopened);
            const auto groups = findDependencyGroups(*reopened, again);
            const CostModel cost(*reopened);
            const Plan storedAgain = quantizeAll(Plan {}, again, c.quant, false);
            for (const Plan& plan : { storedAgain, Plan {} }) {
                const ModelStats stats = StatsModel(*reopened, cost, groups).compute(plan);
                for (const ApplyOptions& options : { ApplyOptions {}, c.storage }) {
                    auto out = apply(*reopened, plan, options);
                    REQUIRE(out.has_value());
                    INFO((plan.layers().empty() ? "empty plan" : "quantized plan")
                         << (options.int8Qdq || options.float16 ? ", stored" : ", float32"));
                    CHECK(std::abs(serializedSize(out->proto) - predictedFileBytes(stats, options)) <= 16);
                }
            }
            fs::remove_all(dir);
        }
    }
}

TEST_CASE("factored layers are predicted masked and shrunk, in float32 and float16", "[export-size]")
{
    // /fc/Gemm reads /pw2's output: pruning pw2 cuts fc's inputs when shrunk, but masked
    // its factors are of the whole weight. Both factored layers are float16.
    auto model = Model::load(kSampleModel);
    REQUIRE(model.has_value());
    const auto layers = findLayers(*model);
    const auto groups = findDependencyGroups(*model, layers);
    const CostModel cost(*model);
    Plan plan;
    const QuantSpec half { QuantScheme::Float16, 16, true, false };
    plan.setPrune("/pw2/conv/Conv", PruneSpec { PruneGranularity::Filter, Criterion::L1, PruneMode::Ratio, 0.5 });
    plan.setQuant("/pw2/conv/Conv", half);
    plan.setLowRank("/fc/Gemm", LowRankSpec { 4 });
    plan.setQuant("/fc/Gemm", half);
    plan.setLowRank("/block1/conv1/Conv", LowRankSpec { 16 });
    plan.setQuant("/block1/conv1/Conv", half);
    const ModelStats stats = StatsModel(*model, cost, groups).compute(plan);
    for (bool shrink : { false, true })
        for (bool float16 : { false, true }) {
            const ApplyOptions options { shrink, false, float16 };
            auto applied = apply(*model, plan, options);
            REQUIRE(applied.has_value());
            CHECK(applied->report.factoredLayers == 2);
            CHECK(applied->report.float16Weights == (float16 ? 5 : 0));
            const int64_t written = serializedSize(applied->proto);
            const int64_t predicted = predictedFileBytes(stats, options);
            INFO((shrink ? "shrunk" : "masked") << (float16 ? " float16" : " float32") << ": " << written << " bytes, predicted "
                                                << predicted);
            // The factored nodes' names and attributes are estimated: a few bytes each.
            CHECK(std::abs(written - predicted) <= 64);
        }
}
