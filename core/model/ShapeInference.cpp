#include "core/model/ShapeInference.h"

#include "core/base/NodeText.h"
#include "core/model/ShapeFolding.h"

#include <onnx/shape_inference/implementation.h>

#include <algorithm>

namespace topiary {

namespace {

TensorInfo infoFromType(const std::string& name, const onnx::TypeProto& type)
{
    TensorInfo info;
    info.name = name;
    if (!type.has_tensor_type())
        return info;
    const auto& tt = type.tensor_type();
    info.elemType = tt.elem_type();
    if (tt.has_shape()) {
        info.hasShape = true;
        for (const auto& d : tt.shape().dim())
            info.shape.push_back(d.has_dim_value() ? d.dim_value() : -1);
    }
    return info;
}

// A copy of the model for shape inference: the graph without large tensor payloads
// (inference needs only small constants such as Reshape targets), with symbolic
// input dims pinned to 1 so every shape downstream is concrete.
onnx::ModelProto shapeShell(const onnx::ModelProto& m, const std::unordered_set<std::string>& realInputs,
                            bool pinDims, std::vector<std::string>& warnings)
{
    constexpr int64_t kSmallTensor = 4096;
    onnx::ModelProto shell;
    shell.set_ir_version(m.ir_version());
    *shell.mutable_opset_import() = m.opset_import();
    *shell.mutable_functions() = m.functions();
    const auto& g = m.graph();
    auto* sg = shell.mutable_graph();
    sg->set_name(g.name());
    *sg->mutable_node() = g.node();
    *sg->mutable_input() = g.input();
    *sg->mutable_output() = g.output();
    *sg->mutable_value_info() = g.value_info();
    for (const auto& t : g.initializer()) {
        int64_t n = 1;
        bool small = true;
        for (int64_t d : t.dims())
            if (__builtin_mul_overflow(n, d, &n) || n > kSmallTensor)
                small = false;
        if (small && t.data_location() != onnx::TensorProto_DataLocation_EXTERNAL) {
            *sg->add_initializer() = t;
        } else {
            auto* c = sg->add_initializer();
            c->set_name(t.name());
            c->set_data_type(t.data_type());
            *c->mutable_dims() = t.dims();
        }
    }
    if (!pinDims)
        return shell;
    for (auto& in : *sg->mutable_input()) {
        if (!realInputs.count(in.name()) || !in.type().has_tensor_type() || !in.type().tensor_type().has_shape())
            continue;
        auto* shape = in.mutable_type()->mutable_tensor_type()->mutable_shape();
        std::vector<std::string> pinned;
        for (int i = 0; i < shape->dim_size(); ++i) {
            auto* d = shape->mutable_dim(i);
            if (d->has_dim_value())
                continue;
            if (i > 0)
                pinned.push_back(d->has_dim_param() ? d->dim_param() : "?");
            d->set_dim_value(1);
        }
        if (!pinned.empty()) {
            std::string names;
            for (const auto& p : pinned)
                names += (names.empty() ? "" : ", ") + p;
            warnings.push_back("input " + quote(in.name()) + " has symbolic dimensions (" + names +
                               ") beyond the batch; they are taken as 1 for shapes and costs");
        }
    }
    return shell;
}

// ONNX 1.12's shape inference trusts some node contracts and crashes on files that
// break them (a Conv weight of rank 1, a zero stride). Checked here first.
// rankOf: ranks of the tensors known so far.
Result<void> checkNodeContract(const onnx::NodeProto& n, int i, const std::unordered_map<std::string, int>& rankOf)
{
    static const std::unordered_set<std::string> convLike = {"Conv", "ConvTranspose", "MaxPool", "AveragePool",
                                                             "LpPool", "ConvInteger", "QLinearConv", "MaxUnpool"};
    {
        if (!convLike.count(n.op_type()) || (!n.domain().empty() && n.domain() != "ai.onnx"))
            return {};
        const std::string where = describeNode(n, i);
        const bool isConv = n.op_type().find("Conv") != std::string::npos;
        if (n.input_size() < (isConv ? 2 : 1) || n.input(0).empty())
            return fail(where + " is missing a required input");
        const size_t weightInput = n.op_type() == "QLinearConv" ? 3 : 1;
        int spatial = -1;
        if (auto it = rankOf.find(n.input(0)); it != rankOf.end()) {
            if (it->second < 3)
                return fail(where + " reads " + quote(n.input(0)) + " of rank " + std::to_string(it->second) +
                            "; it needs a batch, a channel and at least one spatial dimension");
            spatial = it->second - 2;
        }
        if (isConv && static_cast<int>(weightInput) < n.input_size()) {
            if (auto it = rankOf.find(n.input(static_cast<int>(weightInput))); it != rankOf.end()) {
                if (it->second < 3)
                    return fail(where + " has a weight of rank " + std::to_string(it->second) +
                                "; a convolution weight needs rank 3 or more");
                if (spatial >= 0 && it->second - 2 != spatial)
                    return fail(where + " has a weight of rank " + std::to_string(it->second) + " for an input of rank " +
                                std::to_string(spatial + 2));
                spatial = it->second - 2;
            }
        }
        for (const auto& a : n.attribute()) {
            const std::string& name = a.name();
            if (name == "group" && a.i() < 1)
                return fail(where + " has group " + std::to_string(a.i()) + "; it must be 1 or more");
            if (name != "kernel_shape" && name != "strides" && name != "dilations" && name != "pads" &&
                name != "output_padding" && name != "output_shape")
                continue;
            if (a.type() != onnx::AttributeProto_AttributeType_INTS)
                return fail(where + " has attribute " + quote(name) + " of the wrong type; it must be a list of ints");
            const int expected = name == "pads" ? 2 * spatial : spatial;
            if (spatial >= 0 && name != "output_shape" && a.ints_size() != expected)
                return fail(where + " has " + std::to_string(a.ints_size()) + " values in " + quote(name) + " for " +
                            std::to_string(spatial) + " spatial dimensions");
            for (int64_t v : a.ints()) {
                const bool positive = name == "kernel_shape" || name == "strides" || name == "dilations";
                if ((positive && v < 1) || v < 0 || v > (int64_t{1} << 31))
                    return fail(where + " has an invalid value " + std::to_string(v) + " in " + quote(name));
            }
        }
    }
    return {};
}

} // namespace

Result<std::unordered_map<std::string, TensorInfo>> inferShapes(const onnx::ModelProto& m,
                                                                 const std::vector<int>& order,
                                                                 const std::unordered_set<std::string>& realInputs,
                                                                 bool pinSymbolicDims,
                                                                 std::vector<std::string>& warnings)
{
    onnx::ModelProto shell = shapeShell(m, realInputs, pinSymbolicDims, warnings);
    auto& sg = *shell.mutable_graph();

    std::unordered_map<std::string, onnx::TypeProto> types;
    std::unordered_map<std::string, int> ranks;
    std::unordered_map<std::string, std::vector<int64_t>> fullShapes;
    std::unordered_map<std::string, const onnx::TensorProto*> constants;  // small tensors with data
    auto learn = [&](const std::string& name, const onnx::TypeProto& type) {
        types[name] = type;
        if (!type.has_tensor_type() || !type.tensor_type().has_shape())
            return;
        ranks[name] = type.tensor_type().shape().dim_size();
        TensorInfo info = infoFromType(name, type);
        if (std::all_of(info.shape.begin(), info.shape.end(), [](int64_t d) { return d >= 0; }))
            fullShapes[name] = std::move(info.shape);
    };
    for (const auto& in : sg.input())
        if (realInputs.count(in.name()))
            learn(in.name(), in.type());
    for (const auto& t : sg.initializer()) {
        onnx::TypeProto type;
        type.mutable_tensor_type()->set_elem_type(t.data_type());
        auto* shape = type.mutable_tensor_type()->mutable_shape();
        for (int64_t d : t.dims())
            shape->add_dim()->set_dim_value(d);
        learn(t.name(), type);
        if (t.has_raw_data() || t.int64_data_size() || t.float_data_size() || t.int32_data_size() ||
            t.double_data_size())
            constants[t.name()] = &t;
    }
    std::unordered_map<std::string, const onnx::ValueInfoProto*> declared;  // the file's own value_info
    for (const auto& vi : sg.value_info())
        declared[vi.name()] = &vi;

    ShapeFolder folder(sg);
    std::unordered_map<std::string, onnx::TensorShapeProto> propagated;
    const onnx::ShapeInferenceOptions options(false, 0, true);
    int failures = 0;
    for (int index : order) {
        onnx::NodeProto& n = *sg.mutable_node(index);
        if (auto ok = checkNodeContract(n, index, ranks); !ok)
            return std::unexpected(ok.error());
        folder.fold(n, fullShapes);

        onnx::ModelProto mini;
        mini.set_ir_version(shell.ir_version());
        *mini.mutable_opset_import() = shell.opset_import();
        if (shell.functions_size() > 0)
            *mini.mutable_functions() = shell.functions();
        auto* g = mini.mutable_graph();
        *g->add_node() = n;
        std::unordered_set<std::string> added;
        for (const auto& in : n.input()) {
            if (in.empty() || !added.insert(in).second)
                continue;
            if (auto c = constants.find(in); c != constants.end()) {
                auto* init = g->add_initializer();
                *init = *c->second;
                init->set_name(in);
            } else if (auto t = types.find(in); t != types.end()) {
                auto* vi = g->add_input();
                vi->set_name(in);
                *vi->mutable_type() = t->second;
            }
        }
        try {
            onnx::shape_inference::InferShapes(mini, onnx::OpSchemaRegistry::Instance(), options, &propagated);
        } catch (const std::exception& e) {
            if (++failures <= 3)
                warnings.push_back("shape inference failed at " + describeNode(n, index) + ": " + e.what());
        }
        for (const auto& vi : g->value_info())
            learn(vi.name(), vi.type());
        for (const auto& out : n.output())
            if (!out.empty() && !types.count(out))
                if (auto d = declared.find(out); d != declared.end())
                    learn(out, d->second->type());
        if (n.op_type() == "Constant" && n.output_size() == 1)
            for (const auto& a : n.attribute())
                if (a.name() == "value" && a.has_t() && a.t().dims_size() <= 1)
                    constants[n.output(0)] = &a.t();
    }
    if (failures > 3)
        warnings.push_back("shape inference failed at " + std::to_string(failures - 3) + " more nodes");

    std::unordered_map<std::string, TensorInfo> result;
    for (const auto& [name, type] : types)
        result.emplace(name, infoFromType(name, type));
    return result;
}

} // namespace topiary
