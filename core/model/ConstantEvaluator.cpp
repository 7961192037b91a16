#include "core/model/ConstantEvaluator.h"

#include "core/model/GraphEdit.h"
#include "core/model/NodeAttributes.h"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <limits>
#include <unordered_set>

namespace topiary {

namespace {

bool isIntType(int32_t t)
{
    switch (t) {
    case onnx::TensorProto_DataType_INT64:
    case onnx::TensorProto_DataType_INT32:
    case onnx::TensorProto_DataType_INT16:
    case onnx::TensorProto_DataType_INT8:
    case onnx::TensorProto_DataType_UINT8:
    case onnx::TensorProto_DataType_UINT16:
    case onnx::TensorProto_DataType_UINT32:
    case onnx::TensorProto_DataType_BOOL:
        return true;
    default:
        return false;
    }
}

bool isSupportedType(int32_t t)
{
    return isIntType(t) || t == onnx::TensorProto_DataType_FLOAT;
}

bool validDims(const std::vector<int64_t>& dims)
{
    int64_t n = 1;
    for (int64_t d : dims) {
        if (d < 0 || (d > 0 && n > kMaxEvaluatedElements / d))
            return false;
        n *= d;
    }
    return n <= kMaxEvaluatedElements;
}

ConstTensor makeTensor(int32_t type, std::vector<int64_t> dims)
{
    ConstTensor t;
    t.type = type;
    t.dims = std::move(dims);
    if (isIntType(type))
        t.ints.resize(static_cast<size_t>(product(t.dims)));
    else
        t.reals.resize(static_cast<size_t>(product(t.dims)));
    return t;
}

void copyElement(const ConstTensor& src, int64_t from, ConstTensor& dst, int64_t to)
{
    if (src.isInt())
        dst.ints[static_cast<size_t>(to)] = src.ints[static_cast<size_t>(from)];
    else
        dst.reals[static_cast<size_t>(to)] = src.reals[static_cast<size_t>(from)];
}

std::optional<int64_t> normalizeAxis(int64_t axis, int64_t rank)
{
    if (axis < -rank || axis >= rank)
        return std::nullopt;
    return axis < 0 ? axis + rank : axis;
}

// Row-major strides of dims.
std::vector<int64_t> stridesOf(const std::vector<int64_t>& dims)
{
    std::vector<int64_t> s(dims.size(), 1);
    for (size_t i = dims.size(); i-- > 1;)
        s[i - 1] = s[i] * dims[i];
    return s;
}

double roundTo(int32_t type, double v)
{
    return type == onnx::TensorProto_DataType_FLOAT ? static_cast<double>(static_cast<float>(v)) : v;
}

std::optional<std::vector<int64_t>> broadcastDims(const std::vector<int64_t>& a, const std::vector<int64_t>& b)
{
    const size_t rank = std::max(a.size(), b.size());
    std::vector<int64_t> out(rank);
    for (size_t i = 0; i < rank; ++i) {
        const int64_t da = i < rank - a.size() ? 1 : a[i - (rank - a.size())];
        const int64_t db = i < rank - b.size() ? 1 : b[i - (rank - b.size())];
        if (da != db && da != 1 && db != 1)
            return std::nullopt;
        out[i] = da == 1 ? db : da;
    }
    return out;
}

// Flat index into `dims` (right-aligned against outDims, broadcasting size-1 axes).
int64_t broadcastIndex(const std::vector<int64_t>& outIndex, const std::vector<int64_t>& dims)
{
    const size_t off = outIndex.size() - dims.size();
    int64_t flat = 0;
    for (size_t i = 0; i < dims.size(); ++i)
        flat = flat * dims[i] + (dims[i] == 1 ? 0 : outIndex[i + off]);
    return flat;
}

void nextIndex(std::vector<int64_t>& index, const std::vector<int64_t>& dims)
{
    for (size_t i = index.size(); i-- > 0;) {
        if (++index[i] < dims[i])
            return;
        index[i] = 0;
    }
}

std::optional<int64_t> intBinary(const std::string& op, int64_t a, int64_t b)
{
    int64_t r = 0;
    if (op == "Add")
        return __builtin_add_overflow(a, b, &r) ? std::nullopt : std::optional(r);
    if (op == "Sub")
        return __builtin_sub_overflow(a, b, &r) ? std::nullopt : std::optional(r);
    if (op == "Mul")
        return __builtin_mul_overflow(a, b, &r) ? std::nullopt : std::optional(r);
    if (op == "Div") {
        if (b == 0 || (a == std::numeric_limits<int64_t>::min() && b == -1))
            return std::nullopt;
        return a / b; // truncates toward zero, as ONNX runtimes do for integers
    }
    if (op == "Min")
        return std::min(a, b);
    if (op == "Max")
        return std::max(a, b);
    return std::nullopt;
}

std::optional<double> realBinary(const std::string& op, double a, double b)
{
    if (op == "Add")
        return a + b;
    if (op == "Sub")
        return a - b;
    if (op == "Mul")
        return a * b;
    if (op == "Div")
        return a / b;
    if (op == "Min")
        return std::min(a, b);
    if (op == "Max")
        return std::max(a, b);
    return std::nullopt;
}

std::optional<ConstTensor> binary(const std::string& op, const ConstTensor& a, const ConstTensor& b)
{
    if (a.type != b.type)
        return std::nullopt;
    auto dims = broadcastDims(a.dims, b.dims);
    if (!dims || !validDims(*dims))
        return std::nullopt;
    ConstTensor out = makeTensor(a.type, *dims);
    std::vector<int64_t> index(dims->size(), 0);
    for (int64_t i = 0; i < out.size(); ++i, nextIndex(index, *dims)) {
        const auto ia = static_cast<size_t>(broadcastIndex(index, a.dims));
        const auto ib = static_cast<size_t>(broadcastIndex(index, b.dims));
        if (a.isInt()) {
            auto r = intBinary(op, a.ints[ia], b.ints[ib]);
            if (!r)
                return std::nullopt;
            out.ints[static_cast<size_t>(i)] = *r;
        } else {
            // Each of these ops rounds the same whether done in float or in double and then
            // rounded to float, so folding matches what the runtime would compute.
            auto r = realBinary(op, a.reals[ia], b.reals[ib]);
            if (!r)
                return std::nullopt;
            out.reals[static_cast<size_t>(i)] = roundTo(a.type, *r);
        }
    }
    return out;
}

std::optional<ConstTensor> unary(const std::string& op, const ConstTensor& x)
{
    ConstTensor out = x;
    if (x.isInt()) {
        for (auto& v : out.ints) {
            if (op == "Neg" || op == "Abs") {
                if (v == std::numeric_limits<int64_t>::min())
                    return std::nullopt;
                v = op == "Neg" ? -v : std::abs(v);
            } else if (op != "Floor" && op != "Ceil" && op != "Identity") {
                return std::nullopt;
            }
        }
        return out;
    }
    for (auto& v : out.reals) {
        if (op == "Neg")
            v = -v;
        else if (op == "Abs")
            v = std::fabs(v);
        else if (op == "Floor")
            v = std::floor(v);
        else if (op == "Ceil")
            v = std::ceil(v);
        else if (op != "Identity")
            return std::nullopt;
    }
    return out;
}

std::optional<ConstTensor> cast(const ConstTensor& x, int32_t to)
{
    if (!isSupportedType(to))
        return std::nullopt;
    ConstTensor out = makeTensor(to, x.dims);
    for (int64_t i = 0; i < x.size(); ++i) {
        const auto k = static_cast<size_t>(i);
        if (out.isInt()) {
            int64_t v = 0;
            if (x.isInt()) {
                v = x.ints[k];
            } else {
                const double r = x.reals[k];
                if (!std::isfinite(r) || std::fabs(r) > 9.0e18)
                    return std::nullopt;
                v = static_cast<int64_t>(r);
            }
            if (to == onnx::TensorProto_DataType_BOOL)
                v = v != 0 || (!x.isInt() && x.reals[k] != 0.0);
            out.ints[k] = v;
        } else {
            out.reals[k] = roundTo(to, x.isInt() ? static_cast<double>(x.ints[k]) : x.reals[k]);
        }
    }
    return out;
}

std::optional<ConstTensor> gather(const ConstTensor& data, const ConstTensor& indices, int64_t axisAttr)
{
    const auto rank = static_cast<int64_t>(data.dims.size());
    auto axis = normalizeAxis(axisAttr, rank);
    if (!axis || !indices.isInt())
        return std::nullopt;
    std::vector<int64_t> dims(data.dims.begin(), data.dims.begin() + *axis);
    dims.insert(dims.end(), indices.dims.begin(), indices.dims.end());
    dims.insert(dims.end(), data.dims.begin() + *axis + 1, data.dims.end());
    if (!validDims(dims))
        return std::nullopt;
    const int64_t n = data.dims[static_cast<size_t>(*axis)];
    const int64_t outer = product({ data.dims.begin(), data.dims.begin() + *axis });
    const int64_t inner = product({ data.dims.begin() + *axis + 1, data.dims.end() });
    ConstTensor out = makeTensor(data.type, dims);
    int64_t o = 0;
    for (int64_t i = 0; i < outer; ++i) {
        for (int64_t idx : indices.ints) {
            if (idx < -n || idx >= n)
                return std::nullopt;
            if (idx < 0)
                idx += n;
            for (int64_t j = 0; j < inner; ++j)
                copyElement(data, (i * n + idx) * inner + j, out, o++);
        }
    }
    return out;
}

std::optional<ConstTensor> unsqueeze(const ConstTensor& x, std::vector<int64_t> axes)
{
    const auto outRank = static_cast<int64_t>(x.dims.size() + axes.size());
    for (auto& a : axes) {
        auto n = normalizeAxis(a, outRank);
        if (!n)
            return std::nullopt;
        a = *n;
    }
    std::sort(axes.begin(), axes.end());
    if (std::adjacent_find(axes.begin(), axes.end()) != axes.end())
        return std::nullopt;
    ConstTensor out = x;
    out.dims.clear();
    size_t next = 0;
    for (int64_t i = 0; i < outRank; ++i) {
        if (std::binary_search(axes.begin(), axes.end(), i))
            out.dims.push_back(1);
        else
            out.dims.push_back(x.dims[next++]);
    }
    return out;
}

std::optional<ConstTensor> squeeze(const ConstTensor& x, std::optional<std::vector<int64_t>> axes)
{
    const auto rank = static_cast<int64_t>(x.dims.size());
    std::vector<bool> drop(x.dims.size(), false);
    if (!axes) {
        for (size_t i = 0; i < x.dims.size(); ++i)
            drop[i] = x.dims[i] == 1;
    } else {
        for (int64_t a : *axes) {
            auto n = normalizeAxis(a, rank);
            if (!n || x.dims[static_cast<size_t>(*n)] != 1)
                return std::nullopt;
            drop[static_cast<size_t>(*n)] = true;
        }
    }
    ConstTensor out = x;
    out.dims.clear();
    for (size_t i = 0; i < x.dims.size(); ++i)
        if (!drop[i])
            out.dims.push_back(x.dims[i]);
    return out;
}

std::optional<ConstTensor> concat(const std::vector<const ConstTensor*>& parts, int64_t axisAttr)
{
    if (parts.empty() || !parts[0])
        return std::nullopt;
    const ConstTensor& first = *parts[0];
    const auto rank = static_cast<int64_t>(first.dims.size());
    auto axis = normalizeAxis(axisAttr, rank);
    if (!axis)
        return std::nullopt;
    const auto ax = static_cast<size_t>(*axis);
    std::vector<int64_t> dims = first.dims;
    dims[ax] = 0;
    for (const auto* p : parts) {
        if (!p || p->type != first.type || p->dims.size() != first.dims.size())
            return std::nullopt;
        for (size_t i = 0; i < dims.size(); ++i)
            if (i != ax && p->dims[i] != first.dims[i])
                return std::nullopt;
        dims[ax] += p->dims[ax];
    }
    if (!validDims(dims))
        return std::nullopt;
    const int64_t outer = product({ first.dims.begin(), first.dims.begin() + *axis });
    ConstTensor out = makeTensor(first.type, dims);
    int64_t o = 0;
    for (int64_t i = 0; i < outer; ++i) {
        for (const auto* p : parts) {
            const int64_t block = product({ p->dims.begin() + *axis, p->dims.end() });
            for (int64_t j = 0; j < block; ++j)
                copyElement(*p, i * block + j, out, o++);
        }
    }
    return out;
}

std::optional<ConstTensor> reshape(const ConstTensor& x, const ConstTensor& shape, bool allowZero)
{
    if (!shape.isInt() || shape.dims.size() != 1)
        return std::nullopt;
    std::vector<int64_t> dims = shape.ints;
    int inferred = -1;
    int64_t known = 1;
    for (size_t i = 0; i < dims.size(); ++i) {
        if (dims[i] == 0 && !allowZero) {
            if (i >= x.dims.size())
                return std::nullopt;
            dims[i] = x.dims[i];
        }
        if (dims[i] == -1) {
            if (inferred >= 0)
                return std::nullopt;
            inferred = static_cast<int>(i);
        } else if (dims[i] < 0) {
            return std::nullopt;
        } else {
            known *= dims[i];
        }
    }
    if (inferred >= 0) {
        if (known == 0 || x.size() % known != 0)
            return std::nullopt;
        dims[static_cast<size_t>(inferred)] = x.size() / known;
    }
    if (product(dims) != x.size())
        return std::nullopt;
    ConstTensor out = x;
    out.dims = dims;
    return out;
}

std::optional<ConstTensor> slice(const ConstTensor& x, const std::vector<int64_t>& starts,
    const std::vector<int64_t>& ends, std::optional<std::vector<int64_t>> axes,
    std::optional<std::vector<int64_t>> steps)
{
    const auto rank = static_cast<int64_t>(x.dims.size());
    if (starts.size() != ends.size())
        return std::nullopt;
    if (!axes) {
        axes.emplace();
        for (size_t i = 0; i < starts.size(); ++i)
            axes->push_back(static_cast<int64_t>(i));
    }
    if (!steps)
        steps = std::vector<int64_t>(starts.size(), 1);
    if (axes->size() != starts.size() || steps->size() != starts.size())
        return std::nullopt;

    std::vector<int64_t> first(x.dims.size(), 0), step(x.dims.size(), 1), dims = x.dims;
    for (size_t i = 0; i < starts.size(); ++i) {
        auto axis = normalizeAxis((*axes)[i], rank);
        if (!axis || (*steps)[i] == 0)
            return std::nullopt;
        const auto a = static_cast<size_t>(*axis);
        const int64_t dim = x.dims[a];
        const int64_t st = (*steps)[i];
        int64_t s = starts[i], e = ends[i];
        if (s < 0)
            s = s < -dim ? -1 : s + dim; // -1 then clamps to 0 (or to -1 for negative steps)
        if (e < 0)
            e = e < -dim ? -1 : e + dim;
        if (st > 0) {
            s = std::clamp<int64_t>(s, 0, dim);
            e = std::clamp<int64_t>(e, 0, dim);
            dims[a] = e > s ? (e - s + st - 1) / st : 0;
        } else {
            s = std::clamp<int64_t>(s, 0, dim - 1);
            e = std::clamp<int64_t>(e, -1, dim - 1);
            dims[a] = s > e ? (s - e - st - 1) / -st : 0;
        }
        first[a] = s;
        step[a] = st;
    }
    if (!validDims(dims))
        return std::nullopt;
    ConstTensor out = makeTensor(x.type, dims);
    const auto strides = stridesOf(x.dims);
    std::vector<int64_t> index(dims.size(), 0);
    for (int64_t i = 0; i < out.size(); ++i, nextIndex(index, dims)) {
        int64_t src = 0;
        for (size_t d = 0; d < dims.size(); ++d)
            src += (first[d] + index[d] * step[d]) * strides[d];
        copyElement(x, src, out, i);
    }
    return out;
}

std::optional<std::vector<int64_t>> intsOf(const ConstTensor* t)
{
    if (!t || !t->isInt())
        return std::nullopt;
    return t->ints;
}

const ConstTensor* inputAt(const std::vector<const ConstTensor*>& inputs, size_t i)
{
    return i < inputs.size() ? inputs[i] : nullptr;
}

} // namespace

bool ConstTensor::isInt() const
{
    return isIntType(type);
}

int64_t ConstTensor::size() const
{
    return product(dims);
}

std::optional<ConstTensor> readConstant(const onnx::TensorProto& tensor)
{
    if (!isSupportedType(tensor.data_type()) || hasExternalData(tensor))
        return std::nullopt;
    ConstTensor t;
    t.type = tensor.data_type();
    t.dims.assign(tensor.dims().begin(), tensor.dims().end());
    if (!validDims(t.dims))
        return std::nullopt;
    if (t.isInt()) {
        auto v = readInts(tensor);
        if (!v)
            return std::nullopt;
        t.ints = std::move(*v);
    } else {
        auto v = readFloats(tensor);
        if (!v)
            return std::nullopt;
        t.reals.assign(v->begin(), v->end());
    }
    return t;
}

onnx::TensorProto toTensorProto(const ConstTensor& value, const std::string& name)
{
    onnx::TensorProto t;
    t.set_name(name);
    t.set_data_type(value.type);
    for (int64_t d : value.dims)
        t.add_dims(d);
    auto pack = [&t](const auto& values, auto tag) {
        using T = decltype(tag);
        std::string raw(values.size() * sizeof(T), '\0');
        for (size_t i = 0; i < values.size(); ++i) {
            const T v = static_cast<T>(values[i]);
            std::memcpy(raw.data() + i * sizeof(T), &v, sizeof(T));
        }
        t.set_raw_data(std::move(raw));
    };
    switch (value.type) {
    case onnx::TensorProto_DataType_INT64:
        pack(value.ints, int64_t {});
        break;
    case onnx::TensorProto_DataType_INT32:
        pack(value.ints, int32_t {});
        break;
    case onnx::TensorProto_DataType_INT16:
        pack(value.ints, int16_t {});
        break;
    case onnx::TensorProto_DataType_INT8:
        pack(value.ints, int8_t {});
        break;
    case onnx::TensorProto_DataType_UINT8:
    case onnx::TensorProto_DataType_BOOL:
        pack(value.ints, uint8_t {});
        break;
    case onnx::TensorProto_DataType_UINT16:
        pack(value.ints, uint16_t {});
        break;
    case onnx::TensorProto_DataType_UINT32:
        pack(value.ints, uint32_t {});
        break;
    default:
        pack(value.reals, float {});
        break;
    }
    return t;
}

bool canEvaluate(const onnx::NodeProto& node)
{
    static const std::unordered_set<std::string> ops { "Add", "Sub", "Mul", "Div", "Min", "Max", "Neg", "Abs", "Floor",
        "Ceil", "Identity", "Cast", "Gather", "Unsqueeze", "Squeeze", "Concat", "Reshape", "Slice", "ConstantOfShape",
        "Range" };
    return (node.domain().empty() || node.domain() == "ai.onnx") && ops.contains(node.op_type());
}

std::optional<std::vector<ConstTensor>> evaluateConstantNode(
    const onnx::NodeProto& node, const std::vector<const ConstTensor*>& inputs, int64_t opset)
{
    if (!node.domain().empty() && node.domain() != "ai.onnx")
        return std::nullopt;
    const std::string& op = node.op_type();
    const ConstTensor* in0 = inputAt(inputs, 0);
    const ConstTensor* in1 = inputAt(inputs, 1);
    std::optional<ConstTensor> out;

    if (op == "Add" || op == "Sub" || op == "Mul" || op == "Div" || op == "Min" || op == "Max") {
        if (inputs.size() != 2 || !in0 || !in1)
            return std::nullopt;
        out = binary(op, *in0, *in1);
    } else if (op == "Neg" || op == "Abs" || op == "Floor" || op == "Ceil" || op == "Identity") {
        if (in0)
            out = unary(op, *in0);
    } else if (op == "Cast") {
        if (in0)
            out = cast(*in0, static_cast<int32_t>(intAttribute(node, "to", 0)));
    } else if (op == "Gather") {
        if (in0 && in1)
            out = gather(*in0, *in1, intAttribute(node, "axis", 0));
    } else if (op == "Unsqueeze") {
        auto axes = opset >= 13 ? intsOf(in1) : intsAttribute(node, "axes");
        if (in0 && axes)
            out = unsqueeze(*in0, *axes);
    } else if (op == "Squeeze") {
        std::optional<std::vector<int64_t>> axes;
        if (opset >= 13 ? inputs.size() >= 2 && in1 : attributeNamed(node, "axes") != nullptr) {
            axes = opset >= 13 ? intsOf(in1) : intsAttribute(node, "axes");
            if (!axes)
                return std::nullopt;
        }
        if (in0)
            out = squeeze(*in0, axes);
    } else if (op == "Concat") {
        out = concat(inputs, intAttribute(node, "axis", 0));
    } else if (op == "Reshape") {
        if (in0 && in1)
            out = reshape(*in0, *in1, intAttribute(node, "allowzero", 0) != 0);
    } else if (op == "Slice") {
        if (!in0)
            return std::nullopt;
        if (opset < 10) {
            auto starts = intsAttribute(node, "starts");
            auto ends = intsAttribute(node, "ends");
            if (starts && ends)
                out = slice(*in0, *starts, *ends, intsAttribute(node, "axes"), std::nullopt);
        } else {
            auto starts = intsOf(in1);
            auto ends = intsOf(inputAt(inputs, 2));
            const ConstTensor* axesIn = inputAt(inputs, 3);
            const ConstTensor* stepsIn = inputAt(inputs, 4);
            auto axes = intsOf(axesIn);
            auto steps = intsOf(stepsIn);
            if (starts && ends && (!axesIn || axes) && (!stepsIn || steps))
                out = slice(*in0, *starts, *ends, axes, steps);
        }
    } else if (op == "ConstantOfShape") {
        auto dims = intsOf(in0);
        if (!dims || !validDims(*dims))
            return std::nullopt;
        ConstTensor fill;
        fill.type = onnx::TensorProto_DataType_FLOAT;
        fill.reals = { 0.0 };
        if (const auto* value = attributeNamed(node, "value")) {
            auto v = readConstant(value->t());
            if (!v || v->size() != 1)
                return std::nullopt;
            fill = *v;
        }
        out = makeTensor(fill.type, *dims);
        if (out->isInt())
            std::fill(out->ints.begin(), out->ints.end(), fill.ints[0]);
        else
            std::fill(out->reals.begin(), out->reals.end(), fill.reals[0]);
    } else if (op == "Range") {
        const ConstTensor* deltaIn = inputAt(inputs, 2); // inputs: start, limit, delta
        if (!in0 || !in1 || !deltaIn || !in0->isInt() || in0->type != in1->type || in0->type != deltaIn->type
            || in0->size() != 1 || in1->size() != 1 || deltaIn->size() != 1)
            return std::nullopt; // integer ranges only
        const int64_t start = in0->ints[0], stop = in1->ints[0], delta = deltaIn->ints[0];
        if (delta == 0)
            return std::nullopt;
        const int64_t count = std::max<int64_t>(0, (stop - start + delta + (delta > 0 ? -1 : 1)) / delta);
        if (count > kMaxEvaluatedElements)
            return std::nullopt;
        out = makeTensor(in0->type, { count });
        for (int64_t i = 0; i < count; ++i)
            out->ints[static_cast<size_t>(i)] = start + i * delta;
    }

    if (!out)
        return std::nullopt;
    return std::vector<ConstTensor> { std::move(*out) };
}

std::optional<ConstTensor> evaluateShapeNode(const onnx::NodeProto& node, const std::vector<int64_t>& dims)
{
    if (!node.domain().empty() && node.domain() != "ai.onnx")
        return std::nullopt;
    ConstTensor out;
    out.type = onnx::TensorProto_DataType_INT64;
    if (node.op_type() == "Size") {
        out.ints = { product(dims) };
        return out;
    }
    if (node.op_type() != "Shape")
        return std::nullopt;
    const auto rank = static_cast<int64_t>(dims.size());
    int64_t start = intAttribute(node, "start", 0);
    int64_t end = intAttribute(node, "end", rank);
    start = std::clamp<int64_t>(start < 0 ? start + rank : start, 0, rank);
    end = std::clamp<int64_t>(end < 0 ? end + rank : end, 0, rank);
    end = std::max(start, end);
    out.ints.assign(dims.begin() + start, dims.begin() + end);
    out.dims = { end - start };
    return out;
}

} // namespace topiary
