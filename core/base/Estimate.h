// An estimate with its 95% confidence interval: a proportion (accuracy, agreement) with
// the Wilson score interval, which stays inside [0, 1] and behaves at 0 and 100 %, or a
// mean (KL divergence) with the normal approximation. Evaluations report these as they
// go, so a partial run says how much it can be trusted.
#pragma once

#include <cstdint>
#include <vector>

namespace topiary {

struct Estimate {
    double value = 0.0; // NaN when nothing was measured
    double low = 0.0;
    double high = 0.0;
    int64_t n = 0; // observations behind it
};

inline constexpr double kZ95 = 1.959963984540054; // two-sided 95 % quantile of the standard normal

// successes out of n; n = 0 gives value NaN and the interval [0, 1].
Estimate wilsonInterval(int64_t successes, int64_t n, double z = kZ95);
// Mean of n values from their sum and sum of squares; n = 0 gives NaN, n = 1 a zero-width interval.
Estimate meanInterval(double sum, double sumOfSquares, int64_t n, double z = kZ95);
// A noisy measurement repeated (latency per run): the median as value, the first and third
// quartiles as low and high (linear between order statistics, numpy's default), so one
// slow run moves neither. No values: NaN, [NaN, NaN].
Estimate medianWithQuartiles(std::vector<double> values);

} // namespace topiary
