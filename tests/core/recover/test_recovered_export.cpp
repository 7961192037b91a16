// Recovered exports in ONNX Runtime: the sample model pruned or quantized with recovery,
// written masked, shrunk, int8 QDQ and float16; ORT runs each with the same outputs as
// Topiary's own OpenCV run of the recovered model, and shrunk equals masked. Bias
// correction is checked on what it promises: the classifier's mean output on the
// calibration images equals the original's, as ONNX Runtime computes both.
#include "OrtRunner.h"
#include "SampleData.h"

#include "core/compress/PruneSelection.h"
#include "core/export/Apply.h"
#include "core/model/DependencyGroups.h"
#include "core/model/Layer.h"
#include "core/model/Model.h"
#include "core/plan/Plan.h"
#include "core/recover/CalibrationImages.h"
#include "core/recover/Recovery.h"

#include <catch2/catch.hpp>

#include <cmath>
#include <fstream>

using namespace topiary;

namespace {

struct Fixture {
    const Model& model = test::sampleModel();
    std::vector<Layer> layers = findLayers(model);
    std::vector<DependencyGroup> groups = findDependencyGroups(model, layers);
    CalibrationImages images;

    Fixture()
    {
        auto i = loadCalibrationImages(model, test::sampleData(), test::sampleSpec(), 64, RecoverySpec::kDefaultSeed);
        REQUIRE(i);
        images = std::move(*i);
    }

    std::vector<float> input(int n) const
    {
        return { images.blob.ptr<float>(), images.blob.ptr<float>() + static_cast<size_t>(n) * 28 * 28 };
    }
};

std::vector<float> ort(const onnx::ModelProto& proto, const std::vector<float>& input, const std::string& name)
{
    const auto dir = test::makeTempDir("topiary-recovered");
    const auto file = dir / (name + ".onnx");
    {
        std::ofstream f(file, std::ios::binary);
        REQUIRE(proto.SerializeToOstream(&f));
    }
    const int64_t n = static_cast<int64_t>(input.size() / (28 * 28));
    const std::vector<int64_t> dims { n, 1, 28, 28 };
    auto r = test::runInOrt(file, input, dims);
    INFO(r.error);
    REQUIRE(r.ok);
    std::error_code ec;
    std::filesystem::remove_all(dir, ec);
    return r.output;
}

void checkClose(const std::vector<float>& a, const std::vector<float>& b, float tolerance)
{
    REQUIRE(a.size() == b.size());
    float worst = 0.0f;
    for (size_t i = 0; i < a.size(); ++i)
        worst = std::max(worst, std::fabs(a[i] - b[i]));
    INFO("largest difference " << worst);
    CHECK(worst <= tolerance);
}

RecoverySpec methods(bool bn, bool bias, bool lsq)
{
    RecoverySpec r;
    r.batchNorm = bn;
    r.bias = bias;
    r.leastSquares = lsq;
    r.calibrationImages = 64;
    return r;
}

} // namespace

TEST_CASE("recovered exports run in ONNX Runtime as Topiary evaluates them", "[recovery][export][ort]")
{
    Fixture f;
    const std::vector<float> input = f.input(8);
    const std::vector<int64_t> dims { 8, 1, 28, 28 };

    SECTION("filter pruning with bn, bias and lsq: masked and shrunk")
    {
        Plan plan = pruneAllConvs(Plan {}, f.layers, f.groups,
            PruneSpec { PruneGranularity::Filter, Criterion::L1, PruneMode::Ratio, 0.5 }, true);
        plan.setRecovery(methods(true, true, true));
        auto masked = applyRecovered(f.model, plan, f.images);
        REQUIRE(masked);
        CHECK(!masked->recovery.values.empty());
        CHECK(masked->recovery.find("/pw2/conv/Conv")->refitted); // its input channels were removed
        // 64 images are 64 rows for the classifier's 97 unknowns per output (96 kept inputs
        // and the bias): too few, said so.
        const LayerRecovery* fc = masked->recovery.find("/fc/Gemm");
        REQUIRE(fc);
        CHECK_FALSE(fc->refitted);
        REQUIRE_FALSE(fc->notes.empty());
        CHECK(fc->notes[0].find("too few") != std::string::npos);
        ApplyOptions shrink;
        shrink.shrink = true;
        auto shrunk = applyRecovered(f.model, plan, f.images, shrink);
        REQUIRE(shrunk);
        const auto opencv = test::runInOpenCv(masked->applied.proto, input, dims);
        checkClose(ort(masked->applied.proto, input, "masked"), opencv, 1e-4f);
        checkClose(ort(shrunk->applied.proto, input, "shrunk"), opencv, 1e-4f);
        // Recovery changed the model: the recovered outputs are not the plain pruned ones.
        auto plain = apply(f.model, plan);
        REQUIRE(plain);
        const auto before = test::runInOpenCv(plain->proto, input, dims);
        float moved = 0.0f;
        for (size_t i = 0; i < before.size(); ++i)
            moved = std::max(moved, std::fabs(before[i] - opencv[i]));
        CHECK(moved > 1e-3f);
    }
    SECTION("8-bit weights with bias and lsq as int8 QDQ")
    {
        Plan plan = quantizeAll(Plan {}, f.layers, QuantSpec { QuantScheme::Uniform, 8, true, true }, false);
        plan.setRecovery(methods(false, true, true));
        ApplyOptions qdq;
        qdq.int8Qdq = true;
        auto q = applyRecovered(f.model, plan, f.images, qdq);
        INFO((q ? std::string() : q.error().message));
        REQUIRE(q);
        CHECK(q->applied.report.qdqWeights == static_cast<int>(f.layers.size()));
        auto masked = applyRecovered(f.model, plan, f.images);
        REQUIRE(masked);
        checkClose(ort(q->applied.proto, input, "qdq"), test::runInOpenCv(masked->applied.proto, input, dims), 1e-4f);
    }
    SECTION("float16 weights with bn and bias")
    {
        Plan plan = quantizeAll(Plan {}, f.layers, QuantSpec { QuantScheme::Float16, 16, true, false }, false);
        plan.setRecovery(methods(true, true, false));
        ApplyOptions half;
        half.float16 = true;
        auto h = applyRecovered(f.model, plan, f.images, half);
        REQUIRE(h);
        CHECK(h->applied.report.float16Weights > 0);
        auto masked = applyRecovered(f.model, plan, f.images);
        REQUIRE(masked);
        checkClose(ort(h->applied.proto, input, "half"), test::runInOpenCv(masked->applied.proto, input, dims), 1e-4f);
    }
}

