// topiary-cli sensitivity and fit: per-layer accuracy curves, and a plan fitted to a budget.
#include "app/cli/Args.h"
#include "app/cli/CommandSupport.h"
#include "app/cli/RecoverOptions.h"
#include "app/cli/Commands.h"

#include "core/export/Apply.h"
#include "core/analysis/BudgetFit.h"
#include "core/model/CostModel.h"
#include "core/plan/Recipe.h"
#include "core/analysis/Sensitivity.h"
#include "core/analysis/Stats.h"

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

// Reads --ratios, --bits, --granularity, --criterion, --layers; exit code on error.
std::optional<int> readSweep(const char* command, const Args& args, SensitivityOptions& o)
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
    return std::nullopt;
}

std::string pct(double v)
{
    std::ostringstream s;
    s << std::fixed << std::setprecision(2) << 100.0 * v;
    return s.str();
}

void showProgress(const SensitivityResult&, size_t done, size_t total)
{
    std::fprintf(stderr, "\r  %zu/%zu points   ", done, total);
    std::fflush(stderr);
}

std::optional<int> runSensitivity(const char* command, const Model& model, const EvalInputs& inputs,
    const SensitivityOptions& sweep, SensitivityResult& out)
{
    const Evaluator evaluator(*inputs.dataset, inputs.spec, inputs.options);
    const bool interactive = isatty(STDERR_FILENO) != 0;
    auto result = analyseSensitivity(model, evaluator, sweep, interactive ? SensitivityProgress(showProgress) : SensitivityProgress());
    if (interactive)
        std::fprintf(stderr, "\r%40s\r", "");
    if (!result) {
        std::cerr << "topiary-cli " << command << ": " << result.error().message << '\n';
        return 1;
    }
    out = std::move(*result);
    for (const auto& s : out.skipped)
        std::cerr << "topiary-cli " << command << ": skipped " << s << '\n';
    return std::nullopt;
}

std::set<std::string> with(std::set<std::string> base, std::initializer_list<const char*> more)
{
    for (const char* m : more)
        base.insert(m);
    return base;
}

} // namespace

int sensitivityCommand(const std::vector<std::string>& argv)
{
    auto args = Args::parse(argv, with(kEvalFlags, { "json" }),
        with(kEvalValueOptions, { "ratios", "bits", "granularity", "criterion", "layers", "csv" }));
    if (!args || args->positional().size() != 1) {
        std::cerr << "topiary-cli sensitivity: " << (args ? "expected exactly one MODEL" : args.error().message)
                  << "\nUsage: topiary-cli sensitivity MODEL --data PATH [--ratios R,...] [--bits B,...] [--csv OUT.csv]\n";
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
    if (auto rc = readSweep("sensitivity", *args, sweep))
        return *rc;
    SensitivityResult result;
    if (auto rc = runSensitivity("sensitivity", *model, inputs, sweep, result))
        return *rc;
    const std::string csv = sensitivityCsv(result);
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
        for (const auto& p : result.points)
            points.push_back({ { "layer", p.layer }, { "kind", p.kind == SweepKind::Prune ? "prune" : "bits" },
                { "value", p.value }, { "energy_removed", p.energyRemoved }, { "top1", p.metrics.top1().value },
                { "correct", p.metrics.top1Correct }, { "agreement", p.metrics.agreement().value } });
        j["skipped"] = result.skipped;
        std::cout << j.dump(2) << '\n';
        return 0;
    }
    std::cout << "baseline top-1 " << pct(result.baseline.top1().value) << " % on " << result.baseline.processed
              << " images\n"
              << "layer                          kind   value  energy%   top-1%   (95% CI)          agree%\n";
    for (const auto& p : result.points) {
        const Estimate t = p.metrics.top1();
        std::ostringstream line;
        line << std::left << std::setw(31) << p.layer << std::setw(7) << (p.kind == SweepKind::Prune ? "prune" : "bits")
             << std::right << std::setw(5) << p.value << std::setw(9) << pct(p.energyRemoved) << std::setw(9)
             << pct(t.value) << "   (" << pct(t.low) << "-" << pct(t.high) << ")" << std::setw(10)
             << pct(p.metrics.agreement().value);
        std::cout << line.str() << '\n';
    }
    return 0;
}

