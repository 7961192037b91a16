// The shrink pass on small models built here. Each case prunes hand-picked channels of
// some dependency groups and checks that the shrunk model computes what the masked model
// computes (pruned filters, biases and BN parameters zeroed, consumers' input columns
// zeroed, shapes kept), in OpenCV and in ONNX Runtime, and that the tensors lost exactly
// the pruned entries. The masked model is built here, independently of apply().
#include "AnalysedModel.h"
#include "ModelBuilder.h"
#include "OrtRunner.h"

#include "core/model/DependencyGroups.h"
#include "core/model/Layer.h"
#include "core/model/Model.h"
#include "core/model/ModelWriter.h"
#include "core/eval/OpenCvNet.h"
#include "core/compress/PruneSelection.h"
#include "core/export/ShrinkChannels.h"
#include "core/model/GraphEdit.h"

#include <catch2/catch.hpp>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <map>
#include <random>
#include <string>
#include <vector>

using namespace topiary;
using test::ModelBuilder;
using test::setAttr;
namespace fs = std::filesystem;

namespace {

struct TempDir {
    fs::path path = test::makeTempDir("topiary-shrink");
    ~TempDir()
    {
        std::error_code ec;
        fs::remove_all(path, ec);
    }
};

struct Analysed : test::AnalysedModel {
    int groupOf(const std::string& producer) const
    {
        const int g = producerGroupOf(groups, layer(producer));
        REQUIRE(g >= 0);
        return g;
    }
};

Analysed analyse(const onnx::ModelProto& proto)
{
    return Analysed { test::analyseModel(proto) };
}

// Group channels to prune, by a producer of the group.
struct Prune {
    std::string producer;
    std::vector<int64_t> channels;
};

PruneSelection select(const Analysed& a, const std::vector<Prune>& prune)
{
    PruneSelection s;
    s.groupChannels.resize(a.groups.size());
    for (const auto& p : prune) {
        const int g = a.groupOf(p.producer);
        INFO(describeGroup(a.groups[static_cast<size_t>(g)], a.layers));
        REQUIRE(a.groups[static_cast<size_t>(g)].prunable);
        s.groupChannels[static_cast<size_t>(g)] = p.channels;
    }
    return s;
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

// The masked model: every member's constants (producer filters and biases, all BN
// parameters, depthwise filters, consumers' input columns) zeroed at the pruned indices,
// each node editing a private copy so that nodes sharing a tensor are not affected.
// Per-channel constants of elementwise ops stay (a pruned channel is zero, or is read
// by nobody). The pruned channels then contribute exactly nothing, as in the shrunk model.
onnx::ModelProto masked(const onnx::ModelProto& proto, const Analysed& a, const PruneSelection& s)
{
    onnx::ModelProto out = proto;
    auto& graph = *out.mutable_graph();
    for (size_t g = 0; g < a.groups.size(); ++g) {
        if (s.groupChannels[g].empty())
            continue;
        for (const auto& m : a.groups[g].members) {
            if (m.role == MemberRole::Elementwise || m.role == MemberRole::Reshape)
                continue;
            const auto indices = m.prunedIndices(s.groupChannels[g]);
            if (indices.empty())
                continue;
            auto& node = *graph.mutable_node(a.model.node(m.node).protoIndex);
            for (const auto& axis : m.axes) {
                const std::string copy = axis.tensor + "/masked/" + node.name();
                if (!findInitializer(graph, copy)) {
                    const Constant* c = a.model.resolveConstant(axis.tensor);
                    REQUIRE(c);
                    *graph.add_initializer()
                        = makeFloatTensor(copy, c->info.shape, { c->floats.begin(), c->floats.end() });
                    for (auto& in : *node.mutable_input())
                        if (!in.empty() && a.model.resolveConstantName(in) == axis.tensor)
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

std::vector<float> randomInput(size_t n, unsigned seed)
{
    std::mt19937 rng(seed);
    std::uniform_real_distribution<float> dist(-1.0f, 1.0f);
    std::vector<float> v(n);
    for (auto& x : v)
        x = dist(rng);
    return v;
}

std::vector<float> runOrt(const onnx::ModelProto& proto, const fs::path& file, const std::vector<float>& input,
    const std::vector<int64_t>& dims)
{
    {
        std::ofstream out(file, std::ios::binary);
        out << proto.SerializeAsString();
    }
    const auto r = test::runInOrt(file, input, dims);
    INFO(file.filename().string() << ": " << r.error);
    REQUIRE(r.ok);
    return r.output;
}

// max |a - b| relative to max(1, max |b|).
double relativeDiff(const std::vector<float>& a, const std::vector<float>& b)
{
    REQUIRE(a.size() == b.size());
    REQUIRE(!a.empty());
    double diff = 0.0;
    double scale = 1.0;
    for (size_t i = 0; i < a.size(); ++i) {
        const double d = std::fabs(static_cast<double>(a[i]) - b[i]);
        diff = std::isnan(d) ? INFINITY : std::max(diff, d);
        scale = std::max(scale, std::fabs(static_cast<double>(b[i])));
    }
    return diff / scale;
}

struct Shrunk {
    onnx::ModelProto proto;
    ShrinkRecord record;
};

// Shrinks a copy of the model, checks that it loads, passes the checker and computes
// what the masked model computes in OpenCV and in ONNX Runtime.
Shrunk shrinkAndCompare(const onnx::ModelProto& source, const std::vector<Prune>& prune,
    const std::vector<int64_t>& inputDims)
{
    const Analysed a = analyse(source);
    const PruneSelection s = select(a, prune);
    Shrunk out { source, {} };
    auto r = shrinkChannels(out.proto, a.model, a.layers, a.groups, s);
    INFO((r ? std::string() : r.error().message));
    REQUIRE(r);
    out.record = std::move(*r);

    auto loaded = Model::fromProto(out.proto, {});
    INFO((loaded ? std::string() : loaded.error().message));
    REQUIRE(loaded);
    for (const auto& w : loaded->warnings())
        FAIL_CHECK("loading the shrunk model: " << w);
    TempDir dir;
    auto written = writeModel(out.proto, dir.path / "shrunk_checked.onnx");
    INFO((written ? std::string() : written.error().message));
    CHECK(written);

    const onnx::ModelProto reference = masked(source, a, s);
    size_t n = 1;
    for (int64_t d : inputDims)
        n *= static_cast<size_t>(d);
    const auto input = randomInput(n, 7);
    const auto cvMasked = test::runInOpenCv(reference, input, inputDims);
    const auto cvShrunk = test::runInOpenCv(out.proto, input, inputDims);
    CHECK(relativeDiff(cvShrunk, cvMasked) <= 1e-4);
    const auto ortMasked = runOrt(reference, dir.path / "masked.onnx", input, inputDims);
    const auto ortShrunk = runOrt(out.proto, dir.path / "shrunk.onnx", input, inputDims);
    CHECK(relativeDiff(ortShrunk, ortMasked) <= 1e-4);
    CHECK(relativeDiff(ortMasked, cvMasked) <= 1e-4);
    // Pruning changed something, or the comparison proves little.
    const auto original = test::runInOpenCv(source, input, inputDims);
    CHECK(relativeDiff(cvMasked, original) > 1e-6);
    return out;
}

std::vector<int64_t> dimsOf(const onnx::ModelProto& proto, const std::string& name)
{
    const auto* t = findInitializer(proto.graph(), name);
    INFO("initializer " << name);
    REQUIRE(t);
    return { t->dims().begin(), t->dims().end() };
}

std::vector<int64_t> intsOf(const onnx::ModelProto& proto, const std::string& name)
{
    const auto* t = findInitializer(proto.graph(), name);
    REQUIRE(t);
    auto v = readInts(*t);
    REQUIRE(v);
    return *v;
}

std::vector<float> floatsOf(const onnx::ModelProto& proto, const std::string& name)
{
    const auto* t = findInitializer(proto.graph(), name);
    INFO("initializer " << name);
    REQUIRE(t);
    auto v = readFloats(*t);
    REQUIRE(v);
    return *v;
}

const onnx::NodeProto& nodeNamed(const onnx::ModelProto& proto, const std::string& name)
{
    for (const auto& n : proto.graph().node())
        if (n.name() == name)
            return n;
    FAIL("no node " << name);
    return proto.graph().node(0);
}

int64_t groupAttr(const onnx::NodeProto& n)
{
    for (const auto& a : n.attribute())
        if (a.name() == "group")
            return a.i();
    return 1;
}

using Ints = std::vector<int64_t>;

using Removed = std::map<int, Ints>;

// What the record says left each axis of a tensor.
Removed removedFrom(const ShrinkRecord& record, const std::string& tensor)
{
    Removed out;
    auto it = record.find(tensor);
    if (it == record.end())
        return out;
    for (const auto& r : it->second) {
        CHECK_FALSE(out.contains(r.axis));
        out[r.axis] = r.indices;
    }
    return out;
}

} // namespace

TEST_CASE("shrinking the small CNN: conv-BN-ReLU, residual Add, depthwise, GAP, Gemm", "[shrink]")
{
    const auto source = test::makeSmallCnn();
    const auto out = shrinkAndCompare(source,
        { { "stem", { 1, 4, 6 } }, { "block1.conv1", { 0, 3 } }, { "pw", { 2, 5, 7, 8, 15 } } }, { 1, 1, 28, 28 });
    const auto& p = out.proto;
    // The residual group (stem, block1.conv2, dw) keeps 5 of 8 channels.
    CHECK(dimsOf(p, "stem.weight") == Ints { 5, 1, 3, 3 });
    CHECK(dimsOf(p, "stem_bn.weight") == Ints { 5 });
    CHECK(dimsOf(p, "stem_bn.running_var") == Ints { 5 });
    CHECK(dimsOf(p, "block1.conv1.weight") == Ints { 6, 5, 3, 3 });
    CHECK(dimsOf(p, "block1.bn1.bias") == Ints { 6 });
    CHECK(dimsOf(p, "block1.conv2.weight") == Ints { 5, 6, 3, 3 });
    CHECK(dimsOf(p, "block1.bn2.running_mean") == Ints { 5 });
    CHECK(dimsOf(p, "dw.weight") == Ints { 5, 1, 3, 3 });
    CHECK(groupAttr(nodeNamed(p, "dw")) == 5);
    CHECK(dimsOf(p, "dw_bn.weight") == Ints { 5 });
    CHECK(dimsOf(p, "pw.weight") == Ints { 11, 5, 1, 1 });
    CHECK(dimsOf(p, "pw_bn.weight") == Ints { 11 });
    CHECK(dimsOf(p, "fc.weight") == Ints { 10, 11 });
    CHECK(dimsOf(p, "fc.bias") == Ints { 10 });
    CHECK(p.graph().value_info_size() == 0);

    // The kept entries are the original ones, in order.
    const auto before = floatsOf(source, "block1.conv1.weight"); // 8 x 8 x 3 x 3
    const auto after = floatsOf(p, "block1.conv1.weight"); // 6 x 5 x 3 x 3
    const Ints keptOut { 1, 2, 4, 5, 6, 7 }, keptIn { 0, 2, 3, 5, 7 };
    for (size_t o = 0; o < keptOut.size(); ++o)
        for (size_t i = 0; i < keptIn.size(); ++i)
            for (size_t k = 0; k < 9; ++k)
                REQUIRE(after[(o * 5 + i) * 9 + k] == before[static_cast<size_t>((keptOut[o] * 8 + keptIn[i]) * 9) + k]);

    // The record: which indices left which axis, before shrinking.
    CHECK(removedFrom(out.record, "stem.weight") == Removed({ { 0, { 1, 4, 6 } } }));
    CHECK(removedFrom(out.record, "block1.conv1.weight") == Removed({ { 0, { 0, 3 } }, { 1, { 1, 4, 6 } } }));
    CHECK(removedFrom(out.record, "fc.weight") == Removed({ { 1, { 2, 5, 7, 8, 15 } } }));
    CHECK_FALSE(out.record.contains("fc.bias"));
}

TEST_CASE("shrinking through a Concat: each producer's channels at its offset", "[shrink]")
{
    ModelBuilder b;
    b.input("x", { 1, 3, 8, 8 });
    b.conv("a", "x", "ya", 3, 4, 3);
    b.conv("b", "x", "yb", 3, 6, 3);
    setAttr(b.node("Concat", { "ya", "yb" }, { "cat" }, "cat"), "axis", int64_t { 1 });
    b.batchNorm("bn", "cat", "catn", 10);
    b.node("Relu", { "catn" }, { "r" }, "relu");
    b.weight("scale", { 10, 1, 1 });
    b.node("Mul", { "r", "scale" }, { "rs" }, "mul");
    b.conv("c", "rs", "out", 10, 5, 1);
    b.output("out", { 1, 5, 8, 8 });
    const auto out = shrinkAndCompare(b.build(), { { "a", { 1, 3 } }, { "b", { 0, 5 } } }, { 1, 3, 8, 8 });
    const auto& p = out.proto;
    CHECK(dimsOf(p, "a.weight") == Ints { 2, 3, 3, 3 });
    CHECK(dimsOf(p, "b.weight") == Ints { 4, 3, 3, 3 });
    CHECK(dimsOf(p, "b.bias") == Ints { 4 });
    CHECK(dimsOf(p, "bn.running_mean") == Ints { 6 });
    CHECK(dimsOf(p, "scale") == Ints { 6, 1, 1 });
    CHECK(dimsOf(p, "c.weight") == Ints { 5, 6, 1, 1 });
    // b's channels 0 and 5 are entries 4 and 9 after the Concat.
    CHECK(removedFrom(out.record, "bn.weight") == Removed({ { 0, { 1, 3, 4, 9 } } }));
    CHECK(removedFrom(out.record, "c.weight") == Removed({ { 1, { 1, 3, 4, 9 } } }));
}

TEST_CASE("shrinking a depthwise conv over a Concat: one group, the conv's group attribute follows", "[shrink]")
{
    ModelBuilder b;
    b.input("x", { 1, 3, 8, 8 });
    b.conv("a", "x", "ya", 3, 4, 3);
    b.conv("b", "x", "yb", 3, 6, 3);
    setAttr(b.node("Concat", { "ya", "yb" }, { "cat" }, "cat"), "axis", int64_t { 1 });
    b.conv("dw", "cat", "d", 10, 10, 3, 10);
    b.node("Relu", { "d" }, { "r" }, "relu");
    b.conv("c", "r", "out", 10, 5, 1);
    b.output("out", { 1, 5, 8, 8 });
    const auto out = shrinkAndCompare(b.build(), { { "a", { 1, 5, 9 } } }, { 1, 3, 8, 8 });
    const auto& p = out.proto;
    CHECK(dimsOf(p, "a.weight") == Ints { 3, 3, 3, 3 });
    CHECK(dimsOf(p, "b.weight") == Ints { 4, 3, 3, 3 });
    CHECK(dimsOf(p, "dw.weight") == Ints { 7, 1, 3, 3 });
    CHECK(dimsOf(p, "dw.bias") == Ints { 7 });
    CHECK(groupAttr(nodeNamed(p, "dw")) == 7);
    CHECK(dimsOf(p, "c.weight") == Ints { 5, 7, 1, 1 });
}

TEST_CASE("shrinking before a Flatten or a flattening Reshape cuts H*W columns per channel", "[shrink]")
{
    for (const bool asReshape : { false, true }) {
        DYNAMIC_SECTION((asReshape ? "Reshape" : "Flatten"))
        {
            ModelBuilder b;
            b.input("x", { 1, 2, 6, 6 });
            b.conv("conv", "x", "y", 2, 4, 3, 1, true, 2); // 4 x 3 x 3
            b.node("Relu", { "y" }, { "r" }, "relu");
            if (asReshape) {
                b.int64s("shape", { 2 }, { 1, 36 });
                b.node("Reshape", { "r", "shape" }, { "flat" }, "reshape");
                b.weight("fc.weight", { 5, 36 });
                b.weight("fc.bias", { 5 });
                setAttr(b.node("Gemm", { "flat", "fc.weight", "fc.bias" }, { "out" }, "fc"), "transB", int64_t { 1 });
            } else {
                setAttr(b.node("Flatten", { "r" }, { "flat" }, "flatten"), "axis", int64_t { 1 });
                b.weight("fc.weight", { 36, 5 }); // MatMul: [in, out]
                b.node("MatMul", { "flat", "fc.weight" }, { "out" }, "fc");
            }
            b.output("out", { 1, 5 });
            const auto out = shrinkAndCompare(b.build(), { { "conv", { 1, 3 } } }, { 1, 2, 6, 6 });
            const auto& p = out.proto;
            CHECK(dimsOf(p, "conv.weight") == Ints { 2, 2, 3, 3 });
            CHECK(dimsOf(p, "fc.weight") == (asReshape ? Ints { 5, 18 } : Ints { 18, 5 }));
            Ints columns;
            for (int64_t c : { 1, 3 })
                for (int64_t j = 0; j < 9; ++j)
                    columns.push_back(c * 9 + j);
            CHECK(removedFrom(out.record, "fc.weight") == Removed({ { asReshape ? 1 : 0, columns } }));
            if (asReshape)
                CHECK(intsOf(p, "shape") == Ints { 1, 18 });
        }
    }
}

TEST_CASE("shrinking before a Reshape that keeps the channel axis rewrites its channel count", "[shrink]")
{
    ModelBuilder b;
    b.input("x", { 1, 3, 4, 4 });
    b.conv("conv", "x", "y", 3, 8, 3);
    b.node("Relu", { "y" }, { "r" }, "relu");
    b.int64s("shape", { 3 }, { 1, 8, 16 });
    b.node("Reshape", { "r", "shape" }, { "r3" }, "reshape");
    auto& mean = b.node("ReduceMean", { "r3" }, { "m" }, "mean");
    setAttr(mean, "axes", Ints { 2 });
    setAttr(mean, "keepdims", int64_t { 0 });
    b.weight("fc.weight", { 5, 8 });
    b.weight("fc.bias", { 5 });
    setAttr(b.node("Gemm", { "m", "fc.weight", "fc.bias" }, { "out" }, "fc"), "transB", int64_t { 1 });
    b.output("out", { 1, 5 });
    const auto out = shrinkAndCompare(b.build(), { { "conv", { 0, 7 } } }, { 1, 3, 4, 4 });
    CHECK(intsOf(out.proto, "shape") == Ints { 1, 6, 16 });
    CHECK(dimsOf(out.proto, "fc.weight") == Ints { 5, 6 });
}

TEST_CASE("constants shared between nodes get private copies before they are cut", "[shrink]")
{
    // Exporters deduplicate equal initializers: here two convs share one bias (b reads it
    // through an Identity), two BNs share their scale and variance (each BN reads it twice),
    // and b's BN reads its mean from a Constant node.
    ModelBuilder b;
    b.input("x", { 1, 3, 8, 8 });
    b.weight("shared_bias", { 4 });
    b.weight("ones", { 4 }, { 1.0f, 1.0f, 1.0f, 1.0f });
    b.weight("bnA.bias", { 4 });
    b.weight("bnA.mean", { 4 }, { 0.1f, -0.2f, 0.3f, 0.0f });
    b.weight("bnB.bias", { 4 }, { 0.5f, -0.5f, 0.25f, 0.1f });
    b.weight("a.weight", { 4, 3, 3, 3 });
    b.weight("b.weight", { 4, 4, 3, 3 });
    auto& ca = b.node("Conv", { "x", "a.weight", "shared_bias" }, { "ya" }, "a");
    setAttr(ca, "kernel_shape", Ints { 3, 3 });
    setAttr(ca, "pads", Ints { 1, 1, 1, 1 });
    b.node("BatchNormalization", { "ya", "ones", "bnA.bias", "bnA.mean", "ones" }, { "yan" }, "bnA");
    b.node("Relu", { "yan" }, { "ra" }, "reluA");
    b.node("Identity", { "shared_bias" }, { "shared_bias_id" }, "bias_identity");
    auto& cb = b.node("Conv", { "ra", "b.weight", "shared_bias_id" }, { "yb" }, "b");
    setAttr(cb, "kernel_shape", Ints { 3, 3 });
    setAttr(cb, "pads", Ints { 1, 1, 1, 1 });
    setAttr(b.node("Constant", {}, { "bnB.mean" }, "bnB_mean"), "value",
        makeFloatTensor("", { 4 }, { -0.1f, 0.2f, 0.05f, 0.3f }));
    b.node("BatchNormalization", { "yb", "ones", "bnB.bias", "bnB.mean", "ones" }, { "ybn" }, "bnB");
    b.node("Relu", { "ybn" }, { "rb" }, "reluB");
    b.conv("c", "rb", "out", 4, 2, 1);
    b.output("out", { 1, 2, 8, 8 });
    const auto source = b.build();

    SECTION("both groups pruned, differently")
    {
        const auto out = shrinkAndCompare(source, { { "a", { 1 } }, { "b", { 0, 2 } } }, { 1, 3, 8, 8 });
        const auto& p = out.proto;
        CHECK(dimsOf(p, "a.weight") == Ints { 3, 3, 3, 3 });
        CHECK(dimsOf(p, "b.weight") == Ints { 2, 3, 3, 3 });
        CHECK(dimsOf(p, "c.weight") == Ints { 2, 2, 1, 1 });
        // a keeps the shared names (it reads them first), b reads copies.
        CHECK(dimsOf(p, "shared_bias") == Ints { 3 });
        CHECK(dimsOf(p, "ones") == Ints { 3 });
        const auto& conv = nodeNamed(p, "b");
        REQUIRE(conv.input_size() == 3);
        CHECK(conv.input(2) != "shared_bias_id");
        CHECK(dimsOf(p, conv.input(2)) == Ints { 2 });
        const auto& bn = nodeNamed(p, "bnB");
        CHECK(bn.input(1) == bn.input(4));
        CHECK(bn.input(1) != "ones");
        CHECK(dimsOf(p, bn.input(1)) == Ints { 2 });
        CHECK(removedFrom(out.record, "ones") == Removed({ { 0, { 1 } } }));
        CHECK(removedFrom(out.record, bn.input(1)) == Removed({ { 0, { 0, 2 } } }));
    }
    SECTION("one group pruned: the other readers keep the original")
    {
        const auto out = shrinkAndCompare(source, { { "b", { 0 } } }, { 1, 3, 8, 8 });
        const auto& p = out.proto;
        CHECK(dimsOf(p, "a.weight") == Ints { 4, 3, 3, 3 });
        CHECK(dimsOf(p, "shared_bias") == Ints { 4 });
        CHECK(dimsOf(p, "ones") == Ints { 4 });
        CHECK(nodeNamed(p, "bnA").input(1) == "ones");
        CHECK(dimsOf(p, nodeNamed(p, "b").input(2)) == Ints { 3 });
        CHECK(dimsOf(p, nodeNamed(p, "bnB").input(4)) == Ints { 3 });
    }
}

TEST_CASE("shrinking refuses selections it cannot carry out", "[shrink]")
{
    const auto a = analyse(test::makeSmallCnn());
    const int fc = a.groupOf("fc");
    REQUIRE_FALSE(a.groups[static_cast<size_t>(fc)].prunable);
    PruneSelection s;
    s.groupChannels.resize(a.groups.size());
    s.groupChannels[static_cast<size_t>(fc)] = { 0 };
    auto proto = a.model.proto();
    CHECK_FALSE(shrinkChannels(proto, a.model, a.layers, a.groups, s));

    s.groupChannels[static_cast<size_t>(fc)].clear();
    const int stem = a.groupOf("stem");
    s.groupChannels[static_cast<size_t>(stem)] = { 0, 1, 2, 3, 4, 5, 6, 7 };
    CHECK_FALSE(shrinkChannels(proto, a.model, a.layers, a.groups, s));
    s.groupChannels[static_cast<size_t>(stem)] = { 3, 8 };
    CHECK_FALSE(shrinkChannels(proto, a.model, a.layers, a.groups, s));

    // Nothing selected: nothing changes.
    s.groupChannels[static_cast<size_t>(stem)].clear();
    auto r = shrinkChannels(proto, a.model, a.layers, a.groups, s);
    REQUIRE(r);
    CHECK(r->empty());
    CHECK(dimsOf(proto, "stem.weight") == Ints { 8, 1, 3, 3 });
}
