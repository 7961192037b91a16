// Dependency groups of the torchvision reference models. The group counts, the prunable
// counts and each group's producers were checked against an independent channel-by-channel
// analysis written with the python onnx package (one id per channel, a plain union-find
// over residual Add/Mul couplings, Concat as list concatenation, everything else that
// reshapes channels marked bad): both agree on every group of all ten models, both
// exports. The structural facts below were read off the graphs with python onnx.
#include "ReferenceModels.h"
#include "AnalysedModel.h"

#include "core/model/DependencyGroups.h"
#include "core/model/Layer.h"
#include "core/model/Model.h"

#include <catch2/catch.hpp>

#include <iostream>
#include <map>
#include <set>

using namespace topiary;

namespace {

struct Analysed : test::AnalysedModel {
    const DependencyGroup& groupOf(const std::string& name) const
    {
        const int g = producerGroupOf(groups, layer(name));
        REQUIRE(g >= 0);
        return groups[static_cast<size_t>(g)];
    }
    std::set<std::string> names(const std::vector<int>& indices) const
    {
        std::set<std::string> out;
        for (int l : indices)
            out.insert(layers[static_cast<size_t>(l)].name);
        return out;
    }
    const GroupMember* member(const DependencyGroup& g, const std::string& node, MemberRole role) const
    {
        for (const auto& m : g.members)
            if (model.node(m.node).name == node && m.role == role)
                return &m;
        return nullptr;
    }
};

Analysed analyse(const std::string& name, const std::string& variant)
{
    return Analysed { test::analyseModel(test::referenceDir() / (name + "_" + variant + ".onnx")) };
}

void printSummary(const std::string& name, const Analysed& a)
{
    size_t prunable = 0;
    std::map<std::string, int> reasons;
    for (const auto& g : a.groups) {
        if (g.prunable) {
            ++prunable;
            continue;
        }
        // Strip node names so that one line stands for one kind of reason.
        std::string r = g.reason;
        if (auto q = r.find('\''); q != std::string::npos)
            if (auto e = r.find('\'', q + 1); e != std::string::npos)
                r = r.substr(0, q) + "'...'" + r.substr(e + 1);
        ++reasons[r];
    }
    std::cout << name << ": " << a.layers.size() << " layers, " << a.groups.size() << " groups, " << prunable
              << " prunable\n";
    for (const auto& [r, n] : reasons)
        std::cout << "    " << n << " not prunable: " << r << "\n";
}

struct Expected {
    size_t layers, groups, prunable;
};

const std::map<std::string, Expected> kExpected = {
    { "resnet18", { 21, 13, 12 } },
    { "resnet50", { 54, 38, 37 } },
    { "mobilenet_v2", { 53, 26, 25 } },
    { "densenet121", { 121, 121, 120 } },
    { "googlenet", { 58, 58, 57 } },
    { "shufflenet_v2_x1_0", { 57, 40, 18 } },
    { "efficientnet_b0", { 82, 41, 40 } },
    { "squeezenet1_1", { 26, 26, 25 } },
    { "vgg16", { 16, 16, 15 } },
    { "alexnet", { 8, 8, 7 } },
};

} // namespace

