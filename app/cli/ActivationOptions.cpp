#include "app/cli/ActivationOptions.h"

#include "app/cli/RecoverOptions.h"
#include "core/recover/ActivationCalibration.h"

#include <chrono>
#include <cstdio>
#include <iostream>
#include <unistd.h>

namespace topiary::cli {

std::optional<int> calibratePlan(const char* command, const Model& model, Plan& plan, const Args& args,
    const PruneSelection* selection, RecoveryResult& recovery)
{
    auto fail = [&](int rc, const std::string& message) {
        std::cerr << "topiary-cli " << command << ": " << message << '\n';
        return rc;
    };
    const bool asked = args.value("calib-method") || args.value("calib-percentile");
    if (!quantizesActivations(plan)) {
        if (asked)
            return fail(2, "--calib-method and --calib-percentile need --act-bits 8 (what to calibrate)");
        return std::nullopt;
    }
    CalibrationOptions options;
    if (auto m = args.value("calib-method")) {
        auto method = valueIn(kCalibrationMethodNames, *m);
        if (!method)
            return fail(2, "--calib-method: expected minmax, percentile, mse or entropy, got '" + *m + "'");
        options.method = *method;
    }
    if (auto p = args.value("calib-percentile")) {
        try {
            options.percentile = std::stod(*p);
        } catch (const std::exception&) {
            options.percentile = -1.0;
        }
        if (!(options.percentile > 50.0 && options.percentile <= 100.0))
            return fail(2, "--calib-percentile: expected a percentage in (50, 100], got '" + *p + "'");
    }
    if (plan.recovery().any()) {
        RecoveredModel recovered;
        if (auto rc = applyWithRecovery(command, model, withFloatActivations(plan), args, {}, selection, recovered))
            return rc;
        recovery = std::move(recovered.recovery);
    }
    if (!plan.activationRanges().empty() && !asked && !args.value("calib"))
        return std::nullopt; // the recipe's ranges
    const RecoverySpec& spec = plan.recovery();
    const std::string source = !spec.source.empty() ? spec.source : args.value("data").value_or("");
    if (source.empty())
        return fail(2, "8-bit activations need calibration images: give --calib-data PATH (or --data PATH)");
    CalibrationImages images;
    if (auto rc = loadCalibrationFor(command, model, args, source, spec.calibrationImages, spec.seed, images))
        return rc;
    options.values = &recovery.values;
    const bool interactive = isatty(STDERR_FILENO) != 0;
    if (interactive)
        options.progress = [&](int pass, int64_t done) {
            std::fprintf(stderr, "\r  calibrating: pass %d, %lld/%lld images   ", pass + 1, static_cast<long long>(done),
                static_cast<long long>(images.count()));
            std::fflush(stderr);
        };
    const auto start = std::chrono::steady_clock::now();
    auto calibration = calibrateActivations(model, plan, images, options);
    if (interactive)
        std::fprintf(stderr, "\r%50s\r", "");
    if (!calibration)
        return fail(1, calibration.error().withContext("calibration").message);
    plan.setActivationRanges(calibration->ranges);
    const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    std::fprintf(stderr, "topiary-cli %s: calibrated %zu activation ranges (%s) on %lld images (%.1f s)\n", command,
        calibration->ranges.tensors.size(), nameIn(kCalibrationMethodNames, options.method),
        static_cast<long long>(images.count()), seconds);
    return std::nullopt;
}

std::optional<int> applyWithActivations(const char* command, const Model& model, Plan& plan, const Args& args,
    const ApplyOptions& options, const PruneSelection* selection, RecoveredModel& out)
{
    if (!quantizesActivations(plan)) {
        if (auto rc = calibratePlan(command, model, plan, args, selection, out.recovery))
            return rc; // flags given without --act-bits
        return applyWithRecovery(command, model, plan, args, options, selection, out);
    }
    if (auto rc = calibratePlan(command, model, plan, args, selection, out.recovery))
        return rc;
    ApplyOptions o = options;
    o.values = &out.recovery.values;
    auto applied = apply(model, plan, o, selection);
    if (!applied) {
        std::cerr << "topiary-cli " << command << ": " << applied.error().message << '\n';
        return 1;
    }
    out.applied = std::move(*applied);
    return std::nullopt;
}

} // namespace topiary::cli
