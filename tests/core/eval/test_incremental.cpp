// The incremental evaluator on the bundled sample model and subset: for plans that edit a
// layer in the middle, its predictions equal those of a full evaluation of the applied
// model (Evaluator::run) sample by sample, whatever the cut and the memory budget; the
// cache holds what the budget allows; a plan that edits a layer before the cut is refused.
#include "SampleData.h"

#include "core/export/Apply.h"
#include "core/data/Dataset.h"
#include "core/model/DependencyGroups.h"
#include "core/eval/Evaluator.h"
#include "core/eval/IncrementalEvaluator.h"
#include "core/model/Layer.h"
#include "core/model/Model.h"
#include "core/plan/Plan.h"
#include "core/data/Preprocess.h"
#include "core/eval/SubModel.h"

#include <catch2/catch.hpp>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <optional>

using namespace topiary;
using test::sampleModel;
using test::sampleData;
using test::sampleSpec;
namespace fs = std::filesystem;

namespace {

const fs::path kSample = fs::path(TOPIARY_SOURCE_DIR) / "resources" / "sample";

const std::vector<Layer>& sampleLayers()
{
    static const std::vector<Layer> layers = findLayers(sampleModel());
    return layers;
}

const std::vector<DependencyGroup>& sampleGroups()
{
    static const std::vector<DependencyGroup> groups = findDependencyGroups(sampleModel(), sampleLayers());
    return groups;
}

int layerIndex(const std::string& name)
{
    const auto& layers = sampleLayers();
    for (size_t i = 0; i < layers.size(); ++i)
        if (layers[i].name == name)
            return static_cast<int>(i);
    FAIL("no layer " << name);
    return -1;
}

PruneSpec elementHalf() { return { PruneGranularity::Element, Criterion::L1, PruneMode::Ratio, 0.5 }; }

// Filter pruning of a layer's whole group (every producer gets the spec, as validatePlan wants).
Plan filterPlan(const std::string& layer, double ratio)
{
    Plan plan;
    const int g = producerGroupOf(sampleGroups(), layerIndex(layer));
    REQUIRE(g >= 0);
    for (int p : sampleGroups()[static_cast<size_t>(g)].producers)
        plan.setPrune(sampleLayers()[static_cast<size_t>(p)].name,
            { PruneGranularity::Filter, Criterion::L1, PruneMode::Ratio, ratio });
    return plan;
}

onnx::ModelProto applied(const Plan& plan)
{
    auto a = apply(sampleModel(), plan);
    REQUIRE(a.has_value());
    return std::move(a->proto);
}

Cut cutFor(const Plan& plan)
{
    const int first = firstChangedLayer(Plan(), plan, sampleLayers(), sampleGroups());
    REQUIRE(first >= 0);
    auto cut = cutBeforeLayer(sampleModel(), sampleLayers(), first);
    REQUIRE(cut.has_value());
    return *cut;
}

// Sample -> prediction, and the largest logit difference, between two runs of the same samples.
void requireSamePredictions(const EvaluationResult& full, const EvaluationResult& incremental)
{
    REQUIRE(full.metrics.processed == incremental.metrics.processed);
    REQUIRE(full.predictedSamples == incremental.predictedSamples);
    size_t differing = 0;
    for (size_t i = 0; i < full.predictions.size(); ++i)
        differing += full.predictions[i] != incremental.predictions[i];
    CHECK(differing == 0);
    CHECK(full.metrics.top1Correct == incremental.metrics.top1Correct);
    CHECK(full.metrics.topKCorrect == incremental.metrics.topKCorrect);
    CHECK(full.metrics.confusion == incremental.metrics.confusion);
    CHECK(full.metrics.agreed == incremental.metrics.agreed);
    REQUIRE(full.outputs.values.size() == incremental.outputs.values.size());
    float worst = 0.0f;
    for (size_t i = 0; i < full.outputs.values.size(); ++i)
        worst = std::max(worst, std::abs(full.outputs.values[i] - incremental.outputs.values[i]));
    CHECK(worst <= 1e-4f);
}

} // namespace

