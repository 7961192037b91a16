// Importance scores, pruning masks and histograms on tensors small enough to work out by
// hand (the filter views of each weight layout are in test_filter_matrix.cpp). tests/core/reference/ checks the same
// functions against PyTorch and numpy on random tensors.
#include "ModelBuilder.h"

#include "core/compress/Importance.h"
#include "core/model/Model.h"

#include <catch2/catch.hpp>

#include <cmath>
#include <limits>
#include <numeric>
#include <random>

using namespace topiary;
using topiary::test::ModelBuilder;

namespace {

Layer handLayer(LayerKind kind, std::vector<int64_t> shape, int64_t group = 1, bool transposed = false)
{
    Layer l;
    l.name = "hand";
    l.kind = kind;
    l.weightShape = std::move(shape);
    l.group = group;
    l.weightTransposed = transposed;
    return l;
}

std::vector<float> randomNormal(size_t n, unsigned seed, float sigma = 1.0f)
{
    std::mt19937 rng(seed);
    std::normal_distribution<float> dist(0.0f, sigma);
    std::vector<float> v(n);
    for (auto& x : v)
        x = dist(rng);
    return v;
}

// FPGM the slow way: every pair, straight from the weights, in double.
std::vector<double> fpgmDirect(std::span<const float> w, int64_t rows, int64_t cols)
{
    std::vector<double> s(static_cast<size_t>(rows), 0.0);
    for (int64_t i = 0; i < rows; ++i)
        for (int64_t j = 0; j < rows; ++j) {
            double d2 = 0;
            for (int64_t k = 0; k < cols; ++k) {
                const double d = static_cast<double>(w[static_cast<size_t>(i * cols + k)]) -
                                 w[static_cast<size_t>(j * cols + k)];
                d2 += d * d;
            }
            s[static_cast<size_t>(i)] += std::sqrt(d2);
        }
    return s;
}

} // namespace

TEST_CASE("every layer of a model built in code has a filter view", "[importance][layout]")
{
    ModelBuilder b;
    b.input("x", {1, 4});
    b.weight("mm.w", {4, 3});
    b.node("MatMul", {"x", "mm.w"}, {"y"}, "mm");
    b.weight("fc.w", {3, 5});
    b.node("Gemm", {"y", "fc.w"}, {"z"}, "fc");
    b.output("z", {1, 5});
    auto m = Model::fromProto(b.build(), {});
    REQUIRE(m);
    const auto layers = findLayers(*m);
    REQUIRE(layers.size() == 2);
    for (const auto& layer : layers) {
        INFO(layer.name);
        auto f = filterMatrix(*m, layer);
        REQUIRE(f);
        CHECK(f->rows() == layer.outChannels);
        CHECK(f->cols() == layer.inChannels);
        const auto* w = m->constant(layer.weight);
        // element (o, i) of the filter view is W[i][o] as stored
        CHECK(f->row(1)[2] == w->floats[static_cast<size_t>(2 * layer.outChannels + 1)]);
    }

    auto cnn = Model::fromProto(test::makeSmallCnn(), {});
    REQUIRE(cnn);
    for (const auto& layer : findLayers(*cnn)) {
        INFO(layer.name);
        auto f = filterMatrix(*cnn, layer);
        REQUIRE(f);
        CHECK(f->rows() == layer.outChannels);
        const auto k = kernelL1(*f);
        CHECK(k.rows == layer.outChannels);
        CHECK(k.cols == layer.inChannels / layer.group);
        for (auto c : {Criterion::L1, Criterion::L2, Criterion::Fpgm, Criterion::Random}) {
            auto s = filterScores(*cnn, layer, c, 7);
            REQUIRE(s);
            CHECK(static_cast<int64_t>(s->size()) == layer.outChannels);
        }
    }
}

