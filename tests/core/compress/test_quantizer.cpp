// Quantization schemes on tensors whose codes and errors are worked out by hand, plus the
// 1-D k-means against OpenCV's cv::kmeans. tests/core/reference/ checks uniform
// quantization element for element against torch.fake_quantize_*.
#include "ModelBuilder.h"

#include "core/compress/Importance.h"
#include "core/model/Model.h"
#include "core/compress/Quantizer.h"

#include <catch2/catch.hpp>
#include <opencv2/core.hpp>

#include <cmath>
#include <limits>
#include <random>

using namespace topiary;

namespace {

QuantSpec uniform(int bits, bool symmetric = true, bool perChannel = false)
{
    return {QuantScheme::Uniform, bits, symmetric, perChannel};
}

Result<QuantizedTensor> quantizeFlat(const std::vector<float>& w, const QuantSpec& spec)
{
    const std::vector<int64_t> shape{static_cast<int64_t>(w.size())};
    return quantize(w, shape, 0, spec);
}

std::vector<float> randomNormal(size_t n, unsigned seed)
{
    std::mt19937 rng(seed);
    std::normal_distribution<float> dist(0.0f, 1.0f);
    std::vector<float> v(n);
    for (auto& x : v)
        x = dist(rng);
    return v;
}

} // namespace

TEST_CASE("symmetric uniform: s = max|w| / (2^(b-1)-1), round half to even", "[quantizer][uniform]")
{
    // max|w| = 63.5 -> s = 0.5, 1/s = 2 exactly; w/s = 127, -127, .5, 1.5, -.5, 2.5, 0
    const std::vector<float> w{63.5f, -63.5f, 0.25f, 0.75f, -0.25f, 1.25f, 0.0f};
    auto q = quantizeFlat(w, uniform(8));
    REQUIRE(q);
    CHECK(q->scales == std::vector<float>{0.5f});
    CHECK(q->zeroPoints == std::vector<int32_t>{0});
    CHECK(q->qmin == -127);
    CHECK(q->qmax == 127);
    CHECK(q->channelAxis == -1);
    CHECK(q->codes == std::vector<int32_t>{127, -127, 0, 2, 0, 2, 0});
    CHECK(q->values == std::vector<float>{63.5f, -63.5f, 0.0f, 1.0f, 0.0f, 1.0f, 0.0f});
    // errors: 0.25² · 4 + 0.25² + 0.25² ... = (0.0625 · 4) / 7
    CHECK(q->mse == Approx(4 * 0.0625 / 7));
    double signal = 0;
    for (float v : w)
        signal += v * v;
    CHECK(q->sqnrDb == Approx(10 * std::log10(signal / (4 * 0.0625))));

    auto q4 = quantizeFlat({7.0f, -3.5f, 1.5f, 100.0f / 16}, uniform(4));
    REQUIRE(q4);
    CHECK(q4->scales == std::vector<float>{1.0f});
    CHECK(q4->codes == std::vector<int32_t>{7, -4, 2, 6});
    CHECK(q4->qmin == -7);
}

TEST_CASE("asymmetric uniform: range widened to 0, zero point, 0 stays exactly 0", "[quantizer][uniform]")
{
    // 2 bits: levels 0..3; range [-1, 2] -> s = 1, zp = 1
    auto q = quantizeFlat({-1.0f, 0.0f, 0.5f, 2.0f}, uniform(2, false));
    REQUIRE(q);
    CHECK(q->scales == std::vector<float>{1.0f});
    CHECK(q->zeroPoints == std::vector<int32_t>{1});
    CHECK(q->qmin == 0);
    CHECK(q->qmax == 3);
    CHECK(q->codes == std::vector<int32_t>{0, 1, 1, 3});
    CHECK(q->values == std::vector<float>{-1.0f, 0.0f, 0.0f, 2.0f});

    // all positive: the range still starts at 0, so zp = 0
    auto pos = quantizeFlat({1.0f, 2.0f, 3.0f}, uniform(2, false));
    REQUIRE(pos);
    CHECK(pos->zeroPoints == std::vector<int32_t>{0});
    CHECK(pos->values == std::vector<float>{1.0f, 2.0f, 3.0f});
    CHECK(pos->mse == 0.0);
    CHECK(std::isinf(pos->sqnrDb));

    auto r = randomNormal(1000, 3);
    r[17] = 0.0f;
    for (int bits : {2, 4, 8, 16}) {
        auto a = quantizeFlat(r, uniform(bits, false));
        REQUIRE(a);
        CHECK(a->values[17] == 0.0f);
        for (int32_t c : a->codes) {
            REQUIRE(c >= 0);
            REQUIRE(c <= a->qmax);
        }
    }
}

