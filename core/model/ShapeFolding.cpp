#include "core/model/ShapeFolding.h"

#include "core/model/ConstantEvaluator.h"
#include "core/model/NodeAttributes.h"

#include <algorithm>
#include <optional>

namespace topiary {

struct ShapeFolder::Known {
    std::unordered_map<std::string, ConstTensor> values;
};

namespace {

// Shape computations are short lists of dimensions; anything larger is not one.
constexpr int64_t kMaxFoldedElements = 1024;

// Only 64- and 32-bit integer tensors take part: shape arithmetic, not data.
std::optional<ConstTensor> shapeInts(const onnx::TensorProto& t)
{
    if (t.data_type() != onnx::TensorProto_DataType_INT64 && t.data_type() != onnx::TensorProto_DataType_INT32)
        return std::nullopt;
    auto v = readConstant(t);
    if (!v || v->size() > kMaxFoldedElements)
        return std::nullopt;
    return v;
}

void makeConstant(onnx::NodeProto& n, const ConstTensor& value)
{
    const std::string output = n.output(0);
    const std::string name = n.name();
    n.Clear();
    n.set_op_type("Constant");
    n.set_name(name);
    n.add_output(output);
    auto* a = n.add_attribute();
    a->set_name("value");
    a->set_type(onnx::AttributeProto_AttributeType_TENSOR);
    auto* t = a->mutable_t();
    t->set_data_type(onnx::TensorProto_DataType_INT64);
    for (int64_t d : value.dims)
        t->add_dims(d);
    for (int64_t v : value.ints)
        t->add_int64_data(v);
}

} // namespace

ShapeFolder::ShapeFolder(const onnx::GraphProto& graph) : m_known(std::make_unique<Known>())
{
    for (const auto& t : graph.initializer())
        if (auto v = shapeInts(t))
            m_known->values.emplace(t.name(), std::move(*v));
}

ShapeFolder::~ShapeFolder() = default;

bool ShapeFolder::fold(onnx::NodeProto& n, const std::unordered_map<std::string, std::vector<int64_t>>& shapes)
{
    static const char* kFoldable[] = { "Shape", "Size", "Cast", "Identity", "Add", "Sub", "Mul", "Div", "Gather",
        "Unsqueeze", "Squeeze", "Concat", "Slice" };
    if (!n.domain().empty() && n.domain() != "ai.onnx")
        return false;
    auto& known = m_known->values;
    if (n.op_type() == "Constant") {
        if (const auto* a = attributeNamed(n, "value"); a && a->has_t() && n.output_size() == 1)
            if (auto v = shapeInts(a->t()))
                known.emplace(n.output(0), std::move(*v));
        return false;
    }
    if (n.output_size() != 1 || n.input_size() < 1
        || std::none_of(std::begin(kFoldable), std::end(kFoldable), [&](const char* op) { return n.op_type() == op; }))
        return false;

    std::optional<ConstTensor> value;
    if (n.op_type() == "Shape" || n.op_type() == "Size") {
        auto it = shapes.find(n.input(0));
        if (it == shapes.end())
            return false;
        value = evaluateShapeNode(n, it->second);
    } else {
        // Every named input must be known; an omitted optional input is passed as nullptr.
        std::vector<const ConstTensor*> inputs;
        for (const auto& name : n.input()) {
            auto it = known.find(name);
            if (!name.empty() && it == known.end())
                return false;
            inputs.push_back(name.empty() ? nullptr : &it->second);
        }
        auto outputs = evaluateConstantNode(n, inputs, 13);
        if (!outputs || outputs->size() != 1)
            return false;
        value = std::move(outputs->front());
    }
    if (!value || (value->type != onnx::TensorProto_DataType_INT64 && value->type != onnx::TensorProto_DataType_INT32)
        || value->size() > kMaxFoldedElements)
        return false;
    makeConstant(n, *value);
    known[n.output(0)] = std::move(*value);
    return true;
}

} // namespace topiary
