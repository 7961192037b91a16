// topiary-cli bench: see BenchCommand.h.
#include "app/cli/BenchCommand.h"

#include "app/cli/Args.h"
#include "core/eval/ForwardTiming.h"
#include "core/model/Model.h"

#include <nlohmann/json.hpp>
#include <opencv2/core/utility.hpp>

#include <cstdio>
#include <filesystem>
#include <iostream>
#include <optional>

namespace topiary::cli {

namespace {

struct Timing {
    int batch = 1;
    double medianMs = 0.0; // per run (the whole batch)
    double minMs = 0.0;
    int runs = 0;
};

int usage(const std::string& message)
{
    std::cerr << "topiary-cli bench: " << message
              << "\nUsage: topiary-cli bench MODEL [--runtime opencv|ort] [--batch B] [--threads N] [--runs R]\n"
                 "                         [--warmup W] [--json]\n";
    return 2;
}

std::optional<int> positive(const Args& args, const char* name, int fallback, int max)
{
    auto v = args.value(name);
    if (!v)
        return fallback;
    try {
        size_t used = 0;
        const int n = std::stoi(*v, &used);
        if (used == v->size() && n >= 1 && n <= max)
            return n;
    } catch (const std::exception&) {
    }
    return std::nullopt;
}

Result<Timing> benchOrt(const std::string& script, const std::string& modelFile, const std::vector<int>& dims,
    int runs, int warmup, int threads)
{
    std::string shape;
    for (size_t i = 0; i < dims.size(); ++i)
        shape += (i ? "," : "") + std::to_string(dims[i]);
    auto quoted = [](const std::string& s) {
        std::string out = "'";
        for (char c : s)
            out += c == '\'' ? std::string("'\\''") : std::string(1, c);
        return out + "'";
    };
    const std::string cmd = "node " + quoted(script) + " " + quoted(modelFile) + " " + shape + " "
        + std::to_string(runs) + " " + std::to_string(warmup) + " " + std::to_string(threads);
    FILE* pipe = popen(cmd.c_str(), "r");
    if (!pipe)
        return fail("cannot start node for ONNX Runtime");
    std::string text;
    char buffer[4096];
    while (size_t n = std::fread(buffer, 1, sizeof buffer, pipe))
        text.append(buffer, n);
    const int rc = pclose(pipe);
    if (rc != 0)
        return fail("ONNX Runtime (node " + script + ") failed with status " + std::to_string(rc));
    try {
        const auto j = nlohmann::json::parse(text);
        return Timing { dims[0], j.at("median_ms").get<double>(), j.at("min_ms").get<double>(), runs };
    } catch (const std::exception& e) {
        return fail(std::string("cannot read ONNX Runtime's timing: ") + e.what());
    }
}

} // namespace

int benchCommand(const std::vector<std::string>& argv)
{
    std::vector<std::string> own;
    for (const auto& a : argv)
        own.push_back(a);
    auto args = Args::parse(own, { "json" }, { "runtime", "batch", "threads", "runs", "warmup", "ort-script" });
    if (!args)
        return usage(args.error().message);
    if (args->positional().size() != 1)
        return usage("expected exactly one MODEL");
    const std::string runtime = args->value("runtime").value_or("ort");
    if (runtime != "ort" && runtime != "opencv")
        return usage("--runtime: expected ort or opencv, got '" + runtime + "'");
    const auto batch = positive(*args, "batch", 32, 4096);
    const auto threads = positive(*args, "threads", 1, 256);
    const auto runs = positive(*args, "runs", 20, 100000);
    const auto warmup = positive(*args, "warmup", 3, 100000);
    if (!batch || !threads || !runs || !warmup)
        return usage("--batch, --threads, --runs and --warmup take positive integers");
    const std::string modelFile = args->positional()[0];
    auto model = Model::load(modelFile);
    if (!model) {
        std::cerr << "topiary-cli bench: " << model.error().message << '\n';
        return 1;
    }
    if (model->inputs().empty())
        return usage("the model has no input");
    const TensorInfo* input = model->tensor(model->inputs()[0]);
    if (!input || !input->hasShape)
        return usage("the model's input has no known shape");
    std::vector<int> dims;
    for (size_t i = 0; i < input->shape.size(); ++i)
        dims.push_back(input->shape[i] > 0 ? static_cast<int>(input->shape[i]) : 1);
    const bool fixedBatch = !input->shape.empty() && input->shape[0] > 0;
    std::vector<int> batches { dims.empty() ? 1 : dims[0] };
    if (!fixedBatch && *batch > 1)
        batches.push_back(*batch);
    const std::string script = args->value("ort-script")
                                   .value_or((std::filesystem::path(TOPIARY_SOURCE_DIR) / "tests" / "ort" / "bench.js").string());

    if (runtime == "opencv")
        cv::setNumThreads(*threads);
    std::vector<Timing> timings;
    for (int b : batches) {
        std::vector<int> d = dims;
        if (!d.empty())
            d[0] = b;
        Result<Timing> t = fail("");
        if (runtime == "opencv") {
            auto timed = timeForward(*model, ForwardTimingOptions { b, *runs, *warmup });
            t = timed ? Result<Timing>(Timing { timed->batch, timed->medianMs, timed->minMs, timed->runs })
                      : Result<Timing>(std::unexpected(timed.error()));
        } else {
            t = benchOrt(script, modelFile, d, *runs, *warmup, *threads);
        }
        if (!t) {
            std::cerr << "topiary-cli bench: " << t.error().message << '\n';
            return 1;
        }
        timings.push_back(*t);
    }
    if (args->has("json")) {
        nlohmann::json j { { "model", modelFile }, { "runtime", runtime == "ort" ? "onnxruntime" : "opencv" },
            { "threads", *threads }, { "runs", *runs }, { "warmup", *warmup }, { "results", nlohmann::json::array() } };
        for (const auto& t : timings)
            j["results"].push_back({ { "batch", t.batch }, { "median_ms", t.medianMs }, { "min_ms", t.minMs },
                { "median_ms_per_image", t.medianMs / t.batch } });
        std::cout << j.dump(2) << '\n';
        return 0;
    }
    std::printf("%s in %s, %d thread%s, median of %d runs after %d warm-up:\n", modelFile.c_str(),
        runtime == "ort" ? "ONNX Runtime (node)" : "OpenCV dnn", *threads, *threads == 1 ? "" : "s", *runs, *warmup);
    for (const auto& t : timings)
        std::printf("  batch %4d: %9.3f ms per image (%.3f ms per batch, min %.3f)\n", t.batch, t.medianMs / t.batch,
            t.medianMs, t.minMs);
    return 0;
}

} // namespace topiary::cli
