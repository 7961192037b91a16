#include "widgets/ColorScale.h"

#include <qcustomplot.h>

#include <QLinearGradient>

#include <algorithm>
#include <array>
#include <cmath>

namespace topiary {

namespace {

// matplotlib's viridis at t = 0, 1/8, ..., 1 (its 256-entry table sampled evenly).
constexpr std::array<std::array<int, 3>, 9> kStops = { {
    { 68, 1, 84 },
    { 71, 44, 122 },
    { 59, 81, 139 },
    { 44, 113, 142 },
    { 33, 144, 141 },
    { 39, 173, 129 },
    { 92, 200, 99 },
    { 170, 220, 50 },
    { 253, 231, 37 },
} };

double stopPosition(size_t i)
{
    return static_cast<double>(i) / static_cast<double>(kStops.size() - 1);
}

QColor stopColor(size_t i)
{
    return QColor(kStops[i][0], kStops[i][1], kStops[i][2]);
}

} // namespace

QColor viridis(double t)
{
    t = std::clamp(std::isnan(t) ? 0.0 : t, 0.0, 1.0);
    const double pos = t * static_cast<double>(kStops.size() - 1);
    const auto i = std::min(static_cast<size_t>(pos), kStops.size() - 2);
    const double f = pos - static_cast<double>(i);
    auto mix = [&](size_t c) { return static_cast<int>(std::lround(kStops[i][c] * (1 - f) + kStops[i + 1][c] * f)); };
    return QColor(mix(0), mix(1), mix(2));
}

QCPColorGradient viridisGradient()
{
    QCPColorGradient g;
    g.clearColorStops();
    for (size_t i = 0; i < kStops.size(); ++i)
        g.setColorStopAt(stopPosition(i), stopColor(i));
    g.setColorInterpolation(QCPColorGradient::ciRGB);
    g.setNanHandling(QCPColorGradient::nhTransparent);
    return g;
}

void addViridisStops(QLinearGradient& gradient)
{
    for (size_t i = 0; i < kStops.size(); ++i)
        gradient.setColorAt(stopPosition(i), stopColor(i));
}

} // namespace topiary
