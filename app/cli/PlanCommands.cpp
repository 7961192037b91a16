// topiary-cli importance / stats / apply: the commands that read a plan (a recipe file or
// the compact flags) and report or materialize it.
#include "app/cli/ActivationOptions.h"
#include "app/cli/Args.h"
#include "app/cli/CommandSupport.h"
#include "app/cli/RecoverOptions.h"
#include "app/cli/Commands.h"

#include "core/export/Apply.h"
#include "core/export/StorageRequest.h"
#include "core/model/CostModel.h"
#include "core/model/DependencyGroups.h"
#include "core/base/Format.h"
#include "core/compress/Importance.h"
#include "core/model/Model.h"
#include "core/model/ModelWriter.h"
#include "core/compress/PruneSelection.h"
#include "core/plan/Recipe.h"
#include "core/analysis/Stats.h"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <cstdio>
#include <fstream>
#include <iomanip>
#include <iostream>
#include <numeric>
#include <sstream>

namespace topiary::cli {

namespace {

// A loaded model with its layers and groups, and the plan the arguments ask for.
struct Session {
    Model model;
    std::vector<Layer> layers;
    std::vector<DependencyGroup> groups;
    Plan plan;
};

// Exit code on failure (1: bad model, recipe or plan), or nullopt and the session.
std::optional<int> openSession(const char* command, const std::string& modelPath, const Args& args,
    const std::vector<std::string>& compact, std::optional<Session>& session)
{
    auto model = Model::load(modelPath);
    if (!model) {
        std::cerr << "topiary-cli " << command << ": " << model.error().message << '\n';
        return 1;
    }
    Session s { std::move(*model), {}, {}, {} };
    s.layers = findLayers(s.model);
    s.groups = findDependencyGroups(s.model, s.layers);
    if (auto rc = readPlan(command, s.model, s.layers, s.groups, args, compact, s.plan))
        return rc;
    session.emplace(std::move(s));
    return std::nullopt;
}

std::string pad(const std::string& s, size_t width, bool right = false)
{
    if (s.size() >= width)
        return s;
    return right ? std::string(width - s.size(), ' ') + s : s + std::string(width - s.size(), ' ');
}

std::string change(int64_t before, int64_t after)
{
    if (before == 0)
        return "";
    return text::percent(static_cast<double>(after - before) / static_cast<double>(before));
}

std::optional<Criterion> parseCriterion(const std::string& s)
{
    for (Criterion c : { Criterion::L1, Criterion::L2, Criterion::Fpgm, Criterion::BnScale, Criterion::Apoz, Criterion::Taylor, Criterion::Random })
        if (s == criterionName(c))
            return c;
    return std::nullopt;
}

nlohmann::json statsJson(const ModelStats& before, const ModelStats& after, const std::vector<Layer>& layers)
{
    auto totals = [](const ModelStats& s) {
        return nlohmann::json {
            { "params", s.params },
            { "macs_conv_linear", s.linearMacs },
            { "macs_effective", s.effectiveMacs },
            { "macs_other", s.otherMacs },
            { "nonzero_weights", s.nonzeroWeights },
            { "encoded_bytes", s.encodedBytes },
            { "activation_bytes", s.activationBytes },
            { "peak_activation_bytes", s.peakActivationBytes },
            { "compression_ratio", s.compressionRatio },
        };
    };
    nlohmann::json j;
    j["original"] = totals(before);
    j["compressed"] = totals(after);
    j["compressed"]["exact"] = after.exact;
    j["files"] = {
        { "original_bytes", after.originalFileBytes },
        { "masked_bytes", after.maskedFileBytes },
        { "shrunk_bytes", after.shrunkFileBytes },
        { "shrunk_int8_qdq_bytes", after.shrunkQdqFileBytes },
        { "masked_int8_qdq_bytes", after.maskedQdqFileBytes },
        { "shrunk_float16_delta_bytes", after.shrunkHalfDelta },
        { "masked_float16_delta_bytes", after.maskedHalfDelta },
    };
    auto& rows = j["layers"] = nlohmann::json::array();
    for (size_t i = 0; i < layers.size(); ++i) {
        const auto& b = before.layers[i];
        const auto& a = after.layers[i];
        rows.push_back({
            { "name", layers[i].name },
            { "out_channels", { b.outChannels, a.outChannels } },
            { "in_channels", { b.inChannels, a.inChannels } },
            { "params", { b.params, a.params } },
            { "macs", { b.linearMacs, a.linearMacs } },
            { "sparsity", a.sparsity },
            { "bits", a.bitsPerWeight },
            { "rank", a.rank },
            { "bytes", { { "dense", a.denseBytes }, { "bitmask", a.bitmaskBytes }, { "csr", a.csrBytes },
                           { "huffman", a.huffmanBytes }, { "chosen", weightEncodingName(a.encoding) },
                           { "encoded", a.encodedBytes } } },
        });
    }
    return j;
}

void printStats(const ModelStats& before, const ModelStats& after, const std::vector<Layer>& layers, const Plan& plan)
{
    std::cout << pad("layer", 28) << pad("channels", 13, true) << pad("params", 13, true) << pad("MACs", 11, true)
              << pad("sparsity", 10, true) << pad("bits", 6, true) << pad("encoding", 10, true)
              << pad("bytes", 12, true) << '\n';
    for (size_t i = 0; i < layers.size(); ++i) {
        const auto& b = before.layers[i];
        const auto& a = after.layers[i];
        if (!plan.contains(layers[i].name) && a.params == b.params)
            continue;
        std::cout << pad(layers[i].name, 28)
                  << pad(std::to_string(b.outChannels) + "->" + std::to_string(a.outChannels), 13, true)
                  << pad(text::count(a.params), 13, true) << pad(text::compact(a.linearMacs), 11, true)
                  << pad(text::percent(a.sparsity), 10, true) << pad(std::to_string(a.bitsPerWeight), 6, true)
                  << pad(weightEncodingName(a.encoding), 10, true) << pad(text::count(a.encodedBytes), 12, true)
                  << '\n';
    }
    std::cout << "(layers the plan leaves unchanged are not listed)\n\n";
    auto line = [](const std::string& what, int64_t b, int64_t a, const std::string& shownB, const std::string& shownA) {
        std::cout << pad(what, 26) << pad(shownB, 14, true) << "  ->" << pad(shownA, 14, true) << "  "
                  << change(b, a) << '\n';
    };
    line("params", before.params, after.params, text::count(before.params), text::count(after.params));
    line("MACs (conv+linear)", before.linearMacs, after.linearMacs, text::compact(before.linearMacs),
        text::compact(after.linearMacs));
    line("MACs skipping zeros", before.effectiveMacs, after.effectiveMacs, text::compact(before.effectiveMacs),
        text::compact(after.effectiveMacs));
    line("weights at encoding", before.encodedBytes, after.encodedBytes, text::bytes(before.encodedBytes),
        text::bytes(after.encodedBytes));
    line("activation memory", before.activationBytes, after.activationBytes, text::bytes(before.activationBytes),
        text::bytes(after.activationBytes));
    line("peak activation memory", before.peakActivationBytes, after.peakActivationBytes,
        text::bytes(before.peakActivationBytes), text::bytes(after.peakActivationBytes));
    std::cout << pad("compression ratio", 26) << pad(text::fixed(after.compressionRatio, 2) + "x", 14, true) << "\n\n";
    std::cout << "ONNX files apply would write (ONNX stores dense tensors: zeroed weights and codebook\n"
                 "values still take 4 bytes each; only shrinking and int8 QDQ make the file smaller):\n";
    line("  masked", after.originalFileBytes, after.maskedFileBytes, text::bytes(after.originalFileBytes),
        text::bytes(after.maskedFileBytes));
    line("  masked + int8 QDQ", after.originalFileBytes, after.maskedQdqFileBytes, text::bytes(after.originalFileBytes),
        text::bytes(after.maskedQdqFileBytes));
    line("  shrunk", after.originalFileBytes, after.shrunkFileBytes, text::bytes(after.originalFileBytes),
        text::bytes(after.shrunkFileBytes));
    line("  shrunk + int8 QDQ", after.originalFileBytes, after.shrunkQdqFileBytes, text::bytes(after.originalFileBytes),
        text::bytes(after.shrunkQdqFileBytes));
    if (!after.exact)
        std::cout << "\nChannel counts of Concat-coupled groups are estimated (spread in proportion).\n";
}

} // namespace

int importanceCommand(const std::vector<std::string>& argv)
{
    auto values = kEvalValueOptions;
    values.insert({ "layer", "criterion" });
    auto flags = kEvalFlags;
    flags.insert("json");
    auto args = Args::parse(argv, flags, values);
    if (!args || args->positional().size() != 1 || !args->value("layer")) {
        std::cerr << "topiary-cli importance: "
                  << (args ? "expected MODEL and --layer NAME" : args.error().message)
                  << "\nUsage: topiary-cli importance MODEL --layer NAME [--criterion l1|l2|fpgm|bn_scale|apoz|taylor|random] [--data PATH] [--json]\n";
        return 2;
    }
    const auto criterion = parseCriterion(args->value("criterion").value_or("l1"));
    if (!criterion) {
        std::cerr << "topiary-cli importance: unknown criterion '" << *args->value("criterion")
                  << "' (use l1, l2, fpgm, bn_scale, apoz, taylor or random)\n";
        return 2;
    }
    auto model = Model::load(args->positional()[0]);
    if (!model) {
        std::cerr << "topiary-cli importance: " << model.error().message << '\n';
        return 1;
    }
    const auto layers = findLayers(*model);
    const std::string name = *args->value("layer");
    auto it = std::find_if(layers.begin(), layers.end(), [&](const Layer& l) { return l.name == name; });
    if (it == layers.end()) {
        std::cerr << "topiary-cli importance: the model has no layer '" << name << "'; its layers are:";
        for (size_t i = 0; i < layers.size() && i < 12; ++i)
            std::cerr << ' ' << layers[i].name;
        std::cerr << (layers.size() > 12 ? " ...\n" : "\n");
        return 1;
    }
    FilterScorer scorer;
    if (auto rc = readScorer("importance", *model, layers, *args, { *criterion }, scorer))
        return *rc;
    auto scores = scorer(static_cast<int>(it - layers.begin()), *criterion);
    if (!scores) {
        std::cerr << "topiary-cli importance: " << scores.error().message << '\n';
        return 1;
    }
    // Rank 1 = most important; equal scores share the order of their index.
    std::vector<size_t> order(scores->size());
    std::iota(order.begin(), order.end(), size_t { 0 });
    std::stable_sort(order.begin(), order.end(), [&](size_t a, size_t b) { return (*scores)[a] > (*scores)[b]; });
    std::vector<size_t> rank(scores->size());
    for (size_t r = 0; r < order.size(); ++r)
        rank[order[r]] = r + 1;
    if (args->has("json")) {
        nlohmann::json j { { "layer", name }, { "criterion", criterionName(*criterion) }, { "scores", *scores },
            { "rank", rank } };
        std::cout << j.dump(2) << '\n';
        return 0;
    }
    std::cout << "layer " << name << ", " << scores->size() << " filters, criterion " << criterionName(*criterion)
              << " (rank 1 = most important)\n";
    std::cout << pad("filter", 8, true) << pad("score", 16, true) << pad("rank", 8, true) << '\n';
    for (size_t i = 0; i < scores->size(); ++i) {
        std::ostringstream v;
        v << std::setprecision(7) << (*scores)[i];
        std::cout << pad(std::to_string(i), 8, true) << pad(v.str(), 16, true) << pad(std::to_string(rank[i]), 8, true)
                  << '\n';
    }
    return 0;
}

int statsCommand(const std::vector<std::string>& argv)
{
    const auto split = splitCompactFlags(argv);
    auto values = kEvalValueOptions;
    values.insert("recipe");
    auto flags = kEvalFlags;
    flags.insert("json");
    auto args = Args::parse(split.own, flags, values);
    if (!args || args->positional().size() != 1) {
        std::cerr << "topiary-cli stats: " << (args ? "expected exactly one MODEL" : args.error().message)
                  << "\nUsage: topiary-cli stats MODEL [--recipe PLAN.json | --prune ... --bits ...] [--json]\n";
        return 2;
    }
    std::optional<Session> s;
    if (auto rc = openSession("stats", args->positional()[0], *args, split.compact, s))
        return *rc;
    const CostModel cost(s->model);
    const StatsModel stats(s->model, cost, s->groups);
    FilterScorer scorer;
    if (auto rc = readScorer("stats", s->model, s->layers, *args, planCriteria(s->plan), scorer))
        return *rc;
    auto selection = selectPruned(s->model, s->layers, s->groups, s->plan, scorer);
    if (!selection) {
        std::cerr << "topiary-cli stats: " << selection.error().message << '\n';
        return 1;
    }
    const ModelStats before = stats.compute(Plan {});
    const ModelStats after = stats.compute(s->plan, &*selection);
    if (args->has("json"))
        std::cout << statsJson(before, after, s->layers).dump(2) << '\n';
    else
        printStats(before, after, s->layers, s->plan);
    return 0;
}

int applyCommand(const std::vector<std::string>& argv)
{
    const auto split = splitCompactFlags(argv);
    auto values = kEvalValueOptions;
    values.insert({ "recipe", "output" });
    values.insert(kRecoverValueOptions.begin(), kRecoverValueOptions.end());
    values.insert(kActivationValueOptions.begin(), kActivationValueOptions.end());
    auto flags = kEvalFlags;
    flags.insert({ "shrink", "int8-qdq", "float16", "json" });
    auto args = Args::parse(split.own, flags, values);
    if (!args || args->positional().size() != 1 || !args->value("output")) {
        std::cerr << "topiary-cli apply: " << (args ? "expected MODEL and -o OUT.onnx" : args.error().message)
                  << "\nUsage: topiary-cli apply MODEL [--recipe PLAN.json | --prune ... --bits ...] -o OUT.onnx "
                     "[--shrink] [--int8-qdq] [--float16]\n                        "
                  << kRecoverUsage << "\n                        " << kActivationUsage << '\n';
        return 2;
    }
    const std::string modelPath = args->positional()[0];
    const std::string outPath = *args->value("output");
    std::optional<Session> s;
    if (auto rc = openSession("apply", modelPath, *args, split.compact, s))
        return *rc;
    ApplyOptions options;
    options.shrink = args->has("shrink");
    options.int8Qdq = args->has("int8-qdq");
    options.float16 = args->has("float16");
    auto storage = resolveStorage(s->plan, s->layers, options);
    if (!storage) {
        std::cerr << "topiary-cli apply: " << storage.error().message << '\n';
        return 1;
    }
    s->plan = std::move(storage->plan);
    for (const auto& note : storage->notes)
        std::cerr << "topiary-cli apply: note: " << note << '\n';
    if (auto rc = readRecoverOptions("apply", *args, s->plan))
        return *rc;
    FilterScorer scorer;
    if (auto rc = readScorer("apply", s->model, s->layers, *args, planCriteria(s->plan), scorer))
        return *rc;
    auto selection = selectPruned(s->model, s->layers, s->groups, s->plan, scorer);
    if (!selection) {
        std::cerr << "topiary-cli apply: " << selection.error().message << '\n';
        return 1;
    }
    RecoveredModel recovered;
    if (auto rc = applyWithActivations("apply", s->model, s->plan, *args, options, &*selection, recovered))
        return *rc;
    const AppliedModel* applied = &recovered.applied;
    auto written = writeModel(applied->proto, outPath, WriteOptions { modelPath, true });
    if (!written) {
        std::cerr << "topiary-cli apply: " << written.error().message << '\n';
        return 1;
    }
    const CostModel cost(s->model);
    const ModelStats predicted = StatsModel(s->model, cost, s->groups).compute(s->plan, &*selection);
    const int64_t expected = predictedFileBytes(predicted, options);
    const auto& r = applied->report;
    if (*written > predicted.originalFileBytes)
        std::cerr << "topiary-cli apply: warning: " << outPath << " (" << text::count(*written)
                  << " bytes) is larger than the source (" << text::count(predicted.originalFileBytes)
                  << " bytes): "
                  << (r.removedChannels > 0 && !options.shrink
                             ? "masked pruning keeps the zeros at 4 bytes each (add --shrink to remove channels)"
                         : r.zeroedWeights > 0
                             ? "ONNX stores dense tensors: zeroed weights still take 4 bytes each (filter pruning "
                               "with --shrink removes them)"
                             : "the plan removes nothing from the file; only --shrink, --int8-qdq and --float16 make "
                               "it smaller")
                  << '\n';
    if (args->has("json")) {
        nlohmann::json j { { "output", outPath }, { "bytes", *written },
            { "predicted_bytes", expected },
            { "original_bytes", predicted.originalFileBytes }, { "removed_channels", r.removedChannels },
            { "zeroed_weights", r.zeroedWeights }, { "quantized_layers", r.quantizedLayers },
            { "factored_layers", r.factoredLayers }, { "int8_weights", r.qdqWeights },
            { "float16_weights", r.float16Weights }, { "int8_activations", r.qdqActivations } };
        std::cout << j.dump(2) << '\n';
        return 0;
    }
    std::cout << "wrote " << outPath << " (" << (options.shrink ? "shrunk" : "masked")
              << (options.int8Qdq ? ", int8 QDQ" : "") << (options.float16 ? ", float16" : "") << "): " << text::count(*written) << " bytes, "
              << "predicted " << text::count(expected)
              << ", source " << text::count(predicted.originalFileBytes) << '\n';
    std::cout << "  " << r.removedChannels << " channels " << (options.shrink ? "removed" : "zeroed") << ", "
              << text::count(r.zeroedWeights) << " weights zeroed, " << r.quantizedLayers << " layers quantized, "
              << r.factoredLayers << " factored, " << r.qdqWeights << " weights as int8, " << r.float16Weights
              << " as float16";
    if (r.qdqActivations > 0)
        std::cout << ", " << r.qdqActivations << " activations as 8-bit QDQ";
    std::cout << '\n';
    if (!options.shrink && r.removedChannels > 0)
        std::cout << "  (masked: pruned channels are zeros of the same shape; --shrink removes them from the file)\n";
    return 0;
}

} // namespace topiary::cli
