// Training runs on the bundled sample: the plan is respected (pruned weights stay zero,
// quantized weights end on their grid), the written file runs in OpenCV with the outputs
// the trainer reported, and bad runs stop with a clear message.
#include "SampleData.h"
#include "TrainTestSupport.h"

#include "core/data/Preprocessor.h"
#include "core/eval/OpenCvNet.h"
#include "core/export/Apply.h"
#include "core/plan/Recipe.h"
#include "core/recover/CalibrationImages.h"
#include "core/recover/Recovery.h"
#include "train/BlasLibrary.h"
#include "train/Trainer.h"
#include "train/TrainingSetup.h"

#include <catch2/catch.hpp>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <set>
#include <span>

using namespace topiary;
using namespace topiary::test;
using nlohmann::json;

namespace {

struct Run {
    Result<json> result;
    std::vector<json> events;
};

std::filesystem::path tempDir(const std::string& name)
{
    auto dir
        = std::filesystem::temp_directory_path() / ("topiary-train-test-" + name + "-" + std::to_string(::getpid()));
    std::filesystem::remove_all(dir);
    std::filesystem::create_directories(dir);
    return dir;
}

train::TrainOptions sampleOptions(const std::filesystem::path& dir, const Plan& plan)
{
    train::TrainOptions o;
    o.model = (sampleDir() / "fashion_cnn.onnx").string();
    o.trainData = (sampleDir() / "fashion-mnist-test-1000-images-idx3-ubyte").string();
    o.valData = o.trainData;
    o.trainLimit = 256;
    o.batchSize = 32;
    o.learningRate = 0.01;
    o.seed = 3;
    o.output = (dir / "out.onnx").string();
    o.recipe = Recipe { plan, {}, {}, {} };
    return o;
}

Run trainRun(const train::TrainOptions& o, const std::atomic<bool>* stop = nullptr)
{
    Run run;
    run.result = train::runTraining(o, { [&](const json& e) { run.events.push_back(e); }, stop });
    return run;
}

// Image 0 of the sample through OpenCV, as the trainer reports first_logits.
std::vector<float> openCvLogits(const onnx::ModelProto& proto)
{
    auto net = OpenCvNet::create(proto);
    REQUIRE(net);
    auto preprocessor = Preprocessor::create(sampleSpec());
    REQUIRE(preprocessor);
    auto image = sampleData().image(0);
    REQUIRE(image);
    auto blob = preprocessor->blob(*image);
    REQUIRE(blob);
    auto out = net->forward(*blob);
    REQUIRE(out);
    return { out->ptr<float>(), out->ptr<float>() + 10 };
}

void checkReportedLogits(const json& done, const std::filesystem::path& file)
{
    const auto reported = done.at("first_logits").get<std::vector<float>>();
    const auto measured = openCvLogits(readProto(file));
    CHECK(relativeDifference({ { 10 }, reported }, { { 10 }, measured }) < 1e-4);
}

// The files mapped into this process, from /proc/self/maps.
std::set<std::string> mappedFiles()
{
    std::set<std::string> files;
    std::ifstream maps("/proc/self/maps");
    for (std::string line; std::getline(maps, line);)
        if (auto slash = line.find('/'); slash != std::string::npos)
            files.insert(line.substr(slash));
    return files;
}

} // namespace

