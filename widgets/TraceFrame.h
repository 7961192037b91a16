// One moment of a filter-removal animation as GraphView draws it: a box of the graph
// that loses something, when (hop), and what to say about it. traceFrames() turns a core
// FilterTrace into frames for a given layout: in compact layouts a BatchNorm or an
// activation folded into a layer's box shows its step on that box.
#pragma once

#include <QColor>
#include <QString>

#include <vector>

namespace topiary {

class Model;
struct FilterTrace;
struct GraphLayout;

struct TraceFrame {
    int node = -1; // index into GraphLayout::nodes (the box)
    int hop = 0; // frames with equal hops are reached together; need not be contiguous
    QString caption; // for the caption strip: "BatchNormalization bn1: channel 17"
    QString tag; // short, on the box: "−ch 17"
    QColor color; // the tag's fill, by role
    int from = -1; // the box the dot arrives from; -1: any box reached before that is linked to this one
};

// Frames for every step of trace whose node has a box in layout, in the trace's order.
// Strings are translated (context "topiary::TraceFrame").
std::vector<TraceFrame> traceFrames(const Model& model, const FilterTrace& trace, const GraphLayout& layout);

} // namespace topiary
