// Least-squares refits against numpy: the ridge solution of NormalEquations on random rows
// (lstsq on the rows augmented with √λ·I), and a whole layer's refit: a conv whose own
// weights are half pruned, refitted on its input at every position of 16 calibration
// images, against numpy computing the first conv, the im2col rows and lstsq itself.
#include "ModelBuilder.h"
#include "OrtRunner.h"
#include "PythonCheck.h"
#include "SampleData.h"

#include "core/compress/PruneSelection.h"
#include "core/model/DependencyGroups.h"
#include "core/model/Layer.h"
#include "core/model/Model.h"
#include "core/plan/Plan.h"
#include "core/recover/CalibrationImages.h"
#include "core/recover/NormalEquations.h"
#include "core/recover/Recovery.h"

#include <catch2/catch.hpp>

#include <random>

using namespace topiary;

namespace {

const char* kNumpyRidge = R"(
import sys, numpy as np
x = np.fromfile(sys.argv[1], dtype=np.float32).astype(np.float64).reshape(-1, 12)
y = np.fromfile(sys.argv[2], dtype=np.float32).astype(np.float64).reshape(-1, 3)
keep = [int(k) for k in sys.argv[3].split(",")]
ridge = float(sys.argv[4])
xs = x[:, keep]
lam = ridge * (xs ** 2).sum(axis=0).mean()
a = np.vstack([np.hstack([xs, np.ones((len(xs), 1))]),
               np.hstack([np.sqrt(lam) * np.eye(len(keep)), np.zeros((len(keep), 1))])])
b = np.vstack([y, np.zeros((len(keep), 3))])
sol = np.linalg.lstsq(a, b, rcond=None)[0]
res = ((y - np.hstack([xs, np.ones((len(xs), 1))]) @ sol) ** 2).sum(axis=0)
np.concatenate([sol.T.ravel(), res]).astype(np.float32).tofile(sys.argv[5])
)";

// conv1 (1->6, 3x3, pad 1, bias) -> Relu -> conv2 (6->4, 3x3, stride 2, pad 1, bias): the
// refit of conv2's kept weights on every position, by lstsq with the same ridge.
const char* kNumpyLayer = R"(
import sys, numpy as np
d = sys.argv[1]
f = lambda n: np.fromfile(d + "/" + n, dtype=np.float32).astype(np.float64)
x = f("images.bin").reshape(-1, 1, 28, 28)
w1, b1 = f("w1.bin").reshape(6, 1, 3, 3), f("b1.bin")
w2, b2 = f("w2.bin").reshape(4, 6, 3, 3), f("b2.bin")
kept = f("kept.bin").reshape(4, 54) != 0
ridge = float(sys.argv[2])
def im2col(t, k, stride, pad):
    n, c, h, w = t.shape
    t = np.pad(t, ((0, 0), (0, 0), (pad, pad), (pad, pad)))
    oh, ow = (h + 2 * pad - k) // stride + 1, (w + 2 * pad - k) // stride + 1
    cols = np.empty((n, oh, ow, c, k, k))
    for i in range(k):
        for j in range(k):
            cols[:, :, :, :, i, j] = t[:, :, i:i + stride * oh:stride, j:j + stride * ow:stride].transpose(0, 2, 3, 1)
    return cols.reshape(n * oh * ow, c * k * k), (n, oh, ow)
c1, (n, oh, ow) = im2col(x, 3, 1, 1)
a1 = np.maximum(c1 @ w1.reshape(6, -1).T + b1, 0).reshape(n, oh, ow, 6).transpose(0, 3, 1, 2)
rows, _ = im2col(a1, 3, 2, 1)
y = rows @ w2.reshape(4, -1).T + b2
out = []
for o in range(4):
    keep = np.nonzero(kept[o])[0]
    xs = rows[:, keep]
    lam = ridge * (xs ** 2).sum(axis=0).mean()
    a = np.vstack([np.hstack([xs, np.ones((len(xs), 1))]),
                   np.hstack([np.sqrt(lam) * np.eye(len(keep)), np.zeros((len(keep), 1))])])
    b = np.concatenate([y[:, o], np.zeros(len(keep))])
    sol = np.linalg.lstsq(a, b, rcond=None)[0]
    full = np.zeros(54); full[keep] = sol[:-1]
    out.append(np.concatenate([full, [sol[-1]]]))
np.array(out, dtype=np.float32).tofile(d + "/refit.bin")
)";

} // namespace

