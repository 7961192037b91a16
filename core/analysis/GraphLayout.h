// Where every box and arrow of the layer graph goes: the model's node graph laid out
// top to bottom by Graphviz (dot), as a plain value the graph view turns into items.
// The view never sees the protobuf or Graphviz, only this.
#pragma once

#include "core/base/Error.h"

#include <string>
#include <vector>

namespace topiary {

class Model;
struct Layer;

struct GraphLayoutOptions {
    // Folds BatchNormalization and unary activations (Relu, Clip, Sigmoid, HardSwish, ...)
    // into the box of the node before them when that node's output feeds nothing else:
    // conv-bn-relu becomes one "Conv + BN + Relu" box.
    bool compact = false;
    // Size of the label font, so boxes fit their text: the width of an average character
    // and the height of a line, in points. The view passes its font's metrics.
    double charWidth = 6.5;
    double lineHeight = 13.0;
    // Graphviz's own iteration limits instead of the bounded ones. Graphviz's defaults
    // take ~100 s on densenet121; only for comparison (benchmarks).
    bool graphvizDefaultLimits = false;
};

struct GraphPoint {
    double x = 0;
    double y = 0;
};

enum class GraphNodeKind { Layer, Op, Input, Output };

// One box. Coordinates in points, origin at the top left of the drawing, y downward.
struct GraphLayoutNode {
    GraphNodeKind kind = GraphNodeKind::Op;
    int node = -1;           // representative Model node index; -1 for graph inputs/outputs
    std::vector<int> nodes;  // every Model node the box stands for, in topological order
    int layer = -1;          // index into the layers passed in, -1 if the box holds none
    std::string tensor;      // Input/Output: the graph input or output tensor
    double x = 0, y = 0;     // top-left corner
    double width = 0, height = 0;
    // What the box says, first line first (UTF-8). Layers: op, name, kernel, channels
    // ("Conv + BN + Relu", "/layer1/conv1/Conv", "3×3", "64→128 ch"); other ops: op and
    // name; inputs/outputs: tensor name and shape. Long names are wider than the box
    // allows: the view elides them.
    std::vector<std::string> lines;
};

struct GraphLayoutEdge {
    int from = -1;           // index into GraphLayout::nodes
    int to = -1;
    std::string tensor;      // the tensor carried
    std::string shape;       // its inferred shape, "1×64×56×56"; "" when unknown
    // Cubic Bézier path: the start point, then (control, control, end) triples.
    std::vector<GraphPoint> points;
    GraphPoint arrowTip;     // where the arrowhead points (past the last path point)
};

struct GraphLayout {
    std::vector<GraphLayoutNode> nodes;  // inputs, then ops in topological order, then outputs
    std::vector<GraphLayoutEdge> edges;
    double width = 0;   // bounding box of the drawing, points
    double height = 0;

    // Index into nodes of the box that holds a layer / a Model node, -1 if none.
    int nodeOfLayer(int layer) const;
    int nodeOfModelNode(int modelNode) const;
};

// Lays out the graph of model; layers is findLayers(model). Safe to call from any thread:
// calls are serialised, as Graphviz keeps global state. Fails only when Graphviz does.
Result<GraphLayout> layoutGraph(const Model& model, const std::vector<Layer>& layers,
                                const GraphLayoutOptions& options = {});

} // namespace topiary