TEST_CASE("incremental predictions equal a full evaluation on all 1000 images", "[incremental]")
{
    Plan plan;
    plan.setPrune("/pw1/conv/Conv", elementHalf());
    const onnx::ModelProto compressed = applied(plan);
    const Cut cut = cutFor(plan);
    REQUIRE(cut.firstNode == sampleLayers()[static_cast<size_t>(layerIndex("/pw1/conv/Conv"))].node);
    REQUIRE(cut.tensors == std::vector<std::string> { "/dw1/relu/Relu_output_0" });

    const Evaluator evaluator(sampleData(), sampleSpec());
    auto full = evaluator.run(compressed);
    REQUIRE(full.has_value());
    REQUIRE(full->metrics.processed == 1000);

    auto inc = IncrementalEvaluator::create(sampleModel(), cut, sampleData(), sampleSpec());
    REQUIRE(inc.has_value());
    CHECK(inc->bytesPerSample() == 48 * 7 * 7 * 4);
    CHECK(inc->capacity() == 1000);
    CHECK(inc->cachedSamples() == 0);
    CHECK(inc->order() == evaluator.order());

    int progressCalls = 0;
    auto first = inc->run(compressed, [&](const EvaluationMetrics&) { ++progressCalls; });
    REQUIRE(first.has_value());
    CHECK(progressCalls == 32); // one per batch of 32, as Evaluator reports
    CHECK(inc->cachedSamples() == 1000);
    CHECK(inc->bytesUsed() == 1000 * inc->bytesPerSample());
    requireSamePredictions(*full, *first);

    auto second = inc->run(compressed); // from the cache alone
    REQUIRE(second.has_value());
    requireSamePredictions(*full, *second);
    CHECK(second->metrics.finished());

    // Another plan with the same first changed layer reuses the cache.
    EvaluationOptions some;
    some.limit = 300;
    const Plan filter = filterPlan("/pw1/conv/Conv", 0.3);
    REQUIRE(cutFor(filter).tensors == cut.tensors);
    const onnx::ModelProto filtered = applied(filter);
    auto fullFilter = Evaluator(sampleData(), sampleSpec(), some).run(filtered);
    REQUIRE(fullFilter.has_value());
    auto incFilter = inc->run(filtered);
    REQUIRE(incFilter.has_value());
    CHECK(inc->cachedSamples() == 1000);
    CHECK(incFilter->metrics.processed == 1000);
    // The first 300 of the same order are the limited run's samples.
    incFilter->predictions.resize(300);
    incFilter->predictedSamples.resize(300);
    CHECK(incFilter->predictedSamples == fullFilter->predictedSamples);
    CHECK(incFilter->predictions == fullFilter->predictions);
}

