// Small vector charts for the HTML report, written as SVG text by the core so that a
// report made by the CLI and one made by the GUI show the same plots, sharp at any zoom
// and in print. Line/scatter charts with optional interval bars, and bar histograms with
// vertical marker lines. Every text is escaped; colours come from a fixed palette.
#pragma once

#include <optional>
#include <utility>
#include <string>
#include <vector>

namespace topiary {

struct SvgSeries {
    std::string name; // shown in the legend ("" = not listed)
    std::vector<double> x;
    std::vector<double> y;
    std::vector<double> low; // optional interval per point (same size as y), drawn as bars
    std::vector<double> high;
    bool line = true; // false: points only
    bool points = true;
    bool dashed = false;
    int colour = -1; // palette index; -1 = the series' position
};

struct SvgMarker {
    double x = 0.0;
    std::string label;
};

enum class SvgLegendCorner { TopRight, BottomLeft, BottomRight };

struct SvgChart {
    std::string xLabel;
    std::string yLabel;
    std::vector<SvgSeries> series;
    std::vector<SvgMarker> markers; // vertical lines across the plot
    std::vector<SvgMarker> xTicks; // named ticks instead of numbers ("" = none)
    std::optional<double> xMin, xMax, yMin, yMax; // default: the data's range
    int width = 640;
    int height = 340;
    SvgLegendCorner legend = SvgLegendCorner::TopRight;
    int maxLegendEntries = 12; // beyond this the legend is left out and a note says so
};

// Ticks at 1, 2 or 5 times a power of ten covering [low, high], at most maxCount of them.
std::vector<double> niceTicks(double low, double high, int maxCount);

std::string lineChartSvg(const SvgChart& chart);
// Bars over bins: edges has counts.size() + 1 values.
std::string histogramSvg(const std::vector<double>& edges, const std::vector<double>& counts, const SvgChart& frame);

} // namespace topiary
