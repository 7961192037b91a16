#include "train/Trainer.h"

#include "core/compress/Quantizer.h"
#include "core/model/Layer.h"
#include "train/BlasLibrary.h"
#include "train/TorchGraph.h"
#include "train/TrainingSetup.h"

#include <chrono>
#include <cmath>
#include <filesystem>
#include <numbers>
#include <random>
#include <set>

namespace topiary::train {

namespace {

using nlohmann::json;
using Clock = std::chrono::steady_clock;

// A torch exception's message without the C++ stack trace torch appends.
std::string torchMessage(const std::exception& e)
{
    std::string what = e.what();
    if (auto cut = what.find("\nException raised from"); cut != std::string::npos)
        what.resize(cut);
    return what;
}

double secondsSince(Clock::time_point start)
{
    return std::chrono::duration<double>(Clock::now() - start).count();
}

// Fake quantization with a straight-through estimator: the forward pass sees exactly the
// values the export writes (core's quantize), the gradient flows to the float weight as
// if quantization were the identity.
torch::Tensor fakeQuantize(const torch::Tensor& w, const QuantizedWeight& q)
{
    auto values = w.detach().contiguous();
    auto quantized = quantize(std::span<const float>(values.data_ptr<float>(), static_cast<size_t>(values.numel())),
        q.shape, q.channelAxis, q.spec);
    if (!quantized)
        throw std::runtime_error("fake quantization: " + quantized.error().message);
    auto qt = torch::from_blob(quantized->values.data(), w.sizes(), torch::kFloat).clone();
    return w + (qt - w).detach();
}

struct Validation {
    double accuracy = 0.0;
    double loss = 0.0;
    int64_t images = 0;
    std::vector<float> firstLogits;
};

// The images and labels as tensors over the ImageSet's own memory (no copy).
struct ImageTensors {
    torch::Tensor images;
    torch::Tensor labels;
};

ImageTensors asTensors(const ImageSet& images)
{
    return { torch::from_blob(const_cast<float*>(images.pixels.data()),
                 { images.count, images.channels, images.height, images.width }, torch::kFloat),
        torch::from_blob(const_cast<int64_t*>(images.labels.data()), { images.count }, torch::kLong) };
}

// The logits and labels of images [start, start + n); an error when a label is past the
// model's outputs.
Result<std::pair<torch::Tensor, torch::Tensor>> labelledLogits(
    const TorchGraph& graph, const ImageTensors& data, int64_t start, int64_t n)
{
    auto out = graph.forward({ { graph.inputNames()[0], data.images.narrow(0, start, n) } }, false);
    if (!out)
        return std::unexpected(out.error());
    auto logits = (*out)[0].reshape({ n, -1 });
    auto y = data.labels.narrow(0, start, n);
    if (y.max().item<int64_t>() >= logits.size(1))
        return fail("a label is " + std::to_string(y.max().item<int64_t>()) + " but the model has "
            + std::to_string(logits.size(1)) + " outputs");
    return std::pair { logits, y };
}

Result<Validation> validate(const TorchGraph& graph, const ImageSet& images, int batchSize)
{
    Validation v;
    if (images.count == 0)
        return v;
    torch::NoGradGuard noGrad;
    const ImageTensors data = asTensors(images);
    int64_t correct = 0;
    double lossSum = 0.0;
    const int64_t batch = std::max<int64_t>(batchSize, 256);
    for (int64_t start = 0; start < images.count; start += batch) {
        const int64_t n = std::min(batch, images.count - start);
        auto batchOut = labelledLogits(graph, data, start, n);
        if (!batchOut)
            return std::unexpected(batchOut.error());
        const auto& [logits, y] = *batchOut;
        correct += logits.argmax(1).eq(y).sum().item<int64_t>();
        lossSum += torch::nn::functional::cross_entropy(logits, y).item<double>() * static_cast<double>(n);
        if (start == 0) {
            auto first = logits[0].contiguous();
            v.firstLogits.assign(first.data_ptr<float>(), first.data_ptr<float>() + first.numel());
        }
    }
    v.images = images.count;
    v.accuracy = static_cast<double>(correct) / static_cast<double>(images.count);
    v.loss = lossSum / static_cast<double>(images.count);
    return v;
}

// The distillation loss as PyTorch writes it: (1 - alpha) * CE(student, labels) + alpha * T^2 *
// F.kl_div(F.log_softmax(student / T, 1), F.softmax(teacher / T, 1), reduction='batchmean')
// (the KL summed over classes, averaged over the batch; a mean over batch x classes would
// make the term `classes` times weaker). The teacher's logits carry no gradient.
torch::Tensor distillationLoss(
    const torch::Tensor& student, const torch::Tensor& teacher, const torch::Tensor& labels, const Distillation& d)
{
    const double temp = d.temperature;
    auto ce = torch::nn::functional::cross_entropy(student, labels);
    auto soft = torch::softmax(teacher.detach() / temp, 1);
    auto kd = torch::kl_div(torch::log_softmax(student / temp, 1), soft, at::Reduction::Sum)
        / static_cast<double>(student.size(0)) * (temp * temp);
    return d.alpha * kd + (1.0 - d.alpha) * ce;
}

// The teacher's logits for every training image, in eval mode (running statistics) under
// no-grad, in batches of the training batch size (batches of 1,000 ran at a third of the
// images/s the per-step teacher passes reached): without augmentation an image's soft
// targets never change, so the training steps look them up instead of running the
// teacher each step.
Result<torch::Tensor> teacherLogits(const TorchGraph& teacher, const ImageSet& images, int64_t batch)
{
    torch::NoGradGuard noGrad;
    const ImageTensors data = asTensors(images);
    std::vector<torch::Tensor> parts;
    for (int64_t start = 0; start < images.count; start += batch) {
        const int64_t n = std::min(batch, images.count - start);
        auto out = teacher.forward({ { teacher.inputNames()[0], data.images.narrow(0, start, n) } }, false);
        if (!out)
            return std::unexpected(out.error());
        parts.push_back((*out)[0].reshape({ n, -1 }).clone());
    }
    return torch::cat(parts, 0);
}

// Random shift (pad by edge replication, random crop back) and horizontal flip, per image.
torch::Tensor augment(const torch::Tensor& batch, int pad, bool flip, std::mt19937_64& rng)
{
    if (pad == 0 && !flip)
        return batch;
    namespace F = torch::nn::functional;
    const int64_t h = batch.size(2), w = batch.size(3);
    auto padded = pad > 0 ? F::pad(batch, F::PadFuncOptions({ pad, pad, pad, pad }).mode(torch::kReplicate)) : batch;
    std::uniform_int_distribution<int> offset(0, 2 * pad);
    std::bernoulli_distribution coin(0.5);
    std::vector<torch::Tensor> out;
    for (int64_t i = 0; i < batch.size(0); ++i) {
        auto img = padded[i];
        if (pad > 0)
            img = img.narrow(1, offset(rng), h).narrow(2, offset(rng), w);
        if (flip && coin(rng))
            img = img.flip({ 2 });
        out.push_back(img);
    }
    return torch::stack(out);
}

std::map<std::string, FloatTensor> snapshot(const TorchGraph& graph)
{
    std::map<std::string, FloatTensor> out;
    for (const auto& [name, t] : graph.tensors()) {
        auto c = t.detach().contiguous();
        FloatTensor f;
        f.shape.assign(c.sizes().begin(), c.sizes().end());
        f.values.assign(c.data_ptr<float>(), c.data_ptr<float>() + c.numel());
        out.emplace(name, std::move(f));
    }
    return out;
}

// The state beside a checkpoint: "<stem>.state" for "<stem>.onnx".
std::filesystem::path statePath(const std::filesystem::path& checkpoint)
{
    return std::filesystem::path(checkpoint).replace_extension(".state");
}

// What a run needs to continue exactly where a checkpoint was written: every float tensor
// of the graph (weights before quantization, BatchNorm statistics), the optimizer's
// state, the counters and history (as JSON), and the tensors the round's pruning was
// selected on (iterative rounds after the first), so a resumed round keeps its masks.
// Archive keys cannot hold dots, so the tensors are "t<i>" and "r<i>" and their names
// JSON lists.
void saveState(const std::filesystem::path& file, const TorchGraph& graph, const torch::optim::Optimizer& optimizer,
    const std::map<std::string, FloatTensor>& roundStart, json meta)
{
    torch::serialize::OutputArchive archive;
    json names = json::array();
    int64_t i = 0;
    for (const auto& [name, t] : graph.tensors()) {
        archive.write("t" + std::to_string(i++), t.detach(), true);
        names.push_back(name);
    }
    meta["tensors"] = names;
    json roundNames = json::array();
    i = 0;
    for (const auto& [name, f] : roundStart) {
        archive.write("r" + std::to_string(i++),
            torch::from_blob(const_cast<float*>(f.values.data()), f.shape, torch::kFloat).clone(), true);
        roundNames.push_back(name);
    }
    meta["round_start_tensors"] = roundNames;
    torch::serialize::OutputArchive optimizerArchive;
    optimizer.save(optimizerArchive);
    archive.write("optimizer", optimizerArchive);
    archive.write("meta", c10::IValue(meta.dump()));
    const auto partial = std::filesystem::path(file).concat(".partial");
    archive.save_to(partial.string());
    std::filesystem::rename(partial, file);
}

struct ResumeState {
    json meta;
    std::map<std::string, FloatTensor> tensors;
    std::map<std::string, FloatTensor> roundStart;
    torch::serialize::InputArchive archive;
};

Result<std::unique_ptr<ResumeState>> loadState(const std::filesystem::path& checkpoint)
{
    const auto file = statePath(checkpoint);
    if (!std::filesystem::exists(file))
        return fail("cannot resume from " + checkpoint.string() + ": its state " + file.string()
            + " is missing (checkpoints written by topiary-train have one beside them)");
    auto state = std::make_unique<ResumeState>();
    state->archive.load_from(file.string());
    c10::IValue meta;
    state->archive.read("meta", meta);
    state->meta = json::parse(meta.toStringRef(), nullptr, false);
    if (state->meta.is_discarded() || !state->meta.contains("tensors"))
        return fail(file.string() + " is not a topiary-train state");
    auto readTensors = [&](const char* list, const std::string& prefix, std::map<std::string, FloatTensor>& into) {
        int64_t i = 0;
        for (const auto& name : state->meta.value(list, json::array())) {
            torch::Tensor t;
            state->archive.read(prefix + std::to_string(i++), t, true);
            auto c = t.contiguous();
            FloatTensor f;
            f.shape.assign(c.sizes().begin(), c.sizes().end());
            f.values.assign(c.data_ptr<float>(), c.data_ptr<float>() + c.numel());
            into.emplace(name.get<std::string>(), std::move(f));
        }
    };
    readTensors("tensors", "t", state->tensors);
    readTensors("round_start_tensors", "r", state->roundStart);
    return state;
}

// Options that must match for a checkpoint to be continued (epochs may grow).
json resumeKey(const TrainOptions& o)
{
    json j = trainOptionsToJson(o);
    for (const char* k : { "epochs", "output", "checkpoint_dir", "resume", "threads", "divergence_factor" })
        j.erase(k);
    return j;
}

// Shuffling and augmentation of one epoch draw from their own stream, so a resumed run
// sees the same batches as an uninterrupted one.
std::mt19937_64 epochRng(uint64_t seed, int round, int epoch)
{
    std::seed_seq seq { seed, static_cast<uint64_t>(round), static_cast<uint64_t>(epoch) };
    return std::mt19937_64(seq);
}

std::filesystem::path checkpointPath(const TrainOptions& o, int round, int epoch)
{
    const std::string name = o.rounds > 1 ? ".round" + std::to_string(round) + ".epoch" : ".epoch";
    const std::filesystem::path output(o.output);
    const std::filesystem::path dir
        = o.checkpointDir.empty() ? output.parent_path() : std::filesystem::path(o.checkpointDir);
    return dir / (output.stem().string() + name + std::to_string(epoch) + ".onnx");
}

Result<json> run(const TrainOptions& o, const TrainEvents& events)
{
    auto emit = [&](json j) {
        if (events.emit)
            events.emit(j);
    };
    torch::set_num_threads(o.threads);
    torch::manual_seed(o.seed);
    auto setup = TrainingSetup::prepare(o, [&](const std::string& s) {
        emit({ { "type", "status" }, { "message", s } });
    });
    if (!setup)
        return std::unexpected(setup.error());
    std::optional<TorchGraph> teacher;
    if (o.distillation) {
        auto teacherProto = prepareForTraining(setup->teacherProto());
        if (!teacherProto)
            return std::unexpected(teacherProto.error());
        auto built = TorchGraph::build(*teacherProto, {});
        if (!built)
            return std::unexpected(built.error().withContext("the teacher (original model)"));
        teacher = std::move(*built);
    }

    // The student of the setup's current round: its graph (weights as the round starts),
    // the masks of what the round's plan prunes, fake quantization and a fresh optimizer.
    std::optional<TorchGraph> student;
    std::vector<std::pair<torch::Tensor, torch::Tensor>> masks; // parameter, keep (0/1 floats)
    std::unique_ptr<torch::optim::Optimizer> optimizer;
    const TrainingSetup* current = &*setup;
    auto buildStudent = [&]() -> Result<void> {
        auto studentProto = prepareForTraining(current->studentProto());
        if (!studentProto)
            return std::unexpected(studentProto.error());
        auto built = TorchGraph::build(*studentProto, initializerNames(current->studentProto()));
        if (!built)
            return std::unexpected(built.error());
        if (built->inputNames().size() != 1)
            return fail("the trainer feeds models with one image input; this one has "
                + std::to_string(built->inputNames().size()) + " inputs");
        student = std::move(*built);
        masks.clear();
        for (const auto& [name, m] : current->masks()) {
            auto it = student->tensors().find(name);
            if (it == student->tensors().end() || !it->second.requires_grad())
                continue;
            auto keep = torch::from_blob(const_cast<uint8_t*>(m.keep.data()), it->second.sizes(), torch::kUInt8)
                            .to(torch::kFloat);
            masks.emplace_back(it->second, keep);
        }
        student->setWeightTransform([current](const std::string& name, const torch::Tensor& w) {
            auto it = current->quantized().find(name);
            return it == current->quantized().end() ? w : fakeQuantize(w, it->second);
        });
        auto params = student->parameters();
        if (o.optimizer == OptimizerKind::Sgd)
            optimizer = std::make_unique<torch::optim::SGD>(
                params, torch::optim::SGDOptions(o.learningRate).momentum(o.momentum).weight_decay(o.weightDecay));
        else
            optimizer = std::make_unique<torch::optim::Adam>(
                params, torch::optim::AdamOptions(o.learningRate).weight_decay(o.weightDecay));
        return {};
    };
    if (auto r = buildStudent(); !r)
        return std::unexpected(r.error());
    auto setLearningRate = [&](double lr) {
        for (auto& group : optimizer->param_groups())
            group.options().set_lr(lr);
    };
    const auto& quantized = setup->quantized();
    const auto params = student->parameters();

    const ImageSet& train = setup->trainImages();
    const ImageSet& val = setup->valImages();
    auto trainX = torch::from_blob(const_cast<float*>(train.pixels.data()),
        { train.count, train.channels, train.height, train.width }, torch::kFloat);
    auto trainY = torch::from_blob(const_cast<int64_t*>(train.labels.data()), { train.count }, torch::kLong);
    // Full batches only (as a DataLoader with drop_last): BatchNorm needs more than one
    // image per batch, and every step then weighs the same.
    const int64_t batch = std::min<int64_t>(o.batchSize, train.count);
    if (batch < 2)
        return fail("training needs at least two images per batch");
    const int64_t steps = train.count / batch;
    const int64_t totalSteps = steps * o.epochs;
    int64_t parameterCount = 0;
    for (const auto& p : params)
        parameterCount += p.numel();
    emit({ { "type", "started" }, { "train_images", train.count }, { "val_images", val.count },
        { "train_skipped", train.skipped }, { "parameters", parameterCount },
        { "masked_weights", setup->maskedWeights() }, { "quantized_weights", quantized.size() },
        { "steps_per_epoch", steps }, { "epochs", o.epochs }, { "rounds", o.rounds }, { "blas", blasLibrary() } });

    json history = json::array();
    double initialLoss = 0.0;
    double smoothed = 0.0;
    int64_t step = 0;
    double trainSeconds = 0.0;
    int64_t trainedImages = 0;
    int firstRound = 1, firstEpoch = 1, resumedRound = 0;
    Validation before;
    std::map<std::string, FloatTensor> roundStart; // what the current round (> 1) was selected on
    if (!o.resume.empty()) {
        auto state = loadState(o.resume);
        if (!state)
            return std::unexpected(state.error());
        const json& m = (*state)->meta;
        if (m.value("key", json()) != resumeKey(o))
            return fail("cannot resume from " + o.resume
                + ": it was written by a run with other options (only epochs, output, threads may change)");
        resumedRound = m.at("round").get<int>();
        const int doneEpochs = m.at("epoch").get<int>();
        if (resumedRound > 1) {
            // The round's plan, selected again on the weights the round started from (not
            // the checkpoint's, which would choose other filters than the run did).
            roundStart = (*state)->roundStart;
            if (roundStart.empty())
                return fail("cannot resume from " + o.resume
                    + ": its state does not say which weights round " + std::to_string(resumedRound)
                    + " pruned (written by an older topiary-train); resume from the last checkpoint of round "
                    + std::to_string(resumedRound - 1) + " instead");
            if (auto r = setup->startRound(resumedRound, roundStart); !r)
                return std::unexpected(r.error().withContext("round " + std::to_string(resumedRound)));
            if (auto r = buildStudent(); !r)
                return std::unexpected(r.error());
        }
        {
            torch::NoGradGuard noGrad;
            for (auto& [name, t] : student->tensors()) {
                auto it = (*state)->tensors.find(name);
                if (it == (*state)->tensors.end() || it->second.values.size() != static_cast<size_t>(t.numel()))
                    return fail("cannot resume from " + o.resume + ": it has no tensor " + name + " of this shape");
                t.copy_(torch::from_blob(it->second.values.data(), t.sizes(), torch::kFloat));
            }
        }
        torch::serialize::InputArchive optimizerArchive;
        (*state)->archive.read("optimizer", optimizerArchive);
        optimizer->load(optimizerArchive);
        history = m.at("history");
        step = m.at("step").get<int64_t>();
        initialLoss = m.at("initial_loss").get<double>();
        smoothed = m.at("smoothed_loss").get<double>();
        trainSeconds = m.at("train_seconds").get<double>();
        trainedImages = m.at("trained_images").get<int64_t>();
        before.accuracy = m.at("accuracy_before").get<double>();
        before.images = val.count;
        firstRound = resumedRound;
        firstEpoch = doneEpochs + 1;
        if (firstEpoch > o.epochs) {
            ++firstRound;
            firstEpoch = 1;
        }
        emit({ { "type", "resumed" }, { "from", o.resume }, { "round", resumedRound }, { "epoch", doneEpochs } });
    } else {
        auto measured = validate(*student, val, o.batchSize);
        if (!measured)
            return std::unexpected(measured.error());
        before = *measured;
        if (val.count > 0) {
            emit({ { "type", "validation" }, { "epoch", 0 }, { "accuracy", before.accuracy }, { "loss", before.loss },
                { "images", before.images } });
            history.push_back({ { "epoch", 0 }, { "accuracy", before.accuracy }, { "loss", before.loss } });
        }
    }

    // Without augmentation the teacher sees each image unchanged every epoch: its logits
    // are computed once, up front.
    torch::Tensor cachedTeacher;
    if (teacher && o.augmentPad == 0 && !o.augmentFlip) {
        emit({ { "type", "status" }, { "message", "computing the teacher's outputs for the training images" } });
        const auto start = Clock::now();
        auto t = teacherLogits(*teacher, train, std::max<int64_t>(o.batchSize, 1));
        if (!t)
            return std::unexpected(t.error().withContext("the teacher (original model)"));
        cachedTeacher = *t;
        emit({ { "type", "status" },
            { "message", "teacher's outputs computed in " + std::to_string(secondsSince(start)) + " s" } });
    }

    json trainingMeta
        = { { "options", trainOptionsToJson(o) }, { "trainer", "topiary-train (libtorch " TORCH_VERSION ")" },
              { "blas", blasLibrary() } };
    const std::string input = student->inputNames()[0];
    Validation last = before;
    auto lastReport = Clock::now();
    for (int round = firstRound; round <= o.rounds; ++round) {
        if (round > 1 && round != resumedRound) {
            // Prune more, ranked on the weights trained so far, and fine-tune again.
            roundStart = snapshot(*student);
            if (auto r = setup->startRound(round, roundStart); !r)
                return std::unexpected(r.error().withContext("round " + std::to_string(round)));
            if (auto r = buildStudent(); !r)
                return std::unexpected(r.error());
        }
        if (o.rounds > 1)
            emit({ { "type", "round" }, { "round", round }, { "rounds", o.rounds },
                { "masked_weights", setup->maskedWeights() } });
        const int startEpoch = round == firstRound ? firstEpoch : 1;
        int64_t roundStep = static_cast<int64_t>(startEpoch - 1) * steps;
        for (int epoch = startEpoch; epoch <= o.epochs; ++epoch) {
            std::mt19937_64 rng = epochRng(o.seed, round, epoch);
            std::vector<int64_t> order(static_cast<size_t>(train.count));
            std::iota(order.begin(), order.end(), int64_t { 0 });
            std::shuffle(order.begin(), order.end(), rng);
            auto perm = torch::from_blob(order.data(), { train.count }, torch::kLong);
            double epochLoss = 0.0;
            const auto epochStart = Clock::now();
            for (int64_t s = 0; s < steps; ++s, ++step, ++roundStep) {
                if (events.stop && events.stop->load()) {
                    json stopped = { { "type", "stopped" }, { "round", round }, { "epoch", epoch }, { "step", s },
                        { "history", history } };
                    emit(stopped);
                    return stopped;
                }
                const auto stepStart = Clock::now();
                const double lr = o.schedule == Schedule::Cosine ? o.learningRate * 0.5
                        * (1.0
                            + std::cos(
                                std::numbers::pi * static_cast<double>(roundStep) / static_cast<double>(totalSteps)))
                                                                 : o.learningRate;
                setLearningRate(lr);
                auto idx = perm.narrow(0, s * batch, batch);
                auto x = augment(trainX.index_select(0, idx), o.augmentPad, o.augmentFlip, rng);
                auto y = trainY.index_select(0, idx);
                auto out = student->forward({ { input, x } }, true);
                if (!out)
                    return std::unexpected(out.error());
                auto logits = (*out)[0].reshape({ batch, -1 });
                torch::Tensor loss;
                if (cachedTeacher.defined())
                    loss = distillationLoss(logits, cachedTeacher.index_select(0, idx), y, *o.distillation);
                else if (teacher) {
                    torch::Tensor t;
                    {
                        torch::NoGradGuard noGrad;
                        auto out = teacher->forward({ { input, x } }, false);
                        if (!out)
                            return std::unexpected(out.error());
                        t = (*out)[0].reshape({ batch, -1 });
                    }
                    loss = distillationLoss(logits, t, y, *o.distillation);
                } else
                    loss = torch::nn::functional::cross_entropy(logits, y);
                const double value = loss.item<double>();
                if (!std::isfinite(value))
                    return fail("training diverged: the loss became "
                        + std::string(std::isnan(value) ? "NaN" : "infinite") + " at epoch " + std::to_string(epoch)
                        + ", step " + std::to_string(s + 1) + "; lower the learning rate (it was " + std::to_string(lr)
                        + ")");
                optimizer->zero_grad();
                loss.backward();
                {
                    torch::NoGradGuard noGrad;
                    for (auto& [p, keep] : masks)
                        if (p.grad().defined())
                            p.mutable_grad().mul_(keep);
                    optimizer->step();
                    for (auto& [p, keep] : masks)
                        p.mul_(keep);
                }
                trainSeconds += secondsSince(stepStart);
                trainedImages += batch;
                epochLoss += value;
                // Diverging: the smoothed loss far above where it started, and above chance
                // level (ln classes), so that a good model's small first loss is no trap.
                if (step == 0)
                    initialLoss = std::max(value, std::log(static_cast<double>(logits.size(1))));
                smoothed = step == 0 ? value : 0.9 * smoothed + 0.1 * value;
                if (smoothed > o.divergenceFactor * initialLoss)
                    return fail("training diverged: the loss rose to " + std::to_string(smoothed) + " from "
                        + std::to_string(initialLoss) + " at epoch " + std::to_string(epoch) + ", step "
                        + std::to_string(s + 1) + "; lower the learning rate (it was " + std::to_string(lr) + ")");
                if (secondsSince(lastReport) >= 0.5 || s + 1 == steps) {
                    lastReport = Clock::now();
                    const double rate = static_cast<double>(trainedImages) / std::max(trainSeconds, 1e-9);
                    const int64_t left = totalSteps * o.rounds - step - 1;
                    emit({ { "type", "progress" }, { "round", round }, { "epoch", epoch }, { "step", s + 1 },
                        { "steps", steps }, { "loss", smoothed }, { "lr", lr }, { "images_per_second", rate },
                        { "seconds_left", static_cast<double>(left * batch) / rate } });
                }
            }
            auto v = validate(*student, val, o.batchSize);
            if (!v)
                return std::unexpected(v.error());
            last = *v;
            json entry = { { "epoch", epoch }, { "train_loss", epochLoss / static_cast<double>(steps) },
                { "seconds", secondsSince(epochStart) } };
            if (o.rounds > 1) {
                entry["round"] = round;
                entry["masked_weights"] = setup->maskedWeights();
            }
            if (val.count > 0) {
                entry["accuracy"] = v->accuracy;
                entry["loss"] = v->loss;
                emit({ { "type", "validation" }, { "round", round }, { "epoch", epoch }, { "accuracy", v->accuracy },
                    { "loss", v->loss }, { "images", v->images } });
            }
            history.push_back(entry);
            trainingMeta["history"] = history;
            const auto checkpoint = checkpointPath(o, round, epoch);
            auto written = setup->exportTrained(snapshot(*student), trainingMeta, checkpoint);
            if (!written)
                return std::unexpected(written.error().withContext("writing the checkpoint"));
            saveState(statePath(checkpoint), *student, *optimizer, roundStart,
                { { "key", resumeKey(o) }, { "round", round }, { "epoch", epoch }, { "step", step },
                    { "initial_loss", initialLoss }, { "smoothed_loss", smoothed }, { "train_seconds", trainSeconds },
                    { "trained_images", trainedImages }, { "accuracy_before", before.accuracy },
                    { "history", history } });
            emit({ { "type", "checkpoint" }, { "round", round }, { "epoch", epoch }, { "file", checkpoint.string() },
                { "state", statePath(checkpoint).string() } });
        }
    }

    auto written = setup->exportTrained(snapshot(*student), trainingMeta, o.output);
    if (!written)
        return std::unexpected(written.error().withContext("writing " + o.output));
    json done = { { "type", "done" }, { "output", o.output }, { "history", history },
        { "images_per_second", static_cast<double>(trainedImages) / std::max(trainSeconds, 1e-9) },
        { "train_seconds", trainSeconds }, { "lost_tensors", *written } };
    if (val.count > 0) {
        done["accuracy_before"] = before.accuracy;
        done["accuracy"] = last.accuracy;
        done["val_images"] = last.images;
        done["first_logits"] = last.firstLogits;
    }
    emit(done);
    return done;
}

} // namespace

Result<TaylorScores> taylorImportance(
    const Model& model, const ImageSet& images, int batchSize, const TrainEvents& events)
{
    try {
        const auto layers = findLayers(model);
        auto proto = prepareForTraining(model.proto());
        if (!proto)
            return std::unexpected(proto.error());
        std::set<std::string> weights;
        for (const auto& l : layers)
            weights.insert(l.weight);
        auto graph = TorchGraph::build(*proto, weights);
        if (!graph)
            return std::unexpected(graph.error());
        if (graph->inputNames().size() != 1)
            return fail("Taylor importance feeds models with one image input; this one has "
                + std::to_string(graph->inputNames().size()) + " inputs");
        std::map<std::string, torch::Tensor> sums; // weight -> sum over batches of |w · dL/dw|
        std::vector<std::string> names;
        std::vector<torch::Tensor> params;
        for (const auto& name : graph->parameterNames()) {
            names.push_back(name);
            params.push_back(graph->tensors().at(name));
            sums.emplace(name, torch::zeros_like(params.back(), torch::kDouble));
        }
        if (params.empty())
            return fail("the model has no layer weights to take gradients of");
        const ImageTensors data = asTensors(images);
        const int64_t batch = std::max<int64_t>(1, batchSize);
        const int64_t batches = (images.count + batch - 1) / batch;
        TaylorScores scores;
        for (int64_t b = 0; b < batches; ++b) {
            if (events.stop && events.stop->load())
                return fail("stopped");
            const int64_t start = b * batch, n = std::min(batch, images.count - start);
            auto batchOut = labelledLogits(*graph, data, start, n);
            if (!batchOut)
                return std::unexpected(batchOut.error());
            const auto& [logits, y] = *batchOut;
            auto loss = torch::nn::functional::cross_entropy(logits, y);
            auto grads = torch::autograd::grad({ loss }, params, {}, false, false, true);
            torch::NoGradGuard noGrad;
            for (size_t i = 0; i < params.size(); ++i)
                if (grads[i].defined())
                    sums[names[i]].add_((params[i].detach() * grads[i]).abs().to(torch::kDouble));
            scores.images += n;
            ++scores.batches;
            if (events.emit)
                events.emit({ { "type", "progress" }, { "batch", b + 1 }, { "batches", batches } });
        }
        for (const auto& l : layers) {
            auto it = sums.find(l.weight);
            if (it == sums.end())
                continue;
            auto values = it->second.to(torch::kFloat).contiguous();
            auto perFilter = taylorFilterSums(
                std::span<const float>(values.data_ptr<float>(), static_cast<size_t>(values.numel())), l);
            if (!perFilter)
                return std::unexpected(perFilter.error().withContext("layer " + l.name));
            scores.layers.emplace(l.name, std::move(*perFilter));
        }
        return scores;
    } catch (const std::exception& e) {
        return fail("Taylor importance failed: " + torchMessage(e));
    }
}

Result<json> runTaylor(const TaylorOptions& t, const TrainEvents& events)
{
    const auto start = Clock::now();
    torch::set_num_threads(t.threads);
    TrainOptions o;
    o.model = t.model;
    o.trainData = t.data;
    o.preprocess = t.preprocess;
    o.trainLimit = static_cast<int64_t>(t.batches) * t.batchSize;
    o.seed = t.seed;
    o.threads = t.threads;
    auto setup = TrainingSetup::prepare(o, [&](const std::string& s) {
        if (events.emit)
            events.emit({ { "type", "status" }, { "message", s } });
    });
    if (!setup)
        return std::unexpected(setup.error());
    auto scores = taylorImportance(setup->original(), setup->trainImages(), t.batchSize, events);
    if (!scores)
        return std::unexpected(scores.error());
    json done = { { "type", "taylor" }, { "scores", taylorScoresToJson(*scores) },
        { "skipped", setup->trainImages().skipped }, { "seconds", secondsSince(start) } };
    if (events.emit)
        events.emit(done);
    return done;
}

Result<DistillationLossValue> distillationLossOf(
    const FloatTensor& student, const FloatTensor& teacher, const std::vector<int64_t>& labels, const Distillation& d)
{
    try {
        auto s = torch::tensor(student.values).reshape(student.shape).requires_grad_(true);
        auto t = torch::tensor(teacher.values).reshape(teacher.shape);
        auto y = torch::tensor(labels, torch::kLong);
        auto loss = distillationLoss(s, t, y, d);
        loss.backward();
        DistillationLossValue v;
        v.loss = loss.item<double>();
        auto g = s.grad().contiguous();
        v.gradient.shape = student.shape;
        v.gradient.values.assign(g.data_ptr<float>(), g.data_ptr<float>() + g.numel());
        return v;
    } catch (const std::exception& e) {
        return fail("distillation loss: " + torchMessage(e));
    }
}

Result<json> runTraining(const TrainOptions& options, const TrainEvents& events)
{
    try {
        return run(options, events);
    } catch (const std::exception& e) {
        return fail("training failed: " + torchMessage(e));
    }
}

} // namespace topiary::train
