// The activation histogram the inspector draws (coarseHistogram): the calibration's
// 2048-bin pass-2 counts summed into fewer bins equal a direct count of the same values
// into that many equal-width bins over [min, max] (the top edge in the last bin); a
// min/max-only calibration (no pass 2) gives no counts.
#include "core/compress/ActivationRange.h"

#include <catch2/catch.hpp>

#include <cmath>
#include <random>
#include <vector>

using namespace topiary;

TEST_CASE("coarseHistogram counts the values into fewer equal bins", "[activation_range]")
{
    std::mt19937 rng(7);
    std::normal_distribution<float> normal(0.5f, 1.0f);
    std::vector<float> values(20000);
    for (float& v : values)
        v = std::max(0.0f, normal(rng)); // ReLU-like: a spike at 0
    ActivationHistogram h;
    h.addToRange(values);
    h.addToHistograms(values);

    const int bins = 128;
    const Histogram coarse = coarseHistogram(h, bins);
    REQUIRE(coarse.bins() == bins);
    REQUIRE(coarse.edges.size() == bins + 1);
    CHECK(coarse.edges.front() == Approx(h.min()));
    CHECK(coarse.edges.back() == Approx(h.max()));
    CHECK(coarse.total == static_cast<int64_t>(values.size()));

    std::vector<int64_t> expected(bins, 0);
    const double lo = h.min(), width = static_cast<double>(h.max()) - h.min();
    for (float v : values)
        ++expected[static_cast<size_t>(std::min<double>(bins - 1, std::floor((v - lo) * bins / width)))];
    int64_t differing = 0;
    for (int i = 0; i < bins; ++i)
        differing += std::abs(coarse.counts[static_cast<size_t>(i)] - expected[static_cast<size_t>(i)]);
    // Only values on a bin edge may fall either side of it (float rounding of the bin index).
    CHECK(differing <= 4);
    CHECK(coarse.counts.front() == expected.front()); // the zeros, all in the first bin
    CHECK(coarse.counts.front() > 5000);
}

TEST_CASE("coarseHistogram without a second pass has no counts", "[activation_range]")
{
    const std::vector<float> values { -1.0f, 0.0f, 2.0f };
    ActivationHistogram h;
    h.addToRange(values);
    const Histogram coarse = coarseHistogram(h, 128);
    CHECK(coarse.bins() == 0);
    CHECK(coarse.min == -1.0f);
    CHECK(coarse.max == 2.0f);
    CHECK(coarseHistogram(h, 100).bins() == 0); // not a divisor of 2048
}
