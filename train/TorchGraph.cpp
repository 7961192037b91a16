#include "train/TorchGraph.h"
#include "train/GraphRunner.h"

#include "core/model/Model.h"
#include "core/passes/OpenCvCanonicalizer.h"

#include <algorithm>
#include <cstring>
#include <set>

namespace topiary::train {

namespace {

torch::Tensor floatTensor(std::span<const float> values, const std::vector<int64_t>& shape)
{
    return torch::from_blob(const_cast<float*>(values.data()), shape, torch::kFloat).clone();
}

torch::Tensor intTensor(const std::vector<int64_t>& values, const std::vector<int64_t>& shape)
{
    return torch::from_blob(const_cast<int64_t*>(values.data()), shape, torch::kLong).clone();
}

FloatTensor toFloatTensor(const torch::Tensor& t)
{
    auto c = t.detach().to(torch::kFloat).contiguous();
    FloatTensor out;
    out.shape.assign(c.sizes().begin(), c.sizes().end());
    out.values.assign(c.data_ptr<float>(), c.data_ptr<float>() + c.numel());
    return out;
}

torch::Tensor fromFloatTensor(const FloatTensor& t)
{
    return floatTensor(t.values, t.shape);
}

} // namespace

Result<onnx::ModelProto> prepareForTraining(const onnx::ModelProto& model)
{
    static const std::set<std::string> kKeep = { "widenStoredWeights", "foldConstantNodes", "foldIdentityOnConstants",
        "foldShapeComputations", "eliminateDeadCode" };
    onnx::ModelProto out = model;
    for (const auto& pass : openCvPasses()) {
        if (!kKeep.contains(pass.name))
            continue;
        try {
            pass.run(out);
        } catch (const std::exception& e) {
            return fail(std::string("preparing the model for training (") + pass.name + "): " + e.what());
        }
    }
    return out;
}

std::set<std::string> initializerNames(const onnx::ModelProto& model)
{
    std::set<std::string> names;
    for (const auto& t : model.graph().initializer())
        names.insert(t.name());
    return names;
}

Result<TorchGraph> TorchGraph::build(const onnx::ModelProto& proto, const std::set<std::string>& trainable)
{
    TorchGraph g;
    g.m_model = std::make_shared<onnx::ModelProto>(proto);
    auto model = Model::fromProto(*g.m_model, {});
    if (!model)
        return std::unexpected(model.error().withContext("reading the model for training"));
    const auto& ops = supportedOps();
    std::set<std::string> buffers; // BatchNorm running statistics: not trained
    for (const Node& n : model->nodes()) {
        if (n.opType == "Constant")
            continue;
        if (std::find(ops.begin(), ops.end(), n.opType) == ops.end())
            return fail("the trainer cannot run " + n.opType + " (node " + n.name + "); it runs "
                + std::to_string(ops.size()) + " operators: Conv, Gemm, BatchNormalization, pooling, activations...");
        if (n.opType == "BatchNormalization")
            for (size_t i = 3; i < 5 && i < n.inputs.size(); ++i)
                buffers.insert(n.inputs[i]);
        g.m_nodes.push_back({ n.name, n.opType, n.inputs, n.outputs, &g.m_model->graph().node(n.protoIndex) });
    }
    const std::set<std::string> initializers = initializerNames(*g.m_model);
    // Every constant a node reads becomes a tensor once.
    for (const TorchNode& n : g.m_nodes)
        for (const std::string& input : n.inputs) {
            if (input.empty() || g.m_tensors.contains(input) || g.m_intConstants.contains(input))
                continue;
            const Constant* c = model->constant(input);
            if (!c)
                continue;
            const auto& shape = c->info.shape;
            if (!c->floats.empty() || (c->ints.empty() && c->info.elemType == onnx::TensorProto_DataType_FLOAT)) {
                auto t = floatTensor(c->floats, shape);
                if (initializers.contains(input) && trainable.contains(input) && !buffers.contains(input)) {
                    t.requires_grad_(true);
                    g.m_parameterNames.push_back(input);
                }
                g.m_tensors.emplace(input, t);
            } else {
                g.m_intConstants.emplace(input, intTensor(c->ints, shape));
            }
        }
    std::sort(g.m_parameterNames.begin(), g.m_parameterNames.end());
    g.m_inputs = model->inputs();
    g.m_outputs = model->outputs();
    return g;
}

std::vector<torch::Tensor> TorchGraph::parameters() const
{
    std::vector<torch::Tensor> out;
    for (const auto& name : m_parameterNames)
        out.push_back(m_tensors.at(name));
    return out;
}

Result<std::vector<torch::Tensor>> TorchGraph::forward(const TensorMap& inputs, bool training) const
{
    int64_t opset = 13;
    for (const auto& o : m_model->opset_import())
        if (o.domain().empty() || o.domain() == "ai.onnx")
            opset = o.version();
    TensorMap values;
    auto lookup = [&](const std::string& name) -> torch::Tensor {
        if (name.empty())
            return {};
        if (auto it = values.find(name); it != values.end())
            return it->second;
        if (auto it = inputs.find(name); it != inputs.end())
            return it->second;
        if (auto it = m_tensors.find(name); it != m_tensors.end())
            return m_transform && it->second.requires_grad() ? m_transform(name, it->second) : it->second;
        if (auto it = m_intConstants.find(name); it != m_intConstants.end())
            return it->second;
        return {};
    };
    for (const TorchNode& n : m_nodes) {
        OpContext c { n, {}, training, opset };
        for (const std::string& input : n.inputs) {
            c.in.push_back(lookup(input));
            if (!input.empty() && !c.in.back().defined())
                return fail("node " + n.name + " (" + n.opType + "): input '" + input + "' has no value");
        }
        try {
            auto outs = runOp(c);
            for (size_t i = 0; i < outs.size() && i < n.outputs.size(); ++i)
                if (!n.outputs[i].empty())
                    values[n.outputs[i]] = std::move(outs[i]);
        } catch (const std::exception& e) {
            std::string what = e.what();
            if (auto cut = what.find("\nException raised from"); cut != std::string::npos)
                what.resize(cut);
            return fail("node " + n.name + " (" + n.opType + "): " + what);
        }
    }
    std::vector<torch::Tensor> out;
    for (const auto& name : m_outputs) {
        auto t = lookup(name);
        if (!t.defined())
            return fail("graph output '" + name + "' was not computed");
        out.push_back(t);
    }
    return out;
}

// ---- GraphRunner

struct GraphRunner::Impl {
    TorchGraph graph;
};

GraphRunner::GraphRunner(std::unique_ptr<Impl> impl)
    : m_impl(std::move(impl))
{
}
GraphRunner::GraphRunner(GraphRunner&&) noexcept = default;
GraphRunner& GraphRunner::operator=(GraphRunner&&) noexcept = default;
GraphRunner::~GraphRunner() = default;

Result<GraphRunner> GraphRunner::create(const onnx::ModelProto& model)
{
    auto prepared = prepareForTraining(model);
    if (!prepared)
        return std::unexpected(prepared.error());
    auto graph = TorchGraph::build(*prepared, initializerNames(model));
    if (!graph)
        return std::unexpected(graph.error());
    return GraphRunner(std::make_unique<Impl>(Impl { std::move(*graph) }));
}

namespace {

Result<TensorMap> inputMap(const TorchGraph& graph, const std::vector<FloatTensor>& inputs)
{
    if (inputs.size() != graph.inputNames().size())
        return fail("the model takes " + std::to_string(graph.inputNames().size()) + " inputs, got "
            + std::to_string(inputs.size()));
    TensorMap map;
    for (size_t i = 0; i < inputs.size(); ++i)
        map.emplace(graph.inputNames()[i], fromFloatTensor(inputs[i]));
    return map;
}

} // namespace

Result<std::vector<FloatTensor>> GraphRunner::forward(const std::vector<FloatTensor>& inputs, bool training)
{
    auto map = inputMap(m_impl->graph, inputs);
    if (!map)
        return std::unexpected(map.error());
    torch::NoGradGuard noGrad;
    auto outs = m_impl->graph.forward(*map, training);
    if (!outs)
        return std::unexpected(outs.error());
    std::vector<FloatTensor> result;
    for (const auto& t : *outs)
        result.push_back(toFloatTensor(t));
    return result;
}

Result<GradientResult> GraphRunner::gradients(
    const std::vector<FloatTensor>& inputs, const FloatTensor& lossWeights, bool training)
{
    auto map = inputMap(m_impl->graph, inputs);
    if (!map)
        return std::unexpected(map.error());
    for (auto& p : m_impl->graph.parameters())
        if (p.grad().defined())
            p.mutable_grad().zero_();
    auto outs = m_impl->graph.forward(*map, training);
    if (!outs)
        return std::unexpected(outs.error());
    try {
        auto loss = ((*outs)[0] * fromFloatTensor(lossWeights)).sum();
        loss.backward();
        GradientResult result;
        result.loss = loss.item<double>();
        for (const auto& t : *outs)
            result.outputs.push_back(toFloatTensor(t));
        for (const auto& name : m_impl->graph.parameterNames()) {
            const auto& p = m_impl->graph.tensors().at(name);
            if (p.grad().defined())
                result.gradients.emplace(name, toFloatTensor(p.grad()));
        }
        for (const auto& [name, t] : m_impl->graph.tensors())
            result.tensorsAfter.emplace(name, toFloatTensor(t));
        return result;
    } catch (const std::exception& e) {
        return fail(std::string("computing gradients: ") + e.what());
    }
}

} // namespace topiary::train
