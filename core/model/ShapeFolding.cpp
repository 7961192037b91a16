#include "core/model/ShapeFolding.h"

#include "core/model/TensorData.h"

#include <algorithm>
#include <climits>
#include <optional>

namespace topiary {

struct ShapeFolder::Known {
    std::unordered_map<std::string, IntTensor> values;
};

namespace {


constexpr size_t kMaxFoldedElements = 1024;

std::optional<IntTensor> fromTensorProto(const onnx::TensorProto& t)
{
    if (t.data_type() != onnx::TensorProto_DataType_INT64 && t.data_type() != onnx::TensorProto_DataType_INT32)
        return std::nullopt;
    if (t.data_location() == onnx::TensorProto_DataLocation_EXTERNAL)
        return std::nullopt;
    IntTensor r;
    r.dims.assign(t.dims().begin(), t.dims().end());
    int64_t n = 1;
    for (int64_t d : r.dims)
        if (d < 0 || __builtin_mul_overflow(n, d, &n) || n > static_cast<int64_t>(kMaxFoldedElements))
            return std::nullopt;
    if (t.has_raw_data())
        r.values = decodeInts(t.raw_data(), t.data_type());
    else if (t.data_type() == onnx::TensorProto_DataType_INT64)
        r.values.assign(t.int64_data().begin(), t.int64_data().end());
    else
        r.values.assign(t.int32_data().begin(), t.int32_data().end());
    if (static_cast<int64_t>(r.values.size()) != n)
        return std::nullopt;
    return r;
}

const onnx::AttributeProto* attr(const onnx::NodeProto& n, const char* name)
{
    for (const auto& a : n.attribute())
        if (a.name() == name)
            return &a;
    return nullptr;
}

int64_t normalizeAxis(int64_t axis, int64_t rank) { return axis < 0 ? axis + rank : axis; }

std::optional<IntTensor> binary(const std::string& op, const IntTensor& a, const IntTensor& b)
{
    if (a.values.empty() || b.values.empty())
        return std::nullopt;
    const bool aScalar = a.values.size() == 1, bScalar = b.values.size() == 1;
    if (a.values.size() != b.values.size() && !aScalar && !bScalar)
        return std::nullopt;
    IntTensor r = a.values.size() >= b.values.size() ? IntTensor{a.dims, {}} : IntTensor{b.dims, {}};
    if (a.dims.size() != b.dims.size() && a.values.size() == b.values.size())
        r.dims = a.dims.size() > b.dims.size() ? a.dims : b.dims;
    const size_t n = std::max(a.values.size(), b.values.size());
    for (size_t i = 0; i < n; ++i) {
        const int64_t x = a.values[aScalar ? 0 : i], y = b.values[bScalar ? 0 : i];
        int64_t v = 0;
        bool overflow = false;
        if (op == "Add")
            overflow = __builtin_add_overflow(x, y, &v);
        else if (op == "Sub")
            overflow = __builtin_sub_overflow(x, y, &v);
        else if (op == "Mul")
            overflow = __builtin_mul_overflow(x, y, &v);
        else if (y == 0 || (y == -1 && x == INT64_MIN))
            overflow = true;
        else
            v = x / y;
        if (overflow)
            return std::nullopt;
        r.values.push_back(v);
    }
    return r;
}

std::optional<IntTensor> evaluate(const onnx::NodeProto& n, const std::vector<const IntTensor*>& in,
                                  const std::unordered_map<std::string, std::vector<int64_t>>& shapes, int64_t opset)
{
    const std::string& op = n.op_type();
    auto input = [&](size_t i) -> const IntTensor* { return i < in.size() ? in[i] : nullptr; };
    if (n.input_size() < 1)
        return std::nullopt;
    if (op == "Shape") {
        auto it = shapes.find(n.input(0));
        if (it == shapes.end())
            return std::nullopt;
        const auto rank = static_cast<int64_t>(it->second.size());
        int64_t start = 0, end = rank;
        if (const auto* a = attr(n, "start"))
            start = std::clamp(normalizeAxis(a->i(), rank), int64_t{0}, rank);
        if (const auto* a = attr(n, "end"))
            end = std::clamp(normalizeAxis(a->i(), rank), int64_t{0}, rank);
        IntTensor r;
        r.values.assign(it->second.begin() + start, it->second.begin() + std::max(start, end));
        r.dims = {static_cast<int64_t>(r.values.size())};
        return r;
    }
    if (op == "Size") {
        auto it = shapes.find(n.input(0));
        if (it == shapes.end())
            return std::nullopt;
        int64_t p = 1;
        for (int64_t d : it->second)
            p *= d;
        return IntTensor{{}, {p}};
    }
    for (size_t i = 0; i < static_cast<size_t>(n.input_size()); ++i)
        if (!n.input(static_cast<int>(i)).empty() && !input(i))
            return std::nullopt;
    if (in.empty() || !in[0])
        return std::nullopt;
    const IntTensor& x = *in[0];
    if (op == "Cast" || op == "Identity") {
        if (op == "Cast") {
            const auto* to = attr(n, "to");
            if (!to || (to->i() != onnx::TensorProto_DataType_INT64 && to->i() != onnx::TensorProto_DataType_INT32))
                return std::nullopt;
        }
        return x;
    }
    if (op == "Add" || op == "Sub" || op == "Mul" || op == "Div") {
        if (!input(1))
            return std::nullopt;
        return binary(op, x, *in[1]);
    }
    if (op == "Gather") {
        if (x.dims.size() != 1 || !input(1))
            return std::nullopt;
        const auto* axis = attr(n, "axis");
        if (axis && normalizeAxis(axis->i(), 1) != 0)
            return std::nullopt;
        IntTensor r{in[1]->dims, {}};
        for (int64_t i : in[1]->values) {
            const int64_t k = i < 0 ? i + static_cast<int64_t>(x.values.size()) : i;
            if (k < 0 || k >= static_cast<int64_t>(x.values.size()))
                return std::nullopt;
            r.values.push_back(x.values[static_cast<size_t>(k)]);
        }
        return r;
    }
    if (op == "Unsqueeze" || op == "Squeeze") {
        std::vector<int64_t> axes;
        if (opset >= 13 && input(1))
            axes = in[1]->values;
        else if (const auto* a = attr(n, "axes"))
            axes.assign(a->ints().begin(), a->ints().end());
        IntTensor r = x;
        if (op == "Unsqueeze") {
            const auto rank = static_cast<int64_t>(x.dims.size() + axes.size());
            for (auto& a : axes)
                a = normalizeAxis(a, rank);
            std::sort(axes.begin(), axes.end());
            for (int64_t a : axes) {
                if (a < 0 || a > static_cast<int64_t>(r.dims.size()))
                    return std::nullopt;
                r.dims.insert(r.dims.begin() + a, 1);
            }
        } else {
            std::vector<int64_t> dims;
            for (size_t i = 0; i < x.dims.size(); ++i) {
                const bool listed = std::any_of(axes.begin(), axes.end(), [&](int64_t a) {
                    return normalizeAxis(a, static_cast<int64_t>(x.dims.size())) == static_cast<int64_t>(i);
                });
                if (!(axes.empty() ? x.dims[i] == 1 : listed))
                    dims.push_back(x.dims[i]);
            }
            r.dims = dims;
        }
        return r;
    }
    if (op == "Concat") {
        IntTensor r{{0}, {}};
        for (const IntTensor* t : in) {
            if (!t || t->dims.size() != 1)
                return std::nullopt;
            r.values.insert(r.values.end(), t->values.begin(), t->values.end());
        }
        r.dims[0] = static_cast<int64_t>(r.values.size());
        return r;
    }
    if (op == "Slice" && opset >= 10) {
        if (x.dims.size() != 1 || !input(1) || !input(2) || in[1]->values.size() != 1 || in[2]->values.size() != 1)
            return std::nullopt;
        const auto size = static_cast<int64_t>(x.values.size());
        const int64_t step = input(4) ? in[4]->values.at(0) : 1;
        if (step != 1)
            return std::nullopt;
        int64_t start = in[1]->values[0], end = in[2]->values[0];
        start = std::clamp(start < 0 ? start + size : start, int64_t{0}, size);
        end = std::clamp(end < 0 ? end + size : end, int64_t{0}, size);
        IntTensor r;
        if (end > start)
            r.values.assign(x.values.begin() + start, x.values.begin() + end);
        r.dims = {static_cast<int64_t>(r.values.size())};
        return r;
    }
    return std::nullopt;
}

void makeConstant(onnx::NodeProto& n, const IntTensor& value)
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
    for (int64_t v : value.values)
        t->add_int64_data(v);
}

} // namespace

