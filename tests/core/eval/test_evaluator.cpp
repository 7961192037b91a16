// The evaluator on the bundled sample model and subset, against PyTorch's own predictions
// and accuracy (resources/sample/subset_predictions.txt, training_result.json); batching,
// progress, cancellation, the reference comparison (agreement, KL) and its errors.
#include "ModelBuilder.h"
#include "SampleData.h"

#include "core/eval/ClassScores.h"
#include "core/data/Dataset.h"
#include "core/base/Estimate.h"
#include "core/eval/Evaluator.h"
#include "core/model/Model.h"
#include "core/data/Preprocess.h"

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>
#include <opencv2/imgcodecs.hpp>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <random>
#include <sstream>
#include <thread>

using namespace topiary;
using test::sampleData;
using test::sampleSpec;
namespace fs = std::filesystem;

namespace {

const fs::path kSample = fs::path(TOPIARY_SOURCE_DIR) / "resources" / "sample";
const fs::path kImages = kSample / "fashion-mnist-test-1000-images-idx3-ubyte";
const fs::path kLabels = kSample / "fashion-mnist-test-1000-labels-idx1-ubyte";

const onnx::ModelProto& sampleModel()
{
    static const Model model = [] {
        auto m = Model::load(kSample / "fashion_cnn.onnx");
        REQUIRE(m.has_value());
        return std::move(*m);
    }();
    return model.proto();
}

std::vector<int> torchPredictions()
{
    std::ifstream in(kSample / "subset_predictions.txt");
    std::vector<int> out;
    int v = 0;
    while (in >> v)
        out.push_back(v);
    REQUIRE(out.size() == 1000);
    return out;
}

std::vector<int> fileLabels()
{
    std::ifstream in(kLabels, std::ios::binary);
    std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    REQUIRE(bytes.size() == 1008);
    std::vector<int> out;
    for (size_t i = 8; i < bytes.size(); ++i)
        out.push_back(static_cast<uint8_t>(bytes[i]));
    return out;
}

EvaluationResult evaluate(const onnx::ModelProto& model, EvaluationOptions options = {},
    const Evaluator::Progress& progress = {}, std::stop_token stop = {})
{
    Evaluator evaluator(sampleData(), sampleSpec(), std::move(options));
    auto result = evaluator.run(model, progress, stop);
    if (!result)
        FAIL(result.error().message);
    return std::move(*result);
}

// The sample model with the logits of the final Gemm scaled and shifted: y' = a * y + shift.
onnx::ModelProto withScaledLogits(float a, int shiftedClass, float shift)
{
    onnx::ModelProto model = sampleModel();
    for (auto& t : *model.mutable_graph()->mutable_initializer()) {
        if (t.name() != "fc.weight" && t.name() != "fc.bias")
            continue;
        REQUIRE(t.data_type() == onnx::TensorProto_DataType_FLOAT);
        REQUIRE(t.has_raw_data());
        std::string raw = t.raw_data();
        std::vector<float> values(raw.size() / sizeof(float));
        std::memcpy(values.data(), raw.data(), raw.size());
        for (auto& v : values)
            v *= a;
        if (t.name() == "fc.bias")
            values[static_cast<size_t>(shiftedClass)] += shift;
        t.set_raw_data(std::string(reinterpret_cast<const char*>(values.data()), raw.size()));
    }
    return model;
}

} // namespace

