// apply() on real networks: the bundled sample and torchvision models (both exports of
// each). Every conv group that can be pruned loses 30% of its channels by L1; the masked
// export (zeros, same shapes) and the shrunk export (channels removed) must both pass the
// ONNX checker, the shrunk one must be smaller, and both must compute the same outputs
// within 1e-4 * max(1, max |output|), in OpenCV and in ONNX Runtime, and as a masked
// model built here from the selection without apply(). The groups that cannot be pruned
// are reported with their reasons; a lower bound on the pruned groups (what the analysis
// finds today) catches a regression that skips them.
#include "OrtRunner.h"
#include "ReferenceModels.h"

#include "core/export/Apply.h"
#include "core/model/DependencyGroups.h"
#include "core/model/Layer.h"
#include "core/model/Model.h"
#include "core/model/ModelWriter.h"
#include "core/eval/OpenCvNet.h"
#include "core/plan/Plan.h"
#include "core/compress/PruneSelection.h"
#include "core/model/GraphEdit.h"

#include <catch2/catch.hpp>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <random>
#include <sstream>
#include <string>
#include <vector>

using namespace topiary;
namespace fs = std::filesystem;

namespace {

struct TempDir {
    fs::path path = test::makeTempDir("topiary-apply");
    ~TempDir()
    {
        std::error_code ec;
        fs::remove_all(path, ec);
    }
};

// Elements of every initializer and Constant-node tensor: everything a model stores.
int64_t storedElements(const onnx::ModelProto& proto)
{
    int64_t n = 0;
    for (const auto& t : proto.graph().initializer())
        n += elementCount(t);
    for (const auto& node : proto.graph().node())
        if (node.op_type() == "Constant")
            for (const auto& a : node.attribute())
                if (a.has_t())
                    n += elementCount(a.t());
    return n;
}

std::vector<float> runOrt(const fs::path& file, const std::vector<float>& input, const std::vector<int64_t>& dims)
{
    const auto r = test::runInOrt(file, input, dims);
    INFO(file.filename().string() << ": " << r.error);
    REQUIRE(r.ok);
    return r.output;
}

struct Difference {
    double max = 0.0; // max |a - b|
    double scale = 1.0; // max(1, max |reference|)
};

Difference compare(const std::vector<float>& actual, const std::vector<float>& reference)
{
    REQUIRE(actual.size() == reference.size());
    REQUIRE(!reference.empty());
    Difference d;
    for (size_t i = 0; i < reference.size(); ++i) {
        const double diff = std::fabs(static_cast<double>(actual[i]) - reference[i]);
        d.max = std::isnan(diff) ? INFINITY : std::max(d.max, diff);
        d.scale = std::max(d.scale, std::fabs(static_cast<double>(reference[i])));
    }
    return d;
}

void zeroAlong(std::vector<float>& v, const std::vector<int64_t>& dims, int axis, const std::vector<int64_t>& indices)
{
    int64_t inner = 1;
    for (size_t d = static_cast<size_t>(axis) + 1; d < dims.size(); ++d)
        inner *= dims[d];
    const int64_t extent = dims[static_cast<size_t>(axis)];
    const int64_t outer = static_cast<int64_t>(v.size()) / (extent * inner);
    for (int64_t o = 0; o < outer; ++o)
        for (int64_t i : indices)
            std::fill_n(v.begin() + (o * extent + i) * inner, inner, 0.0f);
}
// The masked model built here from the selection alone, independently of apply(): every
// member's constants (filters, biases, all BN parameters, depthwise filters, consumers'
// input columns) zeroed at the pruned indices, each node editing a private copy.
onnx::ModelProto ownMasked(const Model& model, const std::vector<DependencyGroup>& groups, const PruneSelection& s)
{
    onnx::ModelProto out = model.proto();
    auto& graph = *out.mutable_graph();
    for (size_t g = 0; g < groups.size(); ++g) {
        if (s.groupChannels[g].empty())
            continue;
        for (const auto& m : groups[g].members) {
            if (m.role == MemberRole::Elementwise || m.role == MemberRole::Reshape)
                continue;
            const auto indices = m.prunedIndices(s.groupChannels[g]);
            if (indices.empty())
                continue;
            auto& node = *graph.mutable_node(model.node(m.node).protoIndex);
            for (const auto& axis : m.axes) {
                const std::string copy = axis.tensor + "/masked/" + model.node(m.node).name;
                if (!findInitializer(graph, copy)) {
                    const Constant* c = model.resolveConstant(axis.tensor);
                    REQUIRE(c);
                    *graph.add_initializer()
                        = makeFloatTensor(copy, c->info.shape, { c->floats.begin(), c->floats.end() });
                    for (auto& in : *node.mutable_input())
                        if (!in.empty() && model.resolveConstantName(in) == axis.tensor)
                            in = copy;
                }
                auto* t = findInitializer(graph, copy);
                auto values = readFloats(*t);
                REQUIRE(values);
                const std::vector<int64_t> dims(t->dims().begin(), t->dims().end());
                zeroAlong(*values, dims, axis.axis, indices);
                *t = makeFloatTensor(copy, dims, *values);
            }
        }
    }
    return out;
}

// Prunes every prunable conv group by 30% (L1), exports masked and shrunk, compares.
void checkApply(const fs::path& file, const std::vector<float>& input, const std::vector<int64_t>& dims,
    size_t minPrunedGroups)
{
    INFO("model " << file.string());
    REQUIRE(fs::exists(file));
    auto model = Model::load(file);
    INFO((model ? std::string() : model.error().message));
    REQUIRE(model);
    const auto layers = findLayers(*model);
    const auto groups = findDependencyGroups(*model, layers);
    const Plan plan = pruneAllConvs(Plan {}, layers, groups,
        PruneSpec { PruneGranularity::Filter, Criterion::L1, PruneMode::Ratio, 0.3 }, false);
    auto selection = selectPruned(*model, layers, groups, plan, weightScorer(*model, layers));
    INFO((selection ? std::string() : selection.error().message));
    REQUIRE(selection);

    size_t pruned = 0;
    int64_t removedChannels = 0;
    std::ostringstream skipped;
    size_t skippedCount = 0;
    for (size_t g = 0; g < groups.size(); ++g) {
        if (!selection->groupChannels[g].empty()) {
            ++pruned;
            removedChannels += static_cast<int64_t>(selection->groupChannels[g].size());
        }
        if (!groups[g].prunable) {
            ++skippedCount;
            skipped << "\n  not prunable: " << describeGroup(groups[g], layers);
        }
    }

    auto masked = apply(*model, plan, ApplyOptions { .shrink = false }, &*selection);
    INFO((masked ? std::string() : masked.error().message));
    REQUIRE(masked);
    auto shrunk = apply(*model, plan, ApplyOptions { .shrink = true }, &*selection);
    INFO((shrunk ? std::string() : shrunk.error().message));
    REQUIRE(shrunk);

    TempDir dir;
    const auto maskedFile = dir.path / "masked.onnx";
    const auto shrunkFile = dir.path / "shrunk.onnx";
    {
        auto w = writeModel(masked->proto, maskedFile);
        INFO("checker, masked: " << (w ? std::string() : w.error().message));
        REQUIRE(w);
    }
    {
        auto w = writeModel(shrunk->proto, shrunkFile);
        INFO("checker, shrunk: " << (w ? std::string() : w.error().message));
        REQUIRE(w);
    }
    auto reloaded = Model::load(shrunkFile);
    INFO((reloaded ? std::string() : reloaded.error().message));
    REQUIRE(reloaded);
    for (const auto& w : reloaded->warnings())
        FAIL_CHECK("loading the shrunk model: " << w);

    const int64_t paramsBefore = storedElements(model->proto());
    const int64_t paramsMasked = storedElements(masked->proto);
    const int64_t paramsShrunk = storedElements(shrunk->proto);

    const auto cvMasked = test::runInOpenCv(masked->proto, input, dims);
    const auto cvShrunk = test::runInOpenCv(shrunk->proto, input, dims);
    const auto ortMasked = runOrt(maskedFile, input, dims);
    const auto ortShrunk = runOrt(shrunkFile, input, dims);
    const Difference cv = compare(cvShrunk, cvMasked);
    const Difference ort = compare(ortShrunk, ortMasked);
    const Difference runtimes = compare(ortMasked, cvMasked);
    const Difference independent = compare(cvShrunk, test::runInOpenCv(ownMasked(*model, groups, *selection), input, dims));

    WARN(file.filename().string()
        << ": " << pruned << " of " << groups.size() << " groups pruned (" << removedChannels
        << " channels), " << skippedCount << " not prunable; stored elements " << paramsBefore << " -> "
        << paramsShrunk << " (masked " << paramsMasked << "); max |shrunk - masked| OpenCV " << cv.max << ", ORT "
        << ort.max << " (output scale " << cv.scale << "); max |ORT - OpenCV| masked " << runtimes.max
        << "; max |shrunk - masked here| OpenCV " << independent.max
        << skipped.str());

    CHECK(pruned >= minPrunedGroups);
    CHECK(paramsShrunk < paramsBefore);
    CHECK(paramsMasked == paramsBefore);
    CHECK(shrunk->report.removedChannels == removedChannels);
    CHECK(cv.max <= 1e-4 * cv.scale);
    CHECK(ort.max <= 1e-4 * ort.scale);
    CHECK(runtimes.max <= 1e-4 * runtimes.scale);
    CHECK(independent.max <= 1e-4 * independent.scale);
}

void checkReference(const std::string& name, size_t minPrunedGroups)
{
    const auto& ref = test::references().at(name);
    std::vector<int64_t> dims = ref.at("input_shape").get<std::vector<int64_t>>();
    const auto input = test::readFloats(test::referenceDir() / ref.at("files").at("input").get<std::string>());
    for (const std::string variant : { "folded", "bn" }) {
        DYNAMIC_SECTION(name << "_" << variant)
        {
            checkApply(test::referenceDir() / ref.at("files").at(variant).get<std::string>(), input, dims,
                minPrunedGroups);
        }
    }
}

} // namespace

