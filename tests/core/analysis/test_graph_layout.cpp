// GraphLayout on models whose graphs are known by heart: every node drawn once, boxes
// apart, arrows leaving and entering the right boxes, compact mode folding BN and
// activations into their layer, and the labels a user reads.
#include "ModelBuilder.h"

#include "core/analysis/GraphLayout.h"
#include "core/model/Layer.h"
#include "core/model/Model.h"

#include <catch2/catch.hpp>

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <set>

using namespace topiary;

namespace {

const std::filesystem::path kSample = std::filesystem::path(TOPIARY_SOURCE_DIR) / "resources/sample";

Model loadOrFail(Result<Model> model)
{
    if (!model)
        FAIL(model.error().message);
    return std::move(*model);
}

GraphLayout layOut(const Model& model, bool compact)
{
    GraphLayoutOptions options;
    options.compact = compact;
    auto layout = layoutGraph(model, findLayers(model), options);
    if (!layout)
        FAIL(layout.error().message);
    return std::move(*layout);
}

const GraphLayoutNode& boxNamed(const Model& model, const GraphLayout& layout, const std::string& nodeName)
{
    const int index = layout.nodeOfModelNode(model.findNode(nodeName));
    if (index < 0)
        FAIL("no box for " << nodeName);
    return layout.nodes[static_cast<size_t>(index)];
}

// Distance from a point to a box (0 inside).
double distanceToBox(GraphPoint p, const GraphLayoutNode& n)
{
    const double dx = std::max({n.x - p.x, 0.0, p.x - (n.x + n.width)});
    const double dy = std::max({n.y - p.y, 0.0, p.y - (n.y + n.height)});
    return std::hypot(dx, dy);
}

// The invariants every layout keeps, whatever the model.
void checkInvariants(const Model& model, const GraphLayout& layout)
{
    // Every model node except constants is in exactly one box.
    std::vector<int> seen(model.nodes().size(), 0);
    for (const auto& box : layout.nodes)
        for (int n : box.nodes)
            ++seen[static_cast<size_t>(n)];
    for (size_t i = 0; i < seen.size(); ++i) {
        INFO(model.nodes()[i].name);
        CHECK(seen[i] == (model.nodes()[i].opType == "Constant" ? 0 : 1));
    }
    size_t inputs = 0, outputs = 0;
    for (const auto& box : layout.nodes) {
        inputs += box.kind == GraphNodeKind::Input;
        outputs += box.kind == GraphNodeKind::Output;
        if (box.kind == GraphNodeKind::Input || box.kind == GraphNodeKind::Output)
            CHECK(box.nodes.empty());
        else
            CHECK(box.node == box.nodes.front());
    }
    CHECK(inputs == model.inputs().size());
    CHECK(outputs == model.outputs().size());

    // Every layer has one box, which names the layer's own node.
    const auto layers = findLayers(model);
    for (size_t l = 0; l < layers.size(); ++l) {
        const auto count = std::count_if(layout.nodes.begin(), layout.nodes.end(),
                                         [&](const GraphLayoutNode& box) { return box.layer == static_cast<int>(l); });
        CHECK(count == 1);
        const int box = layout.nodeOfLayer(static_cast<int>(l));
        REQUIRE(box >= 0);
        CHECK(layout.nodes[static_cast<size_t>(box)].node == layers[l].node);
        CHECK(layout.nodes[static_cast<size_t>(box)].kind == GraphNodeKind::Layer);
        CHECK(layout.nodes[static_cast<size_t>(box)].lines.at(1) == layers[l].name);
    }

    // Boxes inside the bounding box and apart from each other.
    for (size_t i = 0; i < layout.nodes.size(); ++i) {
        const auto& a = layout.nodes[i];
        CHECK(a.width > 0);
        CHECK(a.x >= -0.5);
        CHECK(a.y >= -0.5);
        CHECK(a.x + a.width <= layout.width + 0.5);
        CHECK(a.y + a.height <= layout.height + 0.5);
        for (size_t j = i + 1; j < layout.nodes.size(); ++j) {
            const auto& b = layout.nodes[j];
            const bool apart = a.x + a.width <= b.x + 0.5 || b.x + b.width <= a.x + 0.5 ||
                               a.y + a.height <= b.y + 0.5 || b.y + b.height <= a.y + 0.5;
            if (!apart)
                FAIL_CHECK("boxes overlap: " << a.lines.front() << " " << a.lines[1] << " and " << b.lines.front() << " "
                                             << b.lines[1]);
        }
    }

    // Each arrow carries a tensor from the box that makes it to a box that reads it, and
    // its drawn path starts at the first box and points at the second.
    for (const auto& e : layout.edges) {
        INFO(e.tensor);
        REQUIRE(e.from >= 0);
        REQUIRE(e.to >= 0);
        const auto& from = layout.nodes[static_cast<size_t>(e.from)];
        const auto& to = layout.nodes[static_cast<size_t>(e.to)];
        const int producer = model.producer(e.tensor);
        if (producer < 0)
            CHECK((from.kind == GraphNodeKind::Input && from.tensor == e.tensor));
        else
            CHECK(std::count(from.nodes.begin(), from.nodes.end(), producer) == 1);
        if (to.kind == GraphNodeKind::Output) {
            CHECK(to.tensor == e.tensor);
        } else {
            bool reads = false;
            for (int n : to.nodes)
                for (const auto& in : model.node(n).inputs)
                    reads = reads || in == e.tensor;
            CHECK(reads);
        }
        REQUIRE(e.points.size() >= 4);
        CHECK((e.points.size() - 1) % 3 == 0);
        CHECK(distanceToBox(e.points.front(), from) < 2.0);
        CHECK(distanceToBox(e.arrowTip, to) < 2.0);
        for (const auto& p : e.points)
            CHECK((p.x >= -1 && p.x <= layout.width + 1 && p.y >= -1 && p.y <= layout.height + 1));
        // The arrow goes around the boxes it passes, never through one.
        for (size_t k = 0; k + 3 < e.points.size(); k += 3) {
            for (double t = 0; t <= 1.0; t += 0.125) {
                const double u = 1 - t;
                const auto& p = e.points;
                const GraphPoint q{u * u * u * p[k].x + 3 * u * u * t * p[k + 1].x + 3 * u * t * t * p[k + 2].x + t * t * t * p[k + 3].x,
                                   u * u * u * p[k].y + 3 * u * u * t * p[k + 1].y + 3 * u * t * t * p[k + 2].y + t * t * t * p[k + 3].y};
                for (size_t b = 0; b < layout.nodes.size(); ++b) {
                    const auto& n = layout.nodes[b];
                    if (static_cast<int>(b) == e.from || static_cast<int>(b) == e.to)
                        continue;
                    if (q.x > n.x + 1 && q.x < n.x + n.width - 1 && q.y > n.y + 1 && q.y < n.y + n.height - 1)
                        FAIL_CHECK("arrow " << e.tensor << " crosses the box of " << n.lines.at(1));
                }
            }
        }
        // Top to bottom: the arrow enters below where it starts.
        CHECK(e.arrowTip.y > e.points.front().y);
    }
}

} // namespace