ShapeFolder::ShapeFolder(const onnx::GraphProto& graph) : m_known(std::make_unique<Known>())
{
    for (const auto& t : graph.initializer())
        if (auto v = fromTensorProto(t))
            m_known->values.emplace(t.name(), std::move(*v));
}

ShapeFolder::~ShapeFolder() = default;

bool ShapeFolder::fold(onnx::NodeProto& n, const std::unordered_map<std::string, std::vector<int64_t>>& shapes)
{
    static const char* kFoldable[] = {"Shape", "Size", "Cast", "Identity", "Add", "Sub", "Mul", "Div",
                                      "Gather", "Unsqueeze", "Squeeze", "Concat", "Slice"};
    if (!n.domain().empty() && n.domain() != "ai.onnx")
        return false;
    auto& known = m_known->values;
    if (n.op_type() == "Constant") {
        if (const auto* a = attr(n, "value"); a && a->has_t() && n.output_size() == 1)
            if (auto v = fromTensorProto(a->t()))
                known.emplace(n.output(0), std::move(*v));
        return false;
    }
    if (n.output_size() != 1 ||
        std::none_of(std::begin(kFoldable), std::end(kFoldable), [&](const char* op) { return n.op_type() == op; }))
        return false;
    std::vector<const IntTensor*> inputs;
    for (const auto& name : n.input()) {
        auto it = known.find(name);
        inputs.push_back(it == known.end() ? nullptr : &it->second);
    }
    auto value = evaluate(n, inputs, shapes, 13);
    if (!value || value->values.size() > kMaxFoldedElements)
        return false;
    makeConstant(n, *value);
    known[n.output(0)] = std::move(*value);
    return true;
}

} // namespace topiary