TEST_CASE("fine-tuning keeps pruned weights zero and writes what it reports", "[train][training]")
{
    const Model& model = sampleModel();
    Plan plan;
    plan.setPrune("/pw2/conv/Conv", PruneSpec { PruneGranularity::Filter, Criterion::L1, PruneMode::Ratio, 0.5 });
    plan.setPrune("/block1/conv1/Conv", PruneSpec { PruneGranularity::Element, Criterion::L1, PruneMode::Ratio, 0.6 });
    const auto dir = tempDir("prune");
    auto run = trainRun(sampleOptions(dir, plan));
    INFO((run.result ? std::string() : run.result.error().message));
    REQUIRE(run.result);
    const json& done = *run.result;
    CHECK(done["type"] == "done");

    std::vector<std::string> types;
    for (const auto& e : run.events)
        types.push_back(e["type"]);
    CHECK(std::find(types.begin(), types.end(), "started") != types.end());
    // The BLAS library the run computed with is reported (and recorded in the file): the
    // reference BLAS and OpenBLAS train the same seed to different weights.
    const std::string blas = train::blasLibrary();
    CHECK(blas.find("blas") != std::string::npos);
    CHECK(std::filesystem::exists(blas));
    CHECK(mappedFiles().contains(blas)); // a library this process has loaded
    for (const auto& e : run.events)
        if (e["type"] == "started")
            CHECK(e.value("blas", std::string()) == blas);
    CHECK(std::count(types.begin(), types.end(), "validation") == 2); // before and after the epoch
    CHECK(std::filesystem::exists(dir / "out.epoch1.onnx"));

    auto masked = apply(model, plan);
    REQUIRE(masked);
    auto maskedModel = Model::fromProto(masked->proto, {});
    auto trained = Model::load(dir / "out.onnx");
    REQUIRE(maskedModel);
    REQUIRE(trained);
    int64_t pruned = 0, changed = 0;
    for (const char* name : { "pw2.conv.weight", "block1.conv1.weight", "fc.weight", "pw2.bn.weight" }) {
        const auto before = model.constant(name)->floats;
        const auto zeroed = maskedModel->constant(name)->floats;
        const auto after = trained->constant(name)->floats;
        REQUIRE(after.size() == before.size());
        for (size_t i = 0; i < after.size(); ++i) {
            if (zeroed[i] == 0.0f && before[i] != 0.0f) {
                ++pruned;
                CHECK(after[i] == 0.0f);
            } else if (after[i] != zeroed[i]) {
                ++changed;
            }
        }
    }
    CHECK(pruned > 5000);
    CHECK(changed > 1000); // the kept weights did train

    // The file's metadata records the plan and the training options.
    std::set<std::string> keys;
    for (const auto& m : trained->proto().metadata_props())
        keys.insert(m.key());
    CHECK(keys.contains("topiary.recipe"));
    CHECK(keys.contains("topiary.training"));
    for (const auto& m : trained->proto().metadata_props())
        if (m.key() == "topiary.training")
            CHECK(json::parse(m.value()).value("blas", std::string()) == blas);
    // ... and the preprocessing it was trained with (the sample's preprocess.json beside
    // the original), so evaluating the file in another folder preprocesses as training did.
    CHECK(keys.contains("topiary.preprocess"));
    auto recorded = preprocessFromMetadata(*trained);
    REQUIRE(recorded);
    REQUIRE(recorded->has_value());
    CHECK(preprocessToJson(**recorded) == preprocessToJson(sampleSpec()));
    CHECK((*recorded)->mean == std::vector<double> { 0.286 });
    checkReportedLogits(done, dir / "out.onnx");
    std::filesystem::remove_all(dir);
}

TEST_CASE("quantized layers train through fake quantization and end on their grid", "[train][training]")
{
    Plan plan;
    plan.setQuant("/block1/conv2/Conv", QuantSpec { QuantScheme::Uniform, 4, true, true });
    const auto dir = tempDir("qat");
    auto run = trainRun(sampleOptions(dir, plan));
    INFO((run.result ? std::string() : run.result.error().message));
    REQUIRE(run.result);
    auto trained = Model::load(dir / "out.onnx");
    REQUIRE(trained);
    const auto w = trained->constant("block1.conv2.weight")->floats;
    const size_t perFilter = w.size() / 48;
    const auto original = sampleModel().constant("block1.conv2.weight")->floats;
    bool moved = false;
    for (size_t f = 0; f < 48; ++f) {
        std::set<float> levels(
            w.begin() + static_cast<long>(f * perFilter), w.begin() + static_cast<long>((f + 1) * perFilter));
        CHECK(levels.size() <= 15); // symmetric 4 bits: -7..7
    }
    for (size_t i = 0; i < w.size(); ++i)
        moved = moved || std::abs(w[i] - original[i]) > 1e-3f;
    CHECK(moved);
    checkReportedLogits(*run.result, dir / "out.onnx");
    std::filesystem::remove_all(dir);
}