TEST_CASE("incremental evaluation is exact at every kind of cut", "[incremental]")
{
    EvaluationOptions options;
    options.limit = 300;
    // The original's outputs as the reference, for agreement and KL.
    auto original = Evaluator(sampleData(), sampleSpec(), options).run(sampleModel().proto());
    REQUIRE(original.has_value());
    options.reference = std::make_shared<const ModelOutputs>(std::move(original->outputs));

    const QuantSpec fourBits { QuantScheme::Uniform, 4, true, true };
    for (const char* layer : { "/stem/conv/Conv", "/block1/conv2/Conv", "/dw1/conv/Conv", "/pw2/conv/Conv",
             "/fc/Gemm" }) {
        INFO(layer);
        Plan plan;
        plan.setPrune(layer, elementHalf());
        plan.setQuant("/fc/Gemm", fourBits);
        const Cut cut = cutFor(plan);
        CHECK(cut.firstNode == sampleLayers()[static_cast<size_t>(layerIndex(layer))].node);
        const onnx::ModelProto compressed = applied(plan);
        auto full = Evaluator(sampleData(), sampleSpec(), options).run(compressed);
        REQUIRE(full.has_value());
        auto inc = IncrementalEvaluator::create(sampleModel(), cut, sampleData(), sampleSpec(), options);
        REQUIRE(inc.has_value());
        for (int pass = 0; pass < 2; ++pass) { // filling the cache, then from it
            auto r = inc->run(compressed);
            REQUIRE(r.has_value());
            requireSamePredictions(*full, *r);
            CHECK(r->metrics.compared == 300);
            CHECK(r->metrics.klSum == Approx(full->metrics.klSum).epsilon(1e-3).margin(1e-6));
        }
        CHECK(inc->cachedSamples() == 300);
    }

    // Filter pruning of a residual group reaches back to the conv that feeds the skip
    // connection (/down/conv): the cut is right after the stem.
    const Plan residual = filterPlan("/block1/conv2/Conv", 0.25);
    const Cut cut = cutFor(residual);
    CHECK(cut.tensors == std::vector<std::string> { "/stem/relu/Relu_output_0" });
    auto full = Evaluator(sampleData(), sampleSpec(), options).run(applied(residual));
    REQUIRE(full.has_value());
    auto inc = IncrementalEvaluator::create(sampleModel(), cut, sampleData(), sampleSpec(), options);
    REQUIRE(inc.has_value());
    CHECK(inc->bytesPerSample() == 24 * 28 * 28 * 4);
    auto r = inc->run(applied(residual));
    REQUIRE(r.has_value());
    requireSamePredictions(*full, *r);

    // Shrunk exports (channels removed) and low-rank layers (one node becomes two) keep
    // the names upstream of the cut, so the same cache serves them.
    Plan reshaped = filterPlan("/pw1/conv/Conv", 0.3);
    reshaped.setLowRank("/pw2/conv/Conv", { 24 });
    auto shrunk = apply(sampleModel(), reshaped, { .shrink = true });
    REQUIRE(shrunk.has_value());
    auto fullShrunk = Evaluator(sampleData(), sampleSpec(), options).run(shrunk->proto);
    REQUIRE(fullShrunk.has_value());
    auto incShrunk = IncrementalEvaluator::create(sampleModel(), cutFor(reshaped), sampleData(), sampleSpec(), options);
    REQUIRE(incShrunk.has_value());
    auto rs = incShrunk->run(shrunk->proto);
    REQUIRE(rs.has_value());
    requireSamePredictions(*fullShrunk, *rs);
}

TEST_CASE("the cache holds what the memory budget allows", "[incremental]")
{
    EvaluationOptions options;
    options.limit = 200;
    options.batchSize = 24;
    Plan plan;
    plan.setPrune("/pw2/conv/Conv", elementHalf());
    const onnx::ModelProto compressed = applied(plan);
    const Cut cut = cutFor(plan);
    auto full = Evaluator(sampleData(), sampleSpec(), options).run(compressed);
    REQUIRE(full.has_value());

    const int64_t perSample = 96 * 7 * 7 * 4;
    for (int64_t fit : { int64_t { 0 }, int64_t { 1 }, int64_t { 50 }, int64_t { 199 }, int64_t { 200 } }) {
        INFO(fit);
        IncrementalOptions budget;
        budget.memoryBudget = fit * perSample + perSample / 2;
        auto inc = IncrementalEvaluator::create(sampleModel(), cut, sampleData(), sampleSpec(), options, budget);
        REQUIRE(inc.has_value());
        CHECK(inc->memoryBudget() == budget.memoryBudget);
        REQUIRE(inc->bytesPerSample() == perSample);
        CHECK(inc->capacity() == fit);
        for (int pass = 0; pass < 2; ++pass) {
            auto r = inc->run(compressed);
            REQUIRE(r.has_value());
            requireSamePredictions(*full, *r);
            CHECK(inc->cachedSamples() == fit);
            CHECK(inc->bytesUsed() == fit * perSample);
            CHECK(inc->bytesUsed() <= inc->memoryBudget());
        }
        inc->clearCache();
        CHECK(inc->cachedSamples() == 0);
        CHECK(inc->bytesUsed() == 0);
    }
}

