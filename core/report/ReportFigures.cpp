#include "core/report/ReportFigures.h"

#include "core/report/SvgChart.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <limits>
#include <map>

namespace topiary {

namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

std::string percentText(double v)
{
    char buf[32];
    std::snprintf(buf, sizeof buf, "%.1f %%", 100.0 * v);
    return buf;
}

} // namespace

ReportFigure sensitivityFigure(const SensitivityResult& result, SweepKind kind)
{
    const bool labelled = result.baseline.labelled > 0;
    SvgChart chart;
    chart.xLabel = kind == SweepKind::Prune ? "Pruned fraction of the layer (%)" : "Bits per weight";
    chart.yLabel = labelled ? "Top-1 accuracy (%)" : "Agreement with the original (%)";
    chart.legend = kind == SweepKind::Prune ? SvgLegendCorner::BottomLeft : SvgLegendCorner::BottomRight;
    chart.yMax = 100.0;
    std::map<std::string, size_t> seriesOf;
    bool anyEstimate = false;
    for (const SensitivityPoint& p : result.points) {
        if (p.kind != kind)
            continue;
        auto [it, added] = seriesOf.emplace(p.layer, chart.series.size());
        if (added) {
            SvgSeries s;
            s.name = p.layer;
            chart.series.push_back(std::move(s));
        }
        SvgSeries& s = chart.series[it->second];
        s.x.push_back(kind == SweepKind::Prune ? 100.0 * p.value : p.value);
        if (p.evaluated) {
            const Estimate e = labelled ? p.metrics.top1() : p.metrics.agreement();
            s.y.push_back(100.0 * e.value);
            s.low.push_back(100.0 * e.low);
            s.high.push_back(100.0 * e.high);
        } else {
            s.y.push_back(100.0 * (1.0 - p.energyRemoved));
            s.low.push_back(kNaN);
            s.high.push_back(kNaN);
            s.dashed = true;
            anyEstimate = true;
        }
    }
    std::string caption = "Sensitivity: each layer " + std::string(kind == SweepKind::Prune ? "pruned" : "quantized")
        + " alone (" + std::to_string(chart.series.size()) + " layers";
    if (labelled)
        caption += ", original " + percentText(result.baseline.top1().value) + " on "
            + std::to_string(result.baseline.labelled) + " images";
    caption += "; bars: 95 % intervals";
    if (anyEstimate)
        caption += "; dashed: weight energy kept, a data-free estimate";
    if (static_cast<int>(chart.series.size()) > chart.maxLegendEntries)
        caption += "; too many layers for a legend, see the table";
    caption += ")";
    return { caption, lineChartSvg(chart) };
}

ReportFigure paretoFigure(const ParetoSet& set, ParetoCost cost, int current)
{
    SvgChart chart;
    chart.xLabel = cost == ParetoCost::Size ? "Weights at the chosen encodings (MB)" : "MACs (millions)";
    chart.yLabel = "Accuracy (%)";
    chart.legend = SvgLegendCorner::BottomRight;
    const double unit = 1e6;
    SvgSeries all;
    all.name = "plans tried";
    all.line = false;
    SvgSeries front;
    front.name = "Pareto front";
    front.points = false;
    front.colour = 1;
    SvgSeries now;
    now.name = "current plan";
    now.line = false;
    now.colour = 2;
    for (const ParetoPoint& p : set.points()) {
        all.x.push_back(static_cast<double>(paretoCost(p, cost)) / unit);
        all.y.push_back(100.0 * p.accuracy.value);
        all.low.push_back(100.0 * p.accuracy.low);
        all.high.push_back(100.0 * p.accuracy.high);
        if (p.id == current) {
            now.x.push_back(all.x.back());
            now.y.push_back(all.y.back());
        }
    }
    auto ids = set.front(cost);
    std::vector<const ParetoPoint*> onFront;
    for (int id : ids)
        if (const ParetoPoint* p = set.find(id))
            onFront.push_back(p);
    std::sort(onFront.begin(), onFront.end(),
        [cost](const ParetoPoint* a, const ParetoPoint* b) { return paretoCost(*a, cost) < paretoCost(*b, cost); });
    for (const ParetoPoint* p : onFront) {
        front.x.push_back(static_cast<double>(paretoCost(*p, cost)) / unit);
        front.y.push_back(100.0 * p->accuracy.value);
    }
    chart.series = { all, front };
    if (!now.x.empty())
        chart.series.push_back(now);
    chart.xMin = 0.0;
    const std::string caption = "Pareto plot: " + std::to_string(set.points().size()) + " plans tried, "
        + std::to_string(onFront.size()) + " on the front (no other is both smaller and more accurate); bars: 95 % "
          "intervals";
    return { caption, lineChartSvg(chart) };
}

ReportFigure histogramFigure(const std::string& layer, const Histogram& histogram, std::optional<double> threshold)
{
    SvgChart chart;
    chart.xLabel = "Weight value";
    chart.yLabel = "Weights";
    chart.width = 420;
    chart.height = 260;
    std::vector<double> counts(histogram.counts.begin(), histogram.counts.end());
    if (threshold && *threshold > 0) {
        chart.markers.push_back({ -*threshold, "" });
        chart.markers.push_back({ *threshold, "cut" });
    }
    std::string caption = layer + ": " + std::to_string(histogram.total) + " weights";
    if (threshold && *threshold > 0) {
        char buf[64];
        std::snprintf(buf, sizeof buf, "; |w| below %.4g pruned (dashed)", *threshold);
        caption += buf;
    }
    return { caption, histogramSvg(histogram.edges, counts, chart) };
}

ReportFigure accuracyFigure(const std::optional<Estimate>& original, const std::optional<Estimate>& current)
{
    SvgChart chart;
    chart.xLabel = "";
    chart.xTicks = { { 0.0, "original" }, { 1.0, "compressed" } };
    chart.yLabel = "Top-1 accuracy (%)";
    chart.width = 320;
    chart.height = 260;
    chart.xMin = -0.5;
    chart.xMax = 1.5;
    std::string caption = "Top-1 accuracy with its 95 % interval:";
    int index = 0;
    for (const auto* e : { &original, &current }) {
        const char* name = index == 0 ? "original" : "compressed";
        if (*e && (*e)->n > 0) {
            SvgSeries s;
            s.line = false;
            s.colour = index;
            s.x = { static_cast<double>(index) };
            s.y = { 100.0 * (*e)->value };
            s.low = { 100.0 * (*e)->low };
            s.high = { 100.0 * (*e)->high };
            chart.series.push_back(std::move(s));
            caption += std::string(" ") + name + " " + percentText((*e)->value) + " (" + percentText((*e)->low) + " to "
                + percentText((*e)->high) + ", " + std::to_string((*e)->n) + " images)" + (index == 0 ? ";" : "");
        } else {
            caption += std::string(" ") + name + " not evaluated" + (index == 0 ? ";" : "");
        }
        ++index;
    }
    return { caption, lineChartSvg(chart) };
}

} // namespace topiary