TEST_CASE("L1, L2 and FPGM of three filters worked out by hand", "[importance][scores]")
{
    // filters (0, 0), (3, 4), (6, 8): distances 5, 10, 5
    const std::vector<float> w{0, 0, 3, 4, 6, 8};
    auto m = filterMatrix(w, handLayer(LayerKind::Gemm, {3, 2}));
    REQUIRE(m);
    CHECK(l1Scores(*m) == std::vector<float>{0, 7, 14});
    CHECK(l2Scores(*m) == std::vector<float>{0, 5, 10});
    const auto f = fpgmScores(*m);
    REQUIRE(f.size() == 3);
    CHECK(f[0] == Approx(15.0));
    CHECK(f[1] == Approx(10.0));
    CHECK(f[2] == Approx(15.0));

    const std::vector<float> one{1, 2, 3};
    auto single = filterMatrix(one, handLayer(LayerKind::Gemm, {1, 3}));
    REQUIRE(single);
    CHECK(fpgmScores(*single) == std::vector<float>{0});
}

TEST_CASE("Gram-matrix FPGM equals the pairwise definition at every blocking edge", "[importance][scores]")
{
    // Sizes straddle the 6-row and 16-column micro tiles, the 256-deep blocks and the
    // 256-row column blocks.
    const std::vector<std::pair<int64_t, int64_t>> sizes{{2, 1},   {5, 3},    {6, 16},  {7, 17},   {17, 255},
                                                         {33, 256}, {40, 257}, {97, 600}, {300, 40}, {257, 513}};
    unsigned seed = 1;
    for (auto [rows, cols] : sizes) {
        INFO(rows << " x " << cols);
        const auto w = randomNormal(static_cast<size_t>(rows * cols), seed++);
        auto m = filterMatrix(w, handLayer(LayerKind::Gemm, {rows, cols}));
        REQUIRE(m);
        const auto fast = fpgmScores(*m);
        const auto slow = fpgmDirect(w, rows, cols);
        for (int64_t i = 0; i < rows; ++i)
            REQUIRE(fast[static_cast<size_t>(i)] == Approx(slow[static_cast<size_t>(i)]).epsilon(1e-5));
    }
}

TEST_CASE("FPGM of a layer with more filters than one Gram strip holds", "[importance][scores]")
{
    // 5000 filters: G is computed in two strips of rows (memory stays bounded for
    // vocabulary-sized projections); duplicates across the strips still tie exactly.
    const int64_t rows = 5000, cols = 9;
    auto w = randomNormal(static_cast<size_t>(rows * cols), 77);
    std::copy(w.begin() + 10 * cols, w.begin() + 11 * cols, w.begin() + 4900 * cols);
    auto m = filterMatrix(w, handLayer(LayerKind::Gemm, {rows, cols}));
    REQUIRE(m);
    const auto fast = fpgmScores(*m);
    CHECK(fast[10] == fast[4900]);
    for (int64_t i : {0, 10, 1000, 3311, 3312, 3313, 4900, 4999}) {
        double slow = 0;
        for (int64_t j = 0; j < rows; ++j) {
            double d2 = 0;
            for (int64_t k = 0; k < cols; ++k) {
                const double d = static_cast<double>(w[static_cast<size_t>(i * cols + k)]) -
                                 w[static_cast<size_t>(j * cols + k)];
                d2 += d * d;
            }
            slow += std::sqrt(d2);
        }
        CHECK(fast[static_cast<size_t>(i)] == Approx(slow).epsilon(1e-5));
    }
}

TEST_CASE("identical filters get identical FPGM scores, zero distance between them", "[importance][scores]")
{
    auto w = randomNormal(10 * 300, 5);
    std::copy(w.begin() + 2 * 300, w.begin() + 3 * 300, w.begin() + 7 * 300);  // filter 7 = filter 2
    auto m = filterMatrix(w, handLayer(LayerKind::Gemm, {10, 300}));
    REQUIRE(m);
    const auto f = fpgmScores(*m);
    CHECK(f[2] == f[7]);
    const auto slow = fpgmDirect(w, 10, 300);
    CHECK(f[2] == Approx(slow[2]).epsilon(1e-6));
}

