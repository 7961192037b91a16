// Truncated SVD on matrices whose spectrum is known by construction; the reference test
// compares singular values and errors with numpy.linalg.svd on random weights.
#include "ModelBuilder.h"

#include "core/compress/Importance.h"
#include "core/compress/LowRank.h"
#include "core/model/Model.h"

#include <catch2/catch.hpp>

#include <cmath>
#include <random>

using namespace topiary;

namespace {

FilterMatrix matrix(const std::vector<float>& w, int64_t rows, int64_t cols)
{
    return FilterMatrix::borrow(w, rows, cols, 1);
}

// (us · vt)[i][j]
double product(const LowRankFactors& f, int64_t i, int64_t j)
{
    double s = 0;
    for (int64_t t = 0; t < f.rank; ++t)
        s += static_cast<double>(f.us[static_cast<size_t>(i * f.rank + t)]) * f.vt[static_cast<size_t>(t * f.cols + j)];
    return s;
}

} // namespace

TEST_CASE("diagonal matrix: singular values, errors and factors by hand", "[lowrank]")
{
    const std::vector<float> w{3, 0, 0, 0, 0, 2, 0, 0, 0, 0, 1, 0};  // 3 x 4, diag(3, 2, 1)
    const auto m = matrix(w, 3, 4);
    auto s = singularValues(m);
    REQUIRE(s);
    REQUIRE(s->size() == 3);
    CHECK((*s)[0] == Approx(3));
    CHECK((*s)[1] == Approx(2));
    CHECK((*s)[2] == Approx(1));
    const auto curve = explainedVariance(*s);
    CHECK(curve[0] == Approx(9.0 / 14));
    CHECK(curve[1] == Approx(13.0 / 14));
    CHECK(curve[2] == Approx(1.0));

    auto r1 = lowRank(m, 1);
    REQUIRE(r1);
    CHECK(r1->rows == 3);
    CHECK(r1->cols == 4);
    CHECK(r1->us.size() == 3);
    CHECK(r1->vt.size() == 4);
    CHECK(r1->relativeError == Approx(std::sqrt(5.0 / 14)));
    CHECK(product(*r1, 0, 0) == Approx(3));
    CHECK(product(*r1, 1, 1) == Approx(0).margin(1e-6));

    auto r2 = lowRank(m, 2);
    REQUIRE(r2);
    CHECK(r2->relativeError == Approx(std::sqrt(1.0 / 14)));
    CHECK(product(*r2, 1, 1) == Approx(2));
    auto r3 = lowRank(m, 3);
    REQUIRE(r3);
    CHECK(r3->relativeError == Approx(0).margin(1e-7));
    for (int64_t r = 0; r <= 3; ++r)
        CHECK(truncationError(*s, r) == Approx(std::sqrt((r < 1 ? 9.0 : 0) + (r < 2 ? 4.0 : 0) + (r < 3 ? 1.0 : 0)) /
                                               std::sqrt(14.0)));
}

TEST_CASE("a rank-1 matrix is exact at rank 1", "[lowrank]")
{
    const std::vector<float> u{1, -2, 0.5f};
    const std::vector<float> v{2, 1, 0, -1, 3};
    std::vector<float> w;
    for (float a : u)
        for (float b : v)
            w.push_back(a * b);
    auto f = lowRank(matrix(w, 3, 5), 1);
    REQUIRE(f);
    CHECK(f->relativeError < 1e-7);
    CHECK(f->singularValues[1] < 1e-6);
    for (int64_t i = 0; i < 3; ++i)
        for (int64_t j = 0; j < 5; ++j)
            CHECK(product(*f, i, j) == Approx(w[static_cast<size_t>(i * 5 + j)]).margin(1e-6));
}

TEST_CASE("measured error equals the spectrum's tail at every rank; V rows orthonormal", "[lowrank]")
{
    std::mt19937 rng(3);
    std::normal_distribution<float> dist;
    for (auto [rows, cols] : {std::pair<int64_t, int64_t>{20, 50}, {50, 20}, {16, 16}}) {
        std::vector<float> w(static_cast<size_t>(rows * cols));
        for (auto& x : w)
            x = dist(rng);
        const auto m = matrix(w, rows, cols);
        auto s = singularValues(m);
        REQUIRE(s);
        REQUIRE(std::is_sorted(s->rbegin(), s->rend()));
        for (int64_t r = 1; r <= std::min(rows, cols); ++r) {
            auto f = lowRank(m, r);
            REQUIRE(f);
            CHECK(f->relativeError == Approx(truncationError(*s, r)).margin(1e-6));
        }
        auto f = lowRank(m, 5);
        for (int64_t a = 0; a < 5; ++a)
            for (int64_t b = 0; b < 5; ++b) {
                double dot = 0;
                for (int64_t j = 0; j < cols; ++j)
                    dot += static_cast<double>(f->vt[static_cast<size_t>(a * cols + j)]) *
                           f->vt[static_cast<size_t>(b * cols + j)];
                CHECK(dot == Approx(a == b ? 1.0 : 0.0).margin(1e-5));
            }
    }
}

TEST_CASE("low-rank error values: rank out of range, grouped convolutions", "[lowrank]")
{
    const std::vector<float> w(12, 1.0f);
    const auto m = matrix(w, 3, 4);
    CHECK_FALSE(lowRank(m, 0));
    CHECK_FALSE(lowRank(m, -1));
    auto big = lowRank(m, 4);
    REQUIRE_FALSE(big);
    CHECK(big.error().message.find("between 1 and 3") != std::string::npos);
    CHECK(lowRank(m, 3));

    auto cnn = Model::fromProto(test::makeSmallCnn(), {});
    REQUIRE(cnn);
    const auto layers = findLayers(*cnn);
    auto dw = lowRank(*cnn, layers[3], 1);  // depthwise
    REQUIRE_FALSE(dw);
    CHECK(dw.error().message.find("grouped") != std::string::npos);

    // conv: [Cout, Cin·k·k]; Gemm as [N, K]
    auto conv = lowRank(*cnn, layers[1], 4);
    REQUIRE(conv);
    CHECK(conv->rows == 8);
    CHECK(conv->cols == 8 * 9);
    CHECK(conv->singularValues.size() == 8);
    auto fc = lowRank(*cnn, layers[5], 2);
    REQUIRE(fc);
    CHECK(fc->rows == 10);
    CHECK(fc->cols == 16);
    auto sv = singularValues(*cnn, layers[5]);
    REQUIRE(sv);
    CHECK(sv->size() == 10);
}
