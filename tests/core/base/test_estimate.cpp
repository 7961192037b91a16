// medianWithQuartiles, the latency the totals show: against numpy's median and
// percentile (linear interpolation, its default) on the same values, worked out once with
// /usr/bin/python3 and written here. One slow batch among fast ones moves neither the
// median nor the quartiles much, which is the point.
#include "core/base/Estimate.h"

#include <catch2/catch.hpp>

#include <cmath>

using namespace topiary;

TEST_CASE("estimate: median and quartiles as numpy computes them", "[estimate]")
{
    // np.median, np.percentile(v, 25), np.percentile(v, 75) of
    // [0.0021, 0.0014, 0.0015, 0.0140, 0.0013, 0.0016, 0.0014] -> 0.0015 0.0014 0.00185
    const Estimate seven = medianWithQuartiles({ 0.0021, 0.0014, 0.0015, 0.0140, 0.0013, 0.0016, 0.0014 });
    CHECK(seven.value == Approx(0.0015));
    CHECK(seven.low == Approx(0.0014));
    CHECK(seven.high == Approx(0.00185));
    CHECK(seven.n == 7);
    // [3.0, 1.0] -> 2.0 1.5 2.5
    const Estimate two = medianWithQuartiles({ 3.0, 1.0 });
    CHECK(two.value == 2.0);
    CHECK(two.low == 1.5);
    CHECK(two.high == 2.5);
    const Estimate one = medianWithQuartiles({ 0.004 });
    CHECK(one.value == 0.004);
    CHECK(one.low == 0.004);
    CHECK(one.high == 0.004);
    const Estimate none = medianWithQuartiles({});
    CHECK(std::isnan(none.value));
    CHECK(none.n == 0);
}
