// Calibrated activation ranges against numpy: the sample model runs on 64 calibration
// images with every layer's input at 8 bits; one tapped tensor's values go to numpy, which
// computes each method from its definition (ActivationRange.h) on the raw values, and for
// percentile also np.percentile itself (within one histogram bin); for MSE numpy searches
// the same factors with the exact squared error of every value.
#include "SampleData.h"
#include "recover/PythonCheck.h"
#include "OrtRunner.h"

#include "core/model/Layer.h"
#include "core/plan/Plan.h"
#include "core/recover/ActivationCalibration.h"
#include "core/recover/TensorTaps.h"

#include <catch2/catch.hpp>

#include <cmath>

using namespace topiary;

namespace {

// argv: values.bin method symmetric percentile out.bin
// out: [lo, hi] by the definition, then method-specific checks:
//   percentile: np.percentile's lo, hi;  mse: the exact error of the best factor;
const char* kNumpyRanges = R"(
import sys, numpy as np
x32 = np.fromfile(sys.argv[1], dtype=np.float32)
method, sym, pct = sys.argv[2], sys.argv[3] == "1", float(sys.argv[4])
x = x32.astype(np.float64)
B = 2048
lo32, hi32 = x32.min(), x32.max()
amax32 = max(abs(lo32), abs(hi32))
def hist(v, start, width32):
    per = B / float(width32)
    b = np.clip(np.floor((v - float(start)) * per).astype(np.int64), 0, B - 1)
    return np.bincount(b, minlength=B).astype(np.float64)
def edge(start, width32, b):
    return np.float32(np.float32(start) + np.float32(np.float32(width32) * np.float32(b)) / np.float32(B))
extra = [0.0, 0.0]
n = x.size
if method == "minmax":
    r = (-amax32, amax32) if sym else (lo32, hi32)
elif method == "percentile":
    p = pct / 100.0
    if sym:
        h = hist(np.abs(x), 0.0, amax32); c = np.cumsum(h)
        t = edge(0.0, amax32, int(np.argmax(c >= p * n)) + 1)
        r = (-t, t)
        q = np.percentile(np.abs(x), pct); extra = [-q, q]
    else:
        w32 = np.float32(hi32 - lo32)
        h = hist(x, lo32, w32); c = np.cumsum(h)
        r = (edge(lo32, w32, int(np.argmax(c > (1 - p) * n))), edge(lo32, w32, int(np.argmax(c >= p * n)) + 1))
        extra = [np.percentile(x, 100 - pct), np.percentile(x, pct)]
elif method == "entropy":
    a = hist(np.abs(x), 0.0, amax32)
    best, best_i = np.inf, B
    for i in range(128, B + 1):
        pd = a[:i].copy(); pd[i - 1] += a[i:].sum()
        groups = (np.arange(i) * 128) // i
        sums = np.bincount(groups, weights=a[:i], minlength=128)
        nz = np.bincount(groups, weights=(a[:i] != 0).astype(np.float64), minlength=128)
        qd = np.where(a[:i] != 0, sums[groups] / np.maximum(nz[groups], 1), 0.0)
        ok = True
        for d in (pd, qd):
            zeros = (d == 0).sum(); nonz = d.size - zeros
            if d.sum() <= 0 or nonz == 0:
                ok = False; break
        if not ok:
            continue
        def smooth(d):
            zeros = (d == 0).sum(); nonz = d.size - zeros
            take = 1e-4 * zeros / nonz
            return np.where(d == 0, 1e-4, d / d.sum() - take)
        ps, qs = smooth(pd), smooth(qd)
        kl = float((ps * np.log(ps / qs)).sum())
        if kl < best:
            best, best_i = kl, i
    t = np.float32(np.float32(amax32) * np.float32(best_i) / np.float32(B))
    r = (-t, t) if sym else (max(lo32, -t), min(hi32, t))
elif method == "mse":
    def err(lo, hi):
        if sym:
            m = max(abs(lo), abs(hi)); s = np.float32(m / np.float32(127)) if m > 0 else np.float32(1); zp = 0; qmin, qmax = -128, 127
        else:
            lo, hi = min(lo, np.float32(0)), max(hi, np.float32(0))
            s = np.float32((hi - lo) / np.float32(255)) if hi > lo else np.float32(1)
            zp = int(np.clip(np.rint(-lo / s), 0, 255)); qmin, qmax = 0, 255
        q = np.clip(np.rint(x32 / s) + zp, qmin, qmax)
        d = ((q - zp).astype(np.float32) * s).astype(np.float64)
        return float(((x - d) ** 2).sum())
    full = (-amax32, amax32) if sym else (lo32, hi32)
    errs = [err(np.float32(1 - 0.01 * k) * full[0], np.float32(1 - 0.01 * k) * full[1]) for k in range(80)]
    k = int(np.argmin(errs))
    f = np.float32(1) - np.float32(0.01) * np.float32(k)
    r = (f * full[0], f * full[1])
    given = (float(sys.argv[6]), float(sys.argv[7]))
    extra = [min(errs), err(np.float32(given[0]), np.float32(given[1]))]
np.array([r[0], r[1], extra[0], extra[1]], dtype=np.float64).astype(np.float32).tofile(sys.argv[5])
)";

