// topiary-cli sensitivity and fit: per-layer accuracy curves, and a plan fitted to a budget.
#include "app/cli/ActivationOptions.h"
#include "app/cli/Args.h"
#include "app/cli/CommandSupport.h"
#include "app/cli/Commands.h"
#include "app/cli/RecoverOptions.h"

#include "core/export/Apply.h"
#include "core/analysis/BudgetFit.h"
#include "core/base/Format.h"
#include "core/analysis/ActivationSensitivity.h"
#include "core/analysis/ChanceLevel.h"
#include "core/analysis/MeasuredFit.h"
#include "core/analysis/RecoveredSweep.h"
#include "core/model/CostModel.h"
#include "core/plan/Recipe.h"
#include "core/analysis/Sensitivity.h"
#include "core/analysis/Stats.h"
#include "core/eval/PlanEvaluation.h"
#include "core/model/DependencyGroups.h"
#include "core/model/Layer.h"

#include <algorithm>
#include <cstdio>
#include <fstream>
#include <iomanip>
#include <iostream>
#include <sstream>
#include <unistd.h>

namespace topiary::cli {

namespace {

std::optional<std::vector<double>> parseList(const std::string& text)
{
    std::vector<double> out;
    std::stringstream ss(text);
    std::string item;
    while (std::getline(ss, item, ',')) {
        try {
            size_t used = 0;
            out.push_back(std::stod(item, &used));
            if (used != item.size())
                return std::nullopt;
        } catch (const std::exception&) {
            return std::nullopt;
        }
    }
    if (out.empty())
        return std::nullopt;
    return out;
}

std::vector<std::string> splitNames(const std::string& text)
{
    std::vector<std::string> out;
    std::stringstream ss(text);
    std::string item;
    while (std::getline(ss, item, ','))
        if (!item.empty())
            out.push_back(item);
    return out;
}

// Reads --ratios, --bits, --granularity, --criterion, --layers and the mode (--exact,
// --sequential, --tolerance); exit code on error.
std::optional<int> readSweep(const char* command, const Args& args, SensitivityOptions& o, bool sequentialByDefault)
{
    auto usage = [&](const std::string& m) {
        std::cerr << "topiary-cli " << command << ": " << m << '\n';
        return 2;
    };
    if (auto r = args.value("ratios")) {
        auto v = parseList(*r);
        if (!v)
            return usage("--ratios: expected numbers separated by commas, got '" + *r + "'");
        o.ratios = *v;
    }
    if (auto b = args.value("bits")) {
        auto v = parseList(*b);
        if (!v)
            return usage("--bits: expected integers separated by commas, got '" + *b + "'");
        o.bits.clear();
        for (double x : *v)
            o.bits.push_back(static_cast<int>(x));
    }
    if (auto g = args.value("granularity")) {
        if (*g == "element")
            o.granularity = PruneGranularity::Element;
        else if (*g == "filter")
            o.granularity = PruneGranularity::Filter;
        else if (*g == "none")
            o.granularity = PruneGranularity::None;
        else
            return usage("--granularity: element, filter or none, not '" + *g + "'");
    }
    if (auto c = args.value("criterion")) {
        bool found = false;
        for (Criterion k : { Criterion::L1, Criterion::L2, Criterion::Fpgm, Criterion::BnScale, Criterion::Random })
            if (*c == criterionName(k)) {
                o.criterion = k;
                found = true;
            }
        if (!found)
            return usage("--criterion: l1, l2, fpgm, bn_scale or random, not '" + *c + "'");
    }
    if (auto l = args.value("layers"))
        o.layers = splitNames(*l);
    // Sequential stopping: the default of 'sensitivity' (sequentialByDefault), opt-in for fit.
    // Its rule needs a shuffled order, so --in-order means exact.
    if (args.has("exact") && (args.has("sequential") || args.value("tolerance")))
        return usage("--exact evaluates every point on every image: it takes no --sequential or --tolerance");
    o.sequential.enabled = (sequentialByDefault || args.has("sequential")) && !args.has("exact");
    if (auto t = args.value("tolerance")) {
        auto v = parseList(*t);
        if (!v || v->size() != 1 || !((*v)[0] > 0 && (*v)[0] < 100))
            return usage("--tolerance: top-1 points in (0, 100), not '" + *t + "'");
        o.sequential.tolerance = (*v)[0] / 100.0;
        o.sequential.enabled = true;
    }
    if (o.sequential.enabled && args.has("in-order")) {
        if (!sequentialByDefault || args.has("sequential") || args.value("tolerance"))
            return usage("sequential stopping needs the shuffled order: drop --in-order, or --sequential/--tolerance");
        o.sequential.enabled = false;
    }
    return std::nullopt;
}

std::string pct(double v)
{
    return text::fixed(100.0 * v, 2);
}

void showProgress(const SensitivityResult&, size_t done, size_t total)
{
    std::fprintf(stderr, "\r  %zu/%zu points   ", done, total);
    std::fflush(stderr);
}

std::optional<int> runSensitivity(const char* command, PlanEvaluation& evaluation, const EvalInputs& inputs,
    const SensitivityOptions& sweep, SensitivityResult& out)
{
    const bool interactive = isatty(STDERR_FILENO) != 0;
    auto result = analyseSensitivity(evaluation, sweep, interactive ? SensitivityProgress(showProgress) : SensitivityProgress());
    if (interactive)
        std::fprintf(stderr, "\r%40s\r", "");
    if (!result) {
        std::cerr << "topiary-cli " << command << ": " << result.error().message << '\n';
        return 1;
    }
    out = std::move(*result);
    for (const auto& s : out.skipped)
        std::cerr << "topiary-cli " << command << ": skipped " << s << '\n';
    warnIfOriginalNearChance(command, out.baseline, inputs);
    return std::nullopt;
}

// --act-bits 8[:symmetric]: the activation sweep's spec; exit code on error.
std::optional<int> readActivationBits(const Args& args, std::optional<ActivationSpec>& out)
{
    auto v = args.value("act-bits");
    if (!v)
        return std::nullopt;
    if (*v != "8" && *v != "8:symmetric") {
        std::cerr << "topiary-cli sensitivity: --act-bits: 8 or 8:symmetric, not '" << *v << "'\n";
        return 2;
    }
    out = ActivationSpec { 8, *v == "8:symmetric" };
    return std::nullopt;
}

// The activation-bits sweep: one calibration of every swept layer's input, then one point
// per layer with only that input 8-bit.
std::optional<int> runActivationSweep(const Model& model, PlanEvaluation& evaluation, const Args& args,
    const SensitivityOptions& sweep, const ActivationSpec& act, ActivationSensitivityResult& out)
{
    auto plan = activationSweepPlan(evaluation.layers(), sweep.layers, act);
    if (!plan) {
        std::cerr << "topiary-cli sensitivity: " << plan.error().message << '\n';
        return 2;
    }
    if (auto rc = readRecoverOptions("sensitivity", args, *plan))
        return rc;
    RecoveryResult recovery;
    if (auto rc = calibratePlan("sensitivity", model, *plan, args, nullptr, recovery))
        return rc;
    const bool interactive = isatty(STDERR_FILENO) != 0;
    auto result = analyseActivationSensitivity(evaluation, *plan,
        interactive ? ActivationSensitivityProgress([](const ActivationSensitivityResult&, size_t done, size_t total) {
            std::fprintf(stderr, "\r  activations: %zu/%zu layers   ", done, total);
            std::fflush(stderr);
        })
                    : ActivationSensitivityProgress());
    if (interactive)
        std::fprintf(stderr, "\r%40s\r", "");
    if (!result) {
        std::cerr << "topiary-cli sensitivity: " << result.error().message << '\n';
        return 1;
    }
    out = std::move(*result);
    return std::nullopt;
}

std::set<std::string> with(std::set<std::string> base, std::initializer_list<const char*> more)
{
    for (const char* m : more)
        base.insert(m);
    return base;
}

// --recover on a sweep: each prune point measured again after recovery of its single-layer
// plan (RecoveredSweep), calibration images from --calib-data (default --data).
std::optional<int> runRecoveredSweep(const char* command, const Model& model, const Args& args,
    const EvalInputs& inputs, const SensitivityOptions& sweep, const SensitivityResult& result, RecoveredSweep& out)
{
    Plan recovering; // only its recovery: the flags' methods, images and source
    if (auto rc = readRecoverOptions(command, args, recovering))
        return rc;
    if (!recovering.recovery().any()) {
        std::cerr << "topiary-cli " << command << ": a recovered sweep needs --recover bn,bias,lsq (or some of them)\n";
        return 2;
    }
    RecoveredSweepOptions options;
    if (auto rc = readRecoveryTuning(command, args, options.recoveryOptions))
        return rc;
    CalibrationImages calibration;
    if (auto rc = loadCalibration(command, model, recovering, args, calibration))
        return rc;
    options.recovery = recovering.recovery();
    options.calibration = &calibration;
    const bool interactive = isatty(STDERR_FILENO) != 0;
    const Evaluator evaluator(*inputs.dataset, inputs.spec, inputs.options);
    auto recovered = recoverSweep(model, result, sweep, evaluator, options,
        interactive ? RecoveredSweepProgress([](size_t done, size_t total) {
            std::fprintf(stderr, "\r  recovered points: %zu/%zu   ", done, total);
            std::fflush(stderr);
        })
                    : RecoveredSweepProgress());
    if (interactive)
        std::fprintf(stderr, "\r%40s\r", "");
    if (!recovered) {
        std::cerr << "topiary-cli " << command << ": " << recovered.error().message << '\n';
        return 1;
    }
    out = std::move(*recovered);
    return std::nullopt;
}

} // namespace

int sensitivityCommand(const std::vector<std::string>& argv)
{
    auto args = Args::parse(argv, with(kEvalFlags, { "json", "sequential", "exact" }),
        with(kEvalValueOptions,
            { "ratios", "bits", "granularity", "criterion", "layers", "csv", "tolerance", "act-bits", "calib",
                "calib-data", "calib-method", "calib-percentile", "recover", "calib-positions", "ridge" }));
    if (!args || args->positional().size() != 1) {
        std::cerr << "topiary-cli sensitivity: " << (args ? "expected exactly one MODEL" : args.error().message)
                  << "\nUsage: topiary-cli sensitivity MODEL --data PATH [--ratios R,...] [--bits B,...] [--csv OUT.csv]\n"
                     "                              [--exact | --tolerance POINTS]\n"
                     "                              [--act-bits 8[:symmetric] [--calib N] [--calib-method M]]\n"
                     "                              [--recover bn,bias,lsq [--calib N] [--calib-data PATH]]\n";
        return 2;
    }
    auto model = Model::load(args->positional()[0]);
    if (!model) {
        std::cerr << "topiary-cli sensitivity: " << model.error().message << '\n';
        return 1;
    }
    EvalInputs inputs;
    if (auto rc = readEvalInputs("sensitivity", *model, *args, inputs))
        return *rc;
    SensitivityOptions sweep;
    if (auto rc = readSweep("sensitivity", *args, sweep, true))
        return *rc;
    SensitivityResult result;
    auto layers = findLayers(*model);
    auto groups = findDependencyGroups(*model, layers);
    PlanEvaluation evaluation(*model, std::move(layers), std::move(groups),
        Evaluator(*inputs.dataset, inputs.spec, inputs.options), sweepEvaluationOptions(sweep));
    std::optional<ActivationSpec> act;
    if (auto rc = readActivationBits(*args, act))
        return *rc;
    const bool recoverSweepToo = args->value("recover").has_value();
    if (!act && !recoverSweepToo
        && (args->value("calib") || args->value("calib-data") || args->value("calib-method")
            || args->value("calib-percentile"))) {
        std::cerr << "topiary-cli sensitivity: the --calib options need --act-bits 8 or --recover (what to calibrate)\n";
        return 2;
    }
    if (auto rc = runSensitivity("sensitivity", evaluation, inputs, sweep, result))
        return *rc;
    std::optional<RecoveredSweep> recovered;
    if (recoverSweepToo) {
        recovered.emplace();
        if (auto rc = runRecoveredSweep("sensitivity", *model, *args, inputs, sweep, result, *recovered))
            return *rc;
    }
    ActivationSensitivityResult activations;
    if (act)
        if (auto rc = runActivationSweep(*model, evaluation, *args, sweep, *act, activations))
            return *rc;
    const std::string csv
        = (recovered ? recoveredSweepCsv(*recovered) : sensitivityCsv(result)) + activationSensitivityCsvRows(activations);
    if (auto path = args->value("csv")) {
        std::ofstream f(*path);
        if (!(f << csv)) {
            std::cerr << "topiary-cli sensitivity: cannot write " << *path << '\n';
            return 1;
        }
    }
    if (args->has("json")) {
        nlohmann::json j;
        j["baseline_top1"] = result.baseline.top1().value;
        j["images"] = result.baseline.processed;
        auto& points = j["points"] = nlohmann::json::array();
        for (size_t i = 0; i < result.points.size(); ++i) {
            const auto& p = result.points[i];
            points.push_back({ { "layer", p.layer }, { "kind", p.kind == SweepKind::Prune ? "prune" : "bits" },
                { "value", p.value }, { "energy_removed", p.energyRemoved }, { "top1", p.metrics.top1().value },
                { "correct", p.metrics.top1Correct }, { "agreement", p.metrics.agreement().value },
                { "members", p.members }, { "images", p.metrics.processed }, { "stopped_early", p.stoppedEarly } });
            if (recovered) { // top1 etc. above stay the sweep's own (unrecovered) numbers
                const auto& r = recovered->recovered.points[i];
                points.back()["top1_recovered"] = r.metrics.top1().value;
                points.back()["correct_recovered"] = r.metrics.top1Correct;
                points.back()["images_recovered"] = r.metrics.processed;
                points.back()["recovered"] = static_cast<bool>(recovered->repaired[i]);
            }
        }
        if (recovered)
            j["recover"] = *args->value("recover"); // top1_recovered: after recovery, every image
        j["skipped"] = result.skipped;
        if (act) {
            auto& rows = j["activation_points"] = nlohmann::json::array();
            for (const auto& p : activations.points)
                rows.push_back({ { "layer", p.layer }, { "act_bits", p.act.bits }, { "symmetric", p.act.symmetric },
                    { "top1", p.metrics.top1().value }, { "correct", p.metrics.top1Correct },
                    { "agreement", p.metrics.agreement().value }, { "images", p.metrics.processed } });
        }
        j["mode"] = sweep.sequential.enabled ? "sequential" : "exact";
        if (sweep.sequential.enabled)
            j["tolerance"] = sweep.sequential.tolerance;
        std::cout << j.dump(2) << '\n';
        return 0;
    }
    std::cout << "baseline top-1 " << pct(result.baseline.top1().value) << " % on " << result.baseline.processed
              << " images\n";
    // A filter row cuts its whole dependency group: say which layers, once per group.
    std::string lastGroup;
    for (const auto& p : result.points) {
        if (p.members.size() < 2 || p.layer == lastGroup)
            continue;
        lastGroup = p.layer;
        std::cout << p.layer << " prunes its dependency group (coupled channels):";
        for (const auto& m : p.members)
            std::cout << ' ' << m;
        std::cout << '\n';
    }
    std::cout << "layer                          kind   value  energy%   top-1%   (95% CI)          agree%"
              << (sweep.sequential.enabled ? "  images" : "") << (recovered ? "  recovered%" : "") << '\n';
    for (size_t i = 0; i < result.points.size(); ++i) {
        const auto& p = result.points[i];
        const Estimate t = p.metrics.top1();
        std::ostringstream line;
        line << std::left << std::setw(31) << p.layer << std::setw(7) << (p.kind == SweepKind::Prune ? "prune" : "bits")
             << std::right << std::setw(5) << p.value << std::setw(9) << pct(p.energyRemoved) << std::setw(9)
             << pct(t.value) << "   (" << pct(t.low) << "-" << pct(t.high) << ")" << std::setw(10)
             << pct(p.metrics.agreement().value);
        if (sweep.sequential.enabled) // points the rule stopped ran on fewer images
            line << std::setw(8) << p.metrics.processed;
        if (recovered)
            line << std::setw(12)
                 << (recovered->repaired[i] ? pct(recovered->recovered.points[i].metrics.top1().value) : std::string("-"));
        std::cout << line.str() << '\n';
    }
    if (recovered)
        std::cout << "recovered%: top-1 after recovery (" << *args->value("recover")
                  << ") of that single-layer plan, on every image\n";
    // Activation rows: the layer's input activations 8-bit, everything else float.
    for (const auto& p : activations.points) {
        const Estimate t = p.metrics.top1();
        std::ostringstream line;
        line << std::left << std::setw(31) << p.layer << std::setw(7) << "act" << std::right << std::setw(5)
             << p.act.bits << std::setw(9) << "-" << std::setw(9) << pct(t.value) << "   (" << pct(t.low) << "-"
             << pct(t.high) << ")" << std::setw(10) << pct(p.metrics.agreement().value);
        if (sweep.sequential.enabled)
            line << std::setw(8) << p.metrics.processed;
        std::cout << line.str() << '\n';
    }
    if (sweep.sequential.enabled) {
        const auto stopped = std::count_if(result.points.begin(), result.points.end(), [](const auto& p) { return p.stoppedEarly; });
        std::cout << "sequential stopping (tolerance " << text::fixed(100.0 * sweep.sequential.tolerance, 2)
                  << " points, " << text::fixed(100.0 * sweep.sequential.confidence, 0) << " % per point): " << stopped
                  << " of " << result.points.size()
                  << " points stopped early, their top-1 paired with the baseline's; --exact runs every image\n";
    }
    return 0;
}

namespace {

const char* stepName(FitAttempt::Step step)
{
    switch (step) {
    case FitAttempt::Step::Proposal:
        return "proposal";
    case FitAttempt::Step::BackOff:
        return "back-off";
    case FitAttempt::Step::Move:
        return "move";
    }
    return "";
}

} // namespace

int fitCommand(const std::vector<std::string>& argv)
{
    std::vector<std::string> fixed = argv;
    for (auto& a : fixed)
        if (a == "-o")
            a = "--output";
    auto values = with(kEvalValueOptions,
        { "ratios", "granularity", "criterion", "layers", "target-macs", "target-params", "target-size", "output",
            "max-loss", "rounds", "tolerance" });
    values.insert(kRecoverValueOptions.begin(), kRecoverValueOptions.end());
    auto args = Args::parse(fixed, with(kEvalFlags, { "json", "sequential", "recovered-sweep" }), values);
    const char* usage = "Usage: topiary-cli fit MODEL --data PATH (--target-macs F | --target-params F | --target-size F) -o PLAN.json [--max-loss POINTS] [--recover bn,bias,lsq [--recovered-sweep]]\n";
    if (!args || args->positional().size() != 1 || !args->value("output")) {
        std::cerr << "topiary-cli fit: " << (args ? "expected MODEL and -o PLAN.json" : args.error().message) << '\n'
                  << usage;
        return 2;
    }
    BudgetTarget target;
    int targets = 0;
    for (auto [name, metric] : { std::pair { "target-macs", BudgetMetric::Macs }, std::pair { "target-params", BudgetMetric::Params },
             std::pair { "target-size", BudgetMetric::Size } })
        if (auto v = args->value(name)) {
            ++targets;
            target.metric = metric;
            try {
                target.fraction = std::stod(*v);
            } catch (const std::exception&) {
                target.fraction = -1;
            }
            if (!(target.fraction > 0 && target.fraction <= 1)) {
                std::cerr << "topiary-cli fit: --" << name << ": a fraction of the original in (0, 1], not '" << *v << "'\n";
                return 2;
            }
        }
    if (targets != 1) {
        std::cerr << "topiary-cli fit: give exactly one of --target-macs, --target-params, --target-size\n" << usage;
        return 2;
    }
    MeasuredFitOptions measured;
    if (auto v = args->value("max-loss")) {
        auto points = parseList(*v);
        if (!points || points->size() != 1 || !((*points)[0] >= 0 && (*points)[0] <= 100)) {
            std::cerr << "topiary-cli fit: --max-loss: top-1 points from 0 to 100, not '" << *v << "'\n";
            return 2;
        }
        measured.maxLoss = (*points)[0] / 100.0;
    }
    if (auto v = args->value("rounds")) {
        auto n = parseList(*v);
        if (!n || n->size() != 1 || (*n)[0] < 0 || (*n)[0] > 50 || (*n)[0] != static_cast<int>((*n)[0])) {
            std::cerr << "topiary-cli fit: --rounds: an integer from 0 to 50, not '" << *v << "'\n";
            return 2;
        }
        measured.rounds = static_cast<int>((*n)[0]);
    }
    Plan recovering; // only its recovery: the flags' methods, images and source
    if (auto rc = readRecoverOptions("fit", *args, recovering))
        return *rc;
    auto model = Model::load(args->positional()[0]);
    if (!model) {
        std::cerr << "topiary-cli fit: " << model.error().message << '\n';
        return 1;
    }
    EvalInputs inputs;
    if (auto rc = readEvalInputs("fit", *model, *args, inputs))
        return *rc;
    CalibrationImages calibration;
    if (recovering.recovery().any()) {
        if (auto rc = loadCalibration("fit", *model, recovering, *args, calibration))
            return *rc;
        measured.recovery = recovering.recovery();
        measured.calibration = &calibration;
        // --calib-positions and --ridge: the plans measured refit as the recovered sweep does.
        if (auto rc = readRecoveryTuning("fit", *args, measured.recoveryOptions))
            return *rc;
    }
    SensitivityOptions sweep;
    if (target.metric == BudgetMetric::Macs)
        sweep.granularity = PruneGranularity::Filter; // dense MACs only fall when channels go
    if (auto rc = readSweep("fit", *args, sweep, false))
        return *rc;
    const CostModel cost(*model);
    const auto groups = findDependencyGroups(*model, cost.layers());
    // One evaluation for the sweep and the check of the fitted plan: the original runs once.
    PlanEvaluation evaluation(*model, cost.layers(), groups, Evaluator(*inputs.dataset, inputs.spec, inputs.options),
        sweepEvaluationOptions(sweep));
    SensitivityResult sensitivity;
    if (auto rc = runSensitivity("fit", evaluation, inputs, sweep, sensitivity))
        return *rc;
    // --recovered-sweep: the greedy proposal and the adjustments read each point after recovery.
    if (args->has("recovered-sweep")) {
        if (!recovering.recovery().any()) {
            std::cerr << "topiary-cli fit: --recovered-sweep needs --recover bn,bias,lsq (or some of them)\n";
            return 2;
        }
        RecoveredSweep recovered;
        if (auto rc = runRecoveredSweep("fit", *model, *args, inputs, sweep, sensitivity, recovered))
            return *rc;
        sensitivity = std::move(recovered.recovered);
    }
    const StatsModel stats(*model, cost, groups);
    const Evaluator evaluator(*inputs.dataset, inputs.spec, inputs.options);
    const bool interactive = isatty(STDERR_FILENO) != 0;
    auto fit = fitAndMeasure(*model, stats, sensitivity, sweep, target, evaluator, measured,
        interactive ? FitProgress([](const FitAttempt& a, int round, int rounds) {
            std::fprintf(stderr, "\r  measuring plans: %d of at most %d, last lost %.2f points   ", round + 1,
                rounds + 1, 100.0 * a.measuredLoss);
            std::fflush(stderr);
        })
                    : FitProgress());
    if (interactive)
        std::fprintf(stderr, "\r%60s\r", "");
    if (!fit) {
        std::cerr << "topiary-cli fit: " << fit.error().message << '\n';
        return 1;
    }
    const FitAttempt& best = fit->best();
    const std::string recipe = writeRecipe(Recipe { best.plan, model->path().filename().string(), {}, inputs.spec });
    {
        std::ofstream f(*args->value("output"));
        if (!(f << recipe)) {
            std::cerr << "topiary-cli fit: cannot write " << *args->value("output") << '\n';
            return 1;
        }
    }
    const double baseline = sensitivity.baseline.top1().value;
    const std::string chance = nearChanceText(best.metrics);
    const int rc = fit->succeeded() ? 0 : 1;
    if (!chance.empty() && !measured.maxLoss)
        std::cerr << "topiary-cli fit: warning: the fitted plan's " << chance
                  << ": it keeps little of what the model knew; give --max-loss POINTS to bound the loss\n";
    if (args->has("json")) {
        nlohmann::json attempts = nlohmann::json::array();
        for (const auto& a : fit->attempts)
            attempts.push_back({ { "achieved", a.achieved }, { "met", a.met }, { "predicted_loss", a.predictedLoss },
                { "measured_loss", a.measuredLoss }, { "top1", a.metrics.top1().value },
                { "unrecovered_loss", a.unrecoveredLoss ? nlohmann::json(*a.unrecoveredLoss) : nlohmann::json() },
                { "step", stepName(a.step) }, { "layers", a.plan.layers().size() } });
        nlohmann::json j { { "target", budgetMetricName(target.metric) }, { "fraction", target.fraction },
            { "achieved", best.achieved }, { "met", best.met }, { "allowed_loss", fit->proposal.allowedLoss },
            { "predicted_loss", best.predictedLoss }, { "measured_loss", best.measuredLoss },
            { "unrecovered_loss", best.unrecoveredLoss ? nlohmann::json(*best.unrecoveredLoss) : nlohmann::json() },
            { "recovery", fit->recovered ? recoveryToJson(measured.recovery) : nlohmann::json() },
            { "max_loss", measured.maxLoss ? nlohmann::json(*measured.maxLoss) : nlohmann::json() },
            { "within_loss", fit->withinLoss }, { "recovered_sweep", args->has("recovered-sweep") }, { "near_chance", !chance.empty() }, { "baseline_top1", baseline },
            { "top1", best.metrics.top1().value }, { "layers", best.plan.layers().size() },
            { "attempts", attempts }, { "chosen", fit->chosen }, { "output", *args->value("output") } };
        std::cout << j.dump(2) << '\n';
        return rc;
    }
    std::cout << "target " << budgetMetricName(target.metric) << " <= " << pct(target.fraction)
              << " % of the original; baseline top-1 " << pct(baseline) << " % on " << best.metrics.labelled
              << " images\n";
    for (size_t i = 0; i < fit->attempts.size(); ++i) {
        const FitAttempt& a = fit->attempts[i];
        const std::string label = i == 0 ? "greedy plan   "
            : (a.step == FitAttempt::Step::Move ? "cut moved " : "backed off ") + std::to_string(i) + "  ";
        std::cout << label << pct(a.achieved) << " % (" << (a.met ? "meets the target" : "misses the target") << "), "
                  << a.plan.layers().size() << " layers pruned, loss predicted " << pct(a.predictedLoss)
                  << " points, measured "
                  << (a.unrecoveredLoss ? pct(*a.unrecoveredLoss) + " before recovery, " + pct(a.measuredLoss) + " after"
                                        : pct(a.measuredLoss))
                  << " (top-1 " << pct(a.metrics.top1().value) << " %)" << (i == fit->chosen ? "  <- chosen" : "")
                  << '\n';
    }
    if (fit->succeeded())
        std::cout << "met: " << pct(best.achieved) << " % of the original"
                  << (measured.maxLoss ? ", measured loss within " + pct(*measured.maxLoss) + " points" : std::string())
                  << '\n';
    else if (!fit->withinLoss)
        std::cout << "NOT met: no plan tried loses at most " << pct(*measured.maxLoss)
                  << " points; the one that lost least is written\n";
    else if (measured.maxLoss && fit->attempts.front().met)
        std::cout << "NOT met: the target costs more than " << pct(*measured.maxLoss)
                  << " points (measured); the most compressed plan within the loss reaches " << pct(best.achieved)
                  << " % and is written\n";
    else
        std::cout << "NOT met: even the largest measured ratios reach only " << pct(fit->attempts.front().achieved)
                  << " %\n";
    std::cout << "wrote " << *args->value("output") << '\n';
    return rc;
}

} // namespace topiary::cli