TEST_CASE("more bits, less error; per channel beats per tensor on uneven channels", "[quantizer][uniform]")
{
    const auto r = randomNormal(4096, 4);
    double last = 0;
    for (int bits : {2, 3, 4, 6, 8, 12, 16}) {
        auto q = quantizeFlat(r, uniform(bits));
        REQUIRE(q);
        CHECK(q->sqnrDb > last);
        last = q->sqnrDb;
    }
    CHECK(last > 80.0);

    // two channels (axis 0), the second 100x larger
    std::vector<float> w(2 * 64);
    for (size_t i = 0; i < w.size(); ++i)
        w[i] = r[i] * (i < 64 ? 1.0f : 100.0f);
    const std::vector<int64_t> shape{2, 64};
    auto perTensor = quantize(w, shape, 0, uniform(4));
    auto perChannel = quantize(w, shape, 0, uniform(4, true, true));
    REQUIRE(perTensor);
    REQUIRE(perChannel);
    CHECK(perChannel->channelAxis == 0);
    REQUIRE(perChannel->scales.size() == 2);
    CHECK(perChannel->scales[1] > 50 * perChannel->scales[0]);
    CHECK(perChannel->mse < perTensor->mse);
    // channel 0's error alone is far smaller per channel
    double e0 = 0;
    double e0t = 0;
    for (size_t i = 0; i < 64; ++i) {
        e0 += std::pow(w[i] - perChannel->values[i], 2);
        e0t += std::pow(w[i] - perTensor->values[i], 2);
    }
    CHECK(e0 < e0t / 100);

    // axis 1 (K x N storage): one scale per column
    auto cols = quantize(w, shape, 1, uniform(8, false, true));
    REQUIRE(cols);
    CHECK(cols->scales.size() == 64);
    CHECK(cols->zeroPoints.size() == 64);
}

TEST_CASE("an all-zero channel quantizes to zeros", "[quantizer][uniform]")
{
    const std::vector<float> w{0, 0, 0, 1, -2, 3};
    for (bool symmetric : {true, false}) {
        auto q = quantize(w, std::vector<int64_t>{2, 3}, 0, uniform(8, symmetric, true));
        REQUIRE(q);
        CHECK(q->values[0] == 0.0f);
        CHECK(q->values[2] == 0.0f);
        CHECK(q->scales[0] == 1.0f);
    }
}

TEST_CASE("float16 rounds to the nearest half, ties to even", "[quantizer][float16]")
{
    const float ulp = std::ldexp(1.0f, -10);  // of half at 1.0
    auto q = quantizeFlat({1.0f + ulp, 1.0f + ulp / 2, 1.0f + 1.5f * ulp, 0.1f}, {QuantScheme::Float16, 16});
    REQUIRE(q);
    CHECK(q->values[0] == 1.0f + ulp);
    CHECK(q->values[1] == 1.0f);            // tie -> even mantissa
    CHECK(q->values[2] == 1.0f + 2 * ulp);  // tie -> even mantissa
    CHECK(q->values[3] == Approx(0.0999755859375f));
    CHECK(q->codes.empty());
    CHECK(q->mse > 0.0);

    auto same = quantizeFlat({1.5f, -2.0f}, {QuantScheme::Float32, 32});
    REQUIRE(same);
    CHECK(same->values == std::vector<float>{1.5f, -2.0f});
    CHECK(same->mse == 0.0);
}

TEST_CASE("binary: sign times per-channel mean |w|; ternary: 0.7 mean|w| threshold", "[quantizer][binary]")
{
    const std::vector<int64_t> shape{2, 2};
    auto b = quantize(std::vector<float>{1.0f, -3.0f, 0.0f, -1.0f}, shape, 0, {QuantScheme::Binary, 1});
    REQUIRE(b);
    CHECK(b->scales == std::vector<float>{2.0f, 0.5f});
    CHECK(b->codes == std::vector<int32_t>{1, -1, 1, -1});  // sign(0) is +1: one bit has no zero
    CHECK(b->values == std::vector<float>{2.0f, -2.0f, 0.5f, -0.5f});
    CHECK(b->bits == 1);

    // mean|w| = 0.9, threshold 0.63: 1 and -2 survive, scale = 1.5
    auto t = quantize(std::vector<float>{1.0f, -0.1f, 0.5f, -2.0f}, std::vector<int64_t>{1, 4}, 0,
                      {QuantScheme::Ternary, 2});
    REQUIRE(t);
    CHECK(t->scales == std::vector<float>{1.5f});
    CHECK(t->codes == std::vector<int32_t>{1, 0, 0, -1});
    CHECK(t->values == std::vector<float>{1.5f, 0.0f, 0.0f, -1.5f});

    // per output channel along axis 1 (K x N layout)
    auto tc = quantize(std::vector<float>{1.0f, 10.0f, -1.0f, -10.0f}, shape, 1, {QuantScheme::Ternary, 2});
    REQUIRE(tc);
    CHECK(tc->scales == std::vector<float>{1.0f, 10.0f});
    CHECK(tc->values == std::vector<float>{1.0f, 10.0f, -1.0f, -10.0f});
}

