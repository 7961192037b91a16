// Stats of a plan, checked against the models apply() actually writes: the cost model of
// the shrunk export, the zeros in the masked export, the size of the written file.
#include "ModelBuilder.h"

#include "core/export/Apply.h"
#include "core/model/CostModel.h"
#include "core/model/DependencyGroups.h"
#include "core/compress/Huffman.h"
#include "core/model/Layer.h"
#include "core/model/Model.h"
#include "core/model/ModelWriter.h"
#include "core/plan/Plan.h"
#include "core/compress/PruneSelection.h"
#include "core/analysis/Stats.h"
#include "core/model/GraphEdit.h"

#include <catch2/catch.hpp>

#include <algorithm>

using namespace topiary;

namespace {

struct Analysed {
    Model model;
    std::vector<Layer> layers;
    std::vector<DependencyGroup> groups;
    CostModel cost;

    explicit Analysed(Model m)
        : model(std::move(m))
        , layers(findLayers(model))
        , groups(findDependencyGroups(model, layers))
        , cost(model)
    {
    }
};

Analysed smallCnn()
{
    auto model = Model::fromProto(test::makeSmallCnn(), {});
    REQUIRE(model.has_value());
    return Analysed(std::move(*model));
}

int64_t zerosIn(const onnx::ModelProto& proto, const std::string& tensor)
{
    const auto* t = findInitializer(proto.graph(), tensor);
    REQUIRE(t != nullptr);
    auto v = readFloats(*t);
    REQUIRE(v.has_value());
    return std::count(v->begin(), v->end(), 0.0f);
}

const PruneSpec kFilter(double ratio) { return { PruneGranularity::Filter, Criterion::L1, PruneMode::Ratio, ratio }; }
const PruneSpec kElement(double ratio) { return { PruneGranularity::Element, Criterion::L1, PruneMode::Ratio, ratio }; }

} // namespace

TEST_CASE("Huffman code lengths are optimal on the textbook example", "[stats][huffman]")
{
    // CLRS 16.3: a:45 b:13 c:12 d:16 e:9 f:5 -> 0, 101, 100, 111, 1101, 1100 (224 bits).
    const std::vector<int64_t> counts { 45, 13, 12, 16, 9, 5 };
    CHECK(huffmanCodeLengths(counts) == std::vector<int> { 1, 3, 3, 3, 4, 4 });
    CHECK(huffmanBits(counts) == 224);
    CHECK(huffmanCodeLengths(std::vector<int64_t> { 0, 7, 0 }) == std::vector<int> { 0, 1, 0 });
    CHECK(huffmanBits(std::vector<int64_t> {}) == 0);
    // Uniform counts over 2^b symbols cost b bits each.
    CHECK(huffmanBits(std::vector<int64_t>(16, 10)) == 16 * 10 * 4);
}

TEST_CASE("with an empty plan the stats are the cost model's", "[stats]")
{
    auto a = smallCnn();
    const StatsModel stats(a.model, a.cost, a.groups);
    const ModelStats s = stats.compute(Plan {});
    const auto& t = a.cost.totals();
    CHECK(s.params == t.params);
    CHECK(s.linearMacs == t.linearMacs);
    CHECK(s.effectiveMacs == t.linearMacs);
    CHECK(s.otherMacs == t.otherMacs);
    CHECK(s.activationBytes == t.activationBytes);
    CHECK(s.peakActivationBytes == t.peakActivationBytes);
    CHECK(s.encodedBytes == t.weightBytes);
    CHECK(s.compressionRatio == Approx(1.0));
    CHECK(s.exact);
}

TEST_CASE("encoded sizes follow the definitions of each encoding", "[stats]")
{
    auto a = smallCnn();
    const StatsModel stats(a.model, a.cost, a.groups);
    // stem: 8x1x3x3 = 72 weights, no bias. Half pruned, 8-bit symmetric per tensor.
    Plan plan;
    plan.setPrune("stem", kElement(0.5));
    plan.setQuant("stem", QuantSpec { QuantScheme::Uniform, 8, true, false });
    const LayerStats& s = stats.compute(plan).layers[0];
    REQUIRE(a.layers[0].name == "stem");
    CHECK(s.weights == 72);
    CHECK(s.nonzeroWeights == 36);
    CHECK(s.sparsity == Approx(0.5));
    CHECK(s.denseBytes == (72 * 8 + 32) / 8); // codes + one float scale
    CHECK(s.bitmaskBytes == (72 + 36 * 8 + 32 + 7) / 8); // mask bit per weight + non-zero codes
    // CSR: 36 x (8-bit code + 4-bit column index of 9 columns) + 9 row pointers of 32 bits.
    CHECK(s.csrBytes == (36 * (8 + 4) + 9 * 32 + 32 + 7) / 8);
    CHECK(s.encoding == WeightEncoding::Bitmask);
    CHECK(s.encodedBytes == s.bitmaskBytes);
    CHECK(s.huffmanBytes == -1);
    CHECK(s.linearMacs == a.cost.forLayer(0).linearMacs); // dense execution
    CHECK(s.effectiveMacs == a.cost.forLayer(0).linearMacs / 2);
}

