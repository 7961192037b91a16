#include "core/export/FoldBatchNorm.h"

#include "core/model/GraphEdit.h"

#include <cmath>
#include <set>

namespace topiary {

Result<void> foldIntoWeights(std::vector<float>& weight, std::span<const float> convBias, const BatchNormValues& bn)
{
    if (!bn.scale || !bn.bias || !bn.mean || !bn.var)
        return fail("BatchNormalization folding: a parameter is missing");
    const size_t channels = bn.scale->size();
    if (channels == 0 || bn.bias->size() != channels || bn.mean->size() != channels || bn.var->size() != channels
        || weight.size() % channels != 0 || (!convBias.empty() && convBias.size() != channels))
        return fail("BatchNormalization folding: the Conv has " + std::to_string(weight.size())
            + " weights, the BatchNormalization " + std::to_string(channels) + " channels");
    const size_t perChannel = weight.size() / channels;
    for (size_t c = 0; c < channels; ++c) {
        const double k = (*bn.scale)[c] / std::sqrt(static_cast<double>((*bn.var)[c]) + bn.epsilon);
        for (size_t i = 0; i < perChannel; ++i)
            weight[c * perChannel + i] = static_cast<float>(weight[c * perChannel + i] * k);
        const double b = convBias.empty() ? 0.0 : convBias[c];
        (*bn.bias)[c] = static_cast<float>((b - (*bn.mean)[c]) * k + (*bn.bias)[c] - b);
        (*bn.scale)[c] = 1.0f;
        (*bn.mean)[c] = 0.0f;
        (*bn.var)[c] = 1.0f - bn.epsilon;
    }
    return {};
}

Result<int> removeFoldedBatchNorms(onnx::ModelProto& proto, const std::vector<std::string>& outputs)
{
    auto& graph = *proto.mutable_graph();
    NameAllocator names(graph);
    std::set<std::string> removed; // BatchNormalization outputs
    std::set<std::string> released; // initializers the removed nodes read
    for (const std::string& out : outputs) {
        onnx::NodeProto* bn = nullptr;
        onnx::NodeProto* conv = nullptr;
        for (auto& n : *graph.mutable_node())
            if (n.output_size() > 0 && n.output(0) == out)
                bn = &n;
        if (!bn || bn->op_type() != "BatchNormalization" || bn->input_size() < 5 || bn->output_size() != 1)
            return fail("BatchNormalization folding: '" + out + "' is not the output of a BatchNormalization");
        for (auto& n : *graph.mutable_node())
            if (n.output_size() == 1 && n.output(0) == bn->input(0))
                conv = &n;
        if (!conv || conv->op_type() != "Conv")
            return fail("BatchNormalization folding: '" + out + "' does not follow a Conv");
        const auto* shiftTensor = findInitializer(graph, bn->input(2));
        auto shift = shiftTensor ? readFloats(*shiftTensor) : std::nullopt;
        if (!shift)
            return fail("BatchNormalization folding: the shift of '" + out + "' is not a constant");
        std::vector<float> bias(shift->size(), 0.0f);
        if (conv->input_size() > 2 && !conv->input(2).empty()) {
            const auto* b = findInitializer(graph, conv->input(2));
            auto values = b ? readFloats(*b) : std::nullopt;
            if (!values || values->size() != bias.size())
                return fail("BatchNormalization folding: the bias of the Conv before '" + out + "' does not fit");
            bias = *values;
            released.insert(conv->input(2));
        }
        for (size_t c = 0; c < bias.size(); ++c)
            bias[c] += (*shift)[c];
        const std::string biasName = names.fresh(conv->name().empty() ? out + "_bias" : conv->name() + "_folded_bias");
        while (conv->input_size() < 3)
            conv->add_input("");
        conv->set_input(2, biasName);
        addInitializer(proto, makeFloatTensor(biasName, { static_cast<int64_t>(bias.size()) }, bias));
        for (int i = 1; i < bn->input_size(); ++i)
            released.insert(bn->input(i));
        conv->set_output(0, out);
        removed.insert(out);
    }
    int count = 0;
    removeNodesIf(graph, [&](const onnx::NodeProto& n) {
        const bool drop = n.op_type() == "BatchNormalization" && n.output_size() == 1 && removed.contains(n.output(0));
        count += drop ? 1 : 0;
        return drop;
    });
    // Drop released initializers nothing reads any more.
    std::set<std::string> read;
    for (const auto& n : graph.node())
        for (const auto& in : n.input())
            read.insert(in);
    auto* inits = graph.mutable_initializer();
    for (int i = inits->size() - 1; i >= 0; --i)
        if (released.contains(inits->Get(i).name()) && !read.contains(inits->Get(i).name()))
            inits->DeleteSubrange(i, 1);
    auto* inputs = graph.mutable_input();
    for (int i = inputs->size() - 1; i >= 0; --i)
        if (released.contains(inputs->Get(i).name()) && !read.contains(inputs->Get(i).name()))
            inputs->DeleteSubrange(i, 1);
    return count;
}

} // namespace topiary