TEST_CASE("evaluator: the sample model on the subset gives PyTorch's predictions and accuracy", "[evaluator]")
{
    EvaluationOptions options;
    options.batchSize = 64;
    const EvaluationResult r = evaluate(sampleModel(), options);
    const EvaluationMetrics& m = r.metrics;
    REQUIRE(m.finished());
    REQUIRE(m.processed == 1000);
    CHECK(m.skipped == 0);
    CHECK(m.batchSize == 64); // the sample's batch dimension is symbolic
    CHECK(m.numClasses == 10);

    const std::vector<int> torch = torchPredictions();
    const std::vector<int> labels = fileLabels();
    REQUIRE(r.predictions.size() == 1000);
    int agree = 0;
    for (size_t k = 0; k < r.predictions.size(); ++k)
        agree += r.predictions[k] == torch[static_cast<size_t>(r.predictedSamples[k])];
    CHECK(agree >= 999); // >= 99.9 % equal to PyTorch's predictions

    // Top-1 as PyTorch's predictions score against the labels file, and as training_result.json records it.
    int torchCorrect = 0;
    for (size_t i = 0; i < labels.size(); ++i)
        torchCorrect += torch[i] == labels[i];
    CHECK(std::abs(m.top1Correct - torchCorrect) <= 1000 - agree);
    std::ifstream resultFile(kSample / "training_result.json");
    const auto recorded = nlohmann::json::parse(resultFile);
    CHECK(m.top1().value == Approx(recorded.at("subset_accuracy").get<double>()).margin((1000 - agree) / 1000.0));
    CHECK(m.labelled == 1000);
    CHECK(m.topKCorrect >= m.top1Correct);
    CHECK(m.topK == 5);

    // Per class and confusion agree with the labels file.
    std::vector<int64_t> perLabel(10, 0);
    for (int l : labels)
        ++perLabel[static_cast<size_t>(l)];
    int64_t diagonal = 0;
    int64_t all = 0;
    for (int c = 0; c < 10; ++c) {
        CHECK(m.perClass[static_cast<size_t>(c)].total == perLabel[static_cast<size_t>(c)]);
        CHECK(m.perClass[static_cast<size_t>(c)].correct == m.confusionAt(c, c));
        diagonal += m.confusionAt(c, c);
        for (int p = 0; p < 10; ++p)
            all += m.confusionAt(c, p);
    }
    CHECK(diagonal == m.top1Correct);
    CHECK(all == 1000);
    CHECK(m.secondsPerImage() > 0);
    CHECK(m.imagesPerSecond() > 0);
    // Every batch after the first is timed on its own, for the median the totals show.
    CHECK(static_cast<int64_t>(m.timedBatches.size()) == (1000 + m.batchSize - 1) / m.batchSize - 1);
    CHECK(m.latency().low <= m.latency().value);
    CHECK(m.latency().value <= m.latency().high);
    CHECK(m.latency().value > 0);

    // The outputs are kept per sample, to be the reference of later runs.
    REQUIRE(r.outputs.rows() == 1000);
    CHECK(r.outputs.numClasses == 10);
    for (size_t k = 0; k < r.predictions.size(); k += 97)
        CHECK(predictedClass(r.outputs.forSample(static_cast<size_t>(r.predictedSamples[k]))) == r.predictions[k]);
}

TEST_CASE("evaluator: batches of 64 give the logits of batches of 1", "[evaluator]")
{
    EvaluationOptions one;
    one.batchSize = 1;
    one.limit = 70;
    EvaluationOptions many = one;
    many.batchSize = 64;
    const EvaluationResult a = evaluate(sampleModel(), one);
    const EvaluationResult b = evaluate(sampleModel(), many);
    REQUIRE(a.outputs.rows() == 70);
    REQUIRE(b.outputs.rows() == 70);
    CHECK(a.metrics.batchSize == 1);
    CHECK(b.metrics.batchSize == 64);
    CHECK(a.outputs.samples == b.outputs.samples); // same order: the first 70 of the shuffled order
    for (size_t i = 0; i < a.outputs.values.size(); ++i)
        REQUIRE(a.outputs.values[i] == Approx(b.outputs.values[i]).margin(1e-4));
}

TEST_CASE("evaluator: the order is a fixed shuffle, and limit takes its start", "[evaluator]")
{
    EvaluationOptions options;
    options.limit = 100;
    Evaluator evaluator(sampleData(), sampleSpec(), options);
    const auto order = evaluator.order();
    REQUIRE(order.size() == 100);
    CHECK(order == Evaluator(sampleData(), sampleSpec(), options).order());
    std::vector<int32_t> sorted = order;
    std::sort(sorted.begin(), sorted.end());
    CHECK(std::adjacent_find(sorted.begin(), sorted.end()) == sorted.end());
    CHECK(sorted != order); // shuffled...
    CHECK(sorted.back() > 100); // ...over the whole dataset

    options.shuffle = false;
    const auto inOrder = Evaluator(sampleData(), sampleSpec(), options).order();
    CHECK(inOrder.front() == 0);
    CHECK(inOrder.back() == 99);
}

