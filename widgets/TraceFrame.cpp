#include "widgets/TraceFrame.h"

#include "core/analysis/FilterTrace.h"
#include "core/analysis/GraphLayout.h"
#include "core/model/Model.h"

#include <QCoreApplication>

#include <map>

namespace topiary {

namespace {

// Removed filters in red, what normalises them in purple, what reads them in orange,
// the plain carriers in grey: the roles a teacher points at read apart at a glance.
QColor roleColor(TraceRole role)
{
    switch (role) {
    case TraceRole::Filter:
        return { 0xd6, 0x27, 0x28 };
    case TraceRole::Partner:
        return { 0xb0, 0x1c, 0x5a };
    case TraceRole::Depthwise:
        return { 0xc0, 0x39, 0x2b };
    case TraceRole::Norm:
        return { 0x8e, 0x44, 0xad };
    case TraceRole::Consumer:
        return { 0xe6, 0x7e, 0x22 };
    case TraceRole::Elementwise:
    case TraceRole::Reshape:
        return { 0x16, 0x8a, 0x8a };
    case TraceRole::PassThrough:
        return { 0x70, 0x70, 0x70 };
    }
    return Qt::red;
}

// Which step names a box that holds several: the layer's own role before what is folded in.
int rank(TraceRole role)
{
    switch (role) {
    case TraceRole::Filter:
        return 0;
    case TraceRole::Partner:
    case TraceRole::Depthwise:
    case TraceRole::Consumer:
        return 1;
    case TraceRole::Norm:
    case TraceRole::Elementwise:
    case TraceRole::Reshape:
        return 2;
    case TraceRole::PassThrough:
        return 3;
    }
    return 3;
}

QString indices(int64_t begin, int64_t end)
{
    return end - begin <= 1 ? QString::number(begin) : QStringLiteral("%1–%2").arg(begin).arg(end - 1);
}

} // namespace

std::vector<TraceFrame> traceFrames(const Model& model, const FilterTrace& trace, const GraphLayout& layout)
{
    std::vector<TraceFrame> frames;
    std::vector<TraceRole> roles;
    std::map<int, int> fromOf; // model node -> the node the channel reaches it from
    for (const auto& step : trace.steps)
        fromOf[step.node] = step.from;
    for (const auto& step : trace.steps) {
        const int box = layout.nodeOfModelNode(step.node);
        if (box < 0)
            continue;
        // Where the dot comes from: the nearest step upstream in the trace that is drawn
        // in another box (folded steps share their layer's box).
        int from = step.from;
        for (int guard = 0; from >= 0 && layout.nodeOfModelNode(from) == box && guard < 64; ++guard) {
            auto it = fromOf.find(from);
            from = it == fromOf.end() ? -1 : it->second;
        }
        const Node& node = model.node(step.node);
        const QString who
            = QStringLiteral("%1 %2").arg(QString::fromStdString(node.opType), QString::fromStdString(node.name));
        TraceFrame f;
        f.node = box;
        f.hop = step.hop;
        f.color = roleColor(step.role);
        f.from = from >= 0 ? layout.nodeOfModelNode(from) : -1;
        switch (step.role) {
        case TraceRole::Filter:
            f.caption = QCoreApplication::translate("topiary::TraceFrame", "%1: filter %2").arg(who, QString::number(step.begin));
            f.tag = QCoreApplication::translate("topiary::TraceFrame", "−filter %1").arg(step.begin);
            break;
        case TraceRole::Partner:
            f.caption = QCoreApplication::translate("topiary::TraceFrame", "%1: filter %2 (makes the same channel)")
                            .arg(who, QString::number(step.begin));
            f.tag = QCoreApplication::translate("topiary::TraceFrame", "−filter %1").arg(step.begin);
            break;
        case TraceRole::Depthwise:
            f.caption = QCoreApplication::translate("topiary::TraceFrame", "%1: depthwise filter %2")
                            .arg(who, QString::number(step.begin));
            f.tag = QCoreApplication::translate("topiary::TraceFrame", "−filter %1").arg(step.begin);
            break;
        case TraceRole::Norm:
            f.caption = QCoreApplication::translate("topiary::TraceFrame", "%1: channel %2").arg(who, QString::number(step.begin));
            f.tag = QCoreApplication::translate("topiary::TraceFrame", "−ch %1").arg(step.begin);
            break;
        case TraceRole::Consumer:
            if (step.end - step.begin > 1) {
                f.caption = QCoreApplication::translate("topiary::TraceFrame", "%1: input columns %2")
                                .arg(who, indices(step.begin, step.end));
                f.tag = QCoreApplication::translate("topiary::TraceFrame", "−in %1").arg(indices(step.begin, step.end));
            } else {
                f.caption = QCoreApplication::translate("topiary::TraceFrame", "%1: input channel %2")
                                .arg(who, QString::number(step.begin));
                f.tag = QCoreApplication::translate("topiary::TraceFrame", "−in %1").arg(step.begin);
            }
            break;
        case TraceRole::Elementwise:
            f.caption = QCoreApplication::translate("topiary::TraceFrame", "%1: constant entry %2")
                            .arg(who, indices(step.begin, step.end));
            f.tag = QCoreApplication::translate("topiary::TraceFrame", "−ch %1").arg(step.channel);
            break;
        case TraceRole::Reshape:
            f.caption = QCoreApplication::translate("topiary::TraceFrame", "%1: shape recomputed").arg(who);
            f.tag = QCoreApplication::translate("topiary::TraceFrame", "shape");
            break;
        case TraceRole::PassThrough:
            f.caption = QCoreApplication::translate("topiary::TraceFrame", "%1: channel %2").arg(who, QString::number(step.channel));
            f.tag = QCoreApplication::translate("topiary::TraceFrame", "−ch %1").arg(step.channel);
            break;
        }
        frames.push_back(std::move(f));
        roles.push_back(step.role);
    }
    // A compact box stands for its layer and what is folded into it: it wears the tag of
    // the layer's own step (a residual partner's "−filter 17"), not that of the folded
    // Relu the trace happened to reach first.
    std::map<int, size_t> lead;
    for (size_t i = 0; i < frames.size(); ++i) {
        auto [it, added] = lead.try_emplace(frames[i].node, i);
        if (!added && rank(roles[i]) < rank(roles[it->second]))
            it->second = i;
    }
    for (auto& f : frames) {
        const TraceFrame& l = frames[lead[f.node]];
        f.tag = l.tag;
        f.color = l.color;
    }
    return frames;
}

} // namespace topiary