TEST_CASE("graph layout of a small CNN, every node", "[graph]")
{
    const Model model = loadOrFail(Model::fromProto(test::makeSmallCnn(), {}));
    const GraphLayout layout = layOut(model, false);
    checkInvariants(model, layout);
    // input, 19 nodes, output; 21 arrows: the chain of 20 plus the residual a0 -> Add.
    CHECK(layout.nodes.size() == 21);
    CHECK(layout.edges.size() == 21);

    const auto& bn = boxNamed(model, layout, "stem_bn");
    CHECK(bn.kind == GraphNodeKind::Op);
    CHECK(bn.layer == -1);
    CHECK(bn.lines == std::vector<std::string>{"BatchNormalization", "stem_bn"});
    const auto& stem = boxNamed(model, layout, "stem");
    CHECK(stem.lines == std::vector<std::string>{"Conv", "stem", "3×3", "1→8 ch"});
    // Weighted layers get bigger boxes than the ops around them.
    CHECK(stem.height > bn.height);
    CHECK(stem.width * stem.height > bn.width * bn.height);

    // Top to bottom: the stem below the input, the BN below the stem.
    CHECK(stem.y > layout.nodes.front().y);
    CHECK(bn.y > stem.y);
}

TEST_CASE("graph layout of a small CNN, compact", "[graph]")
{
    const Model model = loadOrFail(Model::fromProto(test::makeSmallCnn(), {}));
    const auto layers = findLayers(model);
    const GraphLayout layout = layOut(model, true);
    checkInvariants(model, layout);

    // input, stem+bn+relu, conv1+bn+relu, conv2+bn, add+relu, dw+bn+relu, pw+bn+relu,
    // gap, flatten, fc, output.
    REQUIRE(layout.nodes.size() == 11);
    CHECK(layout.edges.size() == 11);

    const auto& input = layout.nodes.front();
    CHECK(input.kind == GraphNodeKind::Input);
    CHECK(input.lines == std::vector<std::string>{"input", "1×1×28×28"});
    const auto& output = layout.nodes.back();
    CHECK(output.kind == GraphNodeKind::Output);
    CHECK(output.lines == std::vector<std::string>{"logits", "1×10"});

    const auto& stem = boxNamed(model, layout, "stem_relu");
    CHECK(stem.node == model.findNode("stem"));
    CHECK(stem.nodes == std::vector<int>{model.findNode("stem"), model.findNode("stem_bn"), model.findNode("stem_relu")});
    CHECK(stem.kind == GraphNodeKind::Layer);
    REQUIRE(stem.layer >= 0);
    CHECK(layers[static_cast<size_t>(stem.layer)].name == "stem");
    CHECK(stem.lines == std::vector<std::string>{"Conv + BN + Relu", "stem", "3×3", "1→8 ch"});

    // conv2's BN output goes to the Add only, but the Add reads two tensors: it is its own box.
    const auto& conv2 = boxNamed(model, layout, "block1.conv2");
    CHECK(conv2.lines.front() == "Conv + BN");
    const auto& add = boxNamed(model, layout, "block1.add");
    CHECK(add.kind == GraphNodeKind::Op);
    CHECK(add.lines == std::vector<std::string>{"Add + Relu", "block1.add"});
    CHECK(add.nodes == std::vector<int>{model.findNode("block1.add"), model.findNode("block1.relu2")});

    const auto& dw = boxNamed(model, layout, "dw");
    CHECK(dw.lines == std::vector<std::string>{"Conv + BN + Relu", "dw", "3×3 depthwise", "8→8 ch"});
    const auto& fc = boxNamed(model, layout, "fc");
    CHECK(fc.lines == std::vector<std::string>{"Gemm", "fc", "weight 10×16", "16→10 features"});
    CHECK(layout.nodeOfLayer(fc.layer) == layout.nodeOfModelNode(model.findNode("fc")));

    // Every layer has one box, and the box holds its BatchNorm.
    for (size_t l = 0; l < layers.size(); ++l) {
        const int box = layout.nodeOfLayer(static_cast<int>(l));
        REQUIRE(box >= 0);
        const auto& nodes = layout.nodes[static_cast<size_t>(box)].nodes;
        if (layers[l].batchNorm >= 0)
            CHECK(std::count(nodes.begin(), nodes.end(), layers[l].batchNorm) == 1);
    }

    // The residual arrow leaves the stem box (its Relu output a0) for the Add box.
    const auto residual = std::find_if(layout.edges.begin(), layout.edges.end(), [&](const GraphLayoutEdge& e) {
        return e.tensor == "a0" && layout.nodes[static_cast<size_t>(e.to)].node == model.findNode("block1.add");
    });
    REQUIRE(residual != layout.edges.end());
    CHECK(layout.nodes[static_cast<size_t>(residual->from)].node == model.findNode("stem"));
    CHECK(residual->shape == "1×8×28×28");
}