TEST_CASE("evaluator: progress after every batch, and the interval shrinks with N", "[evaluator]")
{
    EvaluationOptions options;
    options.batchSize = 100;
    std::vector<EvaluationMetrics> snapshots;
    const EvaluationResult r
        = evaluate(sampleModel(), options, [&](const EvaluationMetrics& m) { snapshots.push_back(m); });
    REQUIRE(snapshots.size() == 10);
    for (size_t i = 0; i < snapshots.size(); ++i) {
        CHECK(snapshots[i].processed == static_cast<int64_t>(100 * (i + 1)));
        CHECK(snapshots[i].total == 1000);
        const Estimate e = snapshots[i].top1();
        CHECK(e.low <= e.value);
        CHECK(e.value <= e.high);
    }
    const double first = snapshots.front().top1().high - snapshots.front().top1().low;
    const double last = snapshots.back().top1().high - snapshots.back().top1().low;
    CHECK(last < first / 2.5); // about sqrt(10) narrower with 10x the images
    CHECK(snapshots.back().top1Correct == r.metrics.top1Correct);
}

TEST_CASE("Wilson interval: closed forms, the score-test definition, narrowing with N", "[evaluator]")
{
    // At 0 successes the upper bound is z^2 / (n + z^2).
    const Estimate zero = wilsonInterval(0, 10);
    CHECK(zero.low == 0.0);
    CHECK(zero.high == Approx(kZ95 * kZ95 / (10 + kZ95 * kZ95)));
    const Estimate all = wilsonInterval(10, 10);
    CHECK(all.high == 1.0);
    CHECK(all.low == Approx(1 - kZ95 * kZ95 / (10 + kZ95 * kZ95)));
    // By definition the Wilson bounds are the p where the score statistic (p^ - p) / sqrt(p (1 - p) / n) is +-z.
    const Estimate mid = wilsonInterval(81, 263);
    const auto score = [](double pHat, double p, double n) { return (pHat - p) / std::sqrt(p * (1 - p) / n); };
    CHECK(mid.value == Approx(81.0 / 263));
    CHECK(score(mid.value, mid.low, 263) == Approx(kZ95).epsilon(1e-9));
    CHECK(score(mid.value, mid.high, 263) == Approx(-kZ95).epsilon(1e-9));
    // Same proportion, more observations: narrower.
    double previous = 1.0;
    for (int64_t n : { 10, 100, 1000, 10000 }) {
        const Estimate e = wilsonInterval(9 * n / 10, n);
        CHECK(e.high - e.low < previous);
        previous = e.high - e.low;
    }
    CHECK(std::isnan(wilsonInterval(0, 0).value));
}

TEST_CASE("evaluator: cancelling after the first batch returns a partial result marked cancelled", "[evaluator]")
{
    EvaluationOptions options;
    options.batchSize = 50;
    std::stop_source stop;
    int calls = 0;
    const EvaluationResult r = evaluate(
        sampleModel(), options,
        [&](const EvaluationMetrics&) {
            ++calls;
            stop.request_stop();
        },
        stop.get_token());
    CHECK(calls == 1);
    CHECK(r.metrics.cancelled);
    CHECK_FALSE(r.metrics.finished());
    CHECK(r.metrics.processed == 50);
    CHECK(r.metrics.total == 1000);
    CHECK(r.metrics.labelled == 50);
    CHECK(r.outputs.rows() == 50);
    CHECK(r.predictions.size() == 50);

    // Stopped before it starts: nothing processed, still a result.
    std::stop_source early;
    early.request_stop();
    const EvaluationResult none = evaluate(sampleModel(), options, {}, early.get_token());
    CHECK(none.metrics.cancelled);
    CHECK(none.metrics.processed == 0);
}

TEST_CASE("KL divergence and class ranks by hand", "[evaluator]")
{
    // softmax(0, 0) = (1/2, 1/2), softmax(ln 3, 0) = (3/4, 1/4): KL = 1/2 ln(2/3) + 1/2 ln 2 = 1/2 ln(4/3).
    const float ref[] = { 0.0f, 0.0f };
    const float p[] = { std::log(3.0f), 0.0f };
    CHECK(klDivergence(ref, p) == Approx(0.5 * std::log(4.0 / 3.0)).epsilon(1e-6));
    // Rows that already are probabilities are taken as such.
    const float probRef[] = { 0.5f, 0.5f };
    const float probP[] = { 0.75f, 0.25f };
    CHECK(klDivergence(probRef, probP) == Approx(0.5 * std::log(4.0 / 3.0)).epsilon(1e-6));
    CHECK(klDivergence(p, p) == 0.0);

    const float row[] = { 0.1f, 0.7f, 0.7f, -2.0f };
    CHECK(predictedClass(row) == 1);
    CHECK(rankOf(row, 1) == 0);
    CHECK(rankOf(row, 2) == 1);
    CHECK(rankOf(row, 0) == 2);
    CHECK(rankOf(row, 3) == 3);
}

