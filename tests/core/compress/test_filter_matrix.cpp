// FilterMatrix: the filter rows of every weight layout (Conv, Gemm either way round,
// MatMul, grouped ConvTranspose) on ramps whose every element can be checked by hand, and
// bad weight shapes as error values.
#include "core/compress/FilterMatrix.h"
#include "core/compress/Importance.h" // kernelL1 of the grouped ConvTranspose rows

#include <catch2/catch.hpp>

#include <numeric>

using namespace topiary;

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

std::vector<float> ramp(size_t n)
{
    std::vector<float> v(n);
    std::iota(v.begin(), v.end(), 0.0f);
    return v;
}

} // namespace

TEST_CASE("filter rows of Conv and Gemm(transB=1) weights are borrowed as stored", "[importance][layout]")
{
    const auto w = ramp(2 * 3 * 2 * 2);
    auto conv = filterMatrix(w, handLayer(LayerKind::Conv, {2, 3, 2, 2}));
    REQUIRE(conv);
    CHECK(conv->rows() == 2);
    CHECK(conv->cols() == 12);
    CHECK(conv->kernelSize() == 4);
    CHECK(conv->inputs() == 3);
    CHECK(conv->values().data() == w.data());
    CHECK(conv->row(1)[0] == 12.0f);

    auto gemm = filterMatrix(std::span(w).first(6), handLayer(LayerKind::Gemm, {2, 3}));
    REQUIRE(gemm);
    CHECK(gemm->rows() == 2);
    CHECK(gemm->cols() == 3);
    CHECK(gemm->values().data() == w.data());
    CHECK(outputChannelAxis(handLayer(LayerKind::Conv, {2, 3, 1, 1})) == 0);
    CHECK(outputChannelAxis(handLayer(LayerKind::Gemm, {2, 3})) == 0);
}

TEST_CASE("K x N weights (Gemm transB=0, MatMul) become N filter rows", "[importance][layout]")
{
    // W[k][n] = 10k + n, K = 3, N = 2
    const std::vector<float> w{0, 1, 10, 11, 20, 21};
    for (auto kind : {LayerKind::Gemm, LayerKind::MatMul}) {
        const auto layer = handLayer(kind, {3, 2}, 1, true);
        CHECK(outputChannelAxis(layer) == 1);
        auto m = filterMatrix(w, layer);
        REQUIRE(m);
        CHECK(m->rows() == 2);
        CHECK(m->cols() == 3);
        CHECK(std::vector<float>(m->row(0).begin(), m->row(0).end()) == std::vector<float>{0, 10, 20});
        CHECK(std::vector<float>(m->row(1).begin(), m->row(1).end()) == std::vector<float>{1, 11, 21});
    }
    // Larger than one transpose tile, odd sizes
    const int64_t k = 70, n = 131;
    const auto big = ramp(static_cast<size_t>(k * n));
    auto m = filterMatrix(big, handLayer(LayerKind::MatMul, {k, n}, 1, true));
    REQUIRE(m);
    for (int64_t o : {0, 64, 130})
        for (int64_t i : {0, 63, 69})
            CHECK(m->row(o)[static_cast<size_t>(i)] == big[static_cast<size_t>(i * n + o)]);
}

TEST_CASE("grouped ConvTranspose [Cin, Cout/g, k] gathers each output's group", "[importance][layout]")
{
    // Cin = 4, Cout/g = 3, g = 2, kernel 1x2: W[ci][oc][s] = (ci * 3 + oc) * 2 + s
    const auto w = ramp(4 * 3 * 2);
    const auto layer = handLayer(LayerKind::ConvTranspose, {4, 3, 1, 2}, 2);
    CHECK(outputChannelAxis(layer) == 1);
    auto m = filterMatrix(w, layer);
    REQUIRE(m);
    CHECK(m->rows() == 6);
    CHECK(m->cols() == 4);  // 2 inputs per group x 2 kernel elements
    CHECK(m->inputs() == 2);
    // output 4: group 1, local channel 1 -> inputs 2 and 3
    CHECK(std::vector<float>(m->row(4).begin(), m->row(4).end()) == std::vector<float>{14, 15, 20, 21});
    // output 0: group 0, local channel 0 -> inputs 0 and 1
    CHECK(std::vector<float>(m->row(0).begin(), m->row(0).end()) == std::vector<float>{0, 1, 6, 7});

    const auto k = kernelL1(*m);
    CHECK(k.rows == 6);
    CHECK(k.cols == 2);
    CHECK(k.values[4 * 2 + 0] == 29.0f);
    CHECK(k.values[4 * 2 + 1] == 41.0f);
}

TEST_CASE("bad weight shapes are error values", "[importance][layout]")
{
    const auto w = ramp(12);
    CHECK_FALSE(filterMatrix(w, handLayer(LayerKind::Conv, {2, 3, 2, 2})));  // 24 needed
    CHECK_FALSE(filterMatrix(w, handLayer(LayerKind::Gemm, {12})));
    CHECK_FALSE(filterMatrix(w, handLayer(LayerKind::ConvTranspose, {3, 2, 2, 1}, 2)));  // 3 inputs, 2 groups
    auto err = filterMatrix(w, handLayer(LayerKind::Gemm, {2, 5}));
    REQUIRE_FALSE(err);
    CHECK(err.error().message.find("hand") != std::string::npos);
}