TEST_CASE("dependency groups of every reference model: counts, one group per layer, complete descriptions",
    "[reference][dependency]")
{
    for (const auto& [name, e] : kExpected) {
        for (const std::string variant : { "bn", "folded" }) {
            INFO(name << " (" << variant << " export)");
            const Analysed a = analyse(name, variant);
            if (variant == "bn")
                printSummary(name, a);
            CHECK(a.layers.size() == e.layers);
            CHECK(a.groups.size() == e.groups);
            CHECK(static_cast<size_t>(std::count_if(a.groups.begin(), a.groups.end(), [](const auto& g) {
                return g.prunable;
            })) == e.prunable);

            // Every layer produces (or passes on) channels for exactly one group.
            std::vector<int> producedIn(a.layers.size(), 0);
            for (const auto& g : a.groups)
                for (int l : g.producers)
                    ++producedIn[static_cast<size_t>(l)];
            for (size_t l = 0; l < a.layers.size(); ++l) {
                INFO(a.layers[l].name);
                CHECK(producedIn[l] == 1);
            }

            // The classifier's outputs are the model's: never prunable.
            const auto& cls = a.groupOf(a.layers.back().name);
            CHECK_FALSE(cls.prunable);
            CHECK_THAT(cls.reason, Catch::Contains("graph output"));

            // Every member's indices exist on the axes it names.
            for (const auto& g : a.groups) {
                for (const auto& m : g.members) {
                    CHECK(m.groupBegin >= 0);
                    CHECK(m.groupBegin + m.count <= g.channels);
                    for (const auto& axis : m.axes) {
                        const Constant* c = a.model.constant(axis.tensor);
                        REQUIRE(c != nullptr);
                        REQUIRE(axis.axis < static_cast<int>(c->info.shape.size()));
                        CHECK((m.offset + m.count) * m.stride <= c->info.shape[static_cast<size_t>(axis.axis)]);
                    }
                    if (m.role == MemberRole::Producer)
                        CHECK(m.count == a.layers[static_cast<size_t>(m.layer)].outChannels);
                }
            }

            // Where no channel shuffle intervenes, the consumer members of all groups together
            // cover every input channel of every layer but the first exactly once.
            if (name == "shufflenet_v2_x1_0")
                continue;
            std::vector<int64_t> covered(a.layers.size(), 0);
            for (const auto& g : a.groups)
                for (const auto& m : g.members)
                    if (m.role == MemberRole::Consumer)
                        covered[static_cast<size_t>(m.layer)] += m.count * m.stride;
            for (size_t l = 1; l < a.layers.size(); ++l) {
                INFO(a.layers[l].name);
                if (!a.layers[l].isDepthwise())
                    CHECK(covered[l] == a.layers[l].inChannels);
            }
        }
    }
}

TEST_CASE("ResNets: the residual stream of a stage is one group; resnet18's layer1 shares the stem's channels",
    "[reference][dependency]")
{
    const Analysed r18 = analyse("resnet18", "bn");
    const auto& stem = r18.groupOf("/conv1/Conv");
    CHECK(stem.prunable);
    CHECK(stem.channels == 64);
    CHECK(r18.names(stem.producers)
        == std::set<std::string> { "/conv1/Conv", "/layer1/layer1.0/conv2/Conv", "/layer1/layer1.1/conv2/Conv" });
    CHECK(r18.names(stem.consumers)
        == std::set<std::string> { "/layer1/layer1.0/conv1/Conv", "/layer1/layer1.1/conv1/Conv",
            "/layer2/layer2.0/conv1/Conv", "/layer2/layer2.0/downsample/downsample.0/Conv" });
    CHECK(stem.norms.size() == 3);
    const auto& l4 = r18.groupOf("/layer4/layer4.0/downsample/downsample.0/Conv");
    CHECK(l4.prunable);
    CHECK(r18.names(l4.producers)
        == std::set<std::string> { "/layer4/layer4.0/conv2/Conv", "/layer4/layer4.0/downsample/downsample.0/Conv",
            "/layer4/layer4.1/conv2/Conv" });
    // layer4 -> GAP -> Flatten -> fc: one column per channel.
    const GroupMember* fc = r18.member(l4, "/fc/Gemm", MemberRole::Consumer);
    REQUIRE(fc != nullptr);
    CHECK(fc->stride == 1);
    CHECK(fc->axes == std::vector<PrunedAxis> { { "fc.weight", 1 } });

    const Analysed r50 = analyse("resnet50", "folded");
    const auto& l1 = r50.groupOf("/layer1/layer1.0/downsample/downsample.0/Conv");
    CHECK(r50.names(l1.producers)
        == std::set<std::string> { "/layer1/layer1.0/conv3/Conv", "/layer1/layer1.0/downsample/downsample.0/Conv",
            "/layer1/layer1.1/conv3/Conv", "/layer1/layer1.2/conv3/Conv" });
    CHECK(r50.groupOf("/conv1/Conv").producers.size() == 1); // the bottleneck's downsample ends the stem's group
}

