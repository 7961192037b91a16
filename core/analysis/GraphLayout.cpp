#include "core/analysis/GraphLayout.h"

#include "core/model/Layer.h"
#include "core/model/Model.h"

#include <graphviz/cgraph.h>
#include <graphviz/gvc.h>

#include <algorithm>
#include <array>
#include <cstdio>
#include <functional>
#include <map>
#include <mutex>
#include <string_view>
#include <tuple>
#include <unordered_map>

namespace topiary {

namespace {

// Ops folded into the box before them in compact mode: BatchNorm and activations that
// read one tensor and keep its shape.
bool isFoldable(std::string_view op)
{
    static constexpr std::array<std::string_view, 20> ops = {
        "BatchNormalization", "Relu", "LeakyRelu", "PRelu", "Clip", "Sigmoid", "HardSigmoid",
        "HardSwish", "Tanh", "Elu", "Selu", "Celu", "Gelu", "Softplus", "Softsign", "Mish",
        "ThresholdedRelu", "Swish", "Dropout", "Identity"};
    return std::find(ops.begin(), ops.end(), op) != ops.end();
}

// Short names for ops inside a compact box ("Conv + BN + Relu").
std::string_view shortOp(std::string_view op)
{
    return op == "BatchNormalization" ? std::string_view("BN") : op;
}

size_t utf8Length(std::string_view s)
{
    return static_cast<size_t>(std::count_if(s.begin(), s.end(), [](char c) { return (static_cast<unsigned char>(c) & 0xC0) != 0x80; }));
}

std::string joinDims(const std::vector<int64_t>& dims)
{
    std::string text;
    for (size_t i = 0; i < dims.size(); ++i) {
        if (i)
            text += "×";
        text += dims[i] < 0 ? "?" : std::to_string(dims[i]);
    }
    return text;
}

std::string shapeText(const Model& model, const std::string& tensor)
{
    const TensorInfo* info = model.tensor(tensor);
    if (!info || !info->hasShape)
        return {};
    return info->shape.empty() ? std::string("scalar") : joinDims(info->shape);
}

std::vector<std::string> layerLines(const std::string& op, const Node& node, const Layer& layer)
{
    std::string kernel;
    std::string channels;
    if (layer.kind == LayerKind::Conv || layer.kind == LayerKind::ConvTranspose) {
        kernel = joinDims(layer.kernel);
        if (layer.isDepthwise())
            kernel += " depthwise";
        else if (layer.group > 1)
            kernel += " groups " + std::to_string(layer.group);
        channels = std::to_string(layer.inChannels) + "→" + std::to_string(layer.outChannels) + " ch";
    } else {
        kernel = "weight " + joinDims(layer.weightShape);
        channels = std::to_string(layer.inChannels) + "→" + std::to_string(layer.outChannels) + " features";
    }
    return {op, node.name, kernel, channels};
}

// Graphviz keeps global state (the context, its error handler, plugin tables): one
// layout at a time. The context is created once and never freed, because a worker thread
// may still be laying out while static destructors run at exit.
std::mutex& graphvizMutex()
{
    static std::mutex mutex;
    return mutex;
}

GVC_t* graphvizContext()
{
    static GVC_t* context = gvContext();
    return context;
}

std::string& graphvizErrors()
{
    static std::string errors;
    return errors;
}

int collectGraphvizError(char* message)
{
    graphvizErrors() += message;
    return 0;
}

// Closes the graph (and frees its layout) however the function leaves.
struct GraphGuard {
    GVC_t* context;
    Agraph_t* graph;
    bool laidOut = false;
    ~GraphGuard()
    {
        if (laidOut)
            gvFreeLayout(context, graph);
        agclose(graph);
    }
};

std::string inches(double points)
{
    char buffer[32];
    std::snprintf(buffer, sizeof buffer, "%.3f", points / 72.0);
    return buffer;
}

// Boxes before layout: which Model nodes each one covers and what it says.
struct Box {
    GraphLayoutNode node;
    bool weighted = false;
};

struct Scaffold {
    std::vector<Box> boxes;
    struct Edge {
        int from, to;
        std::string tensor;
    };
    std::vector<Edge> edges;
};

Scaffold buildScaffold(const Model& model, const std::vector<Layer>& layers, bool compact)
{
    Scaffold s;
    const auto& nodes = model.nodes();
    std::unordered_map<int, int> layerOfNode;
    for (size_t i = 0; i < layers.size(); ++i)
        layerOfNode[layers[i].node] = static_cast<int>(i);

    std::unordered_map<std::string, int> inputBox;
    for (const auto& name : model.inputs()) {
        Box box;
        box.node.kind = GraphNodeKind::Input;
        box.node.tensor = name;
        box.node.lines = {name, shapeText(model, name)};
        inputBox[name] = static_cast<int>(s.boxes.size());
        s.boxes.push_back(std::move(box));
    }

    auto isActivation = [&](const std::string& tensor) {
        return !tensor.empty() && model.resolveConstantName(tensor).empty();
    };

    // Box of each Model node; -1 for constants and nodes computing only from constants.
    std::vector<int> boxOf(nodes.size(), -1);
    std::vector<std::string> opText(nodes.size());
    for (size_t i = 0; i < nodes.size(); ++i) {
        const Node& n = nodes[i];
        std::vector<const std::string*> activations;
        for (const auto& in : n.inputs)
            if (isActivation(in))
                activations.push_back(&in);
        if (n.opType == "Constant" || activations.empty())
            continue;

        if (compact && isFoldable(n.opType) && activations.size() == 1 && !layerOfNode.contains(static_cast<int>(i))) {
            const std::string& in = *activations.front();
            const int producer = model.producer(in);
            if (producer >= 0 && boxOf[static_cast<size_t>(producer)] >= 0 && model.consumers(in).size() == 1 &&
                !model.isGraphOutput(in)) {
                const int b = boxOf[static_cast<size_t>(producer)];
                boxOf[i] = b;
                Box& box = s.boxes[static_cast<size_t>(b)];
                box.node.nodes.push_back(static_cast<int>(i));
                box.node.lines.front() += " + ";
                box.node.lines.front() += shortOp(n.opType);
                continue;
            }
        }

        Box box;
        box.node.node = static_cast<int>(i);
        box.node.nodes = {static_cast<int>(i)};
        if (auto it = layerOfNode.find(static_cast<int>(i)); it != layerOfNode.end()) {
            box.node.kind = GraphNodeKind::Layer;
            box.node.layer = it->second;
            box.weighted = true;
            box.node.lines = layerLines(n.opType, n, layers[static_cast<size_t>(it->second)]);
        } else {
            box.node.kind = GraphNodeKind::Op;
            box.node.lines = {n.opType, n.name};
        }
        boxOf[i] = static_cast<int>(s.boxes.size());
        s.boxes.push_back(std::move(box));
    }

    // One edge per (from, to, tensor): Mul(x, x) draws one arrow.
    std::map<std::tuple<int, int, std::string>, bool> seen;
    auto addEdge = [&](int from, int to, const std::string& tensor) {
        if (from < 0 || to < 0 || from == to)
            return;
        if (seen.emplace(std::tuple(from, to, tensor), true).second)
            s.edges.push_back({from, to, tensor});
    };
    auto sourceBox = [&](const std::string& tensor) {
        const int producer = model.producer(tensor);
        if (producer >= 0)
            return boxOf[static_cast<size_t>(producer)];
        auto it = inputBox.find(tensor);
        return it == inputBox.end() ? -1 : it->second;
    };
    for (size_t i = 0; i < nodes.size(); ++i) {
        if (boxOf[i] < 0)
            continue;
        for (const auto& in : nodes[i].inputs)
            if (isActivation(in))
                addEdge(sourceBox(in), boxOf[i], in);
    }
    for (const auto& name : model.outputs()) {
        Box box;
        box.node.kind = GraphNodeKind::Output;
        box.node.tensor = name;
        box.node.lines = {name, shapeText(model, name)};
        const int to = static_cast<int>(s.boxes.size());
        s.boxes.push_back(std::move(box));
        addEdge(sourceBox(name), to, name);
    }
    return s;
}

void sizeBox(Box& box, const GraphLayoutOptions& options)
{
    // Widest line, with names capped: the view elides the rest.
    constexpr size_t maxChars = 36;
    size_t chars = 0;
    for (const auto& line : box.node.lines)
        chars = std::max(chars, std::min(maxChars, utf8Length(line)));
    // The view pads 6 pt a side; the rest absorbs glyphs wider than average (×, →, digits).
    const double padding = 24;
    const double textWidth = static_cast<double>(chars) * options.charWidth + padding;
    const double lines = static_cast<double>(box.node.lines.size());
    switch (box.node.kind) {
    case GraphNodeKind::Layer:
        box.node.width = std::max(textWidth, 24 * options.charWidth);
        box.node.height = lines * options.lineHeight + 14;
        break;
    case GraphNodeKind::Op:
        box.node.width = std::max(textWidth, 14 * options.charWidth);
        box.node.height = lines * options.lineHeight + 8;
        break;
    case GraphNodeKind::Input:
    case GraphNodeKind::Output:
        box.node.width = std::max(textWidth, 12 * options.charWidth);
        box.node.height = lines * options.lineHeight + 6;
        break;
    }
}

void setGraphAttributes(Agraph_t* g, const GraphLayoutOptions& options)
{
    auto set = [&](const char* name, const char* value) {
        agattr(g, AGRAPH, const_cast<char*>(name), const_cast<char*>(value));
    };
    set("rankdir", "TB");
    set("nodesep", "0.15");
    set("ranksep", "0.35");  // room for a badge line under each box
    if (options.graphvizDefaultLimits)
        return;
    // Bounded work. Network simplex (ranking, then x placement) stops almost at once and
    // mincross does no extra rounds: a feed-forward net's initial order is already good,
    // and densenet121 (27,000 virtual nodes for its concat edges) goes from ~100 s to ~1 s.
    set("nslimit", "0.01");
    set("nslimit1", "0.01");
    set("mclimit", "0.01");
    set("searchsize", "10");
    set("remincross", "false");
    // Graphviz's spline router is most of the remaining time on densenet121; the edges
    // are drawn through the virtual nodes dot places for them instead (edgeRoutes).
    set("splines", "none");
}

constexpr double kArrowLength = 7;

// Where edges leave and enter boxes: spread along the bottom / top side in the order of
// where they go, so fan-ins (a concat of 20 tensors) do not meet in one point.
void spreadPorts(const GraphLayoutNode& box, std::vector<std::pair<double, size_t>>& byX, std::vector<double>& port)
{
    std::stable_sort(byX.begin(), byX.end(), [](const auto& a, const auto& b) { return a.first < b.first; });
    const double n = static_cast<double>(byX.size());
    const double spacing = n > 1 ? std::min(10.0, box.width * 0.8 / (n - 1)) : 0;
    for (size_t i = 0; i < byX.size(); ++i)
        port[byX[i].second] = box.x + box.width / 2 + (static_cast<double>(i) - (n - 1) / 2) * spacing;
}

// A smooth path from a port going down to the next: vertical tangents at both ends.
void curveTo(std::vector<GraphPoint>& points, GraphPoint to)
{
    const GraphPoint from = points.back();
    const double d = (to.y - from.y) / 2;
    points.push_back({from.x, from.y + d});
    points.push_back({to.x, to.y - d});
    points.push_back(to);
}

void lineTo(std::vector<GraphPoint>& points, GraphPoint to)
{
    const GraphPoint from = points.back();
    points.push_back({from.x + (to.x - from.x) / 3, from.y + (to.y - from.y) / 3});
    points.push_back({from.x + (to.x - from.x) * 2 / 3, from.y + (to.y - from.y) * 2 / 3});
    points.push_back(to);
}

// Routes every edge through the virtual nodes dot placed for it on the ranks it crosses:
// those sit in lanes between the boxes of their rank, so going straight down through
// each rank and curving only in the gaps between ranks never crosses a box.
void routeEdges(Agraph_t* g, const std::vector<Agedge_t*>& gvEdges, GraphLayout& layout,
                const std::function<GraphPoint(pointf)>& toView)
{
    // Graphviz moves the real nodes so the drawing starts at the origin but leaves the
    // virtual ones where they were. The y shift is exact (a rank's nodes share one y);
    // the x shift is bounded by the separations dot kept between neighbours in a rank,
    // and any value within the bounds puts every lane clear of every box.
    double shiftX = 0, shiftY = 0;
    {
        constexpr char kRealNode = 0;  // NORMAL in Graphviz's const.h
        double low = -1e300, high = 1e300;
        const double nodesep = GD_nodesep(g);
        for (int r = GD_minrank(g); r <= GD_maxrank(g); ++r) {
            const rank_t& rank = GD_rank(g)[r];
            for (int i = 0; i + 1 < rank.n; ++i) {
                Agnode_t* u = rank.v[i];
                Agnode_t* v = rank.v[i + 1];
                const bool uReal = ND_node_type(u) == kRealNode, vReal = ND_node_type(v) == kRealNode;
                if (uReal == vReal)
                    continue;
                const double separation = ND_rw(u) + ND_lw(v) + nodesep;
                // virtual x + shift = drawn x; real nodes are drawn where they are.
                if (uReal)
                    low = std::max(low, ND_coord(u).x + separation - ND_coord(v).x);
                else
                    high = std::min(high, ND_coord(v).x - separation - ND_coord(u).x);
            }
            Agnode_t* real = nullptr;
            Agnode_t* virt = nullptr;
            for (int i = 0; i < rank.n; ++i)
                (ND_node_type(rank.v[i]) == kRealNode ? real : virt) = rank.v[i];
            if (real && virt)
                shiftY = ND_coord(real).y - ND_coord(virt).y;
        }
        if (low > -1e300 && high < 1e300)
            shiftX = (low + high) / 2;
        else if (low > -1e300)
            shiftX = low;
        else if (high < 1e300)
            shiftX = high;
    }

    struct Lane {
        double x, top, bottom;
    };
    std::vector<std::vector<Lane>> lanes(gvEdges.size());
    for (size_t i = 0; i < gvEdges.size(); ++i) {
        Agnode_t* head = aghead(gvEdges[i]);
        Agedge_t* ve = ED_to_virt(gvEdges[i]);
        // Follow the chain of virtual edges; guard against a malformed chain.
        for (int steps = 0; ve && aghead(ve) != head && steps < 100000; ++steps) {
            Agnode_t* v = aghead(ve);
            const GraphPoint c = toView(pointf{ND_coord(v).x + shiftX, ND_coord(v).y + shiftY});
            const rank_t& rank = GD_rank(g)[ND_rank(v)];
            lanes[i].push_back({c.x, c.y - rank.ht2, c.y + rank.ht1});
            if (ND_out(v).size < 1)
                break;
            ve = ND_out(v).list[0];
        }
    }

    // Ports: each box's outgoing edges in the order of where they head, incoming in the
    // order of where they come from.
    std::vector<std::vector<std::pair<double, size_t>>> outs(layout.nodes.size()), ins(layout.nodes.size());
    auto centreX = [&](int node) {
        const auto& n = layout.nodes[static_cast<size_t>(node)];
        return n.x + n.width / 2;
    };
    for (size_t i = 0; i < layout.edges.size(); ++i) {
        const auto& e = layout.edges[i];
        outs[static_cast<size_t>(e.from)].push_back({lanes[i].empty() ? centreX(e.to) : lanes[i].front().x, i});
        ins[static_cast<size_t>(e.to)].push_back({lanes[i].empty() ? centreX(e.from) : lanes[i].back().x, i});
    }
    std::vector<double> startX(layout.edges.size()), endX(layout.edges.size());
    for (size_t b = 0; b < layout.nodes.size(); ++b) {
        spreadPorts(layout.nodes[b], outs[b], startX);
        spreadPorts(layout.nodes[b], ins[b], endX);
    }

    for (size_t i = 0; i < layout.edges.size(); ++i) {
        auto& e = layout.edges[i];
        const auto& from = layout.nodes[static_cast<size_t>(e.from)];
        const auto& to = layout.nodes[static_cast<size_t>(e.to)];
        std::vector<GraphPoint>& points = e.points;
        points.push_back({startX[i], from.y + from.height});
        for (size_t l = 0; l < lanes[i].size(); ++l) {
            const Lane& lane = lanes[i][l];
            // A straight run down several ranks in the same lane is one segment.
            if (l > 0 && lanes[i][l - 1].x == lane.x) {
                points.back().y = lane.bottom;
                continue;
            }
            curveTo(points, {lane.x, lane.top});
            lineTo(points, {lane.x, lane.bottom});
        }
        e.arrowTip = {endX[i], to.y};
        curveTo(points, {endX[i], to.y - kArrowLength});
    }
}
// Graphviz's bounding box leaves out virtual nodes at the ends of ranks (it grows it by
// the splines it routes, which it no longer does): measure the drawing and move it to
// start at the origin.
void fitBoundingBox(GraphLayout& layout)
{
    double left = 0, top = 0, right = 0, bottom = 0;
    bool first = true;
    auto cover = [&](double x0, double y0, double x1, double y1) {
        if (first) {
            left = x0, top = y0, right = x1, bottom = y1;
            first = false;
            return;
        }
        left = std::min(left, x0), top = std::min(top, y0);
        right = std::max(right, x1), bottom = std::max(bottom, y1);
    };
    for (const auto& n : layout.nodes)
        cover(n.x, n.y, n.x + n.width, n.y + n.height);
    for (const auto& e : layout.edges) {
        for (const auto& p : e.points)
            cover(p.x, p.y, p.x, p.y);
        cover(e.arrowTip.x, e.arrowTip.y, e.arrowTip.x, e.arrowTip.y);
    }
    for (auto& n : layout.nodes)
        n.x -= left, n.y -= top;
    for (auto& e : layout.edges) {
        for (auto& p : e.points)
            p.x -= left, p.y -= top;
        e.arrowTip.x -= left, e.arrowTip.y -= top;
    }
    layout.width = right - left;
    layout.height = bottom - top;
}

} // namespace

int GraphLayout::nodeOfLayer(int layer) const
{
    if (layer < 0)
        return -1;
    for (size_t i = 0; i < nodes.size(); ++i)
        if (nodes[i].layer == layer)
            return static_cast<int>(i);
    return -1;
}

int GraphLayout::nodeOfModelNode(int modelNode) const
{
    for (size_t i = 0; i < nodes.size(); ++i)
        if (std::find(nodes[i].nodes.begin(), nodes[i].nodes.end(), modelNode) != nodes[i].nodes.end())
            return static_cast<int>(i);
    return -1;
}

Result<GraphLayout> layoutGraph(const Model& model, const std::vector<Layer>& layers, const GraphLayoutOptions& options)
{
    Scaffold scaffold = buildScaffold(model, layers, options.compact);
    for (auto& box : scaffold.boxes)
        sizeBox(box, options);

    std::lock_guard lock(graphvizMutex());
    graphvizErrors().clear();
    agseterr(AGERR);
    agseterrf(collectGraphvizError);
    GVC_t* context = graphvizContext();
    if (!context)
        return fail("cannot lay out the graph: Graphviz did not start");

    Agraph_t* g = agopen(const_cast<char*>("model"), Agdirected, nullptr);
    if (!g)
        return fail("cannot lay out the graph: Graphviz could not create a graph");
    GraphGuard guard{context, g};
    setGraphAttributes(g, options);

    // Fixed-size boxes with no text: Graphviz never measures a font, the view draws the text.
    Agsym_t* shape = agattr(g, AGNODE, const_cast<char*>("shape"), const_cast<char*>("box"));
    Agsym_t* label = agattr(g, AGNODE, const_cast<char*>("label"), const_cast<char*>(""));
    Agsym_t* fixed = agattr(g, AGNODE, const_cast<char*>("fixedsize"), const_cast<char*>("true"));
    Agsym_t* width = agattr(g, AGNODE, const_cast<char*>("width"), const_cast<char*>("1"));
    Agsym_t* height = agattr(g, AGNODE, const_cast<char*>("height"), const_cast<char*>("0.5"));
    (void)shape;
    (void)label;
    (void)fixed;

    std::vector<Agnode_t*> gvNodes;
    gvNodes.reserve(scaffold.boxes.size());
    for (size_t i = 0; i < scaffold.boxes.size(); ++i) {
        std::string name = "n" + std::to_string(i);
        Agnode_t* n = agnode(g, name.data(), 1);
        std::string w = inches(scaffold.boxes[i].node.width);
        std::string h = inches(scaffold.boxes[i].node.height);
        agxset(n, width, w.data());
        agxset(n, height, h.data());
        gvNodes.push_back(n);
    }
    std::vector<Agedge_t*> gvEdges;
    gvEdges.reserve(scaffold.edges.size());
    for (const auto& e : scaffold.edges)
        gvEdges.push_back(agedge(g, gvNodes[static_cast<size_t>(e.from)], gvNodes[static_cast<size_t>(e.to)], nullptr, 1));

    if (gvLayout(context, g, "dot") != 0)
        return fail("cannot lay out the graph: " + (graphvizErrors().empty() ? std::string("Graphviz failed") : graphvizErrors()));
    guard.laidOut = true;

    const boxf bb = GD_bb(g);
    auto toView = [&](pointf p) { return GraphPoint{p.x - bb.LL.x, bb.UR.y - p.y}; };

    GraphLayout layout;
    layout.width = bb.UR.x - bb.LL.x;
    layout.height = bb.UR.y - bb.LL.y;
    layout.nodes.reserve(scaffold.boxes.size());
    for (size_t i = 0; i < scaffold.boxes.size(); ++i) {
        GraphLayoutNode node = std::move(scaffold.boxes[i].node);
        const GraphPoint centre = toView(ND_coord(gvNodes[i]));
        node.x = centre.x - node.width / 2;
        node.y = centre.y - node.height / 2;
        layout.nodes.push_back(std::move(node));
    }
    layout.edges.reserve(scaffold.edges.size());
    for (size_t i = 0; i < scaffold.edges.size(); ++i) {
        auto& source = scaffold.edges[i];
        GraphLayoutEdge edge;
        edge.from = source.from;
        edge.to = source.to;
        edge.shape = shapeText(model, source.tensor);
        edge.tensor = std::move(source.tensor);
        if (const splines* spl = options.graphvizDefaultLimits ? ED_spl(gvEdges[i]) : nullptr) {
            for (int b = 0; b < spl->size; ++b) {
                const bezier& bz = spl->list[b];
                // Later pieces start where the previous one ended: keep the path one curve.
                for (int p = edge.points.empty() ? 0 : 1; p < bz.size; ++p)
                    edge.points.push_back(toView(bz.list[p]));
                if (bz.eflag)
                    edge.arrowTip = toView(bz.ep);
                else if (bz.size > 0)
                    edge.arrowTip = toView(bz.list[bz.size - 1]);
            }
        }
        layout.edges.push_back(std::move(edge));
    }
    if (!options.graphvizDefaultLimits)
        routeEdges(g, gvEdges, layout, toView);
    fitBoundingBox(layout);
    return layout;
}

} // namespace topiary
