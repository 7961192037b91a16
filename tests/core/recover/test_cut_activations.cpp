// Recovery's cut cache: activations computed from a cut held for every calibration image
// equal those computed from the images themselves (TensorTaps runs the model from its
// input), and recovery with the cache gives the same repaired weights as without it
// (a zero budget never moves the cut, so every pass starts from the images).
#include "SampleData.h"

#include "core/compress/PruneSelection.h"
#include "core/eval/SubModel.h"
#include "core/model/DependencyGroups.h"
#include "core/model/Layer.h"
#include "core/model/Model.h"
#include "core/plan/Plan.h"
#include "core/recover/CalibrationImages.h"
#include "core/recover/CutActivations.h"
#include "core/recover/Recovery.h"
#include "core/recover/TensorTaps.h"

#include <catch2/catch.hpp>

#include <cmath>

using namespace topiary;

namespace {

int layerIndex(const std::vector<Layer>& layers, const std::string& name)
{
    for (size_t i = 0; i < layers.size(); ++i)
        if (layers[i].name == name)
            return static_cast<int>(i);
    FAIL("no layer " << name);
    return -1;
}

float largestDifference(const cv::Mat& a, const cv::Mat& b)
{
    REQUIRE(a.total() == b.total());
    float worst = 0.0f;
    const float* p = a.ptr<float>();
    const float* q = b.ptr<float>();
    for (size_t i = 0; i < a.total(); ++i)
        worst = std::max(worst, std::fabs(p[i] - q[i]));
    return worst;
}

} // namespace

TEST_CASE("activations from a cached cut equal those from the images", "[recovery][cut]")
{
    const Model& model = test::sampleModel();
    const auto layers = findLayers(model);
    auto images = loadCalibrationImages(model, test::sampleData(), test::sampleSpec(), 40, RecoverySpec::kDefaultSeed);
    REQUIRE(images);
    auto cache = CutActivations::create(model, *images, 16);
    REQUIRE(cache);
    REQUIRE(cache->batches() == 3); // 16 + 16 + 8
    CHECK(cache->count(2) == 8);
    CHECK(cache->bytes() == 0);

    // The cut before /pw1 is one tensor, /dw1's ReLU output; then past the residual block.
    for (const char* at : { "/block1/conv2/Conv", "/pw1/conv/Conv" }) {
        auto cut = cutBeforeLayer(model, layers, layerIndex(layers, at));
        REQUIRE(cut);
        auto moved = cache->advance(model.proto(), *cut, int64_t { 1 } << 30);
        REQUIRE(moved);
        CHECK(*moved);
        CHECK(cache->tensors() == cut->tensors);
    }
    CHECK(cache->bytes() > 0);

    const std::vector<std::string> tensors { "/pw2/conv/Conv_output_0", "/dw1/relu/Relu_output_0" };
    auto pass = cache->pass(model.proto(), tensors);
    REQUIRE(pass);
    auto taps = TensorTaps::create(model, model.proto(), images->inputName, tensors);
    REQUIRE(taps);
    for (size_t b = 0; b < cache->batches(); ++b) {
        auto fromCut = pass->forward(b);
        REQUIRE(fromCut);
        auto fromImages = taps->forward(*images, cache->firstImage(b), cache->count(b));
        REQUIRE(fromImages);
        for (size_t t = 0; t < tensors.size(); ++t) {
            INFO("batch " << b << ", " << tensors[t]);
            CHECK(largestDifference((*fromCut)[t], (*fromImages)[t]) <= 1e-4f);
        }
    }

    // A budget too small for the next cut leaves the cache where it was.
    auto cut = cutBeforeLayer(model, layers, layerIndex(layers, "/pw2/conv/Conv"));
    REQUIRE(cut);
    const auto before = cache->tensors();
    auto moved = cache->advance(model.proto(), *cut, 1024);
    REQUIRE(moved);
    CHECK_FALSE(*moved);
    CHECK(cache->tensors() == before);
}

TEST_CASE("recovery with the cut cache repairs the same weights as without it", "[recovery][cut]")
{
    const Model& model = test::sampleModel();
    const auto layers = findLayers(model);
    const auto groups = findDependencyGroups(model, layers);
    auto images = loadCalibrationImages(model, test::sampleData(), test::sampleSpec(), 128, RecoverySpec::kDefaultSeed);
    REQUIRE(images);
    Plan plan = pruneAllConvs(Plan {}, layers, groups,
        PruneSpec { PruneGranularity::Filter, Criterion::L1, PruneMode::Ratio, 0.4 }, true);
    RecoverySpec spec;
    spec.batchNorm = spec.bias = spec.leastSquares = true;
    spec.calibrationImages = 128;
    plan.setRecovery(spec);
    auto selection = selectPruned(model, layers, groups, plan, weightScorer(model, layers));
    REQUIRE(selection);

    RecoveryOptions cached, uncached;
    uncached.activationBudget = 0;
    auto a = recover(model, plan, *images, *selection, cached);
    REQUIRE(a);
    auto b = recover(model, plan, *images, *selection, uncached);
    REQUIRE(b);
    REQUIRE(a->values.size() == b->values.size());
    int refitted = 0;
    for (const auto& l : a->layers)
        refitted += l.refitted ? 1 : 0;
    CHECK(refitted >= 3);
    for (const auto& [name, values] : a->values) {
        INFO(name);
        REQUIRE(b->values.contains(name));
        const auto& other = b->values.find(name)->second;
        REQUIRE(values.size() == other.size());
        double worst = 0.0, scale = 0.0;
        for (size_t i = 0; i < values.size(); ++i) {
            worst = std::max(worst, static_cast<double>(std::fabs(values[i] - other[i])));
            scale = std::max(scale, static_cast<double>(std::fabs(other[i])));
        }
        CHECK(worst <= 1e-3 * std::max(1.0, scale));
    }
}