TEST_CASE("a cancelled run leaves a cache the next run continues", "[incremental]")
{
    EvaluationOptions options;
    options.limit = 160;
    Plan plan;
    plan.setPrune("/pw1/conv/Conv", elementHalf());
    const onnx::ModelProto compressed = applied(plan);
    auto full = Evaluator(sampleData(), sampleSpec(), options).run(compressed);
    REQUIRE(full.has_value());
    auto inc = IncrementalEvaluator::create(sampleModel(), cutFor(plan), sampleData(), sampleSpec(), options);
    REQUIRE(inc.has_value());
    std::stop_source stop;
    auto partial = inc->run(
        compressed, [&](const EvaluationMetrics& m) { if (m.processed >= 64) stop.request_stop(); }, stop.get_token());
    REQUIRE(partial.has_value());
    CHECK(partial->metrics.cancelled);
    CHECK(partial->metrics.processed == 64);
    CHECK(inc->cachedSamples() == 64);
    auto rest = inc->run(compressed);
    REQUIRE(rest.has_value());
    requireSamePredictions(*full, *rest);
    CHECK(inc->cachedSamples() == 160);
}

TEST_CASE("a plan that changes a layer before the cut is refused", "[incremental]")
{
    EvaluationOptions options;
    options.limit = 32;
    Plan late;
    late.setPrune("/pw1/conv/Conv", elementHalf());
    const Cut cut = cutFor(late);
    Plan early = late;
    early.setPrune("/dw1/conv/Conv", elementHalf());
    const int first = firstChangedLayer(Plan(), early, sampleLayers(), sampleGroups());
    CHECK_FALSE(cut.validFor(sampleLayers()[static_cast<size_t>(first)].node));
    CHECK(cut.validFor(sampleLayers()[static_cast<size_t>(layerIndex("/pw2/conv/Conv"))].node));

    auto inc = IncrementalEvaluator::create(sampleModel(), cut, sampleData(), sampleSpec(), options);
    REQUIRE(inc.has_value());
    auto r = inc->run(applied(early));
    REQUIRE_FALSE(r.has_value());
    CHECK(r.error().message.find("before the cut") != std::string::npos);
    // Weight sharing aside, the check looks at the weights: quantizing before the cut is caught too.
    Plan quantEarly;
    quantEarly.setQuant("/stem/conv/Conv", { QuantScheme::Uniform, 8, true, false });
    CHECK_FALSE(inc->run(applied(quantEarly)).has_value());
    CHECK(inc->run(applied(late)).has_value());
    // The original model itself is a valid "compressed" model for any cut.
    CHECK(inc->run(sampleModel().proto()).has_value());
}

// Not a pass/fail test: images per second of full and incremental evaluation, for the
// numbers in the report. Run with: core_tests "[.incremental-speed]"
TEST_CASE("incremental evaluation speed", "[.incremental-speed]")
{
    using Clock = std::chrono::steady_clock;
    const Evaluator evaluator(sampleData(), sampleSpec());
    for (const char* layer : { "/block1/conv2/Conv", "/pw1/conv/Conv", "/pw2/conv/Conv", "/fc/Gemm" }) {
        Plan plan;
        plan.setPrune(layer, elementHalf());
        const onnx::ModelProto compressed = applied(plan);
        double fullSeconds = 1e30;
        for (int i = 0; i < 3; ++i) {
            const auto t0 = Clock::now();
            auto full = evaluator.run(compressed);
            REQUIRE(full.has_value());
            fullSeconds = std::min(fullSeconds, std::chrono::duration<double>(Clock::now() - t0).count());
        }
        auto inc = IncrementalEvaluator::create(sampleModel(), cutFor(plan), sampleData(), sampleSpec());
        REQUIRE(inc.has_value());
        const auto t0 = Clock::now();
        REQUIRE(inc->run(compressed).has_value());
        const double fillSeconds = std::chrono::duration<double>(Clock::now() - t0).count();
        double incSeconds = 1e30;
        for (int i = 0; i < 3; ++i) {
            const auto t1 = Clock::now();
            REQUIRE(inc->run(compressed).has_value());
            incSeconds = std::min(incSeconds, std::chrono::duration<double>(Clock::now() - t1).count());
        }
        std::printf("%-20s cache %7.2f MB  full %7.0f img/s  first incremental %7.0f img/s  cached %7.0f img/s  "
                    "speed-up %.1fx\n",
            layer, static_cast<double>(inc->bytesUsed()) / 1e6, 1000 / fullSeconds, 1000 / fillSeconds,
            1000 / incSeconds, fullSeconds / incSeconds);
    }
}

