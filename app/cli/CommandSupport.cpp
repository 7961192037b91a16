#include "app/cli/CommandSupport.h"
#include "app/cli/TaylorCommandSupport.h"

#include "core/analysis/ChanceLevel.h"
#include "core/eval/ActivationStats.h"
#include "core/plan/Recipe.h"

#include <charconv>
#include <climits>
#include <fstream>
#include <iostream>
#include <sstream>

namespace topiary::cli {

namespace {

std::optional<int64_t> positiveInteger(const std::string& text, int64_t highest)
{
    int64_t v = 0;
    const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
    if (ec != std::errc() || end != text.data() + text.size() || v < 1 || v > highest)
        return std::nullopt;
    return v;
}

} // namespace

SplitArgs splitCompactFlags(const std::vector<std::string>& argv)
{
    SplitArgs out;
    auto startsWith = [](const std::string& s, const char* p) { return s.rfind(p, 0) == 0; };
    for (size_t i = 0; i < argv.size(); ++i) {
        const std::string& a = argv[i];
        const bool withValue = a == "--prune" || a == "--bits" || a == "--quant" || a == "--act-bits";
        if (withValue) {
            out.compact.push_back(a);
            if (i + 1 < argv.size())
                out.compact.push_back(argv[++i]);
        } else if (startsWith(a, "--prune=") || startsWith(a, "--bits=") || startsWith(a, "--quant=") || startsWith(a, "--act-bits=")
            || a == "--skip-first-last" || a == "--round-channels" || startsWith(a, "--round-channels=")) {
            out.compact.push_back(a);
        } else {
            out.own.push_back(a == "-o" ? "--output" : a);
        }
    }
    return out;
}

std::optional<int> readPlan(const char* command, const Model& model, const std::vector<Layer>& layers,
    const std::vector<DependencyGroup>& groups, const Args& args, const std::vector<std::string>& compact, Plan& plan)
{
    if (auto recipePath = args.value("recipe")) {
        if (!compact.empty()) {
            std::cerr << "topiary-cli " << command << ": give either --recipe or the compact flags, not both\n";
            return 2;
        }
        std::ifstream in(*recipePath, std::ios::binary);
        if (!in) {
            std::cerr << "topiary-cli " << command << ": cannot read recipe " << *recipePath << '\n';
            return 1;
        }
        std::stringstream text;
        text << in.rdbuf();
        auto recipe = parseRecipe(text.str());
        if (!recipe) {
            std::cerr << "topiary-cli " << command << ": " << *recipePath << ": " << recipe.error().message << '\n';
            return 1;
        }
        plan = recipe->plan;
    } else if (!compact.empty()) {
        auto parsed = expandCompactFlags(compact, layers, groups);
        if (!parsed) {
            std::cerr << "topiary-cli " << command << ": " << parsed.error().message << '\n';
            return 2;
        }
        plan = std::move(parsed->plan);
        for (const auto& s : parsed->skipped)
            std::cerr << "topiary-cli " << command << ": note: " << s << '\n';
    }
    if (auto problems = validatePlan(plan, model, layers, &groups); !problems.empty()) {
        std::cerr << "topiary-cli " << command << ": the plan does not fit " << model.path().string() << ":\n";
        for (const auto& p : problems)
            std::cerr << "  " << p.layer << ": " << p.message << '\n';
        return 1;
    }
    return std::nullopt;
}

PreprocessSearch preprocessSearch(const Model& model, const Args& args, const std::string& dataPath)
{
    PreprocessSearch search;
    search.explicitFile = args.value("preprocess").value_or("");
    search.dataset = dataPath;
    search.modelFile = model.path();
    // A recipe that records its preprocessing wins over the files beside the data and model.
    if (auto recipePath = args.value("recipe")) {
        std::ifstream in(*recipePath, std::ios::binary);
        std::stringstream text;
        text << in.rdbuf();
        if (auto recipe = parseRecipe(text.str()); recipe && recipe->preprocess) {
            search.recorded = *recipe->preprocess;
            search.recordedFrom = "the recipe " + *recipePath;
        }
    }
    return search;
}

std::optional<int> readEvalInputs(const char* command, const Model& model, const Args& args, EvalInputs& inputs)
{
    auto usage = [&](const std::string& message) {
        std::cerr << "topiary-cli " << command << ": " << message << '\n';
        return 2;
    };
    const auto dataPath = args.value("data");
    if (!dataPath)
        return usage("--data PATH is required (an image folder, a .csv/.tsv list or an IDX images file)");
    if (auto limit = args.value("limit")) {
        auto v = positiveInteger(*limit, INT32_MAX);
        if (!v)
            return usage("--limit: expected a positive integer, got '" + *limit + "'");
        inputs.options.limit = *v;
    }
    if (auto batch = args.value("batch")) {
        auto v = positiveInteger(*batch, 4096);
        if (!v)
            return usage("--batch: expected an integer from 1 to 4096, got '" + *batch + "'");
        inputs.options.batchSize = static_cast<int>(*v);
    }
    inputs.options.shuffle = !args.has("in-order");
    auto preprocess = choosePreprocess(model, preprocessSearch(model, args, *dataPath));
    if (!preprocess) {
        std::cerr << "topiary-cli " << command << ": " << preprocess.error().message << '\n';
        return 1;
    }
    if (!preprocess->warning.empty())
        std::cerr << "topiary-cli " << command << ": note: " << preprocess->warning << " (give one with --preprocess)\n";
    inputs.spec = preprocess->spec;
    inputs.specSource = preprocess->description;
    DatasetOptions datasetOptions;
    if (auto labels = args.value("labels"))
        datasetOptions.labels = *labels;
    datasetOptions.classNames = inputs.spec.classes;
    auto dataset = Dataset::open(*dataPath, datasetOptions);
    if (!dataset) {
        std::cerr << "topiary-cli " << command << ": " << dataset.error().message << '\n';
        return 1;
    }
    if (!dataset->hasLabels())
        std::cerr << "topiary-cli " << command << ": note: " << *dataPath
                  << (dataset->kind() == DatasetKind::Idx ? " has no labels file next to it (give one with --labels)"
                                                          : " has no labels")
                  << "; no accuracy, only predictions and latency\n";
    inputs.dataset = std::move(*dataset);
    return std::nullopt;
}

std::string describePreprocess(const PreprocessSpec& s)
{
    std::ostringstream out;
    out << s.channels << "x" << s.height << "x" << s.width;
    if (s.resize > 0)
        out << " (shorter side to " << s.resize << ", centre crop)";
    if (s.channels == 3)
        out << (s.colorOrder == ColorOrder::Rgb ? " RGB" : " BGR");
    out << ", x*" << s.scale << ", mean";
    for (double m : s.mean)
        out << ' ' << m;
    out << ", std";
    for (double v : s.stddev)
        out << ' ' << v;
    return out.str();
}

bool warnIfOriginalNearChance(const char* command, const EvaluationMetrics& original, const EvalInputs& inputs)
{
    const std::string chance = nearChanceText(original);
    if (chance.empty())
        return false;
    std::cerr << "topiary-cli " << command << ": warning: the original model's " << chance
              << ". The likely cause is the preprocessing: " << describePreprocess(inputs.spec) << ", from "
              << inputs.specSource
              << ". Give the one the model was trained with: --preprocess FILE.json, a preprocess.json beside the "
                 "model, or mean and std in the model's metadata (see --help)\n";
    return true;
}

std::set<Criterion> planCriteria(const Plan& plan)
{
    std::set<Criterion> used;
    for (const auto& [_, spec] : plan.layers())
        if (spec.prune.granularity == PruneGranularity::Filter)
            used.insert(spec.prune.criterion);
    return used;
}

std::optional<int> readScorer(const char* command, const Model& model, const std::vector<Layer>& layers,
    const Args& args, const std::set<Criterion>& used, FilterScorer& scorer)
{
    scorer = weightScorer(model, layers);
    const bool apoz = used.contains(Criterion::Apoz), taylor = used.contains(Criterion::Taylor);
    if (!apoz && !taylor)
        return std::nullopt;
    if (!args.value("data")) {
        std::cerr << "topiary-cli " << command
                  << (apoz ? ": the APoZ criterion measures activations" : ": Taylor importance needs gradients")
                  << ": give " << (taylor ? "labelled " : "") << "images with --data PATH\n";
        return 2;
    }
    EvalInputs inputs;
    if (auto rc = readEvalInputs(command, model, args, inputs))
        return rc;
    if (taylor) {
        auto scores = taylorScoresFor(model.path(), *args.value("data"), inputs.spec,
            inputs.options.limit > 0 ? inputs.options.limit : kTaylorDefaultImages);
        if (!scores) {
            std::cerr << "topiary-cli " << command << ": " << scores.error().message << '\n';
            return 1;
        }
        scorer = taylorScorer(std::move(*scores), layers, std::move(scorer));
    }
    if (!apoz)
        return std::nullopt;
    ActivationStatsOptions options;
    options.samples = inputs.options.limit > 0 ? inputs.options.limit : 256;
    options.shuffle = inputs.options.shuffle;
    auto stats = gatherActivationStats(model, layers, *inputs.dataset, inputs.spec, options);
    if (!stats) {
        std::cerr << "topiary-cli " << command << ": " << stats.error().message << '\n';
        return 1;
    }
    scorer = activationScorer(std::move(*stats), std::move(scorer));
    return std::nullopt;
}

} // namespace topiary::cli