int fitCommand(const std::vector<std::string>& argv)
{
    std::vector<std::string> fixed = argv;
    for (auto& a : fixed)
        if (a == "-o")
            a = "--output";
    auto args = Args::parse(fixed, with(kEvalFlags, { "json" }),
        with(kEvalValueOptions,
            { "ratios", "granularity", "criterion", "layers", "target-macs", "target-params", "target-size", "output",
                "recover", "calib", "calib-data" }));
    const char* usage = "Usage: topiary-cli fit MODEL --data PATH (--target-macs F | --target-params F | --target-size F) -o PLAN.json\n"
                        "                       [--recover bn,bias,lsq [--calib N] [--calib-data PATH]]\n";
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
    auto model = Model::load(args->positional()[0]);
    if (!model) {
        std::cerr << "topiary-cli fit: " << model.error().message << '\n';
        return 1;
    }
    EvalInputs inputs;
    if (auto rc = readEvalInputs("fit", *model, *args, inputs))
        return *rc;
    SensitivityOptions sweep;
    if (target.metric == BudgetMetric::Macs)
        sweep.granularity = PruneGranularity::Filter; // dense MACs only fall when channels go
    if (auto rc = readSweep("fit", *args, sweep))
        return *rc;
    SensitivityResult sensitivity;
    if (auto rc = runSensitivity("fit", *model, inputs, sweep, sensitivity))
        return *rc;
    const CostModel cost(*model);
    const auto groups = findDependencyGroups(*model, cost.layers());
    const StatsModel stats(*model, cost, groups);
    auto fit = fitBudget(*model, stats, sensitivity, sweep, target);
    if (!fit) {
        std::cerr << "topiary-cli fit: " << fit.error().message << '\n';
        return 1;
    }
    // Verify: evaluate the fitted plan (recovered, when asked).
    if (auto rc = readRecoverOptions("fit", *args, fit->plan))
        return *rc;
    RecoveredModel recovered;
    if (auto rc = applyWithRecovery("fit", *model, fit->plan, *args, {}, nullptr, recovered))
        return *rc;
    const AppliedModel* applied = &recovered.applied;
    auto verified = Evaluator(*inputs.dataset, inputs.spec, inputs.options).run(applied->proto);
    if (!verified) {
        std::cerr << "topiary-cli fit: " << verified.error().message << '\n';
        return 1;
    }
    const std::string recipe = writeRecipe(Recipe { fit->plan, model->path().filename().string(), {}, inputs.spec });
    {
        std::ofstream f(*args->value("output"));
        if (!(f << recipe)) {
            std::cerr << "topiary-cli fit: cannot write " << *args->value("output") << '\n';
            return 1;
        }
    }
    const double baseline = sensitivity.baseline.top1().value;
    const double measured = verified->metrics.top1().value;
    if (args->has("json")) {
        nlohmann::json j { { "target", budgetMetricName(target.metric) }, { "fraction", target.fraction },
            { "achieved", fit->achieved }, { "met", fit->met }, { "allowed_loss", fit->allowedLoss },
            { "predicted_loss", fit->predictedLoss }, { "baseline_top1", baseline }, { "top1", measured },
            { "layers", fit->plan.layers().size() }, { "output", *args->value("output") } };
        std::cout << j.dump(2) << '\n';
        return fit->met ? 0 : 1;
    }
    std::cout << "target " << budgetMetricName(target.metric) << " <= " << pct(target.fraction) << " % of the original: "
              << (fit->met ? "met" : "NOT met (the largest measured ratios are not enough)") << ", achieved "
              << pct(fit->achieved) << " %\n"
              << "per-layer loss allowed " << pct(fit->allowedLoss) << " points; " << fit->plan.layers().size()
              << " layers pruned\n"
              << "top-1 " << pct(baseline) << " % -> " << pct(measured) << " % ("
              << (fit->plan.recovery().any() ? "recovered, " : "") << "measured on "
              << verified->metrics.processed << " images)\n"
              << "wrote " << *args->value("output") << '\n';
    return fit->met ? 0 : 1;
}

} // namespace topiary::cli