TEST_CASE("BN scale, APoZ and random criteria", "[importance][scores]")
{
    auto m = Model::fromProto(test::makeSmallCnn(), {});
    REQUIRE(m);
    const auto layers = findLayers(*m);
    const auto bn = bnScaleScores(*m, layers[0]);  // stem_bn: gamma = 0.5 + 0.1 * (i % 7)
    REQUIRE(bn);
    REQUIRE(bn->size() == 8);
    CHECK((*bn)[0] == Approx(0.5f));
    CHECK((*bn)[6] == Approx(1.1f));
    CHECK((*bn)[7] == Approx(0.5f));

    const auto none = filterScores(*m, layers[5], Criterion::BnScale);  // fc has no BN
    REQUIRE_FALSE(none);
    CHECK(none.error().message.find("fc") != std::string::npos);

    const auto apoz = filterScores(*m, layers[0], Criterion::Apoz);
    REQUIRE_FALSE(apoz);
    CHECK(apoz.error().message.find("needs a dataset") != std::string::npos);

    const auto r1 = randomScores(1000, 42);
    CHECK(r1 == randomScores(1000, 42));
    CHECK(r1 != randomScores(1000, 43));
    double mean = 0;
    for (float v : r1) {
        REQUIRE(v >= 0.0f);
        REQUIRE(v < 1.0f);
        mean += v;
    }
    CHECK(mean / 1000 == Approx(0.5).margin(0.05));
    // Pinned: the sequence is part of saved recipes' meaning.
    CHECK(randomScores(1, 0)[0] == Approx(0.8833).margin(1e-4));
}

TEST_CASE("kernel L1 matrix of a conv", "[importance][heatmap]")
{
    // 2 filters x 2 inputs x 1x2 kernels
    const std::vector<float> w{1, -2, 3, 4, -5, 0, 0.5f, 0.5f};
    auto m = filterMatrix(w, handLayer(LayerKind::Conv, {2, 2, 1, 2}));
    REQUIRE(m);
    const auto k = kernelL1(*m);
    CHECK(k.rows == 2);
    CHECK(k.cols == 2);
    CHECK(k.values == std::vector<float>{3, 7, 5, 1});
}

TEST_CASE("element masks prune round(ratio * n) smallest |w|, rounding half to even", "[importance][masks]")
{
    const std::vector<float> w{0.5f, -0.1f, 0.3f, -0.4f, 0.2f};
    auto m = elementMask(w, 0.4);
    REQUIRE(m);
    CHECK(*m == Mask{1, 0, 1, 1, 0});
    CHECK(*elementMask(w, 0.0) == Mask{1, 1, 1, 1, 1});
    CHECK(*elementMask(w, 1.0) == Mask{0, 0, 0, 0, 0});
    // 0.5 * 5 = 2.5 -> 2 (Python's round), 0.5 * 7 = 3.5 -> 4
    const auto pruned = [](const Mask& mask) { return std::count(mask.begin(), mask.end(), 0); };
    CHECK(pruned(*elementMask(w, 0.5)) == 2);
    CHECK(pruned(*elementMask(std::vector<float>{1, 2, 3, 4, 5, 6, 7}, 0.5)) == 4);
    CHECK_FALSE(elementMask(w, 1.5));
    CHECK_FALSE(elementMask(w, -0.1));
    CHECK_FALSE(elementMask(w, std::nan("")));
    // ties: exactly the requested count goes, whatever the ties
    const std::vector<float> tied(100, 0.25f);
    CHECK(pruned(*elementMask(tied, 0.3)) == 30);
}