TEST_CASE("a cache filled from an earlier cut's gives the outputs of one filled from the images", "[incremental]")
{
    EvaluationOptions options;
    options.limit = 300;
    // A chain of cuts: each later cache comes from the one before, as a sensitivity sweep
    // moves through the layers; a residual block (two tensors at /block1/conv2's cut, one
    // passed through from /block1/conv1's) and a budget that holds only part.
    const char* chain[] = { "/down/conv/Conv", "/block1/conv1/Conv", "/block1/conv2/Conv", "/pw1/conv/Conv",
        "/fc/Gemm" };
    std::optional<IncrementalEvaluator> earlier;
    for (const char* layer : chain) {
        INFO(layer);
        Plan plan;
        plan.setPrune(layer, elementHalf());
        const Cut cut = cutFor(plan);
        const onnx::ModelProto compressed = applied(plan);
        auto fromImages = IncrementalEvaluator::create(sampleModel(), cut, sampleData(), sampleSpec(), options);
        REQUIRE(fromImages.has_value());
        auto expected = fromImages->run(compressed);
        REQUIRE(expected.has_value());
        REQUIRE(fromImages->cachedSamples() == 300);

        auto seeded = IncrementalEvaluator::create(sampleModel(), cut, sampleData(), sampleSpec(), options);
        REQUIRE(seeded.has_value());
        if (earlier) {
            auto n = seeded->seedFrom(*earlier);
            REQUIRE(n.has_value());
            CHECK(*n == 300);
            CHECK(seeded->cachedSamples() == 300);
        }
        auto got = seeded->run(compressed);
        REQUIRE(got.has_value());
        CHECK(got->predictions == expected->predictions);
        CHECK(got->outputs.values == expected->outputs.values); // bit for bit
        earlier.emplace(std::move(*seeded));
    }

    // A budget for 120 samples takes the first 120 from the earlier cache; the rest come
    // from the images, and the outputs are still the same.
    Plan plan;
    plan.setPrune("/dw2/conv/Conv", elementHalf());
    const Cut cut = cutFor(plan);
    const onnx::ModelProto compressed = applied(plan);
    auto full = Evaluator(sampleData(), sampleSpec(), options).run(compressed);
    REQUIRE(full.has_value());
    Plan before;
    before.setPrune("/pw1/conv/Conv", elementHalf());
    auto pw1 = IncrementalEvaluator::create(sampleModel(), cutFor(before), sampleData(), sampleSpec(), options);
    REQUIRE(pw1.has_value());
    REQUIRE(pw1->run(applied(before)).has_value());
    auto small = IncrementalEvaluator::create(sampleModel(), cut, sampleData(), sampleSpec(), options,
        IncrementalOptions { 120 * 96 * 7 * 7 * 4, true });
    REQUIRE(small.has_value());
    auto n = small->seedFrom(*pw1);
    REQUIRE(n.has_value());
    CHECK(*n == 120);
    auto r = small->run(compressed);
    REQUIRE(r.has_value());
    requireSamePredictions(*full, *r);
    CHECK(small->cachedSamples() == 120);
    // Seeding a filled cache, or from a later cut, does nothing.
    auto again = small->seedFrom(*pw1);
    REQUIRE(again.has_value());
    CHECK(*again == 0);
    auto freshPw1 = IncrementalEvaluator::create(sampleModel(), cutFor(before), sampleData(), sampleSpec(), options);
    REQUIRE(freshPw1.has_value());
    auto later = freshPw1->seedFrom(*small); // dw2's cut does not separate pw1's from the images
    REQUIRE(later.has_value());
    CHECK(*later == 0);
    CHECK(freshPw1->cachedSamples() == 0);
}
