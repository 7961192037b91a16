// Least-squares refits against numpy: the ridge solution of NormalEquations on random rows
// (lstsq on the rows augmented with √λ·I), and a whole layer's refit: a conv whose own
// weights are half pruned, refitted on its input at every position of 16 calibration
// images, against numpy computing the first conv, the im2col rows and lstsq itself. And
// the shared solve (outputs that keep the same inputs: one factorization, all right-hand
// sides together) against per-output solves and numpy, on rows and on a conv whose
// producer lost half of its filters.
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

// conv1 (filter-pruned: its kept filters as recovered, the others zero) -> Relu -> conv2:
// conv2's rows from the compressed conv1, its targets from the original; every output
// keeps the same input channels, one lstsq with all outputs as right-hand sides.
const char* kNumpyShared = R"(
import sys, numpy as np
d = sys.argv[1]
f = lambda n: np.fromfile(d + "/" + n, dtype=np.float32).astype(np.float64)
x = f("images.bin").reshape(-1, 1, 28, 28)
w1, b1 = f("w1.bin").reshape(6, 1, 3, 3), f("b1.bin")
w1c, b1c = f("w1c.bin").reshape(6, 1, 3, 3), f("b1c.bin")
w2, b2 = f("w2.bin").reshape(4, 6, 3, 3), f("b2.bin")
keep = np.nonzero(f("kept.bin").reshape(4, 54)[0] != 0)[0]
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
act = lambda w, b: np.maximum(c1 @ w.reshape(6, -1).T + b, 0).reshape(n, oh, ow, 6).transpose(0, 3, 1, 2)
rows, _ = im2col(act(w1c, b1c), 3, 2, 1)
y = im2col(act(w1, b1), 3, 2, 1)[0] @ w2.reshape(4, -1).T + b2
xs = rows[:, keep]
lam = ridge * (xs ** 2).sum(axis=0).mean()
a = np.vstack([np.hstack([xs, np.ones((len(xs), 1))]),
               np.hstack([np.sqrt(lam) * np.eye(len(keep)), np.zeros((len(keep), 1))])])
b = np.vstack([y, np.zeros((len(keep), 4))])
sol = np.linalg.lstsq(a, b, rcond=None)[0]
full = np.zeros((4, 55)); full[:, keep] = sol[:-1].T; full[:, 54] = sol[-1]
full.astype(np.float32).tofile(d + "/refit.bin")
)";

// conv1 (1 -> 6, 3x3) - Relu - conv2 (6 -> 4, 3x3, stride 2) on 28x28 images, with weights
// drawn from N(0, 0.3) (the builder's ramps make a rank-poor layer).
onnx::ModelProto twoConvNet(unsigned seed)
{
    test::ModelBuilder b;
    b.dynamicBatchInput("input", { 1, 28, 28 });
    b.conv("conv1", "input", "a", 1, 6, 3, 1, true, 1, 1);
    b.node("Relu", { "a" }, { "r" }, "relu1");
    b.conv("conv2", "r", "y", 6, 4, 3, 1, true, 2, 1);
    b.output("y");
    std::mt19937 rng(seed);
    std::normal_distribution<float> normal(0.0f, 0.3f);
    for (auto& t : *b.proto().mutable_graph()->mutable_initializer()) {
        std::vector<float> v(t.raw_data().size() / 4);
        for (auto& e : v)
            e = normal(rng);
        t.set_raw_data(std::string(reinterpret_cast<const char*>(v.data()), v.size() * 4));
    }
    return b.build();
}

std::vector<float> initializerFloats(const onnx::ModelProto& proto, const std::string& name)
{
    for (const auto& t : proto.graph().initializer())
        if (t.name() == name)
            return std::vector<float>(reinterpret_cast<const float*>(t.raw_data().data()),
                reinterpret_cast<const float*>(t.raw_data().data()) + t.raw_data().size() / 4);
    return {};
}

