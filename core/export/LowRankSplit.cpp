#include "core/export/LowRankSplit.h"

#include "core/compress/LowRank.h"
#include "core/model/TensorData.h"
#include "core/model/GraphEdit.h"
#include "core/model/NodeAttributes.h"
#include "core/base/Format.h"

#include <algorithm>
#include <cctype>
#include <cstdint>
#include <optional>
#include <vector>

namespace topiary {

namespace {

void setInt(onnx::NodeProto& node, const std::string& name, int64_t value)
{
    auto* a = node.add_attribute();
    a->set_name(name);
    a->set_type(onnx::AttributeProto_AttributeType_INT);
    a->set_i(value);
}

void setFloat(onnx::NodeProto& node, const std::string& name, float value)
{
    auto* a = node.add_attribute();
    a->set_name(name);
    a->set_type(onnx::AttributeProto_AttributeType_FLOAT);
    a->set_f(value);
}

void setInts(onnx::NodeProto& node, const std::string& name, const std::vector<int64_t>& values)
{
    auto* a = node.add_attribute();
    a->set_name(name);
    a->set_type(onnx::AttributeProto_AttributeType_INTS);
    for (int64_t v : values)
        a->add_ints(v);
}

// The node by its name, or by the "<name or op type>_<index>" name the model index gives
// to unnamed and duplicate nodes (Model::nodes()).
Result<int> findNodeIndex(const onnx::GraphProto& graph, const std::string& name)
{
    int found = -1;
    int count = 0;
    for (int i = 0; i < graph.node_size(); ++i)
        if (graph.node(i).name() == name) {
            found = i;
            ++count;
        }
    if (count == 1)
        return found;
    const auto sep = name.rfind('_');
    if (sep != std::string::npos && sep + 1 < name.size() &&
        std::all_of(name.begin() + static_cast<std::ptrdiff_t>(sep) + 1, name.end(),
                    [](char c) { return std::isdigit(static_cast<unsigned char>(c)) != 0; }) &&
        name.size() - sep - 1 < 10) {
        const int index = std::stoi(name.substr(sep + 1));
        const std::string base = name.substr(0, sep);
        if (index < graph.node_size()) {
            const auto& n = graph.node(index);
            if (n.name() == base || (n.name().empty() && n.op_type() == base))
                return index;
        }
    }
    if (count > 1)
        return fail("the model has " + std::to_string(count) + " nodes named '" + name + "'");
    return fail("the model has no node named '" + name + "'");
}

int producerOf(const onnx::GraphProto& graph, const std::string& name)
{
    for (int i = 0; i < graph.node_size(); ++i)
        for (const auto& out : graph.node(i).output())
            if (out == name)
                return i;
    return -1;
}

const onnx::TensorProto* constantValue(const onnx::NodeProto& node)
{
    for (const auto& a : node.attribute())
        if (a.name() == "value" && a.has_t())
            return &a.t();
    return nullptr;
}

// The constant behind a node input: an initializer or a Constant node, through Identities.
const onnx::TensorProto* resolveConstant(const onnx::GraphProto& graph, std::string name)
{
    for (int hops = 0; hops <= graph.node_size(); ++hops) {
        if (const auto* t = findInitializer(graph, name))
            return t;
        const int p = producerOf(graph, name);
        if (p < 0)
            return nullptr;
        const auto& n = graph.node(p);
        if (n.op_type() == "Constant" && n.output_size() == 1)
            return constantValue(n);
        if (n.op_type() != "Identity" || n.input_size() != 1)
            return nullptr;
        name = n.input(0);
    }
    return nullptr;
}

bool usedIn(const onnx::GraphProto& graph, const std::string& name)
{
    for (const auto& n : graph.node()) {
        for (const auto& in : n.input())
            if (in == name)
                return true;
        for (const auto& a : n.attribute()) {
            if (a.has_g() && usedIn(a.g(), name))
                return true;
            for (const auto& g : a.graphs())
                if (usedIn(g, name))
                    return true;
        }
    }
    return false;
}

template <class Field, class Pred> void eraseFirst(Field& field, Pred pred)
{
    for (int i = 0; i < field.size(); ++i)
        if (pred(field.Get(i))) {
            field.DeleteSubrange(i, 1);
            return;
        }
}

// Removes the old weight once nothing reads it, with the Identity/Constant nodes that
// only fed it: left behind, it would keep the full-rank bytes in the exported file.
void dropIfUnused(onnx::GraphProto& graph, std::string name)
{
    for (int hops = 0; hops <= graph.node_size() + 1; ++hops) {
        if (name.empty() || usedIn(graph, name) || isGraphOutput(graph, name))
            return;
        const auto named = [&](const auto& x) { return x.name() == name; };
        eraseFirst(*graph.mutable_value_info(), named);
        if (findInitializer(graph, name)) {
            eraseFirst(*graph.mutable_initializer(), named);
            eraseFirst(*graph.mutable_input(), named);
            return;
        }
        const int p = producerOf(graph, name);
        if (p < 0)
            return;
        const auto& n = graph.node(p);
        if (n.output_size() != 1 || (n.op_type() != "Identity" && n.op_type() != "Constant"))
            return;
        const std::string next = n.op_type() == "Identity" && n.input_size() == 1 ? n.input(0) : std::string();
        graph.mutable_node()->DeleteSubrange(p, 1);
        name = next;
    }
}

std::vector<float> transposed(const std::vector<float>& m, int64_t rows, int64_t cols)
{
    std::vector<float> t(m.size());
    for (int64_t i = 0; i < rows; ++i)
        for (int64_t j = 0; j < cols; ++j)
            t[static_cast<size_t>(j * rows + i)] = m[static_cast<size_t>(i * cols + j)];
    return t;
}


} // namespace

Result<LowRankWeights> splitLowRank(onnx::ModelProto& proto, const std::string& nodeName, const LowRankFactors& factors)
{
    auto& graph = *proto.mutable_graph();
    auto index = findNodeIndex(graph, nodeName);
    if (!index)
        return std::unexpected(index.error().withContext("low-rank split"));
    const onnx::NodeProto original = graph.node(*index);
    const std::string& op = original.op_type();
    const std::string what = "low-rank split of " + op + " '" + nodeName + "'";

    if (op == "ConvTranspose")
        return fail("low rank of ConvTranspose is not supported (node '" + nodeName + "')");
    if (op != "Conv" && op != "Gemm" && op != "MatMul")
        return fail(what + ": only Conv, Gemm and MatMul layers can be factored");
    if (!original.domain().empty() && original.domain() != "ai.onnx")
        return fail(what + ": the node is in domain '" + original.domain() + "'");
    if (original.input_size() < 2 || original.output_size() < 1 || original.output(0).empty())
        return fail(what + ": the node lacks its weight input or its output");

    const std::string weightInput = original.input(1);
    const onnx::TensorProto* weight = resolveConstant(graph, weightInput);
    if (!weight)
        return fail(what + ": its weight '" + weightInput + "' is not a constant");
    const int32_t type = weight->data_type();
    if (!isFloatType(type))
        return fail(what + ": its weight '" + weightInput + "' is not a floating-point tensor");
    const std::vector<int64_t> dims(weight->dims().begin(), weight->dims().end());
    const std::string weightName = weight->name().empty() ? weightInput : weight->name();

    const int64_t m = factors.rows;
    const int64_t n = factors.cols;
    const int64_t r = factors.rank;
    if (r <= 0 || m <= 0 || n <= 0 || static_cast<int64_t>(factors.us.size()) != m * r ||
        static_cast<int64_t>(factors.vt.size()) != r * n)
        return fail(what + ": the factors are inconsistent (" + std::to_string(m) + " x " + std::to_string(n) +
                    " at rank " + std::to_string(r) + ")");
    const auto mismatch = [&](int64_t rows, int64_t cols) {
        return fail(what + ": factors of a " + std::to_string(m) + " x " + std::to_string(n) +
                    " matrix do not fit the weight " + text::dims(dims) + " (a " + std::to_string(rows) + " x " +
                    std::to_string(cols) + " filter matrix)");
    };

    NameAllocator names(graph);
    const std::string hidden = names.fresh(original.output(0) + "_lr");
    onnx::NodeProto first;
    onnx::NodeProto second;
    first.set_op_type(op);
    second.set_op_type(op);
    first.set_domain(original.domain());
    second.set_domain(original.domain());
    first.set_name(names.fresh(nodeName + "_lr_a"));
    second.set_name(names.fresh(nodeName + "_lr_b"));
    onnx::TensorProto w1;
    onnx::TensorProto w2;
    std::vector<float> a;  // first factor's data, in w1's layout
    std::vector<float> b;  // second factor's data, in w2's layout
    std::vector<int64_t> dims1;
    std::vector<int64_t> dims2;
    std::vector<onnx::TensorProto> extra;  // other new initializers
    std::string scaledBias;                // Gemm: C with beta folded in, replacing input 2

    if (op == "Conv") {
        if (dims.size() < 3)
            return fail(what + ": its weight " + text::dims(dims) + " is not a convolution kernel");
        if (intAttribute(original, "group", 1) != 1)
            return fail(what + ": grouped convolutions (group " + std::to_string(intAttribute(original, "group", 1)) +
                        ") cannot be factored");
        int64_t kernel = 1;
        for (size_t d = 2; d < dims.size(); ++d)
            kernel *= dims[d];
        if (m != dims[0] || n != dims[1] * kernel)
            return mismatch(dims[0], dims[1] * kernel);
        // Conv k×k with the original geometry (all its attributes) to r channels, then a
        // 1×1 Conv with unit strides and no padding from r channels to the outputs.
        dims1 = dims;
        dims1[0] = r;
        dims2.assign(dims.size(), 1);
        dims2[0] = m;
        dims2[1] = r;
        a = factors.vt;
        b = factors.us;
        *first.mutable_attribute() = original.attribute();
        if (!attributeNamed(first, "kernel_shape"))
            setInts(first, "kernel_shape", std::vector<int64_t>(dims.begin() + 2, dims.end()));
        setInts(second, "kernel_shape", std::vector<int64_t>(dims.size() - 2, 1));
    } else if (op == "Gemm") {
        if (dims.size() != 2)
            return fail(what + ": its weight " + text::dims(dims) + " is not a matrix");
        if (intAttribute(original, "transA", 0) != 0)
            return fail(what + ": Gemm with transA=1 cannot be factored");
        const bool transB = intAttribute(original, "transB", 0) != 0;
        const int64_t outputs = transB ? dims[0] : dims[1];
        const int64_t inputs = transB ? dims[1] : dims[0];
        if (m != outputs || n != inputs)
            return mismatch(outputs, inputs);
        // Y = alpha·A·W^T + beta·C with W = us·vt: Gemm(A, vt, transB) to r features,
        // then Gemm(H, alpha·us, transB) + beta·C. Both factors are stored transB=1.
        const float alpha = floatAttribute(original, "alpha", 1.0f);
        dims1 = {r, n};
        dims2 = {m, r};
        a = factors.vt;
        b = factors.us;
        if (alpha != 1.0f)
            for (float& v : b)
                v *= alpha;
        setInt(first, "transB", 1);
        setInt(second, "transB", 1);
        // beta goes into a constant C's data (OpenCV 4.6 ignores alpha and beta), and
        // stays an attribute otherwise.
        const float beta = floatAttribute(original, "beta", 1.0f);
        if (original.input_size() > 2 && !original.input(2).empty() && beta != 1.0f) {
            const onnx::TensorProto* c = resolveConstant(graph, original.input(2));
            auto values = c && isFloatType(c->data_type()) ? readFloats(*c) : std::nullopt;
            if (values) {
                for (float& v : *values)
                    v *= beta;
                std::vector<int64_t> biasDims(c->dims().begin(), c->dims().end());
                onnx::TensorProto scaled;
                scaled.set_name(names.fresh(weightName + "_lr_bias"));
                scaled.set_data_type(c->data_type());
                for (int64_t d : biasDims)
                    scaled.add_dims(d);
                scaled.set_raw_data(encodeFloats(*values, c->data_type()));
                scaledBias = scaled.name();
                extra.push_back(std::move(scaled));
            } else {
                setFloat(second, "beta", beta);
            }
        }
    } else {  // MatMul: A[..., K] · B[K, N]
        if (dims.size() != 2)
            return fail(what + ": its weight " + text::dims(dims) + " is not a matrix");
        if (m != dims[1] || n != dims[0])
            return mismatch(dims[1], dims[0]);
        dims1 = {n, r};
        dims2 = {r, m};
        a = transposed(factors.vt, r, n);
        b = transposed(factors.us, m, r);
    }

    const auto makeTensor = [&](const std::string& name, const std::vector<int64_t>& shape,
                                const std::vector<float>& values) {
        onnx::TensorProto t;
        t.set_name(name);
        t.set_data_type(type);
        for (int64_t d : shape)
            t.add_dims(d);
        t.set_raw_data(encodeFloats(values, type));
        return t;
    };
    w1 = makeTensor(names.fresh(weightName + "_lr_a"), dims1, a);
    w2 = makeTensor(names.fresh(weightName + "_lr_b"), dims2, b);

    first.add_input(original.input(0));
    first.add_input(w1.name());
    first.add_output(hidden);
    second.add_input(hidden);
    second.add_input(w2.name());
    for (int i = 2; i < original.input_size(); ++i)  // the bias (Conv B, Gemm C)
        second.add_input(i == 2 && !scaledBias.empty() ? scaledBias : original.input(i));
    for (int i = 0; i < original.output_size(); ++i)
        second.add_output(original.output(i));
    // Gemm's C is optional only from opset 11: older models get a zero bias on the first.
    if (op == "Gemm" && defaultOpset(proto) < 11) {
        extra.push_back(makeTensor(names.fresh(weightName + "_lr_a_bias"), {r}, std::vector<float>(
                                                                                     static_cast<size_t>(r), 0.0f)));
        first.add_input(extra.back().name());
        if (defaultOpset(proto) < 7) {  // Gemm-6 broadcasts C only when asked to
            setInt(first, "broadcast", 1);
            if (const auto* bc = attributeNamed(original, "broadcast"))
                setInt(second, "broadcast", bc->i());
        }
    }

    // Rebuild the node list: the two new nodes take the original's place, in order.
    google::protobuf::RepeatedPtrField<onnx::NodeProto> old;
    old.Swap(graph.mutable_node());
    for (int i = 0; i < old.size(); ++i) {
        if (i == *index) {
            *graph.add_node() = std::move(first);
            *graph.add_node() = std::move(second);
        } else {
            *graph.add_node() = std::move(*old.Mutable(i));
        }
    }

    LowRankWeights written{w1.name(), w2.name()};
    std::vector<onnx::TensorProto> added{std::move(w1), std::move(w2)};
    for (auto& t : extra)
        added.push_back(std::move(t));
    for (auto& t : added)
        addInitializer(proto, std::move(t));
    dropIfUnused(graph, weightInput);
    if (!scaledBias.empty())
        dropIfUnused(graph, original.input(2));
    return written;
}

} // namespace topiary
