#include "core/base/Estimate.h"

#include <algorithm>
#include <cmath>
#include <limits>

namespace topiary {

Estimate wilsonInterval(int64_t successes, int64_t n, double z)
{
    if (n <= 0)
        return { std::numeric_limits<double>::quiet_NaN(), 0.0, 1.0, 0 };
    const double nn = static_cast<double>(n);
    const double p = static_cast<double>(successes) / nn;
    const double z2 = z * z;
    const double denominator = 1.0 + z2 / nn;
    const double centre = (p + z2 / (2.0 * nn)) / denominator;
    const double half = z / denominator * std::sqrt(p * (1.0 - p) / nn + z2 / (4.0 * nn * nn));
    // At 0 and n successes the bounds are exactly 0 and 1; computed, they may miss by an ulp.
    const double low = successes <= 0 ? 0.0 : std::max(0.0, centre - half);
    const double high = successes >= n ? 1.0 : std::min(1.0, centre + half);
    return { p, low, high, n };
}

Estimate meanInterval(double sum, double sumOfSquares, int64_t n, double z)
{
    if (n <= 0)
        return { std::numeric_limits<double>::quiet_NaN(), 0.0, 0.0, 0 };
    const double nn = static_cast<double>(n);
    const double mean = sum / nn;
    if (n == 1)
        return { mean, mean, mean, n };
    // Sample variance; the max() absorbs rounding when all values are equal.
    const double variance = std::max(0.0, (sumOfSquares - nn * mean * mean) / (nn - 1.0));
    const double half = z * std::sqrt(variance / nn);
    return { mean, mean - half, mean + half, n };
}

Estimate medianWithQuartiles(std::vector<double> values)
{
    const double nan = std::numeric_limits<double>::quiet_NaN();
    if (values.empty())
        return { nan, nan, nan, 0 };
    std::sort(values.begin(), values.end());
    const auto at = [&](double q) {
        const double position = q * static_cast<double>(values.size() - 1);
        const auto below = static_cast<size_t>(position);
        const size_t above = std::min(below + 1, values.size() - 1);
        return values[below] + (position - static_cast<double>(below)) * (values[above] - values[below]);
    };
    return { at(0.5), at(0.25), at(0.75), static_cast<int64_t>(values.size()) };
}

} // namespace topiary
