// Stats predicted from Model + Plan against the exports apply() writes for torchvision
// models with 30% of every prunable group removed: params, MACs and activation memory
// equal the cost model of the shrunk file exactly, and the file sizes are predicted
// within the stated tolerance.
#include "ReferenceModels.h"

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

#include <cmath>

using namespace topiary;

namespace {

const PruneSpec kFilter30 { PruneGranularity::Filter, Criterion::L1, PruneMode::Ratio, 0.3 };

void checkStats(const std::string& file, bool concat)
{
    auto model = Model::load(test::referenceDir() / file);
    REQUIRE(model.has_value());
    const CostModel cost(*model);
    const auto groups = findDependencyGroups(*model, cost.layers());
    const StatsModel stats(*model, cost, groups);
    const Plan plan = pruneAllConvs(Plan {}, cost.layers(), groups, kFilter30, false);
    auto selection = selectPruned(*model, cost.layers(), groups, plan, weightScorer(*model, cost.layers()));
    REQUIRE(selection.has_value());
    const ModelStats predicted = stats.compute(plan, &*selection);
    const ModelStats estimate = stats.compute(plan);

    auto shrunk = apply(*model, plan, ApplyOptions { true, false }, &*selection);
    REQUIRE(shrunk.has_value());
    auto reloaded = Model::fromProto(shrunk->proto, {});
    REQUIRE(reloaded.has_value());
    const CostModel actualCost(*reloaded);
    const CostTotals& actual = actualCost.totals();
    CHECK(predicted.params == actual.params);
    CHECK(predicted.linearMacs == actual.linearMacs);
    CHECK(predicted.otherMacs == actual.otherMacs);
    CHECK(predicted.activationBytes == actual.activationBytes);
    CHECK(predicted.peakActivationBytes == actual.peakActivationBytes);
    CHECK(predicted.params < cost.totals().params * 0.8);

    // Without the selection (no weights read), Ratio pruning is exact unless Concat
    // couples groups; then it is a proportional estimate.
    INFO(file << ": estimated params " << estimate.params << ", actual " << actual.params);
    if (estimate.exact) {
        CHECK(estimate.params == actual.params);
        CHECK(estimate.linearMacs == actual.linearMacs);
    } else {
        CHECK(concat);
        CHECK(std::abs(estimate.params - actual.params) <= 0.02 * static_cast<double>(actual.params));
    }

    const auto shrunkBytes = static_cast<double>(serializedSize(shrunk->proto));
    auto masked = apply(*model, plan, ApplyOptions { false, false }, &*selection);
    REQUIRE(masked.has_value());
    const auto maskedBytes = static_cast<double>(serializedSize(masked->proto));
    INFO(file << ": shrunk " << shrunkBytes << " predicted " << predicted.shrunkFileBytes << ", masked " << maskedBytes
              << " predicted " << predicted.maskedFileBytes);
    CHECK(std::abs(maskedBytes - static_cast<double>(predicted.maskedFileBytes)) <= 0.001 * maskedBytes);
    CHECK(std::abs(shrunkBytes - static_cast<double>(predicted.shrunkFileBytes)) <= 0.001 * shrunkBytes);
}

} // namespace

TEST_CASE("stats equal the shrunk export: resnet18", "[stats][reference]") { checkStats("resnet18_bn.onnx", false); }
TEST_CASE("stats equal the shrunk export: mobilenet_v2", "[stats][reference]") { checkStats("mobilenet_v2_bn.onnx", false); }
TEST_CASE("stats equal the shrunk export: densenet121", "[stats][reference]") { checkStats("densenet121_bn.onnx", true); }
TEST_CASE("stats equal the shrunk export: googlenet", "[stats][reference]") { checkStats("googlenet_folded.onnx", true); }