// The proto with one intermediate tensor as its only output, for ONNX Runtime to compute.
onnx::ModelProto withOutput(const onnx::ModelProto& proto, const std::string& tensor)
{
    onnx::ModelProto out = proto;
    out.mutable_graph()->clear_output();
    auto* o = out.mutable_graph()->add_output();
    o->set_name(tensor);
    o->mutable_type()->mutable_tensor_type()->set_elem_type(onnx::TensorProto_DataType_FLOAT);
    return out;
}

TEST_CASE("bias correction gives the last hidden layer the original's mean output and leaves the logits alone",
    "[recovery][bias][ort]")
{
    Fixture f;
    Plan plan = quantizeAll(Plan {}, f.layers, QuantSpec { QuantScheme::Uniform, 3, true, true }, false);
    plan.setRecovery(methods(false, true, false));
    auto recovered = applyRecovered(f.model, plan, f.images);
    REQUIRE(recovered);
    auto plain = apply(f.model, plan);
    REQUIRE(plain);
    const std::vector<float> input = f.input(static_cast<int>(f.images.count()));
    const std::string site = "/pw2/bn/BatchNormalization_output_0";
    constexpr size_t channels = 192;
    auto meanPerChannel = [&](const onnx::ModelProto& proto, const std::string& name) {
        const auto out = ort(withOutput(proto, site), input, name);
        const size_t positions = out.size() / (channels * static_cast<size_t>(f.images.count()));
        REQUIRE(positions * channels * static_cast<size_t>(f.images.count()) == out.size());
        std::vector<double> mean(channels, 0.0);
        for (size_t i = 0; i < out.size(); ++i)
            mean[(i / positions) % channels] += out[i] / static_cast<double>(f.images.count() * positions);
        return mean;
    };
    const auto original = meanPerChannel(f.model.proto(), "original");
    const auto corrected = meanPerChannel(recovered->applied.proto, "corrected");
    const auto uncorrected = meanPerChannel(plain->proto, "uncorrected");
    double gapBefore = 0.0;
    for (size_t c = 0; c < channels; ++c) {
        INFO("channel " << c);
        CHECK(corrected[c] == Approx(original[c]).margin(1e-4));
        gapBefore = std::max(gapBefore, std::fabs(uncorrected[c] - original[c]));
    }
    CHECK(gapBefore > 1e-2); // 3 bits moved them: the correction had work to do

    // The classifier's output is the model's: its bias stays as quantization left it.
    const LayerRecovery* fc = recovered->recovery.find("/fc/Gemm");
    REQUIRE(fc);
    CHECK(fc->biasShift.empty());
    REQUIRE(fc->notes.size() == 1);
    CHECK(fc->notes[0].find("logits") != std::string::npos);
    CHECK_FALSE(recovered->recovery.values.contains("fc.bias"));
    const LayerRecovery* pw2 = recovered->recovery.find("/pw2/conv/Conv");
    REQUIRE(pw2);
    CHECK(pw2->biasShift.size() == channels);
}

TEST_CASE("a classifier whose input lost most channels is refitted from fewer images than its full row",
    "[recovery][lsq]")
{
    // 80 % of /pw2's filters: the classifier keeps 38 of 192 inputs, 39 unknowns per
    // output with the bias; 96 images are enough rows for those (not for 193).
    const Model& model = test::sampleModel();
    auto images = loadCalibrationImages(model, test::sampleData(), test::sampleSpec(), 96, RecoverySpec::kDefaultSeed);
    REQUIRE(images);
    Plan plan;
    plan.setPrune("/pw2/conv/Conv", PruneSpec { PruneGranularity::Filter, Criterion::L1, PruneMode::Ratio, 0.8 });
    RecoverySpec spec = methods(false, false, true);
    spec.calibrationImages = 96;
    plan.setRecovery(spec);
    auto recovered = applyRecovered(model, plan, *images);
    REQUIRE(recovered);
    const LayerRecovery* fc = recovered->recovery.find("/fc/Gemm");
    REQUIRE(fc);
    INFO((fc->notes.empty() ? std::string() : fc->notes[0]));
    REQUIRE(fc->refitted);
    CHECK(fc->residualAfter < 0.5 * fc->residualBefore);
}
