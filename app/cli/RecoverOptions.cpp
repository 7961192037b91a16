#include "app/cli/RecoverOptions.h"

#include "app/cli/CommandSupport.h"

#include "core/data/Dataset.h"
#include "core/data/Preprocess.h"
#include "core/recover/CalibrationImages.h"

#include <chrono>
#include <cstdio>
#include <iostream>
#include <sstream>
#include <unistd.h>

namespace topiary::cli {

std::optional<int> readRecoverOptions(const char* command, const Args& args, Plan& plan)
{
    RecoverySpec spec = plan.recovery();
    auto usage = [&](const std::string& message) {
        std::cerr << "topiary-cli " << command << ": " << message << '\n';
        return 2;
    };
    if (auto methods = args.value("recover"))
        if (auto r = parseRecoveryMethods(*methods, spec); !r)
            return usage(r.error().message);
    if (auto n = args.value("calib")) {
        int64_t v = 0;
        try {
            size_t used = 0;
            v = std::stoll(*n, &used);
            if (used != n->size())
                v = 0;
        } catch (const std::exception&) {
            v = 0;
        }
        if (v < 1 || v > 1'000'000)
            return usage("--calib: expected a number of images from 1 to 1000000, got '" + *n + "'");
        spec.calibrationImages = v;
    }
    if (auto path = args.value("calib-data"))
        spec.source = *path;
    if ((args.value("calib") || args.value("calib-data")) && !spec.any() && !quantizesActivations(plan))
        return usage("--calib and --calib-data need --recover or --act-bits (what to calibrate)");
    plan.setRecovery(spec);
    return std::nullopt;
}

std::optional<int> readRecoveryTuning(const char* command, const Args& args, RecoveryOptions& out)
{
    auto usage = [&](const std::string& message) {
        std::cerr << "topiary-cli " << command << ": " << message << '\n';
        return 2;
    };
    auto number = [](const std::string& text) -> std::optional<double> {
        try {
            size_t used = 0;
            const double v = std::stod(text, &used);
            return used == text.size() ? std::optional<double>(v) : std::nullopt;
        } catch (const std::exception&) {
            return std::nullopt;
        }
    };
    if (auto p = args.value("calib-positions")) {
        const auto v = number(*p);
        if (!v || *v < 1 || *v > 1'000'000 || *v != static_cast<double>(static_cast<int64_t>(*v)))
            return usage("--calib-positions: expected a whole number from 1 to 1000000, got '" + *p + "'");
        out.positionsPerImage = static_cast<int64_t>(*v);
    }
    if (auto r = args.value("ridge")) {
        const auto v = number(*r);
        if (!v || !(*v >= 0.0) || *v > 1e6)
            return usage("--ridge: expected a number from 0 to 1e6, got '" + *r + "'");
        out.ridge = *v;
    }
    return std::nullopt;
}

std::optional<int> loadCalibrationFor(const char* command, const Model& model, const Args& args,
    const std::string& source, int64_t count, uint64_t seed, CalibrationImages& out)
{
    auto error = [&](const std::string& message) {
        std::cerr << "topiary-cli " << command << ": " << message << '\n';
        return 1;
    };
    auto preprocess = choosePreprocess(model, preprocessSearch(model, args, source));
    if (!preprocess)
        return error(preprocess.error().message);
    auto dataset = Dataset::open(source);
    if (!dataset)
        return error(dataset.error().withContext("calibration data").message);
    auto images = loadCalibrationImages(model, *dataset, preprocess->spec, count, seed);
    if (!images)
        return error(images.error().message);
    out = std::move(*images);
    return std::nullopt;
}

std::optional<int> loadCalibration(const char* command, const Model& model, const Plan& plan, const Args& args,
    CalibrationImages& out)
{
    const RecoverySpec& spec = plan.recovery();
    const std::string source = !spec.source.empty() ? spec.source : args.value("data").value_or("");
    if (source.empty()) {
        std::cerr << "topiary-cli " << command
                  << ": recovery needs calibration images: give --calib-data PATH (or --data PATH)\n";
        return 2;
    }
    return loadCalibrationFor(command, model, args, source, spec.calibrationImages, spec.seed, out);
}

std::optional<int> applyWithRecovery(const char* command, const Model& model, const Plan& plan, const Args& args,
    const ApplyOptions& options, const PruneSelection* selection, RecoveredModel& out)
{
    auto error = [&](const std::string& message) {
        std::cerr << "topiary-cli " << command << ": " << message << '\n';
        return 1;
    };
    const RecoverySpec& spec = plan.recovery();
    if (!spec.any()) {
        auto applied = apply(model, plan, options, selection);
        if (!applied)
            return error(applied.error().message);
        out.applied = std::move(*applied);
        return std::nullopt;
    }
    RecoveryOptions tuning;
    if (auto rc = readRecoveryTuning(command, args, tuning))
        return rc;
    CalibrationImages images;
    if (auto rc = loadCalibration(command, model, plan, args, images))
        return rc;
    const bool interactive = isatty(STDERR_FILENO) != 0;
    const auto start = std::chrono::steady_clock::now();
    auto recovered = applyRecovered(model, plan, images, options, selection, tuning,
        interactive ? RecoveryProgress([](int done, int total) {
            std::fprintf(stderr, "\r  recovering: layer %d/%d   ", done, total);
            std::fflush(stderr);
        })
                    : RecoveryProgress());
    if (interactive)
        std::fprintf(stderr, "\r%40s\r", "");
    if (!recovered)
        return error(recovered.error().withContext("recovery").message);
    out = std::move(*recovered);
    const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    std::cerr << "topiary-cli " << command << ": " << recoverySummary(plan, out.recovery, seconds) << '\n';
    return std::nullopt;
}

std::string recoverySummary(const Plan& plan, const RecoveryResult& result, double seconds)
{
    int refitted = 0, bn = 0, bias = 0;
    for (const auto& l : result.layers) {
        refitted += l.refitted;
        bn += l.batchNorm;
        bias += !l.biasShift.empty();
    }
    std::ostringstream out;
    out.precision(2);
    out << std::fixed << "recovery " << recoveryMethodsText(plan.recovery()) << " on " << result.images
        << " images: " << result.layers.size() << " layers visited, " << refitted << " refitted, " << bn
        << " BN re-estimated, " << bias << " bias-corrected (" << seconds << " s)";
    return out.str();
}

} // namespace topiary::cli