TEST_CASE("graph layout of the sample model, compact", "[graph]")
{
    const Model model = loadOrFail(Model::load(kSample / "fashion_cnn.onnx"));
    const auto layers = findLayers(model);
    const GraphLayout plain = layOut(model, false);
    checkInvariants(model, plain);
    CHECK(plain.nodes.size() == 28 + 2);

    const GraphLayout layout = layOut(model, true);
    checkInvariants(model, layout);
    // input; stem, down, block1.conv1 (conv + bn + relu); block1.conv2 (conv + bn);
    // Add + Relu; dw1, pw1, dw2, pw2 (conv + bn + relu); gap; flatten; fc; output.
    CHECK(layout.nodes.size() == 14);
    int batchNormBoxes = 0, reluBoxes = 0, layerBoxes = 0;
    for (const auto& box : layout.nodes) {
        if (box.kind == GraphNodeKind::Layer)
            ++layerBoxes;
        if (box.node >= 0 && model.node(box.node).opType == "BatchNormalization")
            ++batchNormBoxes;
        if (box.node >= 0 && model.node(box.node).opType == "Relu")
            ++reluBoxes;
    }
    CHECK(layerBoxes == 9);
    CHECK(batchNormBoxes == 0);
    CHECK(reluBoxes == 0);
    const auto& pw2 = boxNamed(model, layout, "/pw2/relu/Relu");
    CHECK(pw2.lines == std::vector<std::string>{"Conv + BN + Relu", "/pw2/conv/Conv", "1×1", "96→192 ch"});
    CHECK(layout.height < plain.height);
}

TEST_CASE("graph layout of densenet121 completes", "[graph]")
{
    const char* dir = std::getenv("TOPIARY_REFERENCE_DIR");
    const auto path = std::filesystem::path(dir ? dir : TOPIARY_SOURCE_DIR "/build/fixtures/torchvision") /
                      "densenet121_bn.onnx";
    if (!std::filesystem::exists(path)) {
        WARN("skipped: no " << path.string() << " (generate the reference models or set TOPIARY_REFERENCE_DIR)");
        return;
    }
    const Model model = loadOrFail(Model::load(path));
    for (bool compact : {false, true}) {
        INFO("compact " << compact);
        const GraphLayout layout = layOut(model, compact);
        checkInvariants(model, layout);
        int layerBoxes = 0;
        for (const auto& box : layout.nodes)
            layerBoxes += box.kind == GraphNodeKind::Layer;
        CHECK(layerBoxes == 121);
    }
}
