// topiary-cli eval MODEL --data PATH: the evaluator over the command line.
#include "app/cli/EvalCommand.h"
#include "app/cli/ActivationOptions.h"

#include "app/cli/Args.h"
#include "app/cli/CommandSupport.h"
#include "app/cli/RecoverOptions.h"

#include "core/export/Apply.h"
#include "core/plan/Recipe.h"

#include "core/data/Dataset.h"
#include "core/report/EvaluationReport.h"
#include "core/eval/ActivationCut.h"
#include "core/eval/Evaluator.h"
#include "core/eval/PlanEvaluation.h"
#include "core/model/Model.h"
#include "core/data/Preprocess.h"

#include <nlohmann/json.hpp>

#include <charconv>
#include <cstdio>
#include <iostream>
#include <sstream>
#include <unistd.h>

namespace topiary::cli {

namespace {

constexpr const char* kUsage = "Usage: topiary-cli eval MODEL --data PATH [--labels FILE] [--limit N] [--batch B]\n"
                               "                        [--preprocess FILE.json] [--in-order] [--recipe PLAN.json | --prune ... --bits ...] [--json]\n"
                               "                        [--recover bn,bias,lsq [--calib N] [--calib-data PATH]]\n"
                               "                        [--act-bits 8[:symmetric] [--calib N] [--calib-method M] [--calib-percentile P]]\n";

int usageError(const std::string& message)
{
    std::cerr << "topiary-cli eval: " << message << '\n' << kUsage;
    return 2;
}

void showProgress(const EvaluationMetrics& m)
{
    const Estimate top1 = m.top1();
    if (m.labelled > 0)
        std::fprintf(stderr, "\r  %lld/%lld images  top-1 %.2f %% (%.2f-%.2f)   ", static_cast<long long>(m.processed),
            static_cast<long long>(m.total), 100 * top1.value, 100 * top1.low, 100 * top1.high);
    else
        std::fprintf(
            stderr, "\r  %lld/%lld images   ", static_cast<long long>(m.processed), static_cast<long long>(m.total));
    std::fflush(stderr);
}

} // namespace

int evalCommand(const std::vector<std::string>& argv)
{
    const auto split = splitCompactFlags(argv);
    auto flags = kEvalFlags;
    flags.insert("json");
    auto values = kEvalValueOptions;
    values.insert("recipe");
    values.insert(kRecoverValueOptions.begin(), kRecoverValueOptions.end());
    values.insert(kActivationValueOptions.begin(), kActivationValueOptions.end());
    auto args = Args::parse(split.own, flags, values);
    if (!args)
        return usageError(args.error().message);
    if (args->positional().size() != 1)
        return usageError("expected exactly one MODEL");
    const bool json = args->has("json");

    const std::string modelFile = args->positional()[0];
    auto model = Model::load(modelFile);
    if (!model) {
        std::cerr << "topiary-cli eval: " << model.error().message << '\n';
        return 1;
    }
    EvalInputs inputs;
    if (auto rc = readEvalInputs("eval", *model, *args, inputs))
        return *rc;
    const auto layers = findLayers(*model);
    const auto groups = findDependencyGroups(*model, layers);
    Plan plan;
    if (auto rc = readPlan("eval", *model, layers, groups, *args, split.compact, plan))
        return *rc;
    if (auto rc = readRecoverOptions("eval", *args, plan))
        return *rc;
    if (!quantizesActivations(plan) && (args->value("calib-method") || args->value("calib-percentile")))
        return usageError("--calib-method and --calib-percentile need --act-bits 8 (what to calibrate)");
    const bool compressed = !plan.empty();
    const Dataset& dataset = *inputs.dataset;

    // The original runs first; with a plan its outputs are the reference of the compressed
    // run, which starts from the cut before the plan's first changed layer.
    const bool interactive = isatty(STDERR_FILENO) != 0;
    const auto progress = interactive ? Evaluator::Progress(showProgress) : Evaluator::Progress();
    PlanEvaluation evaluation(*model, layers, groups, Evaluator(dataset, inputs.spec, inputs.options));
    auto result = evaluation.runOriginal(progress);
    if (interactive)
        std::fprintf(stderr, "\r%60s\r", "");
    if (!result) {
        std::cerr << "topiary-cli eval: " << result.error().withContext(modelFile).message << '\n';
        return 1;
    }
    warnIfOriginalNearChance("eval", result->metrics, inputs);
    std::optional<EvaluationResult> after;
    if (compressed) {
        // With recovery the plan's weights are repaired first; the evaluation still starts
        // from the cut before its first changed layer.
        // 8-bit activations are calibrated first (unless the recipe brings their ranges) and
        // simulated by OpenCV as the QDQ export computes them (FakeQuantizeLayer).
        RecoveredModel recovered;
        const bool prepared = plan.recovery().any() || quantizesActivations(plan);
        if (prepared)
            if (auto rc = applyWithActivations("eval", *model, plan, *args, {}, nullptr, recovered))
                return *rc;
        auto first = firstEvaluatedLayer(*model, layers, groups, plan);
        if (!first) {
            std::cerr << "topiary-cli eval: " << first.error().message << '\n';
            return 1;
        }
        auto run = prepared ? evaluation.run(recovered.applied.proto, *first, progress) : evaluation.run(plan, progress);
        if (interactive)
            std::fprintf(stderr, "\r%60s\r", "");
        if (!run) {
            std::cerr << "topiary-cli eval: " << run.error().withContext("the compressed model").message << '\n';
            return 1;
        }
        after = std::move(*run);
    }
    const auto& classNames = inputs.spec.classes.empty() ? dataset.classNames() : inputs.spec.classes;
    if (json) {
        nlohmann::json out = evaluationReportJson(*result, classNames);
        out["model"] = modelFile;
        out["data"] = *args->value("data");
        out["dataset"] = dataset.description();
        out["dataset_skipped_files"] = dataset.skipped();
        out["preprocess"] = preprocessToJson(inputs.spec);
        out["preprocess_source"] = inputs.specSource;
        // The top-1 class of every image by its index in the dataset (-1: not evaluated), so
        // that runs in another runtime can be compared image by image.
        auto byImage = [&](const EvaluationResult& r) {
            std::vector<int32_t> classes(static_cast<size_t>(dataset.size()), -1);
            for (size_t i = 0; i < r.predictions.size() && i < r.predictedSamples.size(); ++i)
                if (r.predictedSamples[i] >= 0 && static_cast<size_t>(r.predictedSamples[i]) < classes.size())
                    classes[static_cast<size_t>(r.predictedSamples[i])] = r.predictions[i];
            return classes;
        };
        out["predictions"] = byImage(*result);
        if (after) {
            out["compressed"] = evaluationReportJson(*after, classNames);
            out["compressed"]["predictions"] = byImage(*after);
            out["recipe"] = recipeToJson(Recipe { plan, {}, {}, inputs.spec });
        }
        std::cout << out.dump(2) << '\n';
        return 0;
    }
    std::cout << "model       " << modelFile << '\n'
              << "data        " << *args->value("data") << " (" << dataset.description() << ")\n"
              << "preprocess  " << describePreprocess(inputs.spec) << " (" << inputs.specSource << ")\n"
              << "order       " << (inputs.options.shuffle ? "shuffled (fixed seed)" : "as listed")
              << (inputs.options.limit > 0 ? ", first " + std::to_string(inputs.options.limit) : std::string()) << '\n'
              << evaluationReportText(*result, classNames);
    if (after)
        std::cout << "\ncompressed by the plan (" << plan.layers().size() << " layers changed"
                  << (plan.recovery().any() ? ", recovered: " + recoveryMethodsText(plan.recovery()) : std::string())
                  << "):\n"
                  << evaluationReportText(*after, classNames);
    for (const auto& s : dataset.skipped())
        std::cout << "skipped while listing: " << s << '\n';
    return 0;
}

} // namespace topiary::cli