TEST_CASE("apply, masked and shrunk: the bundled sample", "[reference][apply]")
{
    std::mt19937 rng(3);
    std::uniform_real_distribution<float> dist(0.0f, 1.0f);
    std::vector<float> input(28 * 28);
    for (auto& x : input)
        x = dist(rng);
    checkApply(fs::path(TOPIARY_SOURCE_DIR) / "resources" / "sample" / "fashion_cnn.onnx", input, { 1, 1, 28, 28 }, 5);
}

TEST_CASE("apply, masked and shrunk: resnet18", "[reference][apply]")
{
    checkReference("resnet18", 12);
}

TEST_CASE("apply, masked and shrunk: mobilenet_v2", "[reference][apply]")
{
    checkReference("mobilenet_v2", 25);
}

TEST_CASE("apply, masked and shrunk: densenet121", "[reference][apply]")
{
    checkReference("densenet121", 120);
}

TEST_CASE("apply, masked and shrunk: googlenet", "[reference][apply]")
{
    checkReference("googlenet", 57);
}

TEST_CASE("apply, masked and shrunk: shufflenet_v2_x1_0", "[reference][apply]")
{
    checkReference("shufflenet_v2_x1_0", 18);
}

// Exporters share equal initializers between layers (squeezenet's zero biases): the shrink
// pass gives each reader its own copy. efficientnet_b0 has SE blocks (Mul by a sigmoid of
// a pooled branch) and SiLU activations on every path.
TEST_CASE("apply, masked and shrunk: squeezenet1_1", "[reference][apply]")
{
    checkReference("squeezenet1_1", 25);
}

TEST_CASE("apply, masked and shrunk: efficientnet_b0", "[reference][apply]")
{
    checkReference("efficientnet_b0", 40);
}

// Large models (138M and 61M parameters, minutes each): hidden, run with "[apply-slow]".
TEST_CASE("apply, masked and shrunk: vgg16", "[reference][.][apply-slow]")
{
    checkReference("vgg16", 13);
}

TEST_CASE("apply, masked and shrunk: alexnet", "[reference][.][apply-slow]")
{
    checkReference("alexnet", 5);
}
