#include "core/eval/SubModel.h"

#include "core/model/Layer.h"
#include "core/model/Model.h"
#include "core/model/ShapeInference.h"

#include <algorithm>
#include <functional>
#include <queue>
#include <unordered_map>
#include <unordered_set>

namespace topiary {

namespace {

using NameSet = std::unordered_set<std::string>;

// Names a subgraph (If/Loop/Scan body) reads from enclosing scopes.
void collectCaptured(const onnx::GraphProto& graph, NameSet& out)
{
    NameSet defined;
    for (const auto& in : graph.input())
        defined.insert(in.name());
    for (const auto& t : graph.initializer())
        defined.insert(t.name());
    for (const auto& n : graph.node())
        for (const auto& o : n.output())
            defined.insert(o);
    for (const auto& n : graph.node()) {
        NameSet inner;
        for (const auto& in : n.input())
            if (!in.empty())
                inner.insert(in);
        for (const auto& a : n.attribute()) {
            if (a.has_g())
                collectCaptured(a.g(), inner);
            for (const auto& g : a.graphs())
                collectCaptured(g, inner);
        }
        for (const auto& name : inner)
            if (!defined.contains(name))
                out.insert(name);
    }
}

// Every value a node reads: its inputs and what its subgraphs capture.
std::vector<std::string> readsOf(const onnx::NodeProto& node)
{
    std::vector<std::string> reads;
    for (const auto& in : node.input())
        if (!in.empty())
            reads.push_back(in);
    NameSet captured;
    for (const auto& a : node.attribute()) {
        if (a.has_g())
            collectCaptured(a.g(), captured);
        for (const auto& g : a.graphs())
            collectCaptured(g, captured);
    }
    std::vector<std::string> sorted(captured.begin(), captured.end());
    std::sort(sorted.begin(), sorted.end());
    reads.insert(reads.end(), sorted.begin(), sorted.end());
    return reads;
}

// The name the proto gives its batch dimension, so the sub-models speak of the same batch.
std::string batchParam(const onnx::ModelProto& proto)
{
    for (const auto& in : proto.graph().input()) {
        if (!in.type().has_tensor_type() || !in.type().tensor_type().has_shape())
            continue;
        const auto& shape = in.type().tensor_type().shape();
        if (shape.dim_size() > 0 && shape.dim(0).has_dim_param() && !shape.dim(0).dim_param().empty())
            return shape.dim(0).dim_param();
    }
    return "N";
}

onnx::ValueInfoProto makeValueInfo(const TensorInfo& info, const std::string& batch)
{
    onnx::ValueInfoProto vi;
    vi.set_name(info.name);
    auto* tt = vi.mutable_type()->mutable_tensor_type();
    tt->set_elem_type(info.elemType);
    if (info.hasShape) {
        auto* shape = tt->mutable_shape();
        for (size_t d = 0; d < info.shape.size(); ++d) {
            auto* dim = shape->add_dim();
            if (info.shape[d] >= 0)
                dim->set_dim_value(info.shape[d]);
            else
                dim->set_dim_param(d == 0 ? batch : info.name + "_d" + std::to_string(d));
        }
    }
    return vi;
}

bool hasSymbolicInputDims(const Model& model)
{
    for (const auto& in : model.graph().input()) {
        if (std::find(model.inputs().begin(), model.inputs().end(), in.name()) == model.inputs().end())
            continue;
        if (!in.type().has_tensor_type() || !in.type().tensor_type().has_shape())
            continue;
        for (const auto& d : in.type().tensor_type().shape().dim())
            if (!d.has_dim_value())
                return true;
    }
    return false;
}

} // namespace

bool Cut::validFor(int firstChangedNode) const
{
    return firstChangedNode < 0 || upstreamNodes.empty() || upstreamNodes.back() < firstChangedNode;
}

Result<std::vector<TensorInfo>> tensorInfos(const Model& model, std::span<const std::string> names)
{
    // The index pins symbolic input dims to 1; shape inference without pinning says which
    // dims follow from them.
    std::unordered_map<std::string, TensorInfo> symbolic;
    const bool symbolicInputs = hasSymbolicInputDims(model);
    if (symbolicInputs) {
        std::vector<int> order;
        order.reserve(model.nodes().size());
        for (const auto& n : model.nodes())
            order.push_back(n.protoIndex);
        const std::unordered_set<std::string> realInputs(model.inputs().begin(), model.inputs().end());
        std::vector<std::string> warnings;
        if (auto shapes = inferShapes(model.proto(), order, realInputs, false, warnings))
            symbolic = std::move(*shapes);
    }
    std::vector<TensorInfo> out;
    for (const auto& name : names) {
        const TensorInfo* known = model.tensor(name);
        if (!known)
            return fail("the model index knows nothing of tensor '" + name + "'");
        TensorInfo info = *known;
        info.name = name;
        if (symbolicInputs && info.hasShape) {
            auto it = symbolic.find(name);
            if (it != symbolic.end() && it->second.hasShape && it->second.shape.size() == info.shape.size()) {
                for (size_t d = 0; d < info.shape.size(); ++d)
                    if (it->second.shape[d] < 0)
                        info.shape[d] = -1;
            } else if (!info.shape.empty()) {
                info.shape[0] = -1; // an activation: its first dim is the batch
            }
        }
        out.push_back(std::move(info));
    }
    return out;
}

Result<Cut> cutBefore(const Model& model, int first)
{
    const int n = static_cast<int>(model.nodes().size());
    if (first < 0 || first >= n)
        return fail("node " + std::to_string(first) + " is not in the model (" + std::to_string(n) + " nodes)");

    // Nodes whose outputs follow from constants alone: they move downstream with their users.
    std::vector<bool> constantOnly(static_cast<size_t>(n), false);
    for (int i = 0; i < n; ++i) {
        bool constant = true;
        for (const auto& in : readsOf(model.nodeProto(i))) {
            if (model.constant(in))
                continue;
            const int p = model.producer(in);
            if (p < 0 || !constantOnly[static_cast<size_t>(p)]) {
                constant = false;
                break;
            }
        }
        constantOnly[static_cast<size_t>(i)] = constant;
    }

    std::vector<bool> downstream(static_cast<size_t>(n), false);
    std::vector<std::string> pending;
    auto addNode = [&](int i) {
        downstream[static_cast<size_t>(i)] = true;
        for (auto& in : readsOf(model.nodeProto(i)))
            pending.push_back(std::move(in));
    };
    for (int i = first; i < n; ++i)
        addNode(i);

    std::vector<std::string> cut;
    NameSet inCut;
    NameSet seen;
    while (!pending.empty()) {
        const std::string t = std::move(pending.back());
        pending.pop_back();
        if (!seen.insert(t).second || model.constant(t))
            continue;
        const int p = model.producer(t);
        if (p < 0) {
            if (std::find(model.inputs().begin(), model.inputs().end(), t) == model.inputs().end())
                return fail("tensor '" + t + "' has no producer and is not a graph input");
        } else if (downstream[static_cast<size_t>(p)]) {
            continue;
        } else {
            const TensorInfo* info = model.tensor(t);
            const bool floatActivation = info && info->elemType == onnx::TensorProto_DataType_FLOAT;
            if (constantOnly[static_cast<size_t>(p)] || !floatActivation) {
                addNode(p);
                continue;
            }
        }
        if (inCut.insert(t).second)
            cut.push_back(t);
    }
    // A producer moved downstream after one of its outputs was cut: that output is inside now.
    std::erase_if(cut, [&](const std::string& t) {
        const int p = model.producer(t);
        return p >= 0 && downstream[static_cast<size_t>(p)];
    });

    auto rank = [&](const std::string& t) {
        const int p = model.producer(t);
        if (p < 0) {
            const auto& ins = model.inputs();
            return std::pair<int, int>(-1, static_cast<int>(std::find(ins.begin(), ins.end(), t) - ins.begin()));
        }
        const auto& outs = model.node(p).outputs;
        return std::pair<int, int>(p, static_cast<int>(std::find(outs.begin(), outs.end(), t) - outs.begin()));
    };
    std::sort(cut.begin(), cut.end(), [&](const std::string& a, const std::string& b) { return rank(a) < rank(b); });

    Cut result;
    result.firstNode = first;
    auto infos = tensorInfos(model, cut);
    if (!infos)
        return std::unexpected(infos.error());
    for (const auto& info : *infos)
        if (info.elemType != onnx::TensorProto_DataType_FLOAT)
            return fail("cut tensor '" + info.name + "' is a " + elemTypeName(info.elemType)
                + " graph input; only float activations can be cached");
    result.tensors = std::move(cut);
    result.infos = std::move(*infos);

    std::vector<bool> upstream(static_cast<size_t>(n), false);
    std::vector<std::string> walk = result.tensors;
    while (!walk.empty()) {
        const std::string t = std::move(walk.back());
        walk.pop_back();
        const int p = model.producer(t);
        if (p < 0 || upstream[static_cast<size_t>(p)])
            continue;
        upstream[static_cast<size_t>(p)] = true;
        for (auto& in : readsOf(model.nodeProto(p)))
            walk.push_back(std::move(in));
    }
    for (int i = 0; i < n; ++i)
        if (upstream[static_cast<size_t>(i)])
            result.upstreamNodes.push_back(i);
    return result;
}

Result<Cut> cutBeforeLayer(const Model& model, const std::vector<Layer>& layers, int layer)
{
    if (layer < 0 || static_cast<size_t>(layer) >= layers.size())
        return fail("layer " + std::to_string(layer) + " is not in the model (" + std::to_string(layers.size())
            + " layers)");
    return cutBefore(model, layers[static_cast<size_t>(layer)].node);
}

Result<onnx::ModelProto> extractSubModel(
    const onnx::ModelProto& proto, std::span<const TensorInfo> inputs, std::span<const TensorInfo> outputs)
{
    const auto& g = proto.graph();
    std::unordered_map<std::string, int> producer;
    for (int i = 0; i < g.node_size(); ++i)
        for (const auto& o : g.node(i).output())
            if (!o.empty())
                producer.emplace(o, i);
    NameSet initializers;
    for (const auto& t : g.initializer())
        initializers.insert(t.name());
    for (const auto& t : g.sparse_initializer())
        initializers.insert(t.values().name());
    std::unordered_map<std::string, const onnx::ValueInfoProto*> graphInputs;
    for (const auto& in : g.input())
        graphInputs.emplace(in.name(), &in);
    std::unordered_map<std::string, const onnx::ValueInfoProto*> declared;
    for (const auto& vi : g.value_info())
        declared.emplace(vi.name(), &vi);
    for (const auto& out : g.output())
        declared[out.name()] = &out;
    for (const auto& in : g.input())
        declared[in.name()] = &in;

    std::unordered_map<std::string, const TensorInfo*> inputSet;
    for (const auto& in : inputs) {
        if (initializers.contains(in.name))
            return fail("'" + in.name + "' is an initializer, not a tensor to cut at");
        if (!producer.contains(in.name) && !graphInputs.contains(in.name))
            return fail("the model has no tensor '" + in.name + "'");
        inputSet.emplace(in.name, &in);
    }
    if (outputs.empty())
        return fail("a sub-model needs at least one output");
    for (const auto& out : outputs)
        if (inputSet.contains(out.name))
            return fail("'" + out.name + "' is both an input and an output of the sub-model");

    std::vector<bool> needed(static_cast<size_t>(g.node_size()), false);
    NameSet usedInputs;
    NameSet usedInitializers;
    NameSet visited;
    std::vector<std::string> pending;
    for (const auto& out : outputs)
        pending.push_back(out.name);
    while (!pending.empty()) {
        const std::string t = std::move(pending.back());
        pending.pop_back();
        if (t.empty() || !visited.insert(t).second)
            continue;
        if (inputSet.contains(t)) {
            usedInputs.insert(t);
        } else if (initializers.contains(t)) {
            usedInitializers.insert(t);
        } else if (auto it = producer.find(t); it != producer.end()) {
            needed[static_cast<size_t>(it->second)] = true;
            for (auto& in : readsOf(g.node(it->second)))
                pending.push_back(std::move(in));
        } else if (graphInputs.contains(t)) {
            return fail("the sub-model needs graph input '" + t
                + "', which is not among its inputs: the cut does not separate it from the outputs");
        } else {
            return fail("no node computes tensor '" + t + "'");
        }
    }
    for (int i = 0; i < g.node_size(); ++i)
        if (needed[static_cast<size_t>(i)])
            for (const auto& o : g.node(i).output())
                if (inputSet.contains(o))
                    return fail("node '" + g.node(i).name() + "' computes '" + o
                        + "', an input of the sub-model, and another tensor the sub-model needs");

    // Topological order, as close to the proto's as possible.
    std::vector<int> order;
    {
        std::vector<int> waiting(static_cast<size_t>(g.node_size()), 0);
        std::vector<std::vector<int>> users(static_cast<size_t>(g.node_size()));
        for (int i = 0; i < g.node_size(); ++i) {
            if (!needed[static_cast<size_t>(i)])
                continue;
            std::unordered_set<int> from;
            for (const auto& in : readsOf(g.node(i))) {
                if (inputSet.contains(in))
                    continue;
                auto it = producer.find(in);
                if (it != producer.end() && it->second != i && from.insert(it->second).second) {
                    users[static_cast<size_t>(it->second)].push_back(i);
                    ++waiting[static_cast<size_t>(i)];
                }
            }
        }
        std::priority_queue<int, std::vector<int>, std::greater<>> ready;
        for (int i = 0; i < g.node_size(); ++i)
            if (needed[static_cast<size_t>(i)] && waiting[static_cast<size_t>(i)] == 0)
                ready.push(i);
        while (!ready.empty()) {
            const int i = ready.top();
            ready.pop();
            order.push_back(i);
            for (int u : users[static_cast<size_t>(i)])
                if (--waiting[static_cast<size_t>(u)] == 0)
                    ready.push(u);
        }
        if (order.size() != static_cast<size_t>(std::count(needed.begin(), needed.end(), true)))
            return fail("the graph has a cycle");
    }

    onnx::ModelProto out;
    out.set_ir_version(proto.ir_version());
    *out.mutable_opset_import() = proto.opset_import();
    out.set_producer_name(proto.producer_name());
    out.set_producer_version(proto.producer_version());
    out.set_domain(proto.domain());
    out.set_model_version(proto.model_version());
    out.set_doc_string(proto.doc_string());
    *out.mutable_metadata_props() = proto.metadata_props();
    *out.mutable_functions() = proto.functions();
    auto& sg = *out.mutable_graph();
    sg.set_name(g.name());
    sg.set_doc_string(g.doc_string());

    const std::string batch = batchParam(proto);
    for (const auto& in : inputs) {
        if (!usedInputs.contains(in.name))
            continue;
        if (auto it = graphInputs.find(in.name); it != graphInputs.end())
            *sg.add_input() = *it->second;
        else if (in.elemType != 0)
            *sg.add_input() = makeValueInfo(in, batch);
        else if (auto d = declared.find(in.name); d != declared.end())
            *sg.add_input() = *d->second;
        else
            return fail("no type is known for input '" + in.name + "' of the sub-model");
        usedInputs.erase(in.name); // declared once even when listed twice
    }
    // IR < 4 lists initializers among the graph inputs; keep those the sub-model uses.
    for (const auto& in : g.input())
        if (usedInitializers.contains(in.name()))
            *sg.add_input() = in;
    for (int i : order)
        *sg.add_node() = g.node(i);
    for (const auto& t : g.initializer())
        if (usedInitializers.contains(t.name()))
            *sg.add_initializer() = t;
    for (const auto& t : g.sparse_initializer())
        if (usedInitializers.contains(t.values().name()))
            *sg.add_sparse_initializer() = t;
    NameSet outputNames;
    for (const auto& o : outputs) {
        if (!outputNames.insert(o.name).second)
            continue;
        if (o.elemType != 0)
            *sg.add_output() = makeValueInfo(o, batch);
        else if (auto d = declared.find(o.name); d != declared.end())
            *sg.add_output() = *d->second;
        else
            return fail("no type is known for output '" + o.name + "' of the sub-model");
        sg.mutable_output(sg.output_size() - 1)->set_name(o.name);
    }
    NameSet computed;
    for (int i : order)
        for (const auto& o : g.node(i).output())
            computed.insert(o);
    for (const auto& vi : g.value_info())
        if (computed.contains(vi.name()) && !outputNames.contains(vi.name()))
            *sg.add_value_info() = vi;
    return out;
}

Result<onnx::ModelProto> downstreamModel(const onnx::ModelProto& proto, const Cut& cut, int outputCount)
{
    const auto& g = proto.graph();
    const int count = outputCount < 0 ? g.output_size() : std::min(outputCount, g.output_size());
    std::vector<TensorInfo> outputs;
    for (int i = 0; i < count; ++i) {
        TensorInfo o;
        o.name = g.output(i).name();
        outputs.push_back(std::move(o));
    }
    auto sub = extractSubModel(proto, cut.infos, outputs);
    if (!sub)
        return std::unexpected(sub.error().withContext("extracting the model after the cut"));
    sub->mutable_graph()->set_name(g.name() + "_downstream");
    return sub;
}

Result<onnx::ModelProto> upstreamModel(const onnx::ModelProto& proto, const Cut& cut)
{
    const auto& g = proto.graph();
    NameSet initializers;
    for (const auto& t : g.initializer())
        initializers.insert(t.name());
    std::vector<TensorInfo> inputs;
    for (const auto& in : g.input())
        if (!initializers.contains(in.name())) {
            TensorInfo i;
            i.name = in.name();
            inputs.push_back(std::move(i));
        }
    std::vector<TensorInfo> outputs;
    for (const auto& info : cut.infos)
        if (std::none_of(inputs.begin(), inputs.end(), [&](const TensorInfo& i) { return i.name == info.name; }))
            outputs.push_back(info);
    if (outputs.empty())
        return fail("every cut tensor is a graph input: there is nothing to compute before the cut");
    auto sub = extractSubModel(proto, inputs, outputs);
    if (!sub)
        return std::unexpected(sub.error().withContext("extracting the model before the cut"));
    sub->mutable_graph()->set_name(g.name() + "_upstream");
    return sub;
}

} // namespace topiary