TEST_CASE("distillation from the original model trains and exports", "[train][training]")
{
    Plan plan;
    plan.setPrune("/pw2/conv/Conv", PruneSpec { PruneGranularity::Filter, Criterion::L1, PruneMode::Ratio, 0.5 });
    const auto dir = tempDir("kd");
    auto options = sampleOptions(dir, plan);
    options.distillation = train::Distillation { 4.0, 0.9 };
    auto run = trainRun(options);
    INFO((run.result ? std::string() : run.result.error().message));
    REQUIRE(run.result);
    CHECK((*run.result)["accuracy"].get<double>() > 0.5);
    checkReportedLogits(*run.result, dir / "out.onnx");
    std::filesystem::remove_all(dir);
}

TEST_CASE("the distillation loss and its gradient equal PyTorch's batchmean KL times T squared", "[train][training]")
{
    const auto ref = readJson(trainFixturesDir() / "distillation.json");
    const auto student = tensorFromJson(ref.at("student"));
    const auto teacher = tensorFromJson(ref.at("teacher"));
    const auto labels = ref.at("labels").get<std::vector<int64_t>>();
    for (const auto& c : ref.at("cases")) {
        const train::Distillation d { c.at("temperature").get<double>(), c.at("alpha").get<double>() };
        INFO("T = " << d.temperature << ", alpha = " << d.alpha);
        auto v = train::distillationLossOf(student, teacher, labels, d);
        REQUIRE(v);
        CHECK(v->loss == Approx(c.at("loss").get<double>()).epsilon(1e-5));
        CHECK(relativeDifference(v->gradient, tensorFromJson(c.at("gradient"))) < 1e-5);
    }
}

TEST_CASE("a diverging run stops with a message that says what to change", "[train][training]")
{
    const auto dir = tempDir("diverge");
    auto options = sampleOptions(dir, Plan {});
    options.learningRate = 90.0;
    options.schedule = train::Schedule::Constant;
    options.momentum = 0.99;
    auto run = trainRun(options);
    REQUIRE_FALSE(run.result);
    CHECK_THAT(run.result.error().message, Catch::Contains("diverged") && Catch::Contains("learning rate"));
    CHECK_FALSE(std::filesystem::exists(dir / "out.onnx"));
    std::filesystem::remove_all(dir);
}

TEST_CASE("a stop request ends the run before the next step", "[train][training]")
{
    const auto dir = tempDir("stop");
    std::atomic<bool> stop { true };
    auto run = trainRun(sampleOptions(dir, Plan {}), &stop);
    INFO((run.result ? std::string() : run.result.error().message));
    REQUIRE(run.result);
    CHECK((*run.result)["type"] == "stopped");
    CHECK_FALSE(std::filesystem::exists(dir / "out.onnx"));
    std::filesystem::remove_all(dir);
}

TEST_CASE("plans the trainer cannot follow are errors naming the layer", "[train][training]")
{
    const auto dir = tempDir("lowrank");
    Plan plan;
    plan.setLowRank("/pw2/conv/Conv", LowRankSpec { 8 });
    auto run = trainRun(sampleOptions(dir, plan));
    REQUIRE_FALSE(run.result);
    CHECK_THAT(run.result.error().message, Catch::Contains("/pw2/conv/Conv") && Catch::Contains("low-rank"));
    std::filesystem::remove_all(dir);
}

