// Each ONNX operator as torch calls, following the ONNX operator specification (opset 7
// to 18 forms). Shapes and constants were folded by the canonicalizer; what reaches
// here computes on tensors. Asymmetric padding is applied explicitly before the op.
#include "train/TorchGraph.h"

#include <algorithm>
#include <cstring>
#include <limits>
#include <stdexcept>

namespace topiary::train {

namespace {

namespace F = torch::nn::functional;

const onnx::AttributeProto* attribute(const TorchNode& node, const char* name)
{
    for (const auto& a : node.proto->attribute())
        if (a.name() == name)
            return &a;
    return nullptr;
}

int64_t intAttr(const TorchNode& node, const char* name, int64_t fallback)
{
    const auto* a = attribute(node, name);
    return a ? a->i() : fallback;
}

float floatAttr(const TorchNode& node, const char* name, float fallback)
{
    const auto* a = attribute(node, name);
    return a ? a->f() : fallback;
}

std::string stringAttr(const TorchNode& node, const char* name, const std::string& fallback)
{
    const auto* a = attribute(node, name);
    return a ? a->s() : fallback;
}

std::vector<int64_t> intsAttr(const TorchNode& node, const char* name, std::vector<int64_t> fallback = {})
{
    const auto* a = attribute(node, name);
    if (!a)
        return fallback;
    return { a->ints().begin(), a->ints().end() };
}

bool hasInput(const OpContext& c, size_t i)
{
    return i < c.in.size() && c.in[i].defined();
}

std::vector<int64_t> intsOf(const torch::Tensor& t)
{
    auto flat = t.to(torch::kLong).contiguous().view(-1);
    const int64_t* p = flat.data_ptr<int64_t>();
    return { p, p + flat.numel() };
}

[[noreturn]] void unsupported(const TorchNode& node, const std::string& what)
{
    throw std::runtime_error(node.opType + " node " + node.name + ": " + what);
}

int64_t normAxis(int64_t axis, int64_t rank)
{
    return axis < 0 ? axis + rank : axis;
}

// Spatial attributes of Conv / pooling: kernel, strides, dilations and ONNX pads
// [begin..., end...]; auto_pad resolved to explicit pads.
struct Window {
    std::vector<int64_t> kernel, strides, dilations, begin, end;
    bool symmetric() const { return begin == end; }
};

Window window(const TorchNode& node, const torch::Tensor& x, std::vector<int64_t> kernel)
{
    const size_t n = kernel.size();
    Window w;
    w.kernel = kernel;
    w.strides = intsAttr(node, "strides", std::vector<int64_t>(n, 1));
    w.dilations = intsAttr(node, "dilations", std::vector<int64_t>(n, 1));
    const auto pads = intsAttr(node, "pads", std::vector<int64_t>(2 * n, 0));
    if (w.strides.size() != n || w.dilations.size() != n || pads.size() != 2 * n)
        unsupported(node, "strides, dilations or pads do not match the kernel's rank");
    w.begin.assign(pads.begin(), pads.begin() + static_cast<long>(n));
    w.end.assign(pads.begin() + static_cast<long>(n), pads.end());
    const std::string autoPad = stringAttr(node, "auto_pad", "NOTSET");
    if (autoPad == "VALID") {
        std::fill(w.begin.begin(), w.begin.end(), 0);
        std::fill(w.end.begin(), w.end.end(), 0);
    } else if (autoPad == "SAME_UPPER" || autoPad == "SAME_LOWER") {
        for (size_t i = 0; i < n; ++i) {
            const int64_t in = x.size(static_cast<int64_t>(i) + 2);
            const int64_t out = (in + w.strides[i] - 1) / w.strides[i];
            const int64_t extent = (kernel[i] - 1) * w.dilations[i] + 1;
            const int64_t total = std::max<int64_t>(0, (out - 1) * w.strides[i] + extent - in);
            const int64_t small = total / 2;
            w.begin[i] = autoPad == "SAME_UPPER" ? small : total - small;
            w.end[i] = total - w.begin[i];
        }
    } else if (autoPad != "NOTSET") {
        unsupported(node, "auto_pad " + autoPad);
    }
    return w;
}

// torch's pad list: last dimension first, (begin, end) pairs.
std::vector<int64_t> torchPads(const std::vector<int64_t>& begin, const std::vector<int64_t>& end)
{
    std::vector<int64_t> out;
    for (size_t i = begin.size(); i-- > 0;) {
        out.push_back(begin[i]);
        out.push_back(end[i]);
    }
    return out;
}

torch::Tensor conv(const OpContext& c)
{
    const auto& x = c.in[0];
    const auto& w = c.in[1];
    const bool transposed = c.node.opType == "ConvTranspose";
    std::vector<int64_t> kernel(w.sizes().begin() + 2, w.sizes().end());
    Window win = window(c.node, x, intsAttr(c.node, "kernel_shape", kernel));
    const int64_t groups = intAttr(c.node, "group", 1);
    const torch::Tensor bias = hasInput(c, 2) ? c.in[2] : torch::Tensor();
    if (!transposed) {
        torch::Tensor input = x;
        std::vector<int64_t> padding = win.begin;
        if (!win.symmetric()) {
            input = F::pad(x, F::PadFuncOptions(torchPads(win.begin, win.end)));
            std::fill(padding.begin(), padding.end(), 0);
        }
        return at::convolution(
            input, w, bias, win.strides, padding, win.dilations, false, std::vector<int64_t>(kernel.size(), 0), groups);
    }
    if (attribute(c.node, "output_shape"))
        unsupported(c.node, "ConvTranspose with output_shape (give pads instead)");
    auto outputPadding = intsAttr(c.node, "output_padding", std::vector<int64_t>(kernel.size(), 0));
    auto y = at::convolution(
        x, w, bias, win.strides, std::vector<int64_t>(kernel.size(), 0), win.dilations, true, outputPadding, groups);
    // Pads crop the full transposed output: begin from the start, end from the end.
    for (size_t i = 0; i < kernel.size(); ++i) {
        const int64_t dim = static_cast<int64_t>(i) + 2;
        y = y.narrow(dim, win.begin[i], y.size(dim) - win.begin[i] - win.end[i]);
    }
    return y;
}

torch::Tensor pool(const OpContext& c, bool max)
{
    const auto& x = c.in[0];
    Window win = window(c.node, x, intsAttr(c.node, "kernel_shape"));
    const size_t n = win.kernel.size();
    if (n < 1 || n > 3)
        unsupported(c.node, "pooling over " + std::to_string(n) + " dimensions");
    const bool ceil = intAttr(c.node, "ceil_mode", 0) != 0;
    torch::Tensor input = x;
    std::vector<int64_t> padding = win.begin;
    const bool countPad = intAttr(c.node, "count_include_pad", 0) != 0;
    bool tooWide = false;
    for (size_t i = 0; i < n; ++i)
        tooWide = tooWide || win.begin[i] * 2 > win.kernel[i];
    if (!win.symmetric() || tooWide) {
        if (!max && !countPad)
            unsupported(c.node, "AveragePool with asymmetric pads and count_include_pad 0");
        const double fill = max ? -std::numeric_limits<double>::infinity() : 0.0;
        input = F::pad(x, F::PadFuncOptions(torchPads(win.begin, win.end)).value(fill));
        std::fill(padding.begin(), padding.end(), 0);
    }
    if (max) {
        if (n == 1)
            return torch::max_pool1d(input, win.kernel, win.strides, padding, win.dilations, ceil);
        if (n == 2)
            return torch::max_pool2d(input, win.kernel, win.strides, padding, win.dilations, ceil);
        return torch::max_pool3d(input, win.kernel, win.strides, padding, win.dilations, ceil);
    }
    if (n == 1)
        return torch::avg_pool1d(input, win.kernel, win.strides, padding, ceil, countPad);
    if (n == 2)
        return torch::avg_pool2d(input, win.kernel, win.strides, padding, ceil, countPad);
    return torch::avg_pool3d(input, win.kernel, win.strides, padding, ceil, countPad);
}

torch::Tensor gemm(const OpContext& c)
{
    auto a = c.in[0];
    auto b = c.in[1];
    if (intAttr(c.node, "transA", 0))
        a = a.t();
    if (intAttr(c.node, "transB", 0))
        b = b.t();
    auto y = torch::matmul(a, b);
    if (const float alpha = floatAttr(c.node, "alpha", 1.0f); alpha != 1.0f)
        y = y * alpha;
    if (hasInput(c, 2)) {
        const float beta = floatAttr(c.node, "beta", 1.0f);
        y = beta == 1.0f ? y + c.in[2] : y + beta * c.in[2];
    }
    return y;
}

torch::Tensor batchNorm(const OpContext& c)
{
    const float eps = floatAttr(c.node, "epsilon", 1e-5f);
    // ONNX: running = running * momentum + batch * (1 - momentum); torch's momentum is the
    // weight of the batch.
    const double momentum = 1.0 - floatAttr(c.node, "momentum", 0.9f);
    return torch::batch_norm(c.in[0], c.in[1], c.in[2], c.in[3], c.in[4], c.training, momentum, eps, false);
}

torch::Tensor softmax(const OpContext& c, bool log)
{
    const auto& x = c.in[0];
    const int64_t rank = x.dim();
    if (c.opset >= 13) {
        const int64_t axis = normAxis(intAttr(c.node, "axis", -1), rank);
        return log ? torch::log_softmax(x, axis) : torch::softmax(x, axis);
    }
    // Before opset 13 the input is flattened to 2-D at axis (default 1).
    const int64_t axis = normAxis(intAttr(c.node, "axis", 1), rank);
    int64_t rows = 1;
    for (int64_t d = 0; d < axis; ++d)
        rows *= x.size(d);
    auto flat = x.reshape({ rows, -1 });
    auto y = log ? torch::log_softmax(flat, 1) : torch::softmax(flat, 1);
    return y.reshape(x.sizes());
}

torch::Tensor reshape(const OpContext& c)
{
    auto shape = intsOf(c.in[1]);
    const bool allowZero = intAttr(c.node, "allowzero", 0) != 0;
    for (size_t i = 0; i < shape.size(); ++i)
        if (shape[i] == 0 && !allowZero) {
            if (static_cast<int64_t>(i) >= c.in[0].dim())
                unsupported(c.node, "shape copies a dimension the input does not have");
            shape[i] = c.in[0].size(static_cast<int64_t>(i));
        }
    return c.in[0].reshape(shape);
}

std::vector<torch::Tensor> split(const OpContext& c)
{
    const auto& x = c.in[0];
    const int64_t axis = normAxis(intAttr(c.node, "axis", 0), x.dim());
    std::vector<int64_t> sizes = hasInput(c, 1) ? intsOf(c.in[1]) : intsAttr(c.node, "split");
    if (sizes.empty()) {
        const int64_t parts = static_cast<int64_t>(c.node.outputs.size());
        const int64_t each = (x.size(axis) + parts - 1) / parts;
        for (int64_t left = x.size(axis); left > 0; left -= each)
            sizes.push_back(std::min(each, left));
    }
    auto pieces = torch::split_with_sizes(x, sizes, axis);
    return { pieces.begin(), pieces.end() };
}

torch::Tensor slice(const OpContext& c)
{
    auto x = c.in[0];
    std::vector<int64_t> starts, ends, axes, steps;
    if (c.opset >= 10) {
        starts = intsOf(c.in[1]);
        ends = intsOf(c.in[2]);
        if (hasInput(c, 3))
            axes = intsOf(c.in[3]);
        if (hasInput(c, 4))
            steps = intsOf(c.in[4]);
    } else {
        starts = intsAttr(c.node, "starts");
        ends = intsAttr(c.node, "ends");
        axes = intsAttr(c.node, "axes");
    }
    for (size_t i = 0; i < starts.size(); ++i) {
        const int64_t axis = normAxis(axes.empty() ? static_cast<int64_t>(i) : axes[i], x.dim());
        const int64_t step = steps.empty() ? 1 : steps[i];
        if (step == 0)
            unsupported(c.node, "Slice with a step of 0");
        const int64_t dim = x.size(axis);
        auto wrap = [dim](int64_t v) { return v < 0 ? v + dim : v; };
        if (step > 0) {
            const int64_t start = std::clamp<int64_t>(wrap(starts[i]), 0, dim);
            const int64_t end = std::max(start, std::clamp<int64_t>(wrap(ends[i]), 0, dim));
            x = x.slice(axis, start, end, step);
        } else {
            // Backwards: the same slice of the flipped axis (index k becomes dim - 1 - k).
            const int64_t start = std::clamp<int64_t>(wrap(starts[i]), 0, dim - 1);
            const int64_t end = std::clamp<int64_t>(ends[i] < -dim ? -1 : wrap(ends[i]), -1, dim - 1);
            const int64_t from = dim - 1 - start, to = std::max(from, dim - 1 - end);
            x = x.flip({ axis }).slice(axis, from, to, -step);
        }
    }
    return x;
}

torch::Tensor pad(const OpContext& c)
{
    const auto& x = c.in[0];
    const std::vector<int64_t> pads = hasInput(c, 1) ? intsOf(c.in[1]) : intsAttr(c.node, "pads");
    const int64_t rank = x.dim();
    if (static_cast<int64_t>(pads.size()) != 2 * rank)
        unsupported(c.node, "pads must hold two values per input dimension");
    double value = hasInput(c, 2) ? c.in[2].item<double>() : floatAttr(c.node, "value", 0.0f);
    const std::string mode = stringAttr(c.node, "mode", "constant");
    const std::vector<int64_t> begin(pads.begin(), pads.begin() + rank), end(pads.begin() + rank, pads.end());
    auto list = torchPads(begin, end);
    if (mode == "constant")
        return torch::constant_pad_nd(x, list, value);
    // reflect / edge pad only the trailing (spatial) dimensions in torch.
    while (list.size() >= 2 && list[list.size() - 1] == 0 && list[list.size() - 2] == 0)
        list.resize(list.size() - 2);
    if (mode == "reflect")
        return F::pad(x, F::PadFuncOptions(list).mode(torch::kReflect));
    if (mode == "edge")
        return F::pad(x, F::PadFuncOptions(list).mode(torch::kReplicate));
    unsupported(c.node, "Pad mode " + mode);
}

torch::Tensor reduceMean(const OpContext& c)
{
    const auto& x = c.in[0];
    std::vector<int64_t> axes = hasInput(c, 1) ? intsOf(c.in[1]) : intsAttr(c.node, "axes");
    const bool keep = intAttr(c.node, "keepdims", 1) != 0;
    if (axes.empty()) {
        if (intAttr(c.node, "noop_with_empty_axes", 0))
            return x;
        for (int64_t i = 0; i < x.dim(); ++i)
            axes.push_back(i);
    }
    for (auto& a : axes)
        a = normAxis(a, x.dim());
    return x.mean(axes, keep);
}

torch::Tensor squeezeOrUnsqueeze(const OpContext& c, bool unsqueeze)
{
    auto x = c.in[0];
    std::vector<int64_t> axes = hasInput(c, 1) ? intsOf(c.in[1]) : intsAttr(c.node, "axes");
    if (!unsqueeze) {
        if (axes.empty())
            return x.squeeze();
        for (auto& a : axes)
            a = normAxis(a, x.dim());
        std::sort(axes.rbegin(), axes.rend());
        for (int64_t a : axes)
            x = x.squeeze(a);
        return x;
    }
    const int64_t rank = x.dim() + static_cast<int64_t>(axes.size());
    for (auto& a : axes)
        a = normAxis(a, rank);
    std::sort(axes.begin(), axes.end());
    for (int64_t a : axes)
        x = x.unsqueeze(a);
    return x;
}

torch::ScalarType scalarType(const TorchNode& node, int64_t onnxType)
{
    switch (onnxType) {
    case onnx::TensorProto_DataType_FLOAT:
        return torch::kFloat;
    case onnx::TensorProto_DataType_DOUBLE:
        return torch::kDouble;
    case onnx::TensorProto_DataType_FLOAT16:
        return torch::kHalf;
    case onnx::TensorProto_DataType_INT64:
        return torch::kLong;
    case onnx::TensorProto_DataType_INT32:
        return torch::kInt;
    case onnx::TensorProto_DataType_INT8:
        return torch::kChar;
    case onnx::TensorProto_DataType_UINT8:
        return torch::kByte;
    case onnx::TensorProto_DataType_BOOL:
        return torch::kBool;
    default:
        unsupported(node, "element type " + std::to_string(onnxType));
    }
}

torch::Tensor gather(const OpContext& c)
{
    const auto& x = c.in[0];
    const int64_t axis = normAxis(intAttr(c.node, "axis", 0), x.dim());
    auto indices = c.in[1].to(torch::kLong);
    indices = torch::where(indices < 0, indices + x.size(axis), indices);
    std::vector<int64_t> shape(x.sizes().begin(), x.sizes().begin() + axis);
    shape.insert(shape.end(), indices.sizes().begin(), indices.sizes().end());
    shape.insert(shape.end(), x.sizes().begin() + axis + 1, x.sizes().end());
    return x.index_select(axis, indices.reshape({ -1 })).reshape(shape);
}

torch::Tensor constantOfShape(const OpContext& c)
{
    const auto shape = intsOf(c.in[0]);
    const auto* value = attribute(c.node, "value");
    if (!value)
        return torch::zeros(shape, torch::kFloat);
    const auto& t = value->t();
    const auto type = scalarType(c.node, t.data_type());
    double v = 0.0;
    if (t.float_data_size() > 0)
        v = t.float_data(0);
    else if (t.int64_data_size() > 0)
        v = static_cast<double>(t.int64_data(0));
    else if (t.int32_data_size() > 0)
        v = t.int32_data(0);
    else if (!t.raw_data().empty()) {
        const std::string& raw = t.raw_data();
        if (type == torch::kFloat && raw.size() >= 4) {
            float f;
            std::memcpy(&f, raw.data(), 4);
            v = f;
        } else if (type == torch::kLong && raw.size() >= 8) {
            int64_t i;
            std::memcpy(&i, raw.data(), 8);
            v = static_cast<double>(i);
        } else if (raw.size() >= 1 && (type == torch::kBool || type == torch::kByte || type == torch::kChar)) {
            v = static_cast<unsigned char>(raw[0]);
        } else {
            unsupported(c.node, "ConstantOfShape value of this type");
        }
    }
    return torch::full(shape, v, torch::TensorOptions().dtype(type));
}

torch::Tensor divideOp(const torch::Tensor& a, const torch::Tensor& b)
{
    if (a.is_floating_point() || b.is_floating_point())
        return a / b;
    return torch::div(a, b, "trunc");
}

} // namespace

const std::vector<std::string>& supportedOps()
{
    static const std::vector<std::string> ops = { "Add", "AveragePool", "BatchNormalization", "Cast", "Clip", "Concat",
        "ConstantOfShape", "Conv", "ConvTranspose", "Div", "Dropout", "Expand", "Flatten", "Gather", "Gemm",
        "GlobalAveragePool", "GlobalMaxPool", "HardSigmoid", "HardSwish", "Identity", "LeakyRelu", "LogSoftmax",
        "MatMul", "MaxPool", "Mul", "Pad", "ReduceMean", "Relu", "Reshape", "Shape", "Sigmoid", "Slice", "Softmax",
        "Split", "Squeeze", "Sub", "Sum", "Tanh", "Transpose", "Unsqueeze" };
    return ops;
}

std::vector<torch::Tensor> runOp(const OpContext& c)
{
    const std::string& op = c.node.opType;
    const auto& x = c.in.empty() ? torch::Tensor() : c.in[0];
    if (op == "Conv" || op == "ConvTranspose")
        return { conv(c) };
    if (op == "Gemm")
        return { gemm(c) };
    if (op == "MatMul")
        return { torch::matmul(x, c.in[1]) };
    if (op == "BatchNormalization")
        return { batchNorm(c) };
    if (op == "Relu")
        return { torch::relu(x) };
    if (op == "Sigmoid")
        return { torch::sigmoid(x) };
    if (op == "Tanh")
        return { torch::tanh(x) };
    if (op == "LeakyRelu")
        return { torch::leaky_relu(x, floatAttr(c.node, "alpha", 0.01f)) };
    if (op == "HardSigmoid") {
        const float alpha = floatAttr(c.node, "alpha", 0.2f), beta = floatAttr(c.node, "beta", 0.5f);
        return { torch::clamp(x * alpha + beta, 0.0, 1.0) };
    }
    if (op == "HardSwish")
        return { torch::hardswish(x) };
    if (op == "Clip") {
        c10::optional<at::Scalar> lo, hi;
        if (c.opset >= 11) {
            if (hasInput(c, 1))
                lo = c.in[1].item<double>();
            if (hasInput(c, 2))
                hi = c.in[2].item<double>();
        } else {
            lo = floatAttr(c.node, "min", -std::numeric_limits<float>::max());
            hi = floatAttr(c.node, "max", std::numeric_limits<float>::max());
        }
        // The canonicalizer may have moved the bounds to attributes at any opset.
        if (!lo && attribute(c.node, "min"))
            lo = floatAttr(c.node, "min", 0.0f);
        if (!hi && attribute(c.node, "max"))
            hi = floatAttr(c.node, "max", 0.0f);
        return { torch::clamp(x, lo, hi) };
    }
    if (op == "Softmax" || op == "LogSoftmax")
        return { softmax(c, op == "LogSoftmax") };
    if (op == "Add")
        return { x + c.in[1] };
    if (op == "Sub")
        return { x - c.in[1] };
    if (op == "Mul")
        return { x * c.in[1] };
    if (op == "Div")
        return { divideOp(x, c.in[1]) };
    if (op == "Sum") {
        auto y = x;
        for (size_t i = 1; i < c.in.size(); ++i)
            y = y + c.in[i];
        return { y };
    }
    if (op == "MaxPool" || op == "AveragePool") {
        if (c.node.outputs.size() > 1 && !c.node.outputs[1].empty())
            unsupported(c.node, "MaxPool's Indices output");
        return { pool(c, op == "MaxPool") };
    }
    if (op == "GlobalAveragePool" || op == "GlobalMaxPool") {
        std::vector<int64_t> dims;
        for (int64_t d = 2; d < x.dim(); ++d)
            dims.push_back(d);
        return { op == "GlobalAveragePool" ? x.mean(dims, true) : x.amax(dims, true) };
    }
    if (op == "Flatten") {
        const int64_t axis = normAxis(intAttr(c.node, "axis", 1), x.dim());
        const int64_t rows = axis == 0 ? 1 : x.flatten(0, axis - 1).size(0);
        return { x.reshape({ rows, -1 }) };
    }
    if (op == "Reshape")
        return { reshape(c) };
    if (op == "Transpose") {
        std::vector<int64_t> perm = intsAttr(c.node, "perm");
        if (perm.empty())
            for (int64_t d = x.dim(); d-- > 0;)
                perm.push_back(d);
        return { x.permute(perm) };
    }
    if (op == "Concat") {
        const int64_t axis = normAxis(intAttr(c.node, "axis", 0), x.dim());
        std::vector<torch::Tensor> parts;
        for (const auto& t : c.in)
            if (t.defined() && t.numel() > 0)
                parts.push_back(t);
        return { torch::cat(parts, axis) };
    }
    if (op == "Split")
        return split(c);
    if (op == "Slice")
        return { slice(c) };
    if (op == "Pad")
        return { pad(c) };
    if (op == "Dropout") {
        double ratio = hasInput(c, 1) ? c.in[1].item<double>() : floatAttr(c.node, "ratio", 0.5f);
        const bool training = c.training && (!hasInput(c, 2) || c.in[2].item<bool>() || c.opset < 12);
        if (c.node.outputs.size() > 1 && !c.node.outputs[1].empty())
            unsupported(c.node, "Dropout's mask output");
        return { torch::dropout(x, ratio, training) };
    }
    if (op == "Identity")
        return { x };
    if (op == "Shape") {
        std::vector<int64_t> dims(x.sizes().begin(), x.sizes().end());
        const int64_t rank = x.dim();
        const int64_t start = std::clamp<int64_t>(normAxis(intAttr(c.node, "start", 0), rank), 0, rank);
        const int64_t end = std::clamp<int64_t>(normAxis(intAttr(c.node, "end", rank), rank), start, rank);
        std::vector<int64_t> part(dims.begin() + start, dims.begin() + end);
        return { torch::tensor(part, torch::kLong) };
    }
    if (op == "Gather")
        return { gather(c) };
    if (op == "Cast")
        return { x.to(scalarType(c.node, intAttr(c.node, "to", onnx::TensorProto_DataType_FLOAT))) };
    if (op == "ConstantOfShape")
        return { constantOfShape(c) };
    if (op == "Expand") {
        const auto shape = intsOf(c.in[1]);
        return { x.expand(at::infer_size(x.sizes(), shape)) };
    }
    if (op == "ReduceMean")
        return { reduceMean(c) };
    if (op == "Squeeze" || op == "Unsqueeze")
        return { squeezeOrUnsqueeze(c, op == "Unsqueeze") };
    unsupported(c.node, "the trainer cannot run this operator");
}

} // namespace topiary::train