TEST_CASE("MobileNetV2: depthwise convs pass their expand conv's channels; inverted residuals join project convs",
    "[reference][dependency]")
{
    const Analysed a = analyse("mobilenet_v2", "bn");
    int depthwise = 0;
    for (size_t l = 0; l < a.layers.size(); ++l) {
        if (!a.layers[l].isDepthwise())
            continue;
        ++depthwise;
        INFO(a.layers[l].name);
        const auto& g = a.groupOf(a.layers[l].name);
        CHECK(g.prunable);
        REQUIRE(g.producers.size() == 2);
        CHECK(g.producers[1] == static_cast<int>(l));
        CHECK(g.producers[0] == static_cast<int>(l) - 1); // the conv right before it
        CHECK(a.member(g, a.layers[l].name, MemberRole::Depthwise) != nullptr);
    }
    CHECK(depthwise == 17);
    const auto& s24 = a.groupOf("/features/features.2/conv/conv.2/Conv");
    CHECK(a.names(s24.producers)
        == std::set<std::string> { "/features/features.2/conv/conv.2/Conv", "/features/features.3/conv/conv.2/Conv" });
    const auto& s64 = a.groupOf("/features/features.7/conv/conv.2/Conv");
    CHECK(s64.producers.size() == 4); // features.7 .. 10
}

TEST_CASE("DenseNet: a layer's new channels reach every later layer of the block at their Concat offset",
    "[reference][dependency]")
{
    const Analysed a = analyse("densenet121", "bn");
    const auto& g = a.groupOf("/features/denseblock1/denselayer1/conv2/Conv");
    CHECK(g.prunable);
    CHECK(g.channels == 32);
    // 64 stem channels come first in every later layer's input.
    for (int k = 2; k <= 6; ++k) {
        const std::string layer = "/features/denseblock1/denselayer" + std::to_string(k);
        INFO(layer);
        const GroupMember* conv = a.member(g, layer + "/conv1/Conv", MemberRole::Consumer);
        const GroupMember* norm = a.member(g, layer + "/norm1/BatchNormalization", MemberRole::Norm);
        REQUIRE(conv != nullptr);
        REQUIRE(norm != nullptr);
        CHECK(conv->offset == 64);
        CHECK(norm->offset == 64);
    }
    const GroupMember* transition = a.member(g, "/features/transition1/conv/Conv", MemberRole::Consumer);
    REQUIRE(transition != nullptr);
    CHECK(transition->offset == 64);
    CHECK(g.consumers.size() == 6); // denselayer2..6 and the transition
    // denselayer3's channels sit after the stem's 64 and denselayer1's and 2's 32 each.
    const auto& g3 = a.groupOf("/features/denseblock1/denselayer3/conv2/Conv");
    const GroupMember* l6 = a.member(g3, "/features/denseblock1/denselayer6/conv1/Conv", MemberRole::Consumer);
    REQUIRE(l6 != nullptr);
    CHECK(l6->offset == 128);
}

TEST_CASE("GoogLeNet: the four branches of an inception block concatenate at offsets 0, 64, 192, 224",
    "[reference][dependency]")
{
    const Analysed a = analyse("googlenet", "bn");
    const std::vector<std::pair<std::string, int64_t>> branches = {
        { "/inception3a/branch1/conv/Conv", 0 },
        { "/inception3a/branch2/branch2.1/conv/Conv", 64 },
        { "/inception3a/branch3/branch3.1/conv/Conv", 192 },
        { "/inception3a/branch4/branch4.1/conv/Conv", 224 },
    };
    for (const auto& [producer, offset] : branches) {
        INFO(producer);
        const auto& g = a.groupOf(producer);
        CHECK(g.prunable);
        CHECK(g.producers.size() == 1);
        CHECK(g.consumers.size() == 4); // the four branches of inception3b
        for (const char* consumer : { "/inception3b/branch1/conv/Conv", "/inception3b/branch2/branch2.0/conv/Conv",
                 "/inception3b/branch3/branch3.0/conv/Conv" }) {
            const GroupMember* m = a.member(g, consumer, MemberRole::Consumer);
            REQUIRE(m != nullptr);
            CHECK(m->offset == offset);
        }
    }
}