TEST_CASE("evaluator: against itself agreement is 100 % and KL 0; a changed model differs", "[evaluator]")
{
    EvaluationOptions options;
    options.limit = 300;
    EvaluationResult original = evaluate(sampleModel(), options);
    options.reference = std::make_shared<const ModelOutputs>(std::move(original.outputs));

    const EvaluationResult same = evaluate(sampleModel(), options);
    CHECK(same.metrics.compared == 300);
    CHECK(same.metrics.agreed == 300);
    CHECK(same.metrics.agreement().value == 1.0);
    CHECK(same.metrics.meanKl().value == 0.0);

    // Halving the logits keeps every prediction but flattens the distribution: KL > 0.
    const EvaluationResult flatter = evaluate(withScaledLogits(0.5f, 0, 0.0f), options);
    CHECK(flatter.metrics.agreed == 300);
    CHECK(flatter.metrics.meanKl().value > 1e-3);
    // The same KL, recomputed here from the kept logits.
    double kl = 0.0;
    for (size_t r = 0; r < flatter.outputs.rows(); ++r) {
        const auto q = flatter.outputs.row(r);
        const auto pRef = options.reference->forSample(static_cast<size_t>(flatter.outputs.samples[r]));
        double maxRef = -1e30;
        double maxQ = -1e30;
        for (size_t i = 0; i < q.size(); ++i) {
            maxRef = std::max(maxRef, static_cast<double>(pRef[i]));
            maxQ = std::max(maxQ, static_cast<double>(q[i]));
        }
        double zRef = 0.0;
        double zQ = 0.0;
        for (size_t i = 0; i < q.size(); ++i) {
            zRef += std::exp(pRef[i] - maxRef);
            zQ += std::exp(q[i] - maxQ);
        }
        for (size_t i = 0; i < q.size(); ++i) {
            const double a = std::exp(pRef[i] - maxRef) / zRef;
            const double b = std::exp(q[i] - maxQ) / zQ;
            kl += a * std::log(a / b);
        }
    }
    CHECK(flatter.metrics.meanKl().value == Approx(kl / 300).epsilon(1e-6));

    // A large bias on class 0 turns many predictions to it: agreement drops.
    const EvaluationResult biased = evaluate(withScaledLogits(1.0f, 0, 8.0f), options);
    CHECK(biased.metrics.agreed < 300);
    CHECK(biased.metrics.agreement().high < 1.0);
    int64_t toZero = 0;
    for (int c = 0; c < 10; ++c)
        toZero += biased.metrics.confusionAt(c, 0);
    CHECK(toZero > same.metrics.confusionAt(0, 0) + 0);
}

TEST_CASE("evaluator: an image folder gives the IDX run's predictions; broken images are skipped", "[evaluator]")
{
    const Dataset idx = sampleData();
    std::random_device rd;
    const fs::path dir = fs::temp_directory_path() / ("topiary-eval-" + std::to_string(rd()));
    std::vector<std::string> written;
    for (size_t i = 0; i < 12; ++i) {
        auto image = idx.image(i);
        REQUIRE(image.has_value());
        const fs::path file
            = dir / ("class" + std::to_string(idx.label(i))) / ("img" + std::to_string(100 + i) + ".png");
        fs::create_directories(file.parent_path());
        REQUIRE(cv::imwrite(file.string(), *image));
    }
    // Folder names sort as the labels do only for single digits: classes class0..class9 -> labels 0..9
    // (only those present), so compare predictions, not labels.
    fs::create_directories(dir / "class0");
    std::ofstream(dir / "class0" / "broken.png", std::ios::binary) << "\x89PNG\r\n\x1a\n then nothing";

    auto folder = Dataset::open(dir);
    REQUIRE(folder.has_value());
    EvaluationOptions options;
    options.batchSize = 5;
    Evaluator evaluator(*folder, sampleSpec(), options);
    auto r = evaluator.run(sampleModel());
    fs::remove_all(dir);
    REQUIRE(r.has_value());
    CHECK(r->metrics.processed == 12);
    CHECK(r->metrics.skipped + static_cast<int64_t>(folder->skipped().size()) == 1);
    CHECK(r->metrics.finished());

    const EvaluationResult fromIdx = evaluate(sampleModel(), [] {
        EvaluationOptions o;
        o.shuffle = false;
        o.limit = 12;
        return o;
    }());
    for (size_t k = 0; k < r->predictions.size(); ++k) {
        const std::string name = folder->sampleName(static_cast<size_t>(r->predictedSamples[k]));
        const size_t index = std::stoul(fs::path(name).stem().string().substr(3)) - 100;
        const auto idxRow = fromIdx.outputs.forSample(index);
        const auto row = r->outputs.row(k);
        REQUIRE(idxRow.size() == row.size());
        for (size_t c = 0; c < row.size(); ++c)
            CHECK(row[c] == Approx(idxRow[c]).margin(1e-5));
    }
}

