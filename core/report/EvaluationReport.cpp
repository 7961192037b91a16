#include "core/report/EvaluationReport.h"

#include "core/base/Format.h"

#include <algorithm>
#include <cmath>
#include <sstream>

namespace topiary {

namespace {

using nlohmann::json;

json estimateJson(const Estimate& e)
{
    return { { "value", e.value }, { "low", e.low }, { "high", e.high }, { "n", e.n } };
}

std::string percent(double v)
{
    return std::isnan(v) ? "-" : text::percent(v, 2);
}

std::string className(const std::vector<std::string>& names, size_t i)
{
    return i < names.size() ? names[i] : std::string();
}

std::string padRight(std::string s, size_t width)
{
    if (s.size() < width)
        s.append(width - s.size(), ' ');
    return s;
}

std::string padLeft(const std::string& s, size_t width)
{
    return s.size() < width ? std::string(width - s.size(), ' ') + s : s;
}

// How often each class was predicted: the one summary an unlabelled set allows.
std::vector<int64_t> predictedCounts(const EvaluationResult& result)
{
    std::vector<int64_t> counts(static_cast<size_t>(std::max(0, result.metrics.numClasses)), 0);
    for (int32_t p : result.predictions)
        if (p >= 0 && static_cast<size_t>(p) < counts.size())
            ++counts[static_cast<size_t>(p)];
    return counts;
}

} // namespace

std::string percentWithInterval(const Estimate& e)
{
    if (e.n == 0)
        return "- (nothing measured)";
    return text::percent(e.value, 2) + " (95% CI " + text::fixed(100.0 * e.low, 2) + "-" + text::percent(e.high, 2) + ")";
}

json evaluationReportJson(const EvaluationResult& result, const std::vector<std::string>& classNames)
{
    const EvaluationMetrics& m = result.metrics;
    json perClass = json::array();
    for (size_t c = 0; c < m.perClass.size(); ++c) {
        const Estimate e = m.classAccuracy(static_cast<int>(c));
        perClass.push_back({ { "label", c }, { "name", className(classNames, c) }, { "correct", m.perClass[c].correct },
            { "total", m.perClass[c].total }, { "accuracy", estimateJson(e) } });
    }
    json confusion = json::array();
    for (int t = 0; t < m.numClasses; ++t) {
        json row = json::array();
        for (int p = 0; p < m.numClasses; ++p)
            row.push_back(m.confusionAt(t, p));
        confusion.push_back(std::move(row));
    }
    json j = {
        { "total", m.total },
        { "processed", m.processed },
        { "skipped", m.skipped },
        { "cancelled", m.cancelled },
        { "batch_size", m.batchSize },
        { "num_classes", m.numClasses },
        { "labelled", m.labelled },
        { "top1", estimateJson(m.top1()) },
        { "top_k", m.topK },
        { "topk", estimateJson(m.topKAccuracy()) },
        { "per_class", perClass },
        { "confusion", confusion },
        { "predicted_counts", predictedCounts(result) },
        { "forward_seconds", m.forwardSeconds },
        { "seconds_per_image", m.secondsPerImage() },
        { "elapsed_seconds", m.elapsedSeconds },
        { "images_per_second", m.imagesPerSecond() },
        { "skipped_files", result.skipped },
        { "warnings", result.warnings },
    };
    if (m.compared > 0) {
        j["compared"] = m.compared;
        j["agreement"] = estimateJson(m.agreement());
        j["kl_divergence"] = estimateJson(m.meanKl());
    }
    return j;
}

std::string evaluationReportText(const EvaluationResult& result, const std::vector<std::string>& classNames)
{
    const EvaluationMetrics& m = result.metrics;
    std::ostringstream out;
    out << "images      " << text::count(m.processed) << " of " << text::count(m.total) << " evaluated";
    if (m.skipped > 0)
        out << ", " << text::count(m.skipped) << " unreadable skipped";
    out << (m.cancelled ? " (cancelled)" : "") << ", batch " << m.batchSize << '\n';
    if (m.labelled > 0) {
        out << "top-1       " << percentWithInterval(m.top1()) << "  " << text::count(m.top1Correct) << " of "
            << text::count(m.labelled) << '\n';
        out << "top-" << m.topK << "       " << percentWithInterval(m.topKAccuracy()) << "  "
            << text::count(m.topKCorrect) << " of " << text::count(m.labelled) << '\n';
    } else {
        out << "top-1       - (no labels)\n";
    }
    if (m.compared > 0) {
        const Estimate kl = m.meanKl();
        out << "agreement   " << percentWithInterval(m.agreement()) << "  with the reference, "
            << text::count(m.compared) << " images\n";
        out << "KL(ref||p)  " << text::significant(kl.value, 6) << " (95% CI " << text::significant(kl.low, 6) << "-"
            << text::significant(kl.high, 6) << ") nats, mean per image\n";
    }
    if (m.processed > 0) {
        out << "latency     " << text::significant(1000.0 * m.secondsPerImage(), 4) << " ms per image (forward pass at batch "
            << m.batchSize << "), " << text::fixed(m.imagesPerSecond(), 0) << " images/s end to end\n";
    }

    if (m.labelled > 0) {
        size_t nameWidth = 5;
        for (size_t c = 0; c < m.perClass.size(); ++c)
            nameWidth = std::max(nameWidth, std::to_string(c).size() + 1 + className(classNames, c).size());
        out << '\n' << padRight("class", nameWidth) << "  images    top-1    95% CI\n";
        for (size_t c = 0; c < m.perClass.size(); ++c) {
            if (m.perClass[c].total == 0)
                continue;
            const Estimate e = m.classAccuracy(static_cast<int>(c));
            std::string name = std::to_string(c);
            if (!className(classNames, c).empty())
                name += " " + className(classNames, c);
            const std::string ci = text::fixed(100.0 * e.low, 1) + "-" + text::percent(e.high, 1);
            out << padRight(name, nameWidth) << "  " << padLeft(text::count(m.perClass[c].total), 6) << "  "
                << padLeft(percent(e.value), 8) << "  " << ci << '\n';
        }
        if (m.numClasses <= 20) {
            out << "\nconfusion (rows: true class, columns: predicted)\n";
            size_t width = 3;
            for (int64_t v : m.confusion)
                width = std::max(width, std::to_string(v).size());
            out << padLeft("", 4);
            for (int p = 0; p < m.numClasses; ++p)
                out << ' ' << padLeft(std::to_string(p), width);
            out << '\n';
            for (int t = 0; t < m.numClasses; ++t) {
                out << padLeft(std::to_string(t), 4);
                for (int p = 0; p < m.numClasses; ++p)
                    out << ' ' << padLeft(std::to_string(m.confusionAt(t, p)), width);
                out << '\n';
            }
        }
    }
    if (m.labelled == 0 && m.processed > 0) {
        const auto counts = predictedCounts(result);
        out << "\npredicted   images\n";
        for (size_t c = 0; c < counts.size(); ++c) {
            std::string name = std::to_string(c);
            if (!className(classNames, c).empty())
                name += " " + className(classNames, c);
            out << padRight(name, 16) << padLeft(text::count(counts[c]), 6) << '\n';
        }
    }
    for (const auto& w : result.warnings)
        out << "warning: " << w << '\n';
    if (!result.skipped.empty()) {
        out << "\nskipped:\n";
        const size_t shown = std::min<size_t>(result.skipped.size(), 10);
        for (size_t i = 0; i < shown; ++i)
            out << "  " << result.skipped[i] << '\n';
        if (shown < result.skipped.size())
            out << "  ... and " << result.skipped.size() - shown << " more\n";
    }
    return out.str();
}

} // namespace topiary