TEST_CASE("the ridge least-squares solution equals numpy's lstsq", "[recovery][lsq]")
{
    std::mt19937 rng(5);
    std::normal_distribution<float> normal;
    const int rows = 300;
    cv::Mat x(rows, 12, CV_32F), y(rows, 3, CV_32F);
    for (int r = 0; r < rows; ++r) {
        for (int k = 0; k < 12; ++k)
            x.at<float>(r, k) = normal(rng) + (k == 3 ? 2.0f : 0.0f);
        for (int m = 0; m < 3; ++m)
            y.at<float>(r, m) = 0.5f * x.at<float>(r, m) - x.at<float>(r, 7) + 0.1f * normal(rng) + 1.5f;
    }
    NormalEquations eq(12, 3);
    eq.add(x.rowRange(0, 100), y.rowRange(0, 100)); // two batches: sums, not rows, are kept
    eq.add(x.rowRange(100, rows), y.rowRange(100, rows));
    CHECK(eq.rows() == rows);
    const std::vector<int> keep { 0, 1, 3, 7, 8, 11 };
    const double ridge = 0.05;

    const auto dir = test::makeTempDir("topiary-ridge");
    test::writeFloatFile(dir / "x.bin", std::span<const float>(x.ptr<float>(), x.total()));
    test::writeFloatFile(dir / "y.bin", std::span<const float>(y.ptr<float>(), y.total()));
    test::runPython(kNumpyRidge,
        { (dir / "x.bin").string(), (dir / "y.bin").string(), "0,1,3,7,8,11", "0.05", (dir / "out.bin").string() });
    const auto ref = test::readFloatFile(dir / "out.bin");
    REQUIRE(ref.size() == 3 * 7 + 3);
    for (int m = 0; m < 3; ++m) {
        auto fit = eq.solve(m, keep, true, ridge);
        REQUIRE(fit);
        for (size_t j = 0; j < keep.size(); ++j)
            CHECK(fit->weights[j] == Approx(ref[static_cast<size_t>(m) * 7 + j]).margin(1e-5));
        CHECK(fit->bias == Approx(ref[static_cast<size_t>(m) * 7 + 6]).margin(1e-5));
        CHECK(eq.residual(m, keep, fit->weights, fit->bias) == Approx(ref[21 + static_cast<size_t>(m)]).epsilon(1e-4));
    }
    std::error_code ec;
    std::filesystem::remove_all(dir, ec);
}

TEST_CASE("a pruned conv's refit equals numpy's lstsq on the layer", "[recovery][lsq]")
{
    test::ModelBuilder b;
    b.dynamicBatchInput("input", { 1, 28, 28 });
    b.conv("conv1", "input", "a", 1, 6, 3, 1, true, 1, 1);
    b.node("Relu", { "a" }, { "r" }, "relu1");
    b.conv("conv2", "r", "y", 6, 4, 3, 1, true, 2, 1);
    b.output("y");
    // Ramps make a rank-poor layer; give the weights some spread instead.
    std::mt19937 rng(11);
    std::normal_distribution<float> normal(0.0f, 0.3f);
    for (auto& t : *b.proto().mutable_graph()->mutable_initializer()) {
        std::vector<float> v(t.raw_data().size() / 4);
        for (auto& e : v)
            e = normal(rng);
        t.set_raw_data(std::string(reinterpret_cast<const char*>(v.data()), v.size() * 4));
    }
    auto model = Model::fromProto(b.build(), {});
    REQUIRE(model);
    const auto layers = findLayers(*model);
    REQUIRE(layers.size() == 2);
    const auto groups = findDependencyGroups(*model, layers);

    Plan plan;
    plan.setPrune("conv2", PruneSpec { PruneGranularity::Element, Criterion::L1, PruneMode::Ratio, 0.5 });
    RecoverySpec r;
    r.leastSquares = true;
    plan.setRecovery(r);
    auto images = loadCalibrationImages(*model, test::sampleData(), test::sampleSpec(), 16, r.seed);
    REQUIRE(images);
    REQUIRE(images->count() == 16);
    auto selection = selectPruned(*model, layers, groups, plan, weightScorer(*model, layers));
    REQUIRE(selection);
    RecoveryOptions options;
    options.positionsPerImage = 14 * 14; // every position, as numpy uses
    options.ridge = 1e-3;
    auto result = recover(*model, plan, *images, *selection, options);
    REQUIRE(result);
    const LayerRecovery* rec = result->find("conv2");
    REQUIRE(rec);
    CHECK(rec->refitted);
    CHECK(rec->residualAfter < rec->residualBefore);
    CHECK_FALSE(result->find("conv1")); // before the first changed layer: left alone

    auto pruned = apply(*model, Plan {}.withPrune("conv2", plan.spec("conv2").prune));
    REQUIRE(pruned);
    std::vector<float> kept;
    for (const auto& t : pruned->proto.graph().initializer())
        if (t.name() == layers[1].weight)
            kept.assign(reinterpret_cast<const float*>(t.raw_data().data()),
                reinterpret_cast<const float*>(t.raw_data().data()) + t.raw_data().size() / 4);
    REQUIRE(kept.size() == 4 * 54);

    const auto dir = test::makeTempDir("topiary-refit");
    test::writeFloatFile(dir / "images.bin", std::span<const float>(images->blob.ptr<float>(), images->blob.total()));
    test::writeFloatFile(dir / "w1.bin", model->constant(layers[0].weight)->floats);
    test::writeFloatFile(dir / "b1.bin", model->constant(layers[0].bias)->floats);
    test::writeFloatFile(dir / "w2.bin", model->constant(layers[1].weight)->floats);
    test::writeFloatFile(dir / "b2.bin", model->constant(layers[1].bias)->floats);
    test::writeFloatFile(dir / "kept.bin", kept);
    test::runPython(kNumpyLayer, { dir.string(), "0.001" });
    const auto ref = test::readFloatFile(dir / "refit.bin");
    REQUIRE(ref.size() == 4 * 55);
    const auto& w = result->values.at(layers[1].weight);
    const auto& bias = result->values.at(layers[1].bias);
    for (int o = 0; o < 4; ++o) {
        for (int k = 0; k < 54; ++k) {
            INFO("output " << o << ", input " << k);
            CHECK(w[static_cast<size_t>(o * 54 + k)] == Approx(ref[static_cast<size_t>(o * 55 + k)]).margin(2e-4));
        }
        CHECK(bias[static_cast<size_t>(o)] == Approx(ref[static_cast<size_t>(o * 55 + 54)]).margin(2e-4));
    }
    std::error_code ec;
    std::filesystem::remove_all(dir, ec);
}