TEST_CASE("codebook: 2^b sorted centroids, indices, exact on data with 2^b values", "[quantizer][codebook]")
{
    std::vector<float> w;
    for (int i = 0; i < 40; ++i)
        w.push_back(static_cast<float>(i % 4) - 1.0f);  // -1, 0, 1, 2
    auto q = quantizeFlat(w, {QuantScheme::Codebook, 2});
    REQUIRE(q);
    CHECK(q->codebook == std::vector<float>{-1, 0, 1, 2});
    CHECK(q->values == w);
    for (size_t i = 0; i < w.size(); ++i)
        CHECK(q->codes[i] == static_cast<int32_t>(i % 4));
    CHECK(q->mse == 0.0);

    const auto r = randomNormal(5000, 11);
    auto a = quantizeFlat(r, {QuantScheme::Codebook, 4});
    auto again = quantizeFlat(r, {QuantScheme::Codebook, 4});
    REQUIRE(a);
    REQUIRE(a->codebook.size() == 16);
    CHECK(std::is_sorted(a->codebook.begin(), a->codebook.end()));
    CHECK(a->codebook == again->codebook);  // deterministic
    CHECK(a->codes == again->codes);
    // every weight goes to its nearest centroid
    for (size_t i = 0; i < r.size(); ++i) {
        const float v = a->values[i];
        REQUIRE(v == a->codebook[static_cast<size_t>(a->codes[i])]);
        for (float c : a->codebook)
            REQUIRE(std::fabs(r[i] - v) <= std::fabs(r[i] - c) + 1e-6f);
    }
    // k-means beats a uniform grid of as many levels on Gaussian data
    auto grid = quantizeFlat(r, uniform(4, false));
    CHECK(a->mse < grid->mse);

    CHECK_FALSE(quantizeFlat(r, {QuantScheme::Codebook, 0}));
    CHECK_FALSE(quantizeFlat(r, {QuantScheme::Codebook, 9}));
}

TEST_CASE("1-D k-means reaches cv::kmeans's fixed point from the same linear start", "[quantizer][codebook]")
{
    for (int k : {2, 8, 16}) {
        INFO("k = " << k);
        const auto r = randomNormal(3000, static_cast<unsigned>(k));
        const auto ours = kmeans1d(r, k);
        REQUIRE(ours.size() == static_cast<size_t>(k));

        // cv::kmeans started from the labels of the same linearly spaced centroids
        const auto [lo, hi] = std::minmax_element(r.begin(), r.end());
        cv::Mat data(static_cast<int>(r.size()), 1, CV_32F, const_cast<float*>(r.data()));
        cv::Mat labels(static_cast<int>(r.size()), 1, CV_32S);
        for (size_t i = 0; i < r.size(); ++i) {
            const double t = (r[i] - *lo) / (*hi - *lo) * (k - 1);
            labels.at<int>(static_cast<int>(i)) = static_cast<int>(std::lround(t));
        }
        cv::Mat centers;
        cv::setRNGSeed(1);
        cv::kmeans(data, k, labels, cv::TermCriteria(cv::TermCriteria::COUNT + cv::TermCriteria::EPS, 1000, 0.0), 1,
                   cv::KMEANS_USE_INITIAL_LABELS, centers);
        std::vector<float> theirs(centers.begin<float>(), centers.end<float>());
        std::sort(theirs.begin(), theirs.end());
        for (int j = 0; j < k; ++j)
            CHECK(ours[static_cast<size_t>(j)] == Approx(theirs[static_cast<size_t>(j)]).margin(1e-4));
    }
}

TEST_CASE("quantizer error values", "[quantizer]")
{
    const std::vector<float> w{1, 2, 3, 4};
    CHECK_FALSE(quantizeFlat(w, uniform(0)));
    CHECK_FALSE(quantizeFlat(w, uniform(17)));
    CHECK_FALSE(quantizeFlat(w, uniform(1)));  // symmetric 1 bit has no levels
    CHECK(quantizeFlat(w, uniform(1, false)));
    CHECK_FALSE(quantize(w, std::vector<int64_t>{3}, 0, uniform(8)));
    CHECK_FALSE(quantize(w, std::vector<int64_t>{2, 2}, 2, uniform(8, true, true)));
    auto nan = quantizeFlat({1.0f, std::nanf("")}, uniform(8));
    REQUIRE_FALSE(nan);
    CHECK(nan.error().message.find("NaN") != std::string::npos);
}

TEST_CASE("a layer's weight quantizes per output channel of its layout", "[quantizer]")
{
    auto m = Model::fromProto(test::makeSmallCnn(), {});
    REQUIRE(m);
    const auto layers = findLayers(*m);
    for (const auto& layer : layers) {
        INFO(layer.name);
        auto q = quantize(*m, layer, uniform(8, true, true));
        REQUIRE(q);
        CHECK(static_cast<int64_t>(q->scales.size()) == layer.outChannels);
        CHECK(q->values.size() == m->constant(layer.weight)->floats.size());
        CHECK(q->sqnrDb > 30.0);
    }
}
