// QuantRange::Mse against numpy: the same short search (clip at f·max|w| for f = 1.00,
// 0.99, ... 0.21, float32 rounding half to even) written independently in numpy on a
// layer of the sample model, per channel and per tensor, symmetric and asymmetric.
#include "SampleData.h"
#include "OrtRunner.h"
#include "recover/PythonCheck.h"

#include "core/compress/Importance.h"
#include "core/compress/Quantizer.h"
#include "core/model/Layer.h"
#include "core/model/Model.h"

#include <catch2/catch.hpp>

using namespace topiary;

namespace {

// Writes scales, zero points and the total squared error of the best range per channel.
const char* kNumpyMse = R"(
import sys, numpy as np
w = np.fromfile(sys.argv[1], dtype=np.float32)
channels, bits, symmetric = int(sys.argv[2]), int(sys.argv[3]), sys.argv[4] == "1"
w = w.reshape(channels, -1)
if symmetric:
    qmin, qmax = -(2 ** (bits - 1) - 1), 2 ** (bits - 1) - 1
else:
    qmin, qmax = 0, 2 ** bits - 1
levels = np.float32(qmax)
out = []
for row in w:
    best = None
    for k in range(80):
        f = np.float32(1) - np.float32(0.01) * np.float32(k)
        lo, hi = f * row.min(), f * row.max()
        if symmetric:
            scale = np.float32(max(abs(lo), abs(hi)) / levels); zp = 0
        else:
            lo, hi = min(lo, np.float32(0)), max(hi, np.float32(0))
            scale = np.float32((hi - lo) / levels)
            zp = int(np.clip(np.rint(-lo / scale), 0, levels)) if scale > 0 else 0
        if not scale > 0:
            scale = np.float32(1)
        inv = np.float32(1) / scale
        q = np.clip(np.rint(row * inv).astype(np.int64) + zp, qmin, qmax)
        deq = ((q - zp).astype(np.float32) * scale).astype(np.float32)
        err = float(((row.astype(np.float64) - deq.astype(np.float64)) ** 2).sum())
        if best is None or err < best[0]:
            best = (err, scale, zp)
    out.append(best)
np.array([[b[1], b[2], b[0]] for b in out], dtype=np.float32).tofile(sys.argv[5])
)";

} // namespace

TEST_CASE("the MSE-optimal range equals numpy's search", "[quantizer][recovery]")
{
    const Model& model = test::sampleModel();
    const auto layers = findLayers(model);
    const Layer& layer = layers[2]; // /block1/conv1/Conv: 32 filters of 32x3x3
    const Constant* w = model.constant(layer.weight);
    REQUIRE(w);
    const auto dir = test::makeTempDir("topiary-range");
    test::writeFloatFile(dir / "w.bin", w->floats);
    for (bool perChannel : { true, false })
        for (bool symmetric : { true, false })
            for (int bits : { 4, 6 }) {
                INFO("per channel " << perChannel << ", symmetric " << symmetric << ", " << bits << " bits");
                const QuantSpec spec { QuantScheme::Uniform, bits, symmetric, perChannel, QuantRange::Mse };
                auto q = quantize(model, layer, spec);
                REQUIRE(q);
                const int channels = perChannel ? static_cast<int>(layer.outChannels) : 1;
                test::runPython(kNumpyMse,
                    { (dir / "w.bin").string(), std::to_string(channels), std::to_string(bits), symmetric ? "1" : "0",
                        (dir / "out.bin").string() });
                const auto ref = test::readFloatFile(dir / "out.bin");
                REQUIRE(ref.size() == static_cast<size_t>(channels) * 3);
                REQUIRE(q->scales.size() == static_cast<size_t>(channels));
                double numpyError = 0.0;
                for (int c = 0; c < channels; ++c) {
                    CHECK(q->scales[static_cast<size_t>(c)] == Approx(ref[static_cast<size_t>(c) * 3]).epsilon(1e-6));
                    CHECK(q->zeroPoints[static_cast<size_t>(c)] == static_cast<int>(ref[static_cast<size_t>(c) * 3 + 1]));
                    numpyError += ref[static_cast<size_t>(c) * 3 + 2];
                }
                CHECK(q->mse == Approx(numpyError / static_cast<double>(w->floats.size())).epsilon(1e-5));
                // Never worse than min/max, which is among the candidates (f = 1).
                auto minmax = quantize(model, layer, QuantSpec { QuantScheme::Uniform, bits, symmetric, perChannel });
                REQUIRE(minmax);
                CHECK(q->mse <= minmax->mse);
            }
    std::error_code ec;
    std::filesystem::remove_all(dir, ec);
}