TEST_CASE("ShuffleNetV2: channels that meet the channel shuffle are not prunable, branch internals are",
    "[reference][dependency]")
{
    const Analysed a = analyse("shufflenet_v2_x1_0", "bn");
    int shuffled = 0;
    for (const auto& g : a.groups) {
        if (g.prunable)
            continue;
        const bool output = g.reason.find("graph output") != std::string::npos;
        const bool reshape = g.reason.find("Reshape") != std::string::npos;
        CHECK((output || reshape));
        shuffled += reshape;
    }
    CHECK(shuffled == 21);
    // Inside a branch: 1x1 conv -> BN -> ReLU -> depthwise 3x3 -> BN -> 1x1 conv.
    const auto& inner = a.groupOf("/stage2/stage2.1/branch2/branch2.0/Conv");
    CHECK(inner.prunable);
    CHECK(a.names(inner.producers)
        == std::set<std::string> {
            "/stage2/stage2.1/branch2/branch2.0/Conv", "/stage2/stage2.1/branch2/branch2.3/Conv" });
    CHECK(a.names(inner.consumers) == std::set<std::string> { "/stage2/stage2.1/branch2/branch2.5/Conv" });
    // The branch's last conv feeds the Concat, then the shuffle.
    const auto& out = a.groupOf("/stage2/stage2.1/branch2/branch2.5/Conv");
    CHECK_FALSE(out.prunable);
    CHECK_THAT(out.reason, Catch::Contains("Reshape '/stage2/stage2.1/Reshape'"));
    // conv5 -> ReduceMean over H, W -> fc is prunable.
    CHECK(a.groupOf("/conv5/conv5.0/Conv").prunable);
}

TEST_CASE("EfficientNet-B0: each SE block's expand conv joins the main path's group, its squeeze conv reads it",
    "[reference][dependency]")
{
    const Analysed a = analyse("efficientnet_b0", "folded");
    int blocks = 0;
    for (const auto& layer : a.layers) {
        const std::string suffix = "fc2/Conv";
        if (!layer.name.ends_with(suffix))
            continue;
        ++blocks;
        INFO(layer.name);
        const std::string prefix = layer.name.substr(0, layer.name.size() - suffix.size());
        const auto& g = a.groupOf(layer.name);
        CHECK(g.prunable);
        const bool hasDepthwise = std::any_of(
            g.members.begin(), g.members.end(), [](const GroupMember& m) { return m.role == MemberRole::Depthwise; });
        CHECK(hasDepthwise);
        CHECK(a.member(g, prefix + "fc1/Conv", MemberRole::Consumer) != nullptr);
        CHECK(a.groupOf(prefix + "fc1/Conv").prunable);
        CHECK(a.names(a.groupOf(prefix + "fc1/Conv").consumers) == std::set<std::string> { layer.name });
    }
    CHECK(blocks == 16);
}

TEST_CASE("VGG16 and AlexNet: the first classifier Gemm reads H*W columns per channel after Flatten",
    "[reference][dependency]")
{
    for (const auto& [name, conv, stride] :
        { std::tuple<std::string, std::string, int64_t> { "vgg16", "/features/features.28/Conv", 49 },
            { "alexnet", "/features/features.10/Conv", 36 } }) {
        INFO(name);
        const Analysed a = analyse(name, "bn");
        const auto& g = a.groupOf(conv);
        CHECK(g.prunable);
        const GroupMember* fc = nullptr;
        for (const auto& m : g.members)
            if (m.role == MemberRole::Consumer)
                fc = &m;
        REQUIRE(fc != nullptr);
        CHECK(a.layers[static_cast<size_t>(fc->layer)].kind == LayerKind::Gemm);
        CHECK(fc->stride == stride);
        CHECK(fc->count * fc->stride == a.layers[static_cast<size_t>(fc->layer)].inChannels);
        // The hidden classifier layers are prunable, the last is not.
        CHECK(a.groupOf(a.layers[a.layers.size() - 2].name).prunable);
    }
}
