#include "core/passes/ExpandBroadcastOperands.h"

#include "core/model/GraphEdit.h"
#include "core/model/StaticShapes.h"
#include "core/model/NodeAttributes.h"

#include <algorithm>
#include <optional>
#include <unordered_map>

namespace topiary {

namespace {

// Tiled constants above this many elements are not worth their memory; such nodes are left
// for OpenCV to reject with its own message.
constexpr int64_t kMaxTiledElements = int64_t { 1 } << 24;

bool isCandidate(const onnx::NodeProto& node)
{
    const std::string& op = node.op_type();
    return (op == "Add" || op == "Sub" || op == "Mul" || op == "Div")
        && (node.domain().empty() || node.domain() == "ai.onnx") && node.input_size() == 2;
}

std::vector<int64_t> leftPad(const std::vector<int64_t>& dims, size_t rank)
{
    std::vector<int64_t> out(rank - dims.size(), 1);
    out.insert(out.end(), dims.begin(), dims.end());
    return out;
}

std::optional<std::vector<int64_t>> broadcastShape(const std::vector<int64_t>& a, const std::vector<int64_t>& b)
{
    const size_t rank = std::max(a.size(), b.size());
    const auto pa = leftPad(a, rank), pb = leftPad(b, rank);
    std::vector<int64_t> out(rank);
    for (size_t i = 0; i < rank; ++i) {
        if (pa[i] != pb[i] && pa[i] != 1 && pb[i] != 1)
            return std::nullopt;
        out[i] = std::max(pa[i], pb[i]);
    }
    return out;
}

// What OpenCV 4.6 broadcasts by itself: a constant scalar, or an operand that varies
// only along the channel axis (Scale/Bias layers with axis 1).
bool openCvBroadcasts(const std::vector<int64_t>& aligned, bool constant)
{
    const int64_t total = product(aligned);
    if (total == 1)
        return constant;
    if (aligned.size() < 2)
        return false;
    for (size_t i = 0; i < aligned.size(); ++i)
        if (i != 1 && aligned[i] != 1)
            return false;
    return true;
}

// The values of `src` (shape srcDims) repeated to fill `dims`.
std::vector<float> tile(
    const std::vector<float>& src, const std::vector<int64_t>& srcDims, const std::vector<int64_t>& dims)
{
    const auto aligned = leftPad(srcDims, dims.size());
    std::vector<float> out(static_cast<size_t>(product(dims)));
    std::vector<int64_t> index(dims.size(), 0);
    for (auto& v : out) {
        int64_t flat = 0;
        for (size_t d = 0; d < dims.size(); ++d)
            flat = flat * aligned[d] + (aligned[d] == 1 ? 0 : index[d]);
        v = src[static_cast<size_t>(flat)];
        for (size_t d = dims.size(); d-- > 0;) {
            if (++index[d] < dims[d])
                break;
            index[d] = 0;
        }
    }
    return out;
}

struct ExpandStep {
    std::vector<int64_t> target;
};

// Expand steps (each a form OpenCV 4.6 imports) from `aligned` to `out`, or nullopt.
std::optional<std::vector<ExpandStep>> planExpand(const std::vector<int64_t>& aligned, const std::vector<int64_t>& out)
{
    const size_t rank = out.size();
    std::vector<size_t> needed;
    for (size_t i = 0; i < rank; ++i)
        if (aligned[i] != out[i])
            needed.push_back(i);
    const bool lastTwo = rank >= 2 && std::count(needed.begin(), needed.end(), rank - 2)
        && std::count(needed.begin(), needed.end(), rank - 1);
    std::vector<ExpandStep> steps;
    std::vector<int64_t> current = aligned;
    for (size_t axis : needed) {
        if (lastTwo && axis + 2 >= rank)
            continue;
        if (axis > 1)
            return std::nullopt; // a single inner axis: no Expand form of OpenCV 4.6 does that
        current[axis] = out[axis];
        steps.push_back({ current });
    }
    // Last, so that the operand already has its channels: this form is a Scale by ones.
    if (lastTwo)
        steps.push_back({ out });
    return steps;
}

} // namespace

void expandBroadcastOperands(onnx::ModelProto& model)
{
    auto& graph = *model.mutable_graph();
    bool any = false;
    for (const auto& node : graph.node())
        any = any || isCandidate(node);
    if (!any)
        return;

    const ShapeMap shapes = inferStaticShapes(model);
    std::unordered_map<std::string, const onnx::TensorProto*> constants;
    for (const auto& t : graph.initializer())
        constants.emplace(t.name(), &t);
    std::vector<onnx::TensorProto> newInitializers;

    NameAllocator names(graph);
    rewriteNodes(graph, [&](onnx::NodeProto& node, std::vector<onnx::NodeProto>& before) {
        if (!isCandidate(node))
            return;
        const auto a = shapes.find(node.input(0));
        const auto b = shapes.find(node.input(1));
        if (a == shapes.end() || b == shapes.end())
            return;
        const auto out = broadcastShape(a->second, b->second);
        if (!out)
            return;
        const bool aFull = leftPad(a->second, out->size()) == *out;
        const bool bFull = leftPad(b->second, out->size()) == *out;
        if (aFull == bFull)
            return; // same shapes, or both broadcast (not a form this pass handles)

        const int small = aFull ? 1 : 0;
        const std::string operand = node.input(small);
        const std::vector<int64_t>& dims = small == 0 ? a->second : b->second;
        const auto aligned = leftPad(dims, out->size());
        const auto constant = constants.find(operand);
        const bool isConstant = constant != constants.end();
        if (openCvBroadcasts(aligned, isConstant))
            return;

        if (isConstant) {
            if (constant->second->data_type() != onnx::TensorProto_DataType_FLOAT
                || product(*out) > kMaxTiledElements)
                return;
            auto values = readFloats(*constant->second);
            if (!values)
                return;
            const std::string name = names.fresh(operand + "/tiled");
            newInitializers.push_back(makeFloatTensor(name, *out, tile(*values, dims, *out)));
            node.set_input(small, name);
            return;
        }

        const auto steps = planExpand(aligned, *out);
        if (!steps)
            return;
        std::string current = operand;
        auto addShapeConstant = [&](const std::vector<int64_t>& target) {
            const std::string name = names.fresh(operand + "/shape");
            newInitializers.push_back(makeIntTensor(name, { static_cast<int64_t>(target.size()) }, target));
            return name;
        };
        if (dims.size() != out->size()) {
            onnx::NodeProto reshape;
            reshape.set_op_type("Reshape");
            reshape.set_name(names.fresh(node.name() + "/reshape"));
            reshape.add_input(current);
            reshape.add_input(addShapeConstant(aligned));
            current = names.fresh(operand + "/reshaped");
            reshape.add_output(current);
            before.push_back(std::move(reshape));
        }
        for (const auto& step : *steps) {
            onnx::NodeProto expand;
            expand.set_op_type("Expand");
            expand.set_name(names.fresh(node.name() + "/expand"));
            expand.add_input(current);
            expand.add_input(addShapeConstant(step.target));
            current = names.fresh(operand + "/expanded");
            expand.add_output(current);
            before.push_back(std::move(expand));
        }
        node.set_input(small, current);
    });
    for (auto& t : newInitializers)
        *graph.add_initializer() = std::move(t);
}

} // namespace topiary
