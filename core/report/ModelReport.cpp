#include "core/report/ModelReport.h"

#include "core/model/CostModel.h"
#include "core/base/Format.h"
#include "core/model/Model.h"

#include <algorithm>
#include <sstream>

namespace topiary {

namespace {

std::vector<int64_t> outputShape(const Model& model, const Layer& layer)
{
    const TensorInfo* t = model.tensor(layer.output);
    return t && t->hasShape ? t->shape : std::vector<int64_t>{};
}

} // namespace

nlohmann::json modelReportJson(const Model& model, const CostModel& cost)
{
    nlohmann::json layers = nlohmann::json::array();
    for (size_t i = 0; i < cost.layers().size(); ++i) {
        const Layer& l = cost.layers()[i];
        const NodeCost& c = cost.forLayer(static_cast<int>(i));
        nlohmann::json row = {
            {"name", l.name},
            {"op", model.node(l.node).opType},
            {"weight", l.weight},
            {"weight_shape", l.weightShape},
            {"group", l.group},
            {"in_channels", l.inChannels},
            {"out_channels", l.outChannels},
            {"params", c.params},
            {"macs", c.linearMacs},
            {"output_shape", outputShape(model, l)},
            {"weight_bytes", c.weightBytes},
            {"output_bytes", c.outputBytes},
        };
        if (l.batchNorm >= 0)
            row["batch_norm"] = model.node(l.batchNorm).name;
        layers.push_back(std::move(row));
    }
    const CostTotals& t = cost.totals();
    nlohmann::json inputs = nlohmann::json::array();
    for (const auto& name : model.inputs()) {
        const TensorInfo* info = model.tensor(name);
        inputs.push_back({{"name", name},
                          {"type", elemTypeName(info ? info->elemType : 0)},
                          {"shape", info ? info->shape : std::vector<int64_t>{}}});
    }
    return {
        {"file", model.path().string()},
        {"file_bytes", model.fileBytes()},
        {"opset", model.opsetVersion()},
        {"nodes", model.nodes().size()},
        {"inputs", inputs},
        {"layers", layers},
        {"totals",
         {{"layers", cost.layers().size()},
          {"params", t.params},
          {"macs_conv_linear", t.linearMacs},
          {"macs_other", t.otherMacs},
          {"macs_all_ops", t.allMacs()},
          {"weight_bytes", t.weightBytes},
          {"initializer_bytes", t.initializerBytes},
          {"activation_bytes", t.activationBytes},
          {"peak_activation_bytes", t.peakActivationBytes},
          {"memory_traffic_bytes", t.trafficBytes}}},
        {"warnings", model.warnings()},
    };
}

std::string modelReportText(const Model& model, const CostModel& cost)
{
    struct Row {
        std::string cells[7];
    };
    std::vector<Row> rows;
    rows.push_back({{"name", "op", "weight shape", "params", "MACs", "output shape", "weight bytes"}});
    for (size_t i = 0; i < cost.layers().size(); ++i) {
        const Layer& l = cost.layers()[i];
        const NodeCost& c = cost.forLayer(static_cast<int>(i));
        std::string op = model.node(l.node).opType;
        if (l.isDepthwise())
            op += " (dw)";
        else if (l.group > 1)
            op += " (g=" + std::to_string(l.group) + ")";
        if (l.batchNorm >= 0)
            op += "+BN";
        rows.push_back({{l.name, op, shapeToString(l.weightShape), text::count(c.params), text::count(c.linearMacs),
                         shapeToString(outputShape(model, l)), text::count(c.weightBytes)}});
    }
    size_t width[7] = {};
    for (const Row& r : rows)
        for (int k = 0; k < 7; ++k)
            width[k] = std::max(width[k], r.cells[k].size());
    std::ostringstream out;
    for (size_t r = 0; r < rows.size(); ++r) {
        for (int k = 0; k < 7; ++k) {
            const std::string& cell = rows[r].cells[k];
            const bool numeric = k == 3 || k == 4 || k == 6;
            const std::string pad(width[k] - cell.size(), ' ');
            out << (k ? "  " : "") << (numeric ? pad + cell : cell + (k < 6 ? pad : ""));
        }
        out << '\n';
        if (r == 0) {
            size_t total = 0;
            for (size_t w : width)
                total += w + 2;
            out << std::string(total - 2, '-') << '\n';
        }
    }
    const CostTotals& t = cost.totals();
    out << '\n'
        << "layers                 " << cost.layers().size() << '\n'
        << "params                 " << text::count(t.params) << '\n'
        << "MACs (conv+linear)     " << text::count(t.linearMacs) << "  (" << text::compact(t.linearMacs) << ")\n"
        << "MACs (all ops)         " << text::count(t.allMacs()) << "  (" << text::compact(t.allMacs()) << ")\n"
        << "weights                " << text::bytes(t.weightBytes) << "  (" << text::exactBytes(t.weightBytes) << ")\n"
        << "peak activations       " << text::bytes(t.peakActivationBytes) << "  ("
        << text::exactBytes(t.peakActivationBytes) << ")\n"
        << "memory traffic         " << text::bytes(t.trafficBytes) << "  (" << text::exactBytes(t.trafficBytes) << ")\n";
    if (model.fileBytes() > 0)
        out << "file                   " << text::bytes(model.fileBytes()) << "  (" << text::exactBytes(model.fileBytes()) << ")\n";
    for (const auto& w : model.warnings())
        out << "warning: " << w << '\n';
    return out.str();
}

} // namespace topiary
