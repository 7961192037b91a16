// Adaptive BN against PyTorch: a small conv-BN network made and exported by PyTorch at
// test time (BN kept, running statistics far from the data's), its first conv quantized
// to 3 bits by the plan, and every BN's statistics re-estimated on 48 calibration
// images. PyTorch loads the same compressed weights, resets the running statistics and
// runs one train-mode forward over the same images with momentum=None (cumulative
// averages): its running_mean and running_var are the reference.
#include "OrtRunner.h"
#include "PythonCheck.h"
#include "SampleData.h"

#include "core/compress/PruneSelection.h"
#include "core/export/Apply.h"
#include "core/model/DependencyGroups.h"
#include "core/model/Layer.h"
#include "core/model/Model.h"
#include "core/plan/Plan.h"
#include "core/recover/CalibrationImages.h"
#include "core/recover/Recovery.h"

#include <catch2/catch.hpp>

#include <fstream>

using namespace topiary;

namespace {

const char* kTorchNet = R"(
import sys, torch, torch.nn as nn
class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv1 = nn.Conv2d(1, 6, 3, padding=1, bias=False)
        self.bn1 = nn.BatchNorm2d(6)
        self.conv2 = nn.Conv2d(6, 8, 3, stride=2, padding=1, bias=False)
        self.bn2 = nn.BatchNorm2d(8)
        self.fc = nn.Linear(8, 10)
    def forward(self, x):
        x = torch.relu(self.bn1(self.conv1(x)))
        x = torch.relu(self.bn2(self.conv2(x)))
        return self.fc(torch.flatten(nn.functional.adaptive_avg_pool2d(x, 1), 1))
)";

const char* kExport = R"(
torch.manual_seed(3)
net = Net()
with torch.no_grad():
    for bn in (net.bn1, net.bn2):
        bn.running_mean.uniform_(-1, 1); bn.running_var.uniform_(0.5, 2)
        bn.weight.uniform_(0.5, 1.5); bn.bias.uniform_(-0.2, 0.2)
net.eval()
torch.onnx.export(net, torch.zeros(1, 1, 28, 28), sys.argv[1], opset_version=13, input_names=["input"],
                  output_names=["logits"], dynamic_axes={"input": {0: "N"}, "logits": {0: "N"}},
                  training=torch.onnx.TrainingMode.PRESERVE, do_constant_folding=False)
)";

const char* kReestimate = R"(
import onnx, numpy as np
from onnx import numpy_helper
net = Net()
weights = {t.name: numpy_helper.to_array(t) for t in onnx.load(sys.argv[1]).graph.initializer}
state = net.state_dict()
for name in state:
    if name in weights:
        state[name] = torch.from_numpy(weights[name].copy())
net.load_state_dict(state)
images = torch.from_numpy(np.fromfile(sys.argv[2], dtype=np.float32).reshape(-1, 1, 28, 28))
for bn in (net.bn1, net.bn2):
    bn.reset_running_stats(); bn.momentum = None
net.train()
with torch.no_grad():
    net(images)
torch.cat([net.bn1.running_mean, net.bn1.running_var, net.bn2.running_mean, net.bn2.running_var]).numpy().tofile(sys.argv[3])
)";

} // namespace

TEST_CASE("re-estimated BatchNorm statistics equal PyTorch's", "[recovery][bn]")
{
    const auto dir = test::makeTempDir("topiary-adabn");
    test::runPython(std::string(kTorchNet) + kExport, { (dir / "net.onnx").string() });
    auto model = Model::load(dir / "net.onnx");
    REQUIRE(model);
    const auto layers = findLayers(*model);
    REQUIRE(layers.size() == 3);
    REQUIRE(layers[0].batchNorm >= 0);
    REQUIRE(layers[1].batchNorm >= 0);
    const auto groups = findDependencyGroups(*model, layers);

    Plan plan;
    plan.setQuant(layers[0].name, QuantSpec { QuantScheme::Uniform, 3, true, true });
    RecoverySpec r;
    r.batchNorm = true;
    plan.setRecovery(r);
    auto images = loadCalibrationImages(*model, test::sampleData(), test::sampleSpec(), 48, r.seed);
    REQUIRE(images);
    auto selection = selectPruned(*model, layers, groups, plan, weightScorer(*model, layers));
    REQUIRE(selection);
    RecoveryOptions options;
    options.batchSize = 20; // batches that do not divide 48: the moments still combine exactly
    auto result = recover(*model, plan, *images, *selection, options);
    REQUIRE(result);

    // The compressed weights PyTorch starts from: the plan applied without recovery.
    auto compressed = apply(*model, Plan {}.withQuant(layers[0].name, plan.spec(layers[0].name).quant));
    REQUIRE(compressed);
    {
        std::ofstream f(dir / "compressed.onnx", std::ios::binary);
        REQUIRE(compressed->proto.SerializeToOstream(&f));
    }
    test::writeFloatFile(dir / "images.bin", std::span<const float>(images->blob.ptr<float>(), images->blob.total()));
    test::runPython(std::string(kTorchNet) + kReestimate,
        { (dir / "compressed.onnx").string(), (dir / "images.bin").string(), (dir / "stats.bin").string() });
    const auto ref = test::readFloatFile(dir / "stats.bin");
    REQUIRE(ref.size() == 2 * 6 + 2 * 8);

    size_t at = 0;
    for (int l : { 0, 1 }) {
        const Node& bn = model->node(layers[static_cast<size_t>(l)].batchNorm);
        const LayerRecovery* rec = result->find(layers[static_cast<size_t>(l)].name);
        REQUIRE(rec);
        CHECK(rec->batchNorm);
        for (int which : { 3, 4 }) { // running mean, running var
            const std::string name = model->resolveConstantName(bn.inputs[static_cast<size_t>(which)]);
            const auto& values = result->values.at(name);
            for (size_t c = 0; c < values.size(); ++c, ++at) {
                INFO(name << "[" << c << "]");
                // PyTorch normalizes the second BN's input by the first's batch variance
                // (n in the divisor) where Topiary uses the stored unbiased one: 1e-4 apart.
                CHECK(values[c] == Approx(ref[at]).epsilon(1e-3).margin(1e-5));
            }
        }
    }
    CHECK(at == ref.size());
    std::error_code ec;
    std::filesystem::remove_all(dir, ec);
}