TEST_CASE("a plan with recovery trains from the recovered weights, the teacher stays the original", "[train][training]")
{
    const auto dir = tempDir("recover");
    Plan plan;
    plan.setPrune("/block1/conv1/Conv", PruneSpec { PruneGranularity::Filter, Criterion::L1, PruneMode::Ratio, 0.5 });
    plan.setPrune("/pw2/conv/Conv", PruneSpec { PruneGranularity::Filter, Criterion::L1, PruneMode::Ratio, 0.5 });
    RecoverySpec recovery;
    recovery.batchNorm = recovery.bias = recovery.leastSquares = true;
    recovery.calibrationImages = 48;
    plan.setRecovery(recovery);
    auto o = sampleOptions(dir, plan);
    auto setup = train::TrainingSetup::prepare(o, [](const std::string&) {});
    REQUIRE(setup);

    // Independently: recovery on the same (training) images, then the masked export.
    auto original = Model::load(o.model);
    REQUIRE(original);
    auto dataset = Dataset::open(o.trainData);
    REQUIRE(dataset);
    auto images = loadCalibrationImages(*original, *dataset, sampleSpec(), recovery.calibrationImages, recovery.seed);
    REQUIRE(images);
    auto recovered = applyRecovered(*original, plan, *images);
    REQUIRE(recovered);
    REQUIRE(recovered->recovery.values.size() >= 4);

    std::map<std::string, const onnx::TensorProto*> expected;
    for (const auto& t : recovered->applied.proto.graph().initializer())
        expected.emplace(t.name(), &t);
    auto student = Model::fromProto(setup->studentProto(), original->baseDir());
    auto masked = Model::fromProto(recovered->applied.proto, original->baseDir());
    REQUIRE(student);
    REQUIRE(masked);
    int repaired = 0;
    for (const auto& [name, values] : recovered->recovery.values) {
        const Constant* got = student->constant(name);
        const Constant* want = masked->constant(name);
        REQUIRE(got);
        REQUIRE(want);
        CHECK(std::vector<float>(got->floats.begin(), got->floats.end())
            == std::vector<float>(want->floats.begin(), want->floats.end()));
        const Constant* before = original->constant(name);
        if (!std::equal(got->floats.begin(), got->floats.end(), before->floats.begin(), before->floats.end()))
            ++repaired;
    }
    CHECK(repaired >= 4); // refitted weights and biases, re-estimated BN statistics
    // The pruned filters stay pruned: the masks are the plan's, not zeros the refit made.
    auto plain = sampleOptions(dir, [&] {
        Plan p = plan;
        p.setRecovery({});
        return p;
    }());
    auto plainSetup = train::TrainingSetup::prepare(plain, [](const std::string&) {});
    REQUIRE(plainSetup);
    CHECK(setup->maskedWeights() == plainSetup->maskedWeights());
    // The teacher is the original model, untouched.
    CHECK(setup->teacherProto().SerializeAsString() == original->proto().SerializeAsString());

    // Iterative pruning changes the plan every round: recovery of the final plan would not fit.
    o.rounds = 2;
    auto iterative = train::TrainingSetup::prepare(o, [](const std::string&) {});
    REQUIRE_FALSE(iterative);
    CHECK_THAT(iterative.error().message, Catch::Contains("single round"));
    std::filesystem::remove_all(dir);
}

TEST_CASE("iterative pruning prunes more each round on a cubic schedule", "[train][training]")
{
    Plan plan;
    plan.setPrune("/pw2/conv/Conv", PruneSpec { PruneGranularity::Filter, Criterion::L1, PruneMode::Ratio, 0.5 });
    const auto dir = tempDir("rounds");
    auto options = sampleOptions(dir, plan);
    options.rounds = 3;
    auto run = trainRun(options);
    INFO((run.result ? std::string() : run.result.error().message));
    REQUIRE(run.result);
    // One history entry before training and one per round (one epoch each).
    const auto& history = (*run.result)["history"];
    REQUIRE(history.size() == 4);
    // pw2 has 192 filters; rounds prune 1 - (1 - r/3)^3 of the final 0.5 of them: 67.6,
    // 92.4 and 96 filters. Each pruned filter masks the same entries (its weights, its
    // BatchNorm's, its fc columns), so the masks count filters.
    const auto last = history[3]["masked_weights"].get<int64_t>();
    REQUIRE(last % 96 == 0);
    const int64_t perFilter = last / 96;
    const double expected[] = { 0.0, 0.5 * (1 - 8.0 / 27), 0.5 * (1 - 1.0 / 27), 0.5 };
    for (int r = 1; r <= 3; ++r) {
        INFO("round " << r);
        CHECK(history[static_cast<size_t>(r)]["round"] == r);
        const auto filters = history[static_cast<size_t>(r)]["masked_weights"].get<int64_t>() / perFilter;
        CHECK(std::abs(static_cast<double>(filters) - expected[r] * 192) <= 1.0);
        CHECK(std::filesystem::exists(dir / ("out.round" + std::to_string(r) + ".epoch1.onnx")));
    }
    auto trained = Model::load(dir / "out.onnx");
    REQUIRE(trained);
    const auto w = trained->constant("pw2.conv.weight")->floats;
    int64_t zeroFilters = 0;
    for (size_t f = 0; f < 192; ++f)
        zeroFilters += std::all_of(w.begin() + static_cast<long>(f * 96), w.begin() + static_cast<long>((f + 1) * 96),
            [](float v) { return v == 0.0f; });
    CHECK(zeroFilters == 96);
    std::filesystem::remove_all(dir);
}