struct Fixture {
    Plan plan;
    CalibrationImages images;
    std::vector<float> values; // every value of the tapped tensor on the images

    explicit Fixture(bool symmetric, const std::string& tensor)
    {
        const Model& model = test::sampleModel();
        const auto layers = findLayers(model);
        plan = quantizeAllActivations(Plan {}, layers, ActivationSpec { 8, symmetric }, false);
        auto i = loadCalibrationImages(model, test::sampleData(), test::sampleSpec(), 64, RecoverySpec::kDefaultSeed);
        REQUIRE(i);
        images = std::move(*i);
        auto applied = apply(model, withFloatActivations(plan));
        REQUIRE(applied);
        auto taps = TensorTaps::create(model, applied->proto, images.inputName, { tensor });
        REQUIRE(taps);
        REQUIRE(taps->run(images, 16, [&](int64_t, int count, const std::vector<cv::Mat>& t) -> Result<void> {
            const size_t n = t[0].total() / static_cast<size_t>(t[0].size[0]) * static_cast<size_t>(count);
            values.insert(values.end(), t[0].ptr<float>(), t[0].ptr<float>() + n);
            return {};
        }));
    }

    TensorRange calibrated(CalibrationMethod method, const std::string& tensor)
    {
        CalibrationOptions o;
        o.method = method;
        auto c = calibrateActivations(test::sampleModel(), plan, images, o);
        REQUIRE(c);
        REQUIRE(c->ranges.tensors.contains(tensor));
        CHECK(c->ranges.images == 64);
        return c->ranges.tensors.at(tensor);
    }

    std::vector<float> numpy(const char* method, bool symmetric, const TensorRange& given = {})
    {
        const auto dir = test::makeTempDir("topiary-calib");
        test::writeFloatFile(dir / "x.bin", values);
        test::runPython(kNumpyRanges, { (dir / "x.bin").string(), method, symmetric ? "1" : "0", "99.99",
            (dir / "out.bin").string(), std::to_string(given.min), std::to_string(given.max) });
        auto out = test::readFloatFile(dir / "out.bin");
        std::filesystem::remove_all(dir);
        REQUIRE(out.size() == 4);
        return out;
    }
};

// After block1's second BN, before the Add: values of both signs.
const std::string kSigned = "/block1/bn2/BatchNormalization_output_0";
// After block1's first ReLU (the conv1 -> bn1 -> relu1 output): non-negative.
const std::string kRelu = "/block1/relu1/Relu_output_0";

} // namespace

TEST_CASE("calibrated ranges equal numpy's on the same activations", "[calibration][python]")
{
    for (bool symmetric : { false, true }) {
        for (const std::string& tensor : { kSigned, kRelu }) {
            Fixture f(symmetric, tensor);
            REQUIRE(f.values.size() > 10000);
            INFO((symmetric ? "symmetric " : "asymmetric ") << tensor);
            const float width = *std::max_element(f.values.begin(), f.values.end())
                - *std::min_element(f.values.begin(), f.values.end());
            const float bin = width / 2048.0f;
            for (auto [method, name] : { std::pair { CalibrationMethod::MinMax, "minmax" },
                     { CalibrationMethod::Percentile, "percentile" }, { CalibrationMethod::Entropy, "entropy" } }) {
                INFO(name);
                const TensorRange r = f.calibrated(method, tensor);
                const auto ref = f.numpy(name, symmetric);
                CHECK(r.min == Approx(ref[0]).margin(1e-6).epsilon(1e-5));
                CHECK(r.max == Approx(ref[1]).margin(1e-6).epsilon(1e-5));
                if (method == CalibrationMethod::Percentile) { // np.percentile itself, within a bin
                    CHECK(std::fabs(r.min - ref[2]) <= bin * 1.01f);
                    CHECK(std::fabs(r.max - ref[3]) <= bin * 1.01f);
                }
            }
            // MSE: the error of Topiary's range (from bin centres) within 2 % of numpy's exact best.
            const TensorRange r = f.calibrated(CalibrationMethod::Mse, tensor);
            const auto ref = f.numpy("mse", symmetric, r);
            CHECK(ref[3] <= ref[2] * 1.02f);
            CHECK(ref[2] > 0.0f);
        }
    }
}