TEST_CASE("filter-pruning stats equal the cost model of the shrunk export", "[stats]")
{
    auto a = smallCnn();
    const StatsModel stats(a.model, a.cost, a.groups);
    const Plan plan = pruneAllConvs(Plan {}, a.layers, a.groups, kFilter(0.5), false);
    REQUIRE_FALSE(plan.empty());
    auto selection = selectPruned(a.model, a.layers, a.groups, plan, weightScorer(a.model, a.layers));
    REQUIRE(selection.has_value());
    const ModelStats predicted = stats.compute(plan, &*selection);
    const ModelStats withoutSelection = stats.compute(plan);

    auto shrunk = apply(a.model, plan, ApplyOptions { true, false }, &*selection);
    REQUIRE(shrunk.has_value());
    auto reloaded = Model::fromProto(shrunk->proto, {});
    REQUIRE(reloaded.has_value());
    const CostModel actual(*reloaded);
    CHECK(predicted.params == actual.totals().params);
    CHECK(predicted.linearMacs == actual.totals().linearMacs);
    CHECK(predicted.otherMacs == actual.totals().otherMacs);
    CHECK(predicted.activationBytes == actual.totals().activationBytes);
    CHECK(predicted.peakActivationBytes == actual.totals().peakActivationBytes);
    CHECK(predicted.params < a.cost.totals().params);
    // No Concat here: the plan alone gives the same numbers.
    CHECK(withoutSelection.params == predicted.params);
    CHECK(withoutSelection.exact);

    // The written file is the predicted size, to the byte or nearly.
    const int64_t bytes = serializedSize(shrunk->proto);
    CHECK(std::abs(bytes - predicted.shrunkFileBytes) <= 64);
}

TEST_CASE("element-pruning stats equal the zeros apply() writes", "[stats]")
{
    auto a = smallCnn();
    const StatsModel stats(a.model, a.cost, a.groups);
    Plan plan;
    plan.setPrune("block1.conv1", kElement(0.3));
    plan.setPrune("fc", kElement(0.75));
    const ModelStats predicted = stats.compute(plan);
    auto masked = apply(a.model, plan);
    REQUIRE(masked.has_value());
    for (size_t i = 0; i < a.layers.size(); ++i) {
        const auto& layer = a.layers[i];
        // Weights that were zero already count only where the plan prunes (they go first).
        const int64_t zeros = zerosIn(masked->proto, layer.weight) - (plan.contains(layer.name) ? 0 : zerosIn(a.model.proto(), layer.weight));
        INFO(layer.name);
        CHECK(predicted.layers[i].weights - predicted.layers[i].nonzeroWeights == zeros);
    }
    CHECK(std::abs(serializedSize(masked->proto) - predicted.maskedFileBytes) <= 16);
}

TEST_CASE("low-rank stats equal the cost model of the factored export", "[stats]")
{
    auto a = smallCnn();
    const StatsModel stats(a.model, a.cost, a.groups);
    Plan plan;
    plan.setLowRank("pw", LowRankSpec { 3 });
    plan.setLowRank("fc", LowRankSpec { 4 });
    const ModelStats predicted = stats.compute(plan);
    auto factored = apply(a.model, plan);
    REQUIRE(factored.has_value());
    auto reloaded = Model::fromProto(factored->proto, {});
    REQUIRE(reloaded.has_value());
    const CostModel actual(*reloaded);
    CHECK(predicted.params == actual.totals().params);
    CHECK(predicted.linearMacs == actual.totals().linearMacs);
    CHECK(predicted.activationBytes == actual.totals().activationBytes);
    CHECK(std::abs(serializedSize(factored->proto) - predicted.maskedFileBytes) <= 256);
}

TEST_CASE("int8 QDQ file size is predicted", "[stats]")
{
    auto a = smallCnn();
    const StatsModel stats(a.model, a.cost, a.groups);
    Plan plan = quantizeAll(Plan {}, a.layers, QuantSpec { QuantScheme::Uniform, 8, true, true }, false);
    plan = pruneAllConvs(plan, a.layers, a.groups, kFilter(0.25), false);
    const ModelStats predicted = stats.compute(plan);
    auto qdq = apply(a.model, plan, ApplyOptions { true, true });
    REQUIRE(qdq.has_value());
    CHECK(qdq->report.qdqWeights == static_cast<int>(a.layers.size()));
    const int64_t bytes = serializedSize(qdq->proto);
    CHECK(std::abs(bytes - predicted.shrunkQdqFileBytes) <= 64 * static_cast<int64_t>(a.layers.size()));
    CHECK(bytes < predicted.shrunkFileBytes);
}

TEST_CASE("layer shares divide by the layers' own total", "[stats][stats-share]")
{
    ModelStats stats;
    stats.layers.resize(3);
    stats.layers[0].linearMacs = 100;
    stats.layers[1].linearMacs = 300;
    stats.layers[2].linearMacs = 600;
    stats.layers[0].params = 5;
    stats.layers[1].params = 15;
    stats.layers[2].params = 0;
    stats.layers[2].effectiveMacs = 1; // effective MACs are not what the share counts
    stats.params = 1000; // BatchNorm scale/shift included here, but no layer's share
    stats.linearMacs = 5000;

    const std::vector<double> macs = macsShare(stats);
    REQUIRE(macs.size() == 3);
    CHECK(macs[0] == Approx(0.1));
    CHECK(macs[1] == Approx(0.3));
    CHECK(macs[2] == Approx(0.6));

    const std::vector<double> params = paramsShare(stats);
    REQUIRE(params.size() == 3);
    CHECK(params[0] == Approx(0.25));
    CHECK(params[1] == Approx(0.75));
    CHECK(params[2] == 0.0);
}

TEST_CASE("layer shares are zero when the layers have nothing to share", "[stats][stats-share]")
{
    ModelStats stats;
    stats.layers.resize(2);
    stats.layers[0].params = 7;
    CHECK(macsShare(stats) == std::vector<double> { 0.0, 0.0 });
    CHECK(paramsShare(stats) == std::vector<double> { 1.0, 0.0 });
    CHECK(macsShare(ModelStats {}).empty());
}