TEST_CASE("the result has the structure of the chosen export: shrunk, int8 QDQ", "[train][training]")
{
    Plan plan;
    plan.setPrune("/pw2/conv/Conv", PruneSpec { PruneGranularity::Filter, Criterion::L1, PruneMode::Ratio, 0.5 });
    plan.setQuant("/pw1/conv/Conv", QuantSpec { QuantScheme::Uniform, 8, true, true });
    const auto dir = tempDir("shrink");
    auto options = sampleOptions(dir, plan);
    options.shrink = true;
    options.int8Qdq = true;
    auto run = trainRun(options);
    INFO((run.result ? std::string() : run.result.error().message));
    REQUIRE(run.result);
    const auto proto = readProto(dir / "out.onnx");
    int dequantize = 0;
    for (const auto& node : proto.graph().node())
        dequantize += node.op_type() == "DequantizeLinear";
    CHECK(dequantize == 1); // pw1's weight as int8
    auto trained = Model::fromProto(proto, {});
    REQUIRE(trained);
    const auto* pw2 = trained->constant("pw2.conv.weight");
    REQUIRE(pw2);
    CHECK(pw2->info.shape == std::vector<int64_t> { 96, 96, 1, 1 }); // half of the 192 filters removed
    // The shrunk, int8 file computes what the trainer measured on its masked float graph.
    checkReportedLogits(*run.result, dir / "out.onnx");
    std::filesystem::remove_all(dir);
}

TEST_CASE("a run resumed from a checkpoint ends where the uninterrupted run ends", "[train][training][resume]")
{
    Plan plan;
    plan.setPrune("/pw2/conv/Conv", PruneSpec { PruneGranularity::Filter, Criterion::L1, PruneMode::Ratio, 0.5 });
    const auto dir = tempDir("resume");
    auto o = sampleOptions(dir, plan);
    o.trainLimit = 128;
    o.valLimit = 200;
    o.epochs = 2;
    o.augmentPad = 2; // the resumed epoch must draw the same shifts and flips
    o.augmentFlip = true;
    auto full = trainRun(o);
    INFO((full.result ? std::string() : full.result.error().message));
    REQUIRE(full.result);
    REQUIRE(std::filesystem::exists(dir / "out.epoch1.onnx"));
    REQUIRE(std::filesystem::exists(dir / "out.epoch1.state"));

    auto r = o;
    r.output = (dir / "resumed.onnx").string();
    r.resume = (dir / "out.epoch1.onnx").string();
    auto resumed = trainRun(r);
    INFO((resumed.result ? std::string() : resumed.result.error().message));
    REQUIRE(resumed.result);
    CHECK(std::any_of(resumed.events.begin(), resumed.events.end(), [](const json& e) { return e["type"] == "resumed"; }));
    // Only the second epoch ran: one progress run, one validation.
    CHECK(std::count_if(resumed.events.begin(), resumed.events.end(), [](const json& e) { return e["type"] == "validation"; })
        == 1);
    CHECK((*resumed.result)["history"].size() == (*full.result)["history"].size());
    CHECK((*resumed.result)["accuracy"] == (*full.result)["accuracy"]);
    CHECK((*resumed.result)["accuracy_before"] == (*full.result)["accuracy_before"]);

    auto a = Model::load(dir / "out.onnx");
    auto b = Model::load(dir / "resumed.onnx");
    REQUIRE(a);
    REQUIRE(b);
    int64_t compared = 0;
    for (const auto& init : a->proto().graph().initializer()) {
        const auto* x = a->constant(init.name());
        const auto* y = b->constant(init.name());
        if (!x || x->floats.empty())
            continue;
        REQUIRE(y);
        REQUIRE(x->floats.size() == y->floats.size());
        double diff = 0.0;
        for (size_t i = 0; i < x->floats.size(); ++i)
            diff = std::max(diff, static_cast<double>(std::abs(x->floats[i] - y->floats[i])));
        INFO(init.name());
        CHECK(diff <= 1e-6);
        compared += static_cast<int64_t>(x->floats.size());
    }
    CHECK(compared > 10000);

    // A checkpoint of other options is refused, saying which may change.
    auto other = r;
    other.batchSize = 16;
    auto refused = trainRun(other);
    REQUIRE_FALSE(refused.result);
    CHECK(refused.result.error().message.find("other options") != std::string::npos);
    other = r;
    other.resume = (dir / "missing.epoch1.onnx").string();
    refused = trainRun(other);
    REQUIRE_FALSE(refused.result);
    CHECK(refused.result.error().message.find("missing") != std::string::npos);
    std::filesystem::remove_all(dir);
}

