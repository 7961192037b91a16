// topiary-cli finetune: fine-tunes (and distils) a model under a plan by starting the
// trainer process, topiary-cli itself never links libtorch. It reads the plan as 'apply'
// does, sends the options as one JSON line, and shows the trainer's events as they come.
#include "app/cli/Args.h"
#include "app/cli/CommandSupport.h"
#include "app/cli/Commands.h"
#include "app/cli/RecoverOptions.h"
#include "app/cli/TrainerProcess.h"

#include "core/data/Preprocess.h"
#include "core/plan/Recipe.h"

#include <charconv>
#include <cstdio>
#include <filesystem>
#include <iostream>

namespace topiary::cli {

namespace {

constexpr const char* kUsage
    = "Usage: topiary-cli finetune MODEL --data TRAIN [--val VAL] [--recipe PLAN.json | --prune ... --bits ...]\n"
      "                            [--epochs N] [--kd T,ALPHA] [--iterative ROUNDS]\n"
      "                            [--recover bn,bias,lsq [--calib N] [--calib-data PATH]] -o OUT.onnx [OPTIONS] [--json]\n";

int usageError(const std::string& message)
{
    std::cerr << "topiary-cli finetune: " << message << '\n' << kUsage;
    return 2;
}

std::optional<double> number(const std::string& text)
{
    double v = 0;
    const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
    if (ec != std::errc() || end != text.data() + text.size())
        return std::nullopt;
    return v;
}

std::optional<int64_t> integer(const std::string& text)
{
    int64_t v = 0;
    const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
    if (ec != std::errc() || end != text.data() + text.size())
        return std::nullopt;
    return v;
}

void showEvent(const nlohmann::json& e)
{
    const std::string type = e.value("type", "");
    if (type == "status") {
        std::fprintf(stderr, "  %s\n", e.value("message", "").c_str());
    } else if (type == "started") {
        std::fprintf(stderr, "  training on %lld images, validating on %lld; %lld weights stay pruned\n",
            e.value("train_images", 0LL), e.value("val_images", 0LL), e.value("masked_weights", 0LL));
    } else if (type == "progress") {
        std::fprintf(stderr, "\r  epoch %d  step %lld/%lld  loss %.4f  lr %.5f  %.0f images/s  %.0f s left   ",
            e.value("epoch", 0), e.value("step", 0LL), e.value("steps", 0LL), e.value("loss", 0.0), e.value("lr", 0.0),
            e.value("images_per_second", 0.0), e.value("seconds_left", 0.0));
        std::fflush(stderr);
    } else if (type == "validation") {
        std::fprintf(stderr, "\r  epoch %d: validation top-1 %.2f %%, loss %.4f%40s\n", e.value("epoch", 0),
            100.0 * e.value("accuracy", 0.0), e.value("loss", 0.0), "");
    } else if (type == "round") {
        std::fprintf(stderr, "  round %d of %d: %lld weights pruned\n", e.value("round", 0), e.value("rounds", 0),
            e.value("masked_weights", 0LL));
    } else if (type == "resumed") {
        std::fprintf(stderr, "  resumed from %s after epoch %d\n", e.value("from", "").c_str(), e.value("epoch", 0));
    } else if (type == "checkpoint") {
        std::fprintf(stderr, "  checkpoint %s\n", e.value("file", "").c_str());
    }
}

} // namespace

int finetuneCommand(const std::vector<std::string>& argv)
{
    const auto split = splitCompactFlags(argv);
    auto args = Args::parse(split.own, { "flip", "shrink", "int8-qdq", "float16", "json" },
        { "data", "val", "recipe", "output", "epochs", "iterative", "kd", "batch", "lr", "optimizer", "momentum",
            "weight-decay", "schedule", "seed", "threads", "limit", "val-limit", "augment-pad", "preprocess",
            "checkpoints", "resume", "recover", "calib", "calib-data" });
    if (!args)
        return usageError(args.error().message);
    if (args->positional().size() != 1)
        return usageError("expected exactly one MODEL");
    if (!args->value("data"))
        return usageError("--data TRAIN is required (an image folder, a .csv/.tsv list or an IDX images file)");
    if (!args->value("output"))
        return usageError("-o OUT.onnx is required");
    const std::string modelFile = args->positional()[0];
    const std::string outFile = *args->value("output");
    std::error_code ec;
    if (std::filesystem::equivalent(modelFile, outFile, ec))
        return usageError("OUT.onnx may not be MODEL itself");

    auto model = Model::load(modelFile);
    if (!model) {
        std::cerr << "topiary-cli finetune: " << model.error().message << '\n';
        return 1;
    }
    const auto layers = findLayers(*model);
    const auto groups = findDependencyGroups(*model, layers);
    Plan plan;
    if (auto rc = readPlan("finetune", *model, layers, groups, *args, split.compact, plan))
        return *rc;
    if (auto rc = readRecoverOptions("finetune", *args, plan))
        return *rc;
    if (!plan.recovery().source.empty()) { // the trainer may run elsewhere: send an absolute path
        RecoverySpec spec = plan.recovery();
        spec.source = std::filesystem::absolute(spec.source).string();
        plan.setRecovery(spec);
    }

    nlohmann::json options = { { "model", std::filesystem::absolute(modelFile).string() },
        { "train_data", std::filesystem::absolute(*args->value("data")).string() },
        { "output", std::filesystem::absolute(outFile).string() },
        { "recipe", recipeToJson(Recipe { plan, std::filesystem::path(modelFile).filename().string(), {}, {} }) } };
    if (auto val = args->value("val"))
        options["val_data"] = std::filesystem::absolute(*val).string();
    if (auto file = args->value("preprocess")) {
        auto spec = loadPreprocess(*file);
        if (!spec) {
            std::cerr << "topiary-cli finetune: " << spec.error().message << '\n';
            return 1;
        }
        options["preprocess"] = preprocessToJson(*spec);
    }
    if (auto dir = args->value("checkpoints"))
        options["checkpoint_dir"] = std::filesystem::absolute(*dir).string();
    if (auto from = args->value("resume"))
        options["resume"] = std::filesystem::absolute(*from).string();
    // Numbers: checked here for a usage error, and again (ranges) by the trainer.
    const std::pair<const char*, const char*> integers[] = { { "epochs", "epochs" }, { "iterative", "rounds" },
        { "batch", "batch_size" }, { "seed", "seed" }, { "threads", "threads" }, { "limit", "train_limit" },
        { "val-limit", "val_limit" }, { "augment-pad", "augment_pad" } };
    for (const auto& [flag, key] : integers)
        if (auto v = args->value(flag)) {
            auto n = integer(*v);
            if (!n)
                return usageError(std::string("--") + flag + ": expected an integer, got '" + *v + "'");
            options[key] = *n;
        }
    const std::pair<const char*, const char*> reals[]
        = { { "lr", "learning_rate" }, { "momentum", "momentum" }, { "weight-decay", "weight_decay" } };
    for (const auto& [flag, key] : reals)
        if (auto v = args->value(flag)) {
            auto n = number(*v);
            if (!n)
                return usageError(std::string("--") + flag + ": expected a number, got '" + *v + "'");
            options[key] = *n;
        }
    if (auto v = args->value("optimizer"))
        options["optimizer"] = *v;
    if (auto v = args->value("schedule"))
        options["schedule"] = *v;
    if (auto kd = args->value("kd")) {
        const auto comma = kd->find(',');
        auto t = number(kd->substr(0, comma));
        auto alpha = comma == std::string::npos ? std::optional<double>(0.5) : number(kd->substr(comma + 1));
        if (!t || !alpha)
            return usageError("--kd: expected T,ALPHA (e.g. 4,0.5), got '" + *kd + "'");
        options["distillation"] = { { "temperature", *t }, { "alpha", *alpha } };
    }
    options["augment_flip"] = args->has("flip");
    options["shrink"] = args->has("shrink");
    options["int8_qdq"] = args->has("int8-qdq");
    options["float16"] = args->has("float16");

    const bool json = args->has("json");
    auto trainer = TrainerProcess::start(findTrainer());
    if (!trainer) {
        std::cerr << "topiary-cli finetune: " << trainer.error().message << '\n';
        return 1;
    }
    if (auto sent = trainer->send({ { "type", "train" }, { "options", options } }); !sent) {
        std::cerr << "topiary-cli finetune: " << sent.error().message << '\n';
        return 1;
    }
    std::optional<nlohmann::json> last;
    for (;;) {
        auto event = trainer->receive();
        if (!event) {
            std::cerr << "topiary-cli finetune: " << event.error().message << '\n';
            return 1;
        }
        if (!*event)
            break;
        const auto& e = **event;
        if (json)
            std::cout << e.dump() << '\n' << std::flush;
        else
            showEvent(e);
        const std::string type = e.value("type", "");
        if (type == "done" || type == "error" || type == "stopped")
            last = e;
    }
    const int status = trainer->wait();
    if (!last) {
        std::cerr << "topiary-cli finetune: the trainer ended (status " << status << ") without a result\n";
        return 1;
    }
    const std::string type = last->value("type", "");
    if (type == "error") {
        std::cerr << "topiary-cli finetune: " << last->value("message", "") << '\n';
        return 1;
    }
    if (type == "stopped") {
        std::cerr << "topiary-cli finetune: stopped before the end; nothing written but the checkpoints\n";
        return 1;
    }
    if (!json) {
        if (last->contains("accuracy"))
            std::printf("validation top-1: %.2f %% before fine-tuning, %.2f %% after (%lld images)\n",
                100.0 * last->value("accuracy_before", 0.0), 100.0 * last->value("accuracy", 0.0),
                last->value("val_images", 0LL));
        std::printf("training: %.0f images/s, %.1f s\nwrote %s\n", last->value("images_per_second", 0.0),
            last->value("train_seconds", 0.0), outFile.c_str());
    }
    return 0;
}

} // namespace topiary::cli