TEST_CASE("evaluator: runs on worker threads at the same time share nothing mutable", "[evaluator]")
{
    EvaluationOptions options;
    options.limit = 200;
    options.batchSize = 16;
    const Evaluator evaluator(sampleData(), sampleSpec(), options);
    const EvaluationResult alone = evaluate(sampleModel(), options);
    const onnx::ModelProto changed = withScaledLogits(1.0f, 3, 4.0f);
    Result<EvaluationResult> a = fail("not run");
    Result<EvaluationResult> b = fail("not run");
    std::thread first([&] { a = evaluator.run(sampleModel()); });
    std::thread second([&] { b = evaluator.run(changed); });
    first.join();
    second.join();
    REQUIRE(a.has_value());
    REQUIRE(b.has_value());
    CHECK(a->predictions == alone.predictions);
    REQUIRE(a->outputs.values.size() == alone.outputs.values.size());
    for (size_t i = 0; i < alone.outputs.values.size(); ++i)
        REQUIRE(a->outputs.values[i] == Approx(alone.outputs.values[i]).margin(1e-5));
    CHECK(b->predictions != alone.predictions); // the other model's run did not leak into this one
}

TEST_CASE("evaluator: errors name the problem", "[evaluator]")
{
    SECTION("an operator OpenCV cannot run")
    {
        test::ModelBuilder b;
        b.dynamicBatchInput("input", { 1, 28, 28 });
        b.node("Flatten", { "input" }, { "flat" }, "flatten");
        b.node("Hardmax", { "flat" }, { "out" }, "odd_hardmax");
        b.output("out", { -1, 784 });
        Evaluator evaluator(sampleData(), sampleSpec());
        auto r = evaluator.run(b.build());
        REQUIRE_FALSE(r.has_value());
        CHECK_THAT(r.error().message, Catch::Contains("Hardmax") && Catch::Contains("odd_hardmax"));
    }
    SECTION("preprocessing that does not fit the model")
    {
        PreprocessSpec spec = sampleSpec();
        spec.height = 32;
        spec.width = 32;
        auto r = Evaluator(sampleData(), spec).run(sampleModel());
        REQUIRE_FALSE(r.has_value());
        CHECK_THAT(r.error().message, Catch::Contains("1x32x32") && Catch::Contains("1x28x28"));
    }
    SECTION("labels beyond the model's outputs")
    {
        // The sample model's 10 logits, cut to the first 5 with a Slice.
        onnx::ModelProto model = sampleModel();
        auto* graph = model.mutable_graph();
        const std::string logits = graph->output(0).name();
        test::ModelBuilder helper;
        helper.int64s("cut_starts", { 1 }, { 0 });
        helper.int64s("cut_ends", { 1 }, { 5 });
        helper.int64s("cut_axes", { 1 }, { 1 });
        for (const auto& t : helper.build().graph().initializer())
            *graph->add_initializer() = t;
        auto* slice = graph->add_node();
        slice->set_op_type("Slice");
        slice->set_name("cut");
        for (const char* in : { "", "cut_starts", "cut_ends", "cut_axes" })
            slice->add_input(*in ? std::string(in) : logits);
        slice->add_output("five");
        graph->mutable_output(0)->set_name("five");
        graph->mutable_output(0)->mutable_type()->mutable_tensor_type()->mutable_shape()->mutable_dim(1)->set_dim_value(
            5);
        auto r = Evaluator(sampleData(), sampleSpec()).run(model);
        REQUIRE_FALSE(r.has_value());
        CHECK_THAT(r.error().message, Catch::Contains("has label") && Catch::Contains("5 outputs per image"));
    }
    SECTION("a reference of another dataset")
    {
        EvaluationOptions options;
        auto other = std::make_shared<ModelOutputs>();
        other->datasetSize = 60000;
        options.reference = other;
        auto r = Evaluator(sampleData(), sampleSpec(), options).run(sampleModel());
        REQUIRE_FALSE(r.has_value());
        CHECK_THAT(r.error().message, Catch::Contains("60000"));
    }
}