// conv2's refitted weights (4 x 54) and bias against numpy's solution, one row of 54
// weights and the intercept per output.
void checkConv2EqualsNumpy(const std::vector<float>& w, const std::vector<float>& bias, const std::vector<float>& ref)
{
    REQUIRE(ref.size() == 4 * 55);
    for (int out = 0; out < 4; ++out) {
        for (int k = 0; k < 54; ++k) {
            INFO("output " << out << ", input " << k);
            CHECK(w[static_cast<size_t>(out * 54 + k)] == Approx(ref[static_cast<size_t>(out * 55 + k)]).margin(2e-4));
        }
        CHECK(bias[static_cast<size_t>(out)] == Approx(ref[static_cast<size_t>(out * 55 + 54)]).margin(2e-4));
    }
}

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

    // The three outputs keep the same inputs: one factorization, three right-hand sides.
    const std::vector<int> outputs { 0, 1, 2 };
    auto shared = eq.solveShared(outputs, keep, true, ridge);
    REQUIRE(shared);
    REQUIRE(shared->rows == 7);
    REQUIRE(shared->cols == 3);
    const auto residuals = eq.residuals(outputs, keep, *shared);
    for (int m = 0; m < 3; ++m) {
        auto one = eq.solve(m, keep, true, ridge);
        REQUIRE(one);
        for (size_t j = 0; j < keep.size(); ++j) {
            CHECK(shared->at<double>(static_cast<int>(j), m) == Approx(one->weights[j]).margin(1e-10));
            CHECK(shared->at<double>(static_cast<int>(j), m) == Approx(ref[static_cast<size_t>(m) * 7 + j]).margin(1e-5));
        }
        CHECK(shared->at<double>(6, m) == Approx(one->bias).margin(1e-10));
        CHECK(shared->at<double>(6, m) == Approx(ref[static_cast<size_t>(m) * 7 + 6]).margin(1e-5));
        CHECK(residuals[static_cast<size_t>(m)] == Approx(ref[21 + static_cast<size_t>(m)]).epsilon(1e-4));
        CHECK(residuals[static_cast<size_t>(m)] == Approx(eq.residual(m, keep, one->weights, one->bias)).epsilon(1e-9));
    }
    // Without intercept, on two of the outputs (in another order): the same as one by one.
    const std::vector<int> two { 2, 0 };
    auto noIntercept = eq.solveShared(two, keep, false, ridge);
    REQUIRE(noIntercept);
    for (int i = 0; i < 2; ++i) {
        auto one = eq.solve(two[static_cast<size_t>(i)], keep, false, ridge);
        REQUIRE(one);
        for (size_t j = 0; j < keep.size(); ++j)
            CHECK(noIntercept->at<double>(static_cast<int>(j), i) == Approx(one->weights[j]).margin(1e-10));
        CHECK(noIntercept->at<double>(6, i) == 0.0);
    }
    std::error_code ec;
    std::filesystem::remove_all(dir, ec);
}

TEST_CASE("a pruned conv's refit equals numpy's lstsq on the layer", "[recovery][lsq]")
{
    auto model = Model::fromProto(twoConvNet(11), {});
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
    const std::vector<float> kept = initializerFloats(pruned->proto, layers[1].weight);
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
    checkConv2EqualsNumpy(result->values.at(layers[1].weight), result->values.at(layers[1].bias), ref);
    std::error_code ec;
    std::filesystem::remove_all(dir, ec);
}