TEST_CASE("a run resumed in the middle of a pruning round ends where the uninterrupted run ends", "[train][training][resume]")
{
    // Resumed in round 2, the round's masks come from the tensors the round was selected on
    // (stored in the state), not from the checkpoint's weights. With FPGM, L1, L2 and BN
    // scale both choose the same filters (the round's pruned filters are zero and rank
    // last), so this checks that a mid-round resume ends where the uninterrupted run ends.
    Plan plan;
    plan.setPrune("/pw2/conv/Conv", PruneSpec { PruneGranularity::Filter, Criterion::Fpgm, PruneMode::Ratio, 0.5 });
    const auto dir = tempDir("resume-round");
    auto o = sampleOptions(dir, plan);
    o.trainLimit = 128;
    o.valLimit = 200;
    o.rounds = 2;
    o.epochs = 2;
    auto full = trainRun(o);
    INFO((full.result ? std::string() : full.result.error().message));
    REQUIRE(full.result);
    REQUIRE(std::filesystem::exists(dir / "out.round2.epoch1.state"));

    auto r = o;
    r.output = (dir / "resumed.onnx").string();
    r.resume = (dir / "out.round2.epoch1.onnx").string();
    auto resumed = trainRun(r);
    INFO((resumed.result ? std::string() : resumed.result.error().message));
    REQUIRE(resumed.result);
    CHECK((*resumed.result)["accuracy"] == (*full.result)["accuracy"]);

    auto a = Model::load(dir / "out.onnx");
    auto b = Model::load(dir / "resumed.onnx");
    REQUIRE(a);
    REQUIRE(b);
    const auto& wa = a->constant("pw2.conv.weight")->floats;
    const auto& wb = b->constant("pw2.conv.weight")->floats;
    REQUIRE(wa.size() == wb.size());
    int64_t zeroInBoth = 0, zeroA = 0;
    double diff = 0.0;
    for (size_t f = 0; f < 192; ++f) {
        auto zero = [&](std::span<const float> w) {
            return std::all_of(w.begin() + static_cast<long>(f * 96), w.begin() + static_cast<long>((f + 1) * 96),
                [](float v) { return v == 0.0f; });
        };
        zeroA += zero(wa);
        zeroInBoth += zero(wa) && zero(wb);
    }
    for (size_t i = 0; i < wa.size(); ++i)
        diff = std::max(diff, static_cast<double>(std::abs(wa[i] - wb[i])));
    CHECK(zeroA == 96);
    CHECK(zeroInBoth == 96); // the same filters pruned
    CHECK(diff <= 1e-6);
    std::filesystem::remove_all(dir);
}
