// Importance, masks, quantization and low rank against PyTorch and numpy, computed at
// test time by tests/core/reference/python/numerics_reference.py on random tensors
// (a conv, a Gemm, and two tensors full of ties, zero and duplicate filters).
//   - pruning masks identical to torch.nn.utils.prune (l1_unstructured, ln_structured)
//   - uniform fake quantization bit-identical to torch.fake_quantize_per_{tensor,channel}
//     _affine; both sides compute the scales in float32 from DESIGN.md's formulas, and the
//     rounding (float reciprocal, nearbyint, clamp) is the same, so no ulp slack is needed
//   - float16 bit-identical to tensor.half().float()
//   - FPGM scores within 1e-4 relative of a pairwise float64 loop, same ranking
//   - low-rank errors within 1e-5 of numpy's sqrt(Σ tail s²)/sqrt(Σ s²)
#include "core/compress/Importance.h"
#include "core/compress/LowRank.h"
#include "core/compress/Quantizer.h"

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <numeric>
#include <unistd.h>

using namespace topiary;
namespace fs = std::filesystem;

namespace {

nlohmann::json runReference(int seed)
{
    const char* env = std::getenv("TOPIARY_PYTHON");
    const std::string python = env ? env : "/usr/bin/python3";
    const fs::path script = fs::path(TOPIARY_SOURCE_DIR) / "tests/core/reference/python/numerics_reference.py";
    const fs::path dir =
        fs::temp_directory_path() / ("topiary-numerics-" + std::to_string(::getpid()) + "-" + std::to_string(seed));
    const std::string cmd = python + " '" + script.string() + "' --seed " + std::to_string(seed) + " --out '" +
                            dir.string() + "'";
    INFO(cmd);
    REQUIRE(std::system(cmd.c_str()) == 0);
    std::ifstream in(dir / "numerics.json");
    REQUIRE(in);
    auto json = nlohmann::json::parse(in);
    fs::remove_all(dir);
    return json;
}

std::vector<float> floats(const nlohmann::json& j)
{
    std::vector<float> v;
    for (const auto& x : j)
        v.push_back(static_cast<float>(x.get<double>()));
    return v;
}

Mask mask(const nlohmann::json& j)
{
    Mask m;
    for (const auto& x : j)
        m.push_back(static_cast<uint8_t>(x.get<int>()));
    return m;
}

// Indices by ascending score, ties by index (numpy's stable argsort).
std::vector<int64_t> ranking(const std::vector<float>& scores)
{
    std::vector<int64_t> order(scores.size());
    std::iota(order.begin(), order.end(), 0);
    std::stable_sort(order.begin(), order.end(), [&](int64_t a, int64_t b) {
        return scores[static_cast<size_t>(a)] < scores[static_cast<size_t>(b)];
    });
    return order;
}

Layer layerFor(const std::vector<int64_t>& shape)
{
    Layer l;
    l.name = "reference";
    l.kind = shape.size() == 2 ? LayerKind::Gemm : LayerKind::Conv;
    l.weightShape = shape;
    return l;
}

size_t bitMismatches(const std::vector<float>& a, const std::vector<float>& b)
{
    size_t n = 0;
    for (size_t i = 0; i < a.size(); ++i)
        n += std::memcmp(&a[i], &b[i], sizeof(float)) != 0;
    return n;
}

void checkTensor(const std::string& name, const nlohmann::json& t)
{
    INFO("tensor " << name);
    const auto shape = t["shape"].get<std::vector<int64_t>>();
    const auto w = floats(t["values"]);
    auto fm = filterMatrix(w, layerFor(shape));
    REQUIRE(fm);
    const bool hasTies = name.find("ties") != std::string::npos;

    // Pruning masks
    for (const auto& [amount, expected] : t["l1_unstructured"].items()) {
        INFO("l1_unstructured amount " << amount);
        auto m = elementMask(w, std::stod(amount));
        REQUIRE(m);
        CHECK(*m == mask(expected));
    }
    for (const auto& [n, scores] : {std::pair{"n1", l1Scores(*fm)}, std::pair{"n2", l2Scores(*fm)}}) {
        INFO("ln_structured " << n);
        auto m = filterMask(scores, 0.3);
        REQUIRE(m);
        CHECK(*m == mask(t["ln_structured"][n]));
    }

    // Uniform fake quantization: bit for bit
    for (const auto& ref : t["fake_quant"]) {
        const QuantSpec spec{QuantScheme::Uniform, ref["bits"].get<int>(), ref["symmetric"].get<bool>(),
                             ref["per_channel"].get<bool>()};
        INFO("fake quant " << spec.bits << " bits, " << (spec.symmetric ? "symmetric" : "asymmetric") << ", "
                           << (spec.perChannel ? "per channel" : "per tensor"));
        auto q = quantize(w, shape, 0, spec);
        REQUIRE(q);
        CHECK(q->scales == floats(ref["scales"]));
        CHECK(q->zeroPoints == ref["zero_points"].get<std::vector<int32_t>>());
        CHECK(bitMismatches(q->values, floats(ref["values"])) == 0);
    }
    auto half = quantize(w, shape, 0, {QuantScheme::Float16, 16});
    REQUIRE(half);
    CHECK(bitMismatches(half->values, floats(t["float16"])) == 0);
    for (const auto& [key, scheme] :
         {std::pair{"binary", QuantScheme::Binary}, std::pair{"ternary", QuantScheme::Ternary}}) {
        INFO(key);
        auto q = quantize(w, shape, 0, {scheme, 2});
        REQUIRE(q);
        const auto expected = floats(t[key]);
        for (size_t i = 0; i < w.size(); ++i)
            REQUIRE(q->values[i] == Approx(expected[i]).epsilon(1e-6).margin(1e-9));
    }

    // Filter scores
    const auto l1 = l1Scores(*fm);
    const auto l2 = l2Scores(*fm);
    const auto fpgm = fpgmScores(*fm);
    const auto l1Ref = t["l1"].get<std::vector<double>>();
    const auto l2Ref = t["l2"].get<std::vector<double>>();
    const auto fpgmRef = t["fpgm"].get<std::vector<double>>();
    for (size_t i = 0; i < fpgm.size(); ++i) {
        CHECK(l1[i] == Approx(l1Ref[i]).epsilon(1e-6));
        CHECK(l2[i] == Approx(l2Ref[i]).epsilon(1e-6));
        CHECK(fpgm[i] == Approx(fpgmRef[i]).epsilon(1e-4));
    }
    const auto ours = ranking(fpgm);
    if (!hasTies) {
        CHECK(ours == t["fpgm_ranking"].get<std::vector<int64_t>>());
    } else {
        // duplicated filters tie: our order must still be ascending in the reference scores
        for (size_t i = 1; i < ours.size(); ++i)
            CHECK(fpgmRef[static_cast<size_t>(ours[i - 1])] <= fpgmRef[static_cast<size_t>(ours[i])] * (1 + 1e-9));
    }

    // Low rank
    const auto svRef = t["singular_values"].get<std::vector<double>>();
    const auto errRef = t["lowrank_error"].get<std::vector<double>>();
    auto sv = singularValues(*fm);
    REQUIRE(sv);
    REQUIRE(sv->size() == svRef.size());
    for (size_t i = 0; i < svRef.size(); ++i)
        CHECK((*sv)[i] == Approx(svRef[i]).margin(1e-6 * svRef[0]));
    const auto ranks = static_cast<int64_t>(svRef.size());
    for (int64_t r = 1; r <= ranks; ++r) {
        if (ranks > 20 && r % 7 != 0 && r != 1 && r != ranks)
            continue;  // the 64-row tensor: a sample of ranks keeps the test quick
        INFO("rank " << r);
        auto f = lowRank(*fm, r);
        REQUIRE(f);
        CHECK(f->relativeError == Approx(errRef[static_cast<size_t>(r - 1)]).margin(1e-5));
        CHECK(truncationError(*sv, r) == Approx(errRef[static_cast<size_t>(r - 1)]).margin(1e-5));
    }
}

} // namespace

TEST_CASE("numerics agree with PyTorch and numpy on random tensors", "[reference][numerics]")
{
    for (int seed : {1, 2}) {
        INFO("seed " << seed);
        const auto json = runReference(seed);
        REQUIRE(json["tensors"].size() == 4);
        for (const auto& [name, tensor] : json["tensors"].items())
            checkTensor(name, tensor);
    }
}
