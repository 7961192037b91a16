#include "core/model/StoredWeights.h"

#include "core/model/TensorData.h"
#include "core/model/GraphEdit.h"
#include "core/model/NodeAttributes.h"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <optional>
#include <unordered_map>
#include <unordered_set>
#include <vector>

namespace topiary {

namespace {

// Dims a file could really hold (the loader validates every tensor later; this only keeps
// a hostile shape from overflowing the element count before that).
bool plausibleSize(const onnx::TensorProto& t)
{
    int64_t n = 1;
    for (int64_t d : t.dims())
        if (d < 0 || __builtin_mul_overflow(n, d, &n) || n > (int64_t { 1 } << 40))
            return false;
    return true;
}

} // namespace

namespace {

bool defaultDomain(const onnx::NodeProto& n)
{
    return n.domain().empty() || n.domain() == "ai.onnx";
}

// Cast(to=FLOAT) of a FLOAT16 or DOUBLE initializer: its values as float32.
std::optional<std::vector<float>> castValues(const onnx::NodeProto& n, const onnx::TensorProto& source)
{
    const auto* to = attributeNamed(n, "to");
    if (n.input_size() != 1 || !to || to->type() != onnx::AttributeProto_AttributeType_INT
        || to->i() != onnx::TensorProto_DataType_FLOAT
        || (source.data_type() != onnx::TensorProto_DataType_FLOAT16 && source.data_type() != onnx::TensorProto_DataType_DOUBLE))
        return std::nullopt;
    return readFloats(source);
}

// DequantizeLinear of int8/uint8/int32 codes with a float scale and zero point, per tensor
// or along `axis`, all initializers: (x - zero point) * scale, as ONNX Runtime computes it.
std::optional<std::vector<float>> dequantizedValues(const onnx::NodeProto& n, const onnx::GraphProto& graph,
                                                    const onnx::TensorProto& codes)
{
    if (n.input_size() < 2 || n.input_size() > 3)
        return std::nullopt;
    const auto* scaleTensor = findInitializer(graph, n.input(1));
    const auto* zeroTensor = n.input_size() == 3 && !n.input(2).empty() ? findInitializer(graph, n.input(2)) : nullptr;
    if (!scaleTensor || (n.input_size() == 3 && !n.input(2).empty() && !zeroTensor))
        return std::nullopt;
    const auto x = readInts(codes);
    const auto scale = readFloats(*scaleTensor);
    if (!x || !scale || scale->empty())
        return std::nullopt;
    std::vector<int64_t> zero(scale->size(), 0);
    if (zeroTensor) {
        auto z = readInts(*zeroTensor);
        if (!z || z->size() != scale->size() || zeroTensor->data_type() != codes.data_type())
            return std::nullopt;
        zero = std::move(*z);
    }
    const std::vector<int64_t> dims(codes.dims().begin(), codes.dims().end());
    int64_t inner = 1; // elements per step along the axis
    size_t channels = 1;
    if (scale->size() > 1) {
        const auto* a = attributeNamed(n, "axis");
        int64_t axis = a ? a->i() : 1;
        if (axis < 0)
            axis += static_cast<int64_t>(dims.size());
        if (axis < 0 || axis >= static_cast<int64_t>(dims.size()) || scaleTensor->dims_size() != 1
            || dims[static_cast<size_t>(axis)] != static_cast<int64_t>(scale->size()))
            return std::nullopt;
        for (size_t d = static_cast<size_t>(axis) + 1; d < dims.size(); ++d)
            inner *= dims[d];
        channels = scale->size();
    }
    std::vector<float> out(x->size());
    for (size_t i = 0; i < out.size(); ++i) {
        const size_t c = channels == 1 ? 0 : (i / static_cast<size_t>(inner)) % channels;
        out[i] = static_cast<float>((*x)[i] - zero[c]) * (*scale)[c];
    }
    return out;
}

} // namespace

WidenedWeights widenStoredWeights(onnx::ModelProto& proto)
{
    auto& graph = *proto.mutable_graph();
    std::unordered_map<std::string, int> readers; // how many node inputs read each name
    for (const auto& n : graph.node())
        for (const auto& in : n.input())
            ++readers[in];
    std::unordered_set<std::string> declared; // graph inputs and outputs keep their types
    for (const auto& v : graph.input())
        declared.insert(v.name());
    for (const auto& v : graph.output())
        declared.insert(v.name());

    WidenedWeights count;
    std::vector<onnx::TensorProto> widened;
    std::unordered_set<std::string> dropped;
    removeNodesIf(graph, [&](const onnx::NodeProto& n) {
        const bool cast = n.op_type() == "Cast";
        if (!(cast || n.op_type() == "DequantizeLinear") || !defaultDomain(n) || n.input_size() < 1
            || n.output_size() != 1 || n.output(0).empty() || declared.count(n.output(0)))
            return false;
        for (const auto& in : n.input())
            if (!in.empty() && declared.count(in))
                return false;
        const auto* source = findInitializer(graph, n.input(0));
        if (!source || hasExternalData(*source) || !plausibleSize(*source))
            return false;
        auto values = cast ? castValues(n, *source) : dequantizedValues(n, graph, *source);
        if (!values)
            return false;
        widened.push_back(makeFloatTensor(n.output(0), std::vector<int64_t>(source->dims().begin(), source->dims().end()), *values));
        ++(cast ? count.cast : count.dequantized);
        for (const auto& in : n.input())
            if (!in.empty() && --readers[in] == 0)
                dropped.insert(in);
        return true;
    });
    if (widened.empty())
        return count;
    auto* inits = graph.mutable_initializer();
    for (int i = inits->size() - 1; i >= 0; --i)
        if (dropped.count(inits->Get(i).name()))
            inits->DeleteSubrange(i, 1);
    // A value_info entry for a decoder's output would now describe an initializer: drop it.
    std::unordered_set<std::string> names;
    for (const auto& t : widened)
        names.insert(t.name());
    auto* infos = graph.mutable_value_info();
    for (int i = infos->size() - 1; i >= 0; --i)
        if (names.count(infos->Get(i).name()))
            infos->DeleteSubrange(i, 1);
    for (auto& t : widened)
        *graph.add_initializer() = std::move(t);
    return count;
}

} // namespace topiary
