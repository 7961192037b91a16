#include "core/model/GraphEdit.h"

#include "core/model/TensorData.h"
#include "core/model/TensorInfo.h"

#include <bit>
#include <cstring>
#include <unordered_set>

namespace topiary {

namespace {

template <class T> std::optional<std::vector<T>> rawValues(const onnx::TensorProto& t, int64_t count)
{
    if (t.raw_data().size() != static_cast<size_t>(count) * sizeof(T))
        return std::nullopt;
    std::vector<T> v(static_cast<size_t>(count));
    if (count > 0)
        std::memcpy(v.data(), t.raw_data().data(), t.raw_data().size());
    return v;
}

void renameIn(onnx::GraphProto& graph, const std::string& from, const std::string& to)
{
    for (auto& node : *graph.mutable_node()) {
        for (auto& in : *node.mutable_input())
            if (in == from)
                in = to;
        for (auto& attr : *node.mutable_attribute()) {
            if (attr.has_g())
                renameIn(*attr.mutable_g(), from, to);
            for (auto& g : *attr.mutable_graphs())
                renameIn(g, from, to);
        }
    }
}

void collectNames(const onnx::GraphProto& graph, std::unordered_set<std::string>& names)
{
    for (const auto& v : graph.input())
        names.insert(v.name());
    for (const auto& v : graph.output())
        names.insert(v.name());
    for (const auto& v : graph.value_info())
        names.insert(v.name());
    for (const auto& t : graph.initializer())
        names.insert(t.name());
    for (const auto& node : graph.node()) {
        names.insert(node.name());
        names.insert(node.input().begin(), node.input().end());
        names.insert(node.output().begin(), node.output().end());
        for (const auto& attr : node.attribute()) {
            if (attr.has_g())
                collectNames(attr.g(), names);
            for (const auto& g : attr.graphs())
                collectNames(g, names);
        }
    }
}

} // namespace

onnx::TensorProto* findInitializer(onnx::GraphProto& graph, const std::string& name)
{
    for (auto& t : *graph.mutable_initializer())
        if (t.name() == name)
            return &t;
    return nullptr;
}

const onnx::TensorProto* findInitializer(const onnx::GraphProto& graph, const std::string& name)
{
    for (const auto& t : graph.initializer())
        if (t.name() == name)
            return &t;
    return nullptr;
}

bool isGraphOutput(const onnx::GraphProto& graph, const std::string& name)
{
    for (const auto& o : graph.output())
        if (o.name() == name)
            return true;
    return false;
}

void renameUses(onnx::GraphProto& graph, const std::string& from, const std::string& to)
{
    renameIn(graph, from, to);
}

void addInitializer(onnx::ModelProto& model, onnx::TensorProto t)
{
    auto& graph = *model.mutable_graph();
    if (model.ir_version() < 4) {
        auto* vi = graph.add_input();
        vi->set_name(t.name());
        auto* tt = vi->mutable_type()->mutable_tensor_type();
        tt->set_elem_type(t.data_type());
        auto* shape = tt->mutable_shape();
        for (int64_t d : t.dims())
            shape->add_dim()->set_dim_value(d);
    }
    *graph.add_initializer() = std::move(t);
}

int64_t defaultOpset(const onnx::ModelProto& model)
{
    for (const auto& op : model.opset_import())
        if (op.domain().empty() || op.domain() == "ai.onnx")
            return op.version();
    return 0;
}

int64_t elementCount(const onnx::TensorProto& tensor)
{
    int64_t n = 1;
    for (int64_t d : tensor.dims())
        n *= d;
    return n;
}

bool hasExternalData(const onnx::TensorProto& tensor)
{
    return tensor.data_location() == onnx::TensorProto_DataLocation_EXTERNAL;
}

std::optional<std::vector<int64_t>> readInts(const onnx::TensorProto& t)
{
    if (hasExternalData(t))
        return std::nullopt;
    for (int64_t d : t.dims())
        if (d < 0)
            return std::nullopt;
    const int64_t n = elementCount(t);
    const bool raw = t.has_raw_data();
    if (raw) {  // core/TensorData decodes every integer type from raw bytes
        const int32_t type = t.data_type();
        if (!isIntegerType(type) || type == onnx::TensorProto_DataType_UINT64 ||
            static_cast<int64_t>(t.raw_data().size()) != n * elementSize(type))
            return std::nullopt;
        return decodeInts(t.raw_data(), type);
    }
    std::vector<int64_t> out;
    switch (t.data_type()) {
    case onnx::TensorProto_DataType_INT64:
        out.assign(t.int64_data().begin(), t.int64_data().end());
        break;
    case onnx::TensorProto_DataType_INT32:
        out.assign(t.int32_data().begin(), t.int32_data().end());
        break;
    case onnx::TensorProto_DataType_INT16:
        out.assign(t.int32_data().begin(), t.int32_data().end());
        break;
    case onnx::TensorProto_DataType_INT8:
        out.assign(t.int32_data().begin(), t.int32_data().end());
        break;
    case onnx::TensorProto_DataType_UINT8:
    case onnx::TensorProto_DataType_BOOL:
        out.assign(t.int32_data().begin(), t.int32_data().end());
        break;
    case onnx::TensorProto_DataType_UINT16:
        out.assign(t.int32_data().begin(), t.int32_data().end());
        break;
    case onnx::TensorProto_DataType_UINT32:
        out.assign(t.uint64_data().begin(), t.uint64_data().end());
        break;
    default:
        return std::nullopt;
    }
    if (static_cast<int64_t>(out.size()) != n)
        return std::nullopt;
    return out;
}

std::optional<std::vector<float>> readFloats(const onnx::TensorProto& t)
{
    if (hasExternalData(t))
        return std::nullopt;
    for (int64_t d : t.dims())
        if (d < 0)
            return std::nullopt;
    const int64_t n = elementCount(t);
    const bool raw = t.has_raw_data();
    std::vector<float> out;
    switch (t.data_type()) {
    case onnx::TensorProto_DataType_FLOAT:
        if (raw)
            return rawValues<float>(t, n);
        out.assign(t.float_data().begin(), t.float_data().end());
        break;
    case onnx::TensorProto_DataType_DOUBLE: {
        std::vector<double> d;
        if (raw) {
            auto r = rawValues<double>(t, n);
            if (!r)
                return std::nullopt;
            d = std::move(*r);
        } else {
            d.assign(t.double_data().begin(), t.double_data().end());
        }
        out.reserve(d.size());
        for (double x : d)
            out.push_back(static_cast<float>(x));
        break;
    }
    case onnx::TensorProto_DataType_FLOAT16: {
        std::vector<uint16_t> h;
        if (raw) {
            auto r = rawValues<uint16_t>(t, n);
            if (!r)
                return std::nullopt;
            h = std::move(*r);
        } else {
            for (int32_t x : t.int32_data())
                h.push_back(static_cast<uint16_t>(x));
        }
        out.reserve(h.size());
        for (uint16_t x : h)
            out.push_back(halfToFloat(x));
        break;
    }
    default:
        return std::nullopt;
    }
    if (static_cast<int64_t>(out.size()) != n)
        return std::nullopt;
    return out;
}

onnx::TensorProto makeIntTensor(
    const std::string& name, const std::vector<int64_t>& dims, const std::vector<int64_t>& values)
{
    onnx::TensorProto t;
    t.set_name(name);
    t.set_data_type(onnx::TensorProto_DataType_INT64);
    for (int64_t d : dims)
        t.add_dims(d);
    t.set_raw_data(std::string(reinterpret_cast<const char*>(values.data()), values.size() * sizeof(int64_t)));
    return t;
}

onnx::TensorProto makeFloatTensor(
    const std::string& name, const std::vector<int64_t>& dims, const std::vector<float>& values)
{
    onnx::TensorProto t;
    t.set_name(name);
    t.set_data_type(onnx::TensorProto_DataType_FLOAT);
    for (int64_t d : dims)
        t.add_dims(d);
    t.set_raw_data(std::string(reinterpret_cast<const char*>(values.data()), values.size() * sizeof(float)));
    return t;
}

NameAllocator::NameAllocator(const onnx::GraphProto& graph)
{
    collectNames(graph, m_used);
}

std::string NameAllocator::fresh(const std::string& base)
{
    std::string candidate = base;
    for (int i = 1; m_used.contains(candidate); ++i)
        candidate = base + "_" + std::to_string(i);
    m_used.insert(candidate);
    return candidate;
}

} // namespace topiary