TEST_CASE("a conv whose producer lost filters is refitted by one shared solve, as per output and by numpy",
    "[recovery][lsq]")
{
    auto model = Model::fromProto(twoConvNet(13), {});
    REQUIRE(model);
    const auto layers = findLayers(*model);
    REQUIRE(layers.size() == 2);
    const auto groups = findDependencyGroups(*model, layers);

    Plan plan;
    plan.setPrune("conv1", PruneSpec { PruneGranularity::Filter, Criterion::L1, PruneMode::Ratio, 0.5 });
    RecoverySpec r;
    r.leastSquares = true;
    plan.setRecovery(r);
    auto images = loadCalibrationImages(*model, test::sampleData(), test::sampleSpec(), 16, r.seed);
    REQUIRE(images);
    auto selection = selectPruned(*model, layers, groups, plan, weightScorer(*model, layers));
    REQUIRE(selection);
    RecoveryOptions options;
    options.positionsPerImage = 14 * 14;
    options.ridge = 1e-3;
    auto shared = recover(*model, plan, *images, *selection, options);
    REQUIRE(shared);
    options.shareFactorization = false;
    auto perOutput = recover(*model, plan, *images, *selection, options);
    REQUIRE(perOutput);
    const LayerRecovery* rec = shared->find("conv2");
    REQUIRE(rec);
    CHECK(rec->refitted);
    CHECK(rec->residualAfter < rec->residualBefore);
    REQUIRE(perOutput->find("conv2"));
    CHECK(perOutput->find("conv2")->residualAfter == Approx(rec->residualAfter).epsilon(1e-6));

    // Shared and per-output refits agree on both layers.
    for (const auto& name : { layers[0].weight, layers[0].bias, layers[1].weight, layers[1].bias }) {
        const auto& a = shared->values.at(name);
        const auto& p = perOutput->values.at(name);
        REQUIRE(a.size() == p.size());
        for (size_t i = 0; i < a.size(); ++i) {
            INFO(name << " [" << i << "]");
            CHECK(a[i] == Approx(p[i]).margin(1e-5));
        }
    }

    // numpy: conv2's rows from the compressed conv1 as exported with the recovered values.
    ApplyOptions o;
    o.values = &shared->values;
    auto applied = apply(*model, plan, o, &*selection);
    REQUIRE(applied);
    auto pruned = apply(*model, Plan {}.withPrune("conv1", plan.spec("conv1").prune), {}, &*selection);
    REQUIRE(pruned);
    const auto kept = initializerFloats(pruned->proto, layers[1].weight);
    REQUIRE(kept.size() == 4 * 54);
    int zeroColumns = 0;
    for (int k = 0; k < 54; ++k)
        zeroColumns += kept[static_cast<size_t>(k)] == 0.0f ? 1 : 0;
    CHECK(zeroColumns == 27); // 3 of 6 input channels x 9
    for (int o2 = 1; o2 < 4; ++o2)
        for (int k = 0; k < 54; ++k)
            REQUIRE((kept[static_cast<size_t>(o2 * 54 + k)] == 0.0f) == (kept[static_cast<size_t>(k)] == 0.0f));

    const auto dir = test::makeTempDir("topiary-shared");
    test::writeFloatFile(dir / "images.bin", std::span<const float>(images->blob.ptr<float>(), images->blob.total()));
    test::writeFloatFile(dir / "w1.bin", model->constant(layers[0].weight)->floats);
    test::writeFloatFile(dir / "b1.bin", model->constant(layers[0].bias)->floats);
    test::writeFloatFile(dir / "w1c.bin", initializerFloats(applied->proto, layers[0].weight));
    test::writeFloatFile(dir / "b1c.bin", initializerFloats(applied->proto, layers[0].bias));
    test::writeFloatFile(dir / "w2.bin", model->constant(layers[1].weight)->floats);
    test::writeFloatFile(dir / "b2.bin", model->constant(layers[1].bias)->floats);
    test::writeFloatFile(dir / "kept.bin", kept);
    test::runPython(kNumpyShared, { dir.string(), "0.001" });
    const auto ref = test::readFloatFile(dir / "refit.bin");
    REQUIRE(ref.size() == 4 * 55);
    checkConv2EqualsNumpy(shared->values.at(layers[1].weight), shared->values.at(layers[1].bias), ref);
    std::error_code ec;
    std::filesystem::remove_all(dir, ec);
}