TEST_CASE("filter masks keep the highest scores; threshold and mean+k*std rules", "[importance][masks]")
{
    const std::vector<float> s{3, 1, 2, 5};
    CHECK(*filterMask(s, 0.5) == Mask{1, 0, 0, 1});
    CHECK(*filterMask(s, 0.0) == Mask{1, 1, 1, 1});
    CHECK(*filterMask(s, 1.0) == Mask{0, 0, 0, 0});
    CHECK_FALSE(filterMask(s, 2.0));
    const std::vector<float> tied(4, 1.0f);
    const auto t = filterMask(tied, 0.5);
    CHECK(std::count(t->begin(), t->end(), 0) == 2);

    CHECK(thresholdMask(s, 2.0) == Mask{1, 0, 1, 1});  // below the threshold goes
    const std::vector<float> q{1, 2, 3, 4};
    CHECK(meanStdThreshold(q, 0.0) == Approx(2.5));
    CHECK(meanStdThreshold(q, 1.0) == Approx(2.5 + std::sqrt(1.25)));
    CHECK(*pruneMask(q, {PruneGranularity::Filter, Criterion::L1, PruneMode::MeanStdRule, 1.0}) == Mask{0, 0, 0, 1});
    CHECK(*pruneMask(q, {PruneGranularity::Filter, Criterion::L1, PruneMode::Threshold, 2.5}) == Mask{0, 0, 1, 1});
    CHECK(*pruneMask(q, {PruneGranularity::Filter, Criterion::L1, PruneMode::Ratio, 0.25}) == Mask{0, 1, 1, 1});
    CHECK(*pruneMask(q, {PruneGranularity::Element, Criterion::L1, PruneMode::Ratio, 0.5}) == Mask{0, 0, 1, 1});
    CHECK(*pruneMask(q, {PruneGranularity::None, Criterion::L1, PruneMode::Ratio, 0.5}) == Mask{1, 1, 1, 1});
    CHECK_FALSE(pruneMask(q, {PruneGranularity::Element, Criterion::L1, PruneMode::Ratio, 3.0}));
}

TEST_CASE("histogram: equal-width bins, last bin closed, binOf agrees with the counts", "[importance][histogram]")
{
    const std::vector<float> v{0, 1, 2, 3, 4};
    const auto h = histogram(v, 4);
    CHECK(h.edges == std::vector<double>{0, 1, 2, 3, 4});
    CHECK(h.counts == std::vector<int64_t>{1, 1, 1, 2});
    CHECK(h.min == 0.0f);
    CHECK(h.max == 4.0f);
    CHECK(h.total == 5);
    CHECK(h.binOf(1.0) == 1);  // an edge belongs to the bin above it
    CHECK(h.binOf(0.999) == 0);
    CHECK(h.binOf(4.0) == 3);
    CHECK(h.binOf(-0.1) == -1);
    CHECK(h.binOf(4.1) == -1);
    CHECK(h.binOf(std::nan("")) == -1);

    const float inf = std::numeric_limits<float>::infinity();
    const auto flat = histogram(std::vector<float>{2, 2, std::nanf(""), inf}, 10);
    CHECK(flat.total == 2);
    CHECK(flat.edges.front() == 1.5);
    CHECK(flat.edges.back() == 2.5);
    CHECK(std::accumulate(flat.counts.begin(), flat.counts.end(), int64_t{0}) == 2);

    const auto empty = histogram(std::vector<float>{}, 3);
    CHECK(empty.bins() == 3);
    CHECK(empty.total == 0);

    const auto r = randomNormal(20000, 9, 0.05f);
    const auto hr = histogram(r, 64);
    CHECK(std::accumulate(hr.counts.begin(), hr.counts.end(), int64_t{0}) == 20000);
    CHECK(hr.edges.front() == static_cast<double>(hr.min));
    CHECK(hr.edges.back() == static_cast<double>(hr.max));
    std::vector<int64_t> recount(64, 0);
    for (float x : r) {
        const int b = hr.binOf(x);
        REQUIRE(b >= 0);
        REQUIRE(x >= hr.edges[static_cast<size_t>(b)]);
        if (b < 63)
            REQUIRE(x < hr.edges[static_cast<size_t>(b) + 1]);
        ++recount[static_cast<size_t>(b)];
    }
    CHECK(recount == hr.counts);
}
