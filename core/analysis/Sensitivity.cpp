#include "core/analysis/Sensitivity.h"

#include "core/export/Apply.h"
#include "core/model/DependencyGroups.h"
#include "core/eval/Evaluator.h"
#include "core/eval/PlanEvaluation.h"
#include "core/model/GraphEdit.h"
#include "core/compress/Importance.h"
#include "core/model/Layer.h"
#include "core/model/Model.h"
#include "core/plan/Plan.h"
#include "core/compress/PruneSelection.h"
#include "core/compress/Quantizer.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <sstream>

namespace topiary {

namespace {

double energy(std::span<const float> w)
{
    double e = 0.0;
    for (float v : w)
        e += static_cast<double>(v) * v;
    return e;
}

// Only the point's layer changes; with filter granularity its whole dependency group
// (coupled producers prune the same channels).
Plan pointPlan(const SensitivityPoint& p, const SensitivityOptions& o, const std::vector<Layer>& layers,
    const std::vector<DependencyGroup>& groups)
{
    if (p.kind == SweepKind::Bits)
        return Plan().withQuant(p.layer, QuantSpec { QuantScheme::Uniform, static_cast<int>(p.value), true, true });
    const PruneSpec spec { o.granularity, o.criterion, PruneMode::Ratio, p.value };
    Plan plan = Plan().withPrune(p.layer, spec);
    if (o.granularity != PruneGranularity::Filter)
        return plan;
    auto it = std::find_if(layers.begin(), layers.end(), [&](const Layer& l) { return l.name == p.layer; });
    const int g = it == layers.end() ? -1 : producerGroupOf(groups, static_cast<int>(it - layers.begin()));
    if (g >= 0)
        for (int l : groups[static_cast<size_t>(g)].producers)
            plan.setPrune(layers[static_cast<size_t>(l)].name, spec);
    return plan;
}

// Layer names may hold commas or quotes (ONNX allows any string): quote them as RFC 4180 does.
std::string csvField(const std::string& text)
{
    if (text.find_first_of(",\"\n#") == std::string::npos)
        return text;
    std::string out = "\"";
    for (char c : text)
        out += c == '"' ? std::string("\"\"") : std::string(1, c);
    return out + '"';
}

} // namespace

Result<SensitivityResult> estimateSensitivity(const Model& model, const SensitivityOptions& options)
{
    for (double r : options.ratios)
        if (!(r >= 0.0 && r < 1.0))
            return fail("sensitivity ratios must be in [0, 1); got " + std::to_string(r));
    for (int b : options.bits)
        if (b < 2 || b > 16)
            return fail("sensitivity bit widths must be in 2..16; got " + std::to_string(b));
    const auto layers = findLayers(model);
    const auto groups = findDependencyGroups(model, layers);
    const auto groupOf = producerGroupOfLayers(groups, layers.size());
    SensitivityResult result;
    std::vector<size_t> chosen;
    for (const auto& name : options.layers) {
        auto it = std::find_if(layers.begin(), layers.end(), [&](const Layer& l) { return l.name == name; });
        if (it == layers.end())
            return fail("the model has no layer '" + name + "'");
        chosen.push_back(static_cast<size_t>(it - layers.begin()));
    }
    if (options.layers.empty())
        for (size_t i = 0; i < layers.size(); ++i)
            chosen.push_back(i);

    for (size_t li : chosen) {
        const Layer& layer = layers[li];
        const Constant* w = model.constant(layer.weight);
        if (!w || w->floats.empty()) {
            result.skipped.push_back(layer.name + ": its weight is not a float tensor");
            continue;
        }
        const double total = std::max(energy(w->floats), 1e-30);
        bool prunable = true;
        if (options.granularity == PruneGranularity::Filter) {
            const int g = groupOf[li];
            if (g >= 0 && groups[static_cast<size_t>(g)].producers.front() != static_cast<int>(li)) {
                // One sweep per group: its first producer stands for all of them.
                prunable = false;
            } else if (g < 0 || !groups[static_cast<size_t>(g)].prunable) {
                result.skipped.push_back(layer.name + ": "
                    + (g < 0 ? std::string("its filters are in no dependency group") : groups[static_cast<size_t>(g)].reason));
                prunable = false;
            }
        }
        std::vector<std::string> members { layer.name };
        if (options.granularity == PruneGranularity::Filter && groupOf[li] >= 0) {
            members.clear();
            for (int l : groups[static_cast<size_t>(groupOf[li])].producers)
                members.push_back(layers[static_cast<size_t>(l)].name);
        }
        if (prunable && options.granularity != PruneGranularity::None) {
            for (double r : options.ratios) {
                SensitivityPoint p { layer.name, SweepKind::Prune, r, 0.0, false, false, SequentialReading::Undecided, {},
                    members };
                if (options.granularity == PruneGranularity::Element) {
                    auto mask = elementMask(w->floats, r);
                    if (!mask)
                        return std::unexpected(mask.error().withContext(layer.name));
                    double removed = 0.0;
                    for (size_t i = 0; i < mask->size(); ++i)
                        if (!(*mask)[i])
                            removed += static_cast<double>(w->floats[i]) * w->floats[i];
                    p.energyRemoved = removed / total;
                } else {
                    const Plan plan = pointPlan(p, options, layers, groups);
                    auto selection = selectPruned(model, layers, groups, plan, weightScorer(model, layers));
                    if (!selection)
                        return std::unexpected(selection.error());
                    auto matrix = filterMatrix(model, layer);
                    if (!matrix)
                        return std::unexpected(matrix.error());
                    double removed = 0.0;
                    for (int64_t f : selection->prunedFilters(groups, static_cast<int>(li)))
                        removed += energy(matrix->row(f));
                    p.energyRemoved = removed / total;
                }
                result.points.push_back(std::move(p));
            }
        }
        for (int b : options.bits) {
            SensitivityPoint p { layer.name, SweepKind::Bits, static_cast<double>(b), 0.0, false, false,
                SequentialReading::Undecided, {}, { layer.name } };
            auto q = quantize(model, layer, QuantSpec { QuantScheme::Uniform, b, true, true });
            if (!q)
                return std::unexpected(q.error().withContext(layer.name));
            p.energyRemoved = q->mse * static_cast<double>(w->floats.size()) / total;
            result.points.push_back(std::move(p));
        }
    }
    return result;
}

namespace {

double logChoose(int64_t n, int64_t r)
{
    return std::lgamma(static_cast<double>(n) + 1) - std::lgamma(static_cast<double>(r) + 1)
        - std::lgamma(static_cast<double>(n - r) + 1);
}

// P(X <= x) for X the number of marked items among k drawn without replacement from N of
// which D are marked.
double hypergeometricAtMost(int64_t x, int64_t N, int64_t D, int64_t k)
{
    const int64_t lo = std::max<int64_t>(0, k - (N - D));
    const int64_t hi = std::min(std::min(x, k), D);
    if (hi < lo)
        return 0.0;
    const double all = logChoose(N, k);
    double p = 0.0;
    for (int64_t i = lo; i <= hi; ++i)
        p += std::exp(logChoose(D, i) + logChoose(N - D, k - i) - all);
    return std::min(p, 1.0);
}

// z with P(Z > z) = tail for a standard normal Z (bisection on erfc; 0 < tail < 0.5).
double normalQuantileAbove(double tail)
{
    double lo = 0.0, hi = 40.0;
    for (int i = 0; i < 200; ++i) {
        const double mid = (lo + hi) / 2;
        (0.5 * std::erfc(mid / std::sqrt(2.0)) > tail ? lo : hi) = mid;
    }
    return (lo + hi) / 2;
}

} // namespace

int64_t sequentialLooks(const SequentialStop& rule, int64_t total, int batch)
{
    // Batch ends k with minImages <= k < total; the last batch is the exact result anyway.
    const int64_t b = std::max(batch, 1);
    if (total <= rule.minImages)
        return 1;
    return std::max<int64_t>(1, (total - 1 - rule.minImages) / b + 1);
}

SequentialReading sequentialReading(const SequentialStop& rule, const EvaluationMetrics& point, int64_t baselineCorrect)
{
    // Every image so far labelled and compared with the baseline, so k images give both the
    // paired loss and the changed rate.
    if (!rule.enabled || point.processed < rule.minImages || point.labelled != point.processed
        || point.compared != point.processed || point.processed >= point.total)
        return SequentialReading::Undecided;
    const int64_t N = point.total;
    const int64_t k = point.labelled;
    const double alpha = (1.0 - rule.confidence) / static_cast<double>(sequentialLooks(rule, N, point.batchSize));
    // Below: reject "D >= tolerance x N changed images" exactly; P(X <= x) falls with D.
    const int64_t changed = point.compared - point.agreed;
    const auto atTolerance = static_cast<int64_t>(std::ceil(rule.tolerance * static_cast<double>(N) - 1e-9));
    if (static_cast<double>(changed) < rule.tolerance * static_cast<double>(k)
        && hypergeometricAtMost(changed, N, atTolerance, k) < alpha)
        return SequentialReading::BelowTolerance;
    // Above: each image contributes -1, 0 or 1 to the loss (only where the top-1 changed).
    const auto kd = static_cast<double>(k);
    const double q = static_cast<double>(changed) / kd;
    const double loss = static_cast<double>(baselineCorrect - point.top1Correct) / kd;
    const double variance = std::max(q - loss * loss, 0.0) * kd / std::max(kd - 1, 1.0);
    const double finite = static_cast<double>(N - k) / static_cast<double>(N - 1);
    const double z = normalQuantileAbove(alpha);
    return loss - z * std::sqrt(variance / kd * finite) > rule.tolerance ? SequentialReading::AboveTolerance
                                                                          : SequentialReading::Undecided;
}

int64_t pairedTop1Correct(const EvaluationMetrics& point, int64_t baselineCorrectOnItsImages,
    const EvaluationMetrics& baseline, SequentialReading reading)
{
    const auto k = static_cast<double>(point.labelled);
    if (point.labelled == 0 || baseline.labelled == 0)
        return point.top1Correct;
    // k x (baseline's top-1 on all images) - (the loss on these k images, as a count).
    const double base = k * static_cast<double>(baseline.top1Correct) / static_cast<double>(baseline.labelled);
    const double paired = base - static_cast<double>(baselineCorrectOnItsImages - point.top1Correct);
    // Rounded toward the reading: above, the loss only grows; below, it only shrinks.
    double rounded = std::floor(paired);
    if (reading == SequentialReading::BelowTolerance)
        rounded = paired < base ? std::ceil(paired) : std::floor(paired);
    return std::clamp(static_cast<int64_t>(rounded), int64_t { 0 }, point.labelled);
}

namespace {

// A point whose applied model equals the original (ratio 0, a width that changes nothing):
// a run would reproduce the original's outputs, so it takes the baseline's numbers.
bool sameAsOriginal(const Model& model, const onnx::ModelProto& applied)
{
    const auto& a = applied.graph();
    const auto& o = model.proto().graph();
    if (a.node_size() != o.node_size() || a.initializer_size() != o.initializer_size())
        return false;
    for (const auto& t : a.initializer()) {
        const Constant* c = model.constant(t.name());
        if (!c)
            return false;
        if (c->floats.empty()) {
            auto it = std::find_if(o.initializer().begin(), o.initializer().end(),
                [&](const onnx::TensorProto& x) { return x.name() == t.name(); });
            if (it == o.initializer().end() || it->SerializeAsString() != t.SerializeAsString())
                return false;
            continue;
        }
        auto floats = readFloats(t);
        if (!floats || floats->size() != c->floats.size()
            || !std::equal(floats->begin(), floats->end(), c->floats.begin()))
            return false;
    }
    return true;
}

EvaluationMetrics selfCompared(EvaluationMetrics m)
{
    m.compared = m.processed;
    m.agreed = m.processed;
    m.klSum = 0.0;
    m.klSumOfSquares = 0.0;
    return m;
}

} // namespace

Result<SensitivityResult> analyseSensitivity(const Model& model, const Evaluator& evaluator,
    const SensitivityOptions& options, const SensitivityProgress& progress, std::stop_token stop)
{
    auto layers = findLayers(model);
    auto groups = findDependencyGroups(model, layers);
    EvaluationOptions plain = evaluator.options();
    plain.reference = nullptr; // the original's own outputs become the reference
    PlanEvaluation evaluation(model, std::move(layers), std::move(groups),
        Evaluator(evaluator.dataset(), evaluator.spec(), plain), sweepEvaluationOptions(options));
    return analyseSensitivity(evaluation, options, progress, stop);
}

PlanEvaluationOptions sweepEvaluationOptions(const SensitivityOptions& options)
{
    // Every cut stays until the sweep moves past it; plans come from firstChangedLayer.
    return PlanEvaluationOptions { std::numeric_limits<size_t>::max(), options.cacheBytes, false };
}

Result<SensitivityResult> analyseSensitivity(PlanEvaluation& evaluation, const SensitivityOptions& options,
    const SensitivityProgress& progress, std::stop_token stop)
{
    const Model& model = evaluation.model();
    auto estimated = estimateSensitivity(model, options);
    if (!estimated)
        return estimated;
    SensitivityResult result = std::move(*estimated);
    const size_t total = result.points.size();
    if (progress)
        progress(result, 0, total);
    const auto& layers = evaluation.layers();
    const auto& groups = evaluation.groups();
    // Each point changes one layer (or group): its plans share the cut before it, the
    // activations cached there and one downstream net, until the sweep moves on.
    auto baseline = evaluation.runOriginal({}, stop);
    if (!baseline)
        return std::unexpected(baseline.error());
    result.baseline = baseline->metrics;
    if (baseline->metrics.cancelled) {
        result.cancelled = true;
        return result;
    }
    // The baseline's correct count over its first k labelled images, for paired stopping.
    std::vector<int64_t> baselineCorrect { 0 };
    for (size_t i = 0; i < baseline->predictions.size(); ++i) {
        const int label = evaluation.evaluator().dataset().label(static_cast<size_t>(baseline->predictedSamples[i]));
        if (label >= 0)
            baselineCorrect.push_back(baselineCorrect.back() + (baseline->predictions[i] == label));
    }

    for (size_t i = 0; i < total; ++i) {
        if (stop.stop_requested()) {
            result.cancelled = true;
            break;
        }
        SensitivityPoint& p = result.points[i];
        const Plan plan = pointPlan(p, options, layers, groups);
        auto applied = apply(model, plan);
        if (!applied)
            return std::unexpected(applied.error().withContext(p.layer));
        const int first = firstChangedLayer(Plan {}, plan, layers, groups);
        if (sameAsOriginal(model, applied->proto)) {
            p.metrics = selfCompared(result.baseline);
        } else {
            std::stop_source early;
            std::stop_callback forward(stop, [&early] { early.request_stop(); });
            SequentialReading reading = SequentialReading::Undecided;
            auto watch = [&](const EvaluationMetrics& m) {
                const size_t seen = std::min(static_cast<size_t>(m.labelled), baselineCorrect.size() - 1);
                reading = sequentialReading(options.sequential, m, baselineCorrect[seen]);
                if (reading != SequentialReading::Undecided)
                    early.request_stop();
            };
            auto run = evaluation.run(applied->proto, first,
                options.sequential.enabled ? Evaluator::Progress(watch) : Evaluator::Progress(), early.get_token());
            if (!run)
                return std::unexpected(run.error().withContext(p.layer));
            if (run->metrics.cancelled && stop.stop_requested()) {
                result.cancelled = true;
                break;
            }
            p.stoppedEarly = run->metrics.cancelled;
            p.reading = p.stoppedEarly ? reading : SequentialReading::Undecided;
            p.metrics = run->metrics;
            p.metrics.cancelled = false;
            if (p.stoppedEarly) {
                const size_t seen = std::min(static_cast<size_t>(p.metrics.labelled), baselineCorrect.size() - 1);
                p.metrics.top1Correct = pairedTop1Correct(p.metrics, baselineCorrect[seen], result.baseline, reading);
            }
        }
        p.evaluated = true;
        if (progress)
            progress(result, i + 1, total);
        // A cut's net and cache are no longer needed once the points after it use later cuts.
        if (i + 1 < total && result.points[i + 1].layer != p.layer)
            evaluation.forget(first);
    }
    return result;
}

std::string sensitivityCsv(const SensitivityResult& result)
{
    std::ostringstream out;
    out.precision(6);
    for (const auto& s : result.skipped)
        out << "# skipped " << s << '\n';
    if (std::any_of(result.points.begin(), result.points.end(), [](const auto& p) { return p.members.size() > 1; }))
        out << "# a row with several members prunes them all: they are one dependency group (coupled channels, "
               "e.g. through a residual Add), named by its first layer\n";
    if (std::any_of(result.points.begin(), result.points.end(), [](const auto& p) { return p.stoppedEarly; }))
        out << "# a row with fewer images than the baseline's stopped early (sequential stopping): its top1 and "
               "correct are paired, the baseline's top-1 minus the loss on the images it ran\n";
    out << "layer,members,kind,value,energy_removed,top1,top1_low,top1_high,agreement,correct,images\n";
    for (const auto& p : result.points) {
        std::string members;
        for (const auto& m : p.members)
            members += (members.empty() ? "" : ";") + m;
        out << csvField(p.layer) << ',' << csvField(members) << ',' << (p.kind == SweepKind::Prune ? "prune" : "bits")
            << ',' << p.value << ',' << p.energyRemoved << ',';
        if (p.evaluated) {
            const Estimate top1 = p.metrics.top1();
            out << top1.value << ',' << top1.low << ',' << top1.high << ',' << p.metrics.agreement().value << ','
                << p.metrics.top1Correct << ',' << p.metrics.labelled;
        } else {
            out << ",,,,,";
        }
        out << '\n';
    }
    return out.str();
}

std::vector<double> lossAtRatio(const SensitivityResult& result, const std::vector<Layer>& layers, double ratio)
{
    constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
    std::vector<double> loss(layers.size(), kNaN);
    const double baseline = result.baseline.labelled > 0 ? result.baseline.top1().value : kNaN;
    if (std::isnan(baseline))
        return loss;
    for (const SensitivityPoint& point : result.points) {
        // Ratios come from the options' list; the tolerance absorbs their decimal spelling.
        if (point.kind != SweepKind::Prune || !point.evaluated || std::abs(point.value - ratio) > 1e-9)
            continue;
        for (size_t i = 0; i < layers.size(); ++i)
            if (layers[i].name == point.layer)
                loss[i] = std::max(0.0, baseline - point.metrics.top1().value);
    }
    return loss;
}

} // namespace topiary
