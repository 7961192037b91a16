// predictedFileBytes(): for every export choice (masked or shrunk, float or int8 QDQ) the
// predicted size is the size of the file apply() and writeModel() actually put on disk.
#include "ModelBuilder.h"
#include "OrtRunner.h"

#include "core/Apply.h"
#include "core/CostModel.h"
#include "core/DependencyGroups.h"
#include "core/Layer.h"
#include "core/Model.h"
#include "core/ModelWriter.h"
#include "core/Plan.h"
#include "core/PruneSelection.h"
#include "core/Stats.h"

#include <catch2/catch.hpp>

#include <filesystem>
#include <string>

using namespace topiary;
namespace fs = std::filesystem;

namespace {

const fs::path kSampleModel = fs::path(TOPIARY_SOURCE_DIR) / "resources" / "sample" / "fashion_cnn.onnx";

// Filter pruning on every conv, 8-bit uniform weights (per channel, symmetric) on all
// layers but the last, which gets 8-bit asymmetric per tensor, and element pruning there:
// every file-size term of the stats is exercised.
Plan mixedPlan(const std::vector<Layer>& layers, const std::vector<DependencyGroup>& groups)
{
    Plan plan = pruneAllConvs(Plan {}, layers, groups,
        PruneSpec { PruneGranularity::Filter, Criterion::L1, PruneMode::Ratio, 0.25 }, false);
    plan = quantizeAll(plan, layers, QuantSpec { QuantScheme::Uniform, 8, true, true }, false);
    const std::string& last = layers.back().name;
    plan.setQuant(last, QuantSpec { QuantScheme::Uniform, 8, false, false });
    plan.setPrune(last, PruneSpec { PruneGranularity::Element, Criterion::L1, PruneMode::Ratio, 0.5 });
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
    int64_t sizes[2][2] = {};
    for (bool shrink : { false, true }) {
        for (bool int8 : { false, true }) {
            const ApplyOptions options { shrink, int8 };
            auto applied = apply(model, plan, options, &*selection);
            REQUIRE(applied.has_value());
            const fs::path file = dir / (std::string(shrink ? "shrunk" : "masked") + (int8 ? "-qdq" : "") + ".onnx");
            auto written = writeModel(applied->proto, file, WriteOptions { source, true });
            REQUIRE(written.has_value());
            const auto onDisk = static_cast<int64_t>(fs::file_size(file));
            REQUIRE(onDisk == *written);
            const int64_t predicted = predictedFileBytes(stats, options);
            INFO(label << (shrink ? " shrunk" : " masked") << (int8 ? " int8 QDQ" : " float") << ": file " << onDisk
                       << " bytes, predicted " << predicted);
            CHECK(std::abs(onDisk - predicted) <= 16);
            if (int8)
                CHECK(applied->report.qdqWeights == static_cast<int>(layers.size()));
            sizes[shrink][int8] = onDisk;
        }
    }
    // The four files differ, so a prediction picked for the wrong choice would be caught.
    CHECK(sizes[1][0] < sizes[0][0]);
    CHECK(sizes[0][1] < sizes[0][0]);
    CHECK(sizes[1][1] < sizes[0][1]);
    CHECK(sizes[1][1] < sizes[1][0]);
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
