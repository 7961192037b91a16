// The statistics BN re-estimation and bias correction read, by hand: per-channel mean and
// unbiased variance over images and positions, the same however the images are batched.
#include "core/recover/ChannelMoments.h"
#include "core/recover/LayerRows.h"
#include "core/recover/NormalEquations.h"

#include <catch2/catch.hpp>

#include <random>

using namespace topiary;

TEST_CASE("channel moments by hand and across batches", "[recovery]")
{
    // 2 images, 2 channels, 2 positions: channel 0 holds 1, 2, 3, 6; channel 1 holds 1e6 + {0, 1, 0, 1}.
    const float values[] = { 1, 2, 1e6f, 1e6f + 1, 3, 6, 1e6f, 1e6f + 1 };
    const int dims[] = { 2, 2, 2 };
    const cv::Mat t(3, dims, CV_32F, const_cast<float*>(values));
    ChannelMoments all;
    REQUIRE(all.add(t, 2));
    CHECK(all.valuesPerChannel() == 4);
    CHECK(all.mean()[0] == Approx(3.0));
    CHECK(all.unbiasedVariance()[0] == Approx((4.0 + 1.0 + 0.0 + 9.0) / 3.0));
    CHECK(all.mean()[1] == Approx(1e6 + 0.5));
    CHECK(all.unbiasedVariance()[1] == Approx(4 * 0.25 / 3.0)); // the large mean costs no precision

    ChannelMoments split; // one image at a time
    const int one[] = { 1, 2, 2 };
    REQUIRE(split.add(cv::Mat(3, one, CV_32F, const_cast<float*>(values)), 1));
    REQUIRE(split.add(cv::Mat(3, one, CV_32F, const_cast<float*>(values + 4)), 1));
    for (int c = 0; c < 2; ++c) {
        CHECK(split.mean()[static_cast<size_t>(c)] == Approx(all.mean()[static_cast<size_t>(c)]));
        CHECK(split.unbiasedVariance()[static_cast<size_t>(c)] == Approx(all.unbiasedVariance()[static_cast<size_t>(c)]));
    }
    const int three[] = { 1, 3, 2 };
    CHECK_FALSE(split.add(cv::Mat(3, three, CV_32F, cv::Scalar(0)), 1));
}

TEST_CASE("sampled positions are distinct, sorted and reproducible", "[recovery]")
{
    std::mt19937_64 a(4), b(4);
    const auto p = samplePositions(100, 10, a);
    CHECK(p == samplePositions(100, 10, b));
    REQUIRE(p.size() == 10);
    CHECK(std::is_sorted(p.begin(), p.end()));
    CHECK(std::adjacent_find(p.begin(), p.end()) == p.end());
    CHECK(samplePositions(5, 10, a) == std::vector<int> { 0, 1, 2, 3, 4 });
}

TEST_CASE("copies of normal equations keep their own sums", "[recovery][lsq]")
{
    // cv::Mat copies share data: one system per group must not become one for all.
    NormalEquations a(1, 1);
    std::vector<NormalEquations> groups(2, a);
    const cv::Mat x(1, 1, CV_32F, cv::Scalar(2.0f)), y(1, 1, CV_32F, cv::Scalar(6.0f));
    groups[0].add(x, y);
    const std::vector<int> keep { 0 };
    auto fit = groups[0].solve(0, keep, false, 0.0);
    REQUIRE(fit);
    CHECK(fit->weights[0] == Approx(3.0));
    CHECK(groups[1].rows() == 0);
    CHECK(groups[1].residual(0, keep, std::vector<double> { 1.0 }, 0.0) == 0.0);
    CHECK(a.rows() == 0);
}
