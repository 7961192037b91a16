#include "core/report/SvgChart.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <limits>
#include <sstream>

namespace topiary {

namespace {

// Colour-blind-safe (Okabe-Ito, then Tableau's), repeated when there are more series.
const char* const kPalette[] = { "#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#56B4E9", "#000000",
    "#8C564B", "#7F7F7F", "#BCBD22", "#17BECF", "#9467BD" };
constexpr int kPaletteSize = sizeof kPalette / sizeof kPalette[0];

constexpr double kLeft = 64, kRight = 16, kTop = 14, kBottom = 48;

std::string escape(const std::string& text)
{
    std::string out;
    for (char c : text) {
        switch (c) {
        case '&': out += "&amp;"; break;
        case '<': out += "&lt;"; break;
        case '>': out += "&gt;"; break;
        case '"': out += "&quot;"; break;
        case '\'': out += "&#39;"; break;
        case '\0': break;
        default: out += c;
        }
    }
    return out;
}

std::string num(double v)
{
    char buf[32];
    std::snprintf(buf, sizeof buf, "%.2f", v);
    return buf;
}

std::string tickText(double v, double step)
{
    char buf[32];
    const int decimals = step >= 1 ? 0 : std::min(6, static_cast<int>(std::ceil(-std::log10(step) - 1e-9)));
    std::snprintf(buf, sizeof buf, "%.*f", decimals, std::abs(v) < step * 1e-6 ? 0.0 : v);
    return buf;
}

struct Range {
    double low = std::numeric_limits<double>::infinity();
    double high = -std::numeric_limits<double>::infinity();
    void add(double v)
    {
        if (std::isfinite(v)) {
            low = std::min(low, v);
            high = std::max(high, v);
        }
    }
    void settle()
    {
        if (!std::isfinite(low)) {
            low = 0;
            high = 1;
        }
        if (high - low < 1e-12) {
            low -= 0.5;
            high += 0.5;
        }
    }
};

struct Frame {
    double width, height;
    Range x, y;
    double px(double v) const { return kLeft + (v - x.low) / (x.high - x.low) * (width - kLeft - kRight); }
    double py(double v) const { return height - kBottom - (v - y.low) / (y.high - y.low) * (height - kTop - kBottom); }
};

void open(std::ostringstream& out, const SvgChart& c)
{
    out << "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 " << c.width << ' ' << c.height << "\" width=\""
        << c.width << "\" height=\"" << c.height << "\" font-family=\"sans-serif\" font-size=\"12\">\n";
    out << "<rect width=\"100%\" height=\"100%\" fill=\"white\"/>\n";
}

void axes(std::ostringstream& out, const Frame& f, const SvgChart& c)
{
    const double left = kLeft, right = f.width - kRight, top = kTop, bottom = f.height - kBottom;
    // Ticks as many as fit: about 70 px per x label, 28 px per y label.
    const auto xs = niceTicks(f.x.low, f.x.high, std::max(2, static_cast<int>((right - left) / 70)));
    const auto ys = niceTicks(f.y.low, f.y.high, std::max(2, static_cast<int>((bottom - top) / 28)));
    const double xStep = xs.size() > 1 ? xs[1] - xs[0] : 1;
    const double yStep = ys.size() > 1 ? ys[1] - ys[0] : 1;
    out << "<g stroke=\"#e4e4e4\">";
    for (double v : ys)
        out << "<line x1=\"" << num(left) << "\" x2=\"" << num(right) << "\" y1=\"" << num(f.py(v)) << "\" y2=\""
            << num(f.py(v)) << "\"/>";
    out << "</g>\n<rect x=\"" << num(left) << "\" y=\"" << num(top) << "\" width=\"" << num(right - left)
        << "\" height=\"" << num(bottom - top) << "\" fill=\"none\" stroke=\"#888\"/>\n";
    out << "<g fill=\"#333\" text-anchor=\"middle\">";
    if (c.xTicks.empty())
        for (double v : xs)
            out << "<text x=\"" << num(f.px(v)) << "\" y=\"" << num(bottom + 16) << "\">" << tickText(v, xStep)
                << "</text>";
    for (const SvgMarker& t : c.xTicks)
        out << "<text x=\"" << num(f.px(t.x)) << "\" y=\"" << num(bottom + 16) << "\">" << escape(t.label)
            << "</text>";
    out << "</g>\n<g fill=\"#333\" text-anchor=\"end\">";
    for (double v : ys)
        out << "<text x=\"" << num(left - 6) << "\" y=\"" << num(f.py(v) + 4) << "\">" << tickText(v, yStep)
            << "</text>";
    out << "</g>\n";
    out << "<text x=\"" << num((left + right) / 2) << "\" y=\"" << num(f.height - 10)
        << "\" text-anchor=\"middle\" fill=\"#222\">" << escape(c.xLabel) << "</text>\n";
    out << "<text transform=\"translate(14 " << num((top + bottom) / 2)
        << ") rotate(-90)\" text-anchor=\"middle\" fill=\"#222\">" << escape(c.yLabel) << "</text>\n";
}

void markers(std::ostringstream& out, const Frame& f, const SvgChart& c)
{
    for (const SvgMarker& m : c.markers) {
        if (!std::isfinite(m.x) || m.x < f.x.low || m.x > f.x.high)
            continue;
        out << "<line class=\"marker\" x1=\"" << num(f.px(m.x)) << "\" x2=\"" << num(f.px(m.x)) << "\" y1=\""
            << num(kTop) << "\" y2=\"" << num(f.height - kBottom)
            << "\" stroke=\"#C0392B\" stroke-width=\"1.5\" stroke-dasharray=\"5 3\"/>";
        if (!m.label.empty())
            out << "<text x=\"" << num(f.px(m.x) + 4) << "\" y=\"" << num(kTop + 12) << "\" fill=\"#C0392B\">"
                << escape(m.label) << "</text>";
        out << '\n';
    }
}

void frameRanges(Frame& f, const SvgChart& c)
{
    if (c.xMin)
        f.x.low = *c.xMin;
    if (c.xMax)
        f.x.high = *c.xMax;
    if (c.yMin)
        f.y.low = *c.yMin;
    if (c.yMax)
        f.y.high = *c.yMax;
    f.x.settle();
    f.y.settle();
}

} // namespace

std::vector<double> niceTicks(double low, double high, int maxCount)
{
    std::vector<double> ticks;
    if (!std::isfinite(low) || !std::isfinite(high) || high <= low || maxCount < 1)
        return ticks;
    // The smallest 1-2-5 step whose ticks inside [low, high] number at most maxCount.
    const double start = std::pow(10.0, std::floor(std::log10((high - low) / std::max(1, maxCount))) - 1);
    double step = start;
    for (int i = 0; i < 40; ++i) {
        const double m = i % 3 == 0 ? 1.0 : i % 3 == 1 ? 2.0 : 5.0;
        step = start * m * std::pow(10.0, i / 3);
        const double count = std::floor(high / step + 1e-9) - std::ceil(low / step - 1e-9) + 1;
        if (count <= maxCount)
            break;
    }
    for (double k = std::ceil(low / step - 1e-9); k * step <= high + step * 1e-9; k += 1)
        ticks.push_back(std::abs(k) < 0.5 ? 0.0 : k * step);
    return ticks;
}

std::string lineChartSvg(const SvgChart& c)
{
    Frame f { static_cast<double>(c.width), static_cast<double>(c.height), {}, {} };
    for (const SvgSeries& s : c.series) {
        for (double v : s.x)
            f.x.add(v);
        for (double v : s.y)
            f.y.add(v);
        for (double v : s.low)
            f.y.add(v);
        for (double v : s.high)
            f.y.add(v);
    }
    frameRanges(f, c);
    std::ostringstream out;
    open(out, c);
    axes(out, f, c);
    int legendEntries = 0;
    for (size_t i = 0; i < c.series.size(); ++i) {
        const SvgSeries& s = c.series[i];
        const char* colour = kPalette[(s.colour >= 0 ? s.colour : static_cast<int>(i)) % kPaletteSize];
        const size_t n = std::min(s.x.size(), s.y.size());
        out << "<g class=\"series\" stroke=\"" << colour << "\" fill=\"" << colour << "\">";
        if (!s.name.empty())
            out << "<title>" << escape(s.name) << "</title>";
        if (s.low.size() == n && s.high.size() == n)
            for (size_t k = 0; k < n; ++k)
                if (std::isfinite(s.low[k]) && std::isfinite(s.high[k]))
                    out << "<line x1=\"" << num(f.px(s.x[k])) << "\" x2=\"" << num(f.px(s.x[k])) << "\" y1=\""
                        << num(f.py(s.low[k])) << "\" y2=\"" << num(f.py(s.high[k])) << "\" stroke-width=\"1\"/>";
        if (s.line && n > 1) {
            out << "<polyline fill=\"none\" stroke-width=\"1.6\"" << (s.dashed ? " stroke-dasharray=\"6 4\"" : "")
                << " points=\"";
            for (size_t k = 0; k < n; ++k)
                if (std::isfinite(s.y[k]))
                    out << num(f.px(s.x[k])) << ',' << num(f.py(s.y[k])) << ' ';
            out << "\"/>";
        }
        if (s.points)
            for (size_t k = 0; k < n; ++k)
                if (std::isfinite(s.y[k]))
                    out << "<circle cx=\"" << num(f.px(s.x[k])) << "\" cy=\"" << num(f.py(s.y[k])) << "\" r=\"2.6\"/>";
        out << "</g>\n";
        legendEntries += !s.name.empty();
    }
    markers(out, f, c);
    if (legendEntries > 0 && legendEntries <= c.maxLegendEntries) {
        // In the chosen corner, one row per named series, on a white card so lines do not cross the text.
        const double rowHeight = 15;
        size_t longest = 0;
        for (const SvgSeries& s : c.series)
            longest = std::max(longest, s.name.size());
        const double cardWidth = std::min(c.width - kLeft - kRight - 8, 6.6 * static_cast<double>(longest) + 34);
        const double cardHeight = rowHeight * legendEntries + 8;
        const bool right = c.legend != SvgLegendCorner::BottomLeft;
        const bool bottom = c.legend != SvgLegendCorner::TopRight;
        const double cardX = right ? c.width - kRight - 4 - cardWidth : kLeft + 4;
        const double cardY = bottom ? c.height - kBottom - 4 - cardHeight : kTop + 4;
        const double x = cardX + cardWidth - 6;
        out << "<g class=\"legend\" text-anchor=\"end\">";
        out << "<rect x=\"" << num(cardX) << "\" y=\"" << num(cardY) << "\" width=\"" << num(cardWidth)
            << "\" height=\"" << num(cardHeight) << "\" fill=\"white\" fill-opacity=\"0.85\" stroke=\"#ccc\"/>";
        int row = 0;
        for (size_t i = 0; i < c.series.size(); ++i) {
            const SvgSeries& s = c.series[i];
            if (s.name.empty())
                continue;
            const char* colour = kPalette[(s.colour >= 0 ? s.colour : static_cast<int>(i)) % kPaletteSize];
            const double y = cardY + 16 + rowHeight * row++;
            out << "<text x=\"" << num(x - 22) << "\" y=\"" << num(y) << "\" fill=\"#222\">" << escape(s.name)
                << "</text><line x1=\"" << num(x - 16) << "\" x2=\"" << num(x) << "\" y1=\"" << num(y - 4)
                << "\" y2=\"" << num(y - 4) << "\" stroke=\"" << colour << "\" stroke-width=\"2\""
                << (s.dashed ? " stroke-dasharray=\"4 3\"" : "") << "/>";
        }
        out << "</g>\n";
    }
    out << "</svg>\n";
    return out.str();
}

std::string histogramSvg(const std::vector<double>& edges, const std::vector<double>& counts, const SvgChart& frame)
{
    Frame f { static_cast<double>(frame.width), static_cast<double>(frame.height), {}, {} };
    if (edges.size() == counts.size() + 1 && !counts.empty()) {
        f.x.add(edges.front());
        f.x.add(edges.back());
    }
    f.y.add(0);
    for (double v : counts)
        f.y.add(v);
    frameRanges(f, frame);
    std::ostringstream out;
    open(out, frame);
    axes(out, f, frame);
    out << "<g class=\"bars\" fill=\"" << kPalette[0] << "\">";
    if (edges.size() == counts.size() + 1)
        for (size_t i = 0; i < counts.size(); ++i) {
            if (!(counts[i] > 0))
                continue;
            const double x0 = f.px(edges[i]), x1 = f.px(edges[i + 1]);
            out << "<rect x=\"" << num(x0) << "\" y=\"" << num(f.py(counts[i])) << "\" width=\""
                << num(std::max(0.5, x1 - x0)) << "\" height=\"" << num(f.py(0) - f.py(counts[i])) << "\"/>";
        }
    out << "</g>\n";
    markers(out, f, frame);
    out << "</svg>\n";
    return out.str();
}

} // namespace topiary
