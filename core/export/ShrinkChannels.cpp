#include "core/export/ShrinkChannels.h"

#include "core/model/DependencyGroups.h"
#include "core/model/Layer.h"
#include "core/model/Model.h"
#include "core/compress/PruneSelection.h"
#include "core/model/TensorInfo.h"
#include "core/model/GraphEdit.h"

#include <algorithm>
#include <compare>
#include <set>
#include <unordered_map>
#include <unordered_set>

namespace topiary {

namespace {

// What one node needs done to one constant it reads. Two nodes that need the same edit
// of a shared constant can keep sharing it; different edits need different copies.
struct Edit {
    std::map<int, std::set<int64_t>> cuts; // axis -> indices to remove (original indexing)
    std::map<int64_t, int64_t> entries; // element -> new value (literal counts in Reshape shapes)

    auto operator<=>(const Edit&) const = default;
};

std::string nodeText(const onnx::NodeProto& n)
{
    const std::string& name = n.name().empty() ? (n.output_size() ? n.output(0) : std::string("?")) : n.name();
    return n.op_type() + " '" + name + "'";
}

// The graph being edited, indexed: which node makes and which nodes read each value, and
// where each constant lives. Node indices are positions in graph.node(), which this pass
// never reorders.
class GraphIndex {
public:
    explicit GraphIndex(onnx::GraphProto& graph)
        : m_graph(graph)
    {
        for (int i = 0; i < graph.initializer_size(); ++i)
            m_initializers.emplace(graph.initializer(i).name(), i);
        for (int i = 0; i < graph.node_size(); ++i) {
            const auto& n = graph.node(i);
            for (const auto& out : n.output())
                if (!out.empty())
                    m_producer.emplace(out, i);
            for (const auto& in : n.input())
                if (!in.empty())
                    m_consumers[in].push_back(i);
            for (const auto& a : n.attribute()) {
                if (a.has_g())
                    collectUses(a.g());
                for (const auto& g : a.graphs())
                    collectUses(g);
            }
        }
        for (const auto& o : graph.output())
            m_external.insert(o.name());
    }

    int producer(const std::string& value) const
    {
        auto it = m_producer.find(value);
        return it == m_producer.end() ? -1 : it->second;
    }

    bool isInitializer(const std::string& name) const { return m_initializers.contains(name); }

    bool isConstant(const std::string& name) const
    {
        if (isInitializer(name))
            return true;
        const int p = producer(name);
        return p >= 0 && m_graph.node(p).op_type() == "Constant";
    }

    // The constant a value is, looking through Identity nodes; "" when it is not one.
    std::string resolve(std::string name) const
    {
        for (int guard = 0; guard < 1000 && !name.empty(); ++guard) {
            if (isInitializer(name))
                return name;
            const int p = producer(name);
            if (p < 0)
                return "";
            const auto& n = m_graph.node(p);
            if (n.op_type() == "Constant")
                return name;
            if (n.op_type() != "Identity" || n.input_size() < 1)
                return "";
            name = n.input(0);
        }
        return "";
    }

    // Nodes (other than Identity) that read a constant, directly or through Identity
    // nodes; `external` when it is also a graph output or used inside a subgraph.
    struct Readers {
        std::set<int> nodes;
        bool external = false;
    };
    Readers readers(const std::string& tensor) const
    {
        Readers r;
        std::vector<std::string> pending { tensor };
        std::unordered_set<std::string> seen;
        while (!pending.empty()) {
            const std::string t = pending.back();
            pending.pop_back();
            if (!seen.insert(t).second)
                continue;
            if (m_external.contains(t))
                r.external = true;
            auto it = m_consumers.find(t);
            if (it == m_consumers.end())
                continue;
            for (int c : it->second) {
                const auto& n = m_graph.node(c);
                if (n.op_type() == "Identity" && n.output_size() == 1)
                    pending.push_back(n.output(0));
                else
                    r.nodes.insert(c);
            }
        }
        return r;
    }

    // The TensorProto holding a constant's value: an initializer, or a Constant node's
    // `value` (value_float(s)/value_int(s) are turned into one first).
    onnx::TensorProto* mutableTensor(const std::string& name)
    {
        if (auto it = m_initializers.find(name); it != m_initializers.end())
            return m_graph.mutable_initializer(it->second);
        const int p = producer(name);
        if (p < 0 || m_graph.node(p).op_type() != "Constant")
            return nullptr;
        auto& n = *m_graph.mutable_node(p);
        onnx::TensorProto converted;
        bool haveConverted = false;
        for (auto& a : *n.mutable_attribute()) {
            if (a.name() == "value" && a.has_t())
                return a.mutable_t();
            if (a.name() == "value_floats") {
                converted.set_data_type(onnx::TensorProto_DataType_FLOAT);
                converted.add_dims(a.floats_size());
                converted.mutable_float_data()->CopyFrom(a.floats());
                haveConverted = true;
            } else if (a.name() == "value_ints") {
                converted.set_data_type(onnx::TensorProto_DataType_INT64);
                converted.add_dims(a.ints_size());
                converted.mutable_int64_data()->CopyFrom(a.ints());
                haveConverted = true;
            } else if (a.name() == "value_float") {
                converted.set_data_type(onnx::TensorProto_DataType_FLOAT);
                converted.add_float_data(a.f());
                haveConverted = true;
            } else if (a.name() == "value_int") {
                converted.set_data_type(onnx::TensorProto_DataType_INT64);
                converted.add_int64_data(a.i());
                haveConverted = true;
            }
        }
        if (!haveConverted)
            return nullptr;
        n.clear_attribute();
        auto* a = n.add_attribute();
        a->set_name("value");
        a->set_type(onnx::AttributeProto_AttributeType_TENSOR);
        *a->mutable_t() = std::move(converted);
        return a->mutable_t();
    }

    // A copy of a constant as a new initializer.
    Result<void> addCopy(const std::string& from, const std::string& name)
    {
        const onnx::TensorProto* source = mutableTensor(from);
        if (!source)
            return fail("constant '" + from + "' is not in the graph");
        onnx::TensorProto copy = *source;
        copy.set_name(name);
        *m_graph.add_initializer() = std::move(copy);
        m_initializers.emplace(name, m_graph.initializer_size() - 1);
        return {};
    }

private:
    void collectUses(const onnx::GraphProto& g)
    {
        for (const auto& n : g.node()) {
            for (const auto& in : n.input())
                m_external.insert(in);
            for (const auto& a : n.attribute()) {
                if (a.has_g())
                    collectUses(a.g());
                for (const auto& sub : a.graphs())
                    collectUses(sub);
            }
        }
    }

    onnx::GraphProto& m_graph;
    std::unordered_map<std::string, int> m_initializers;
    std::unordered_map<std::string, int> m_producer;
    std::unordered_map<std::string, std::vector<int>> m_consumers;
    std::unordered_set<std::string> m_external; // graph outputs and values subgraphs use
};

// Calls emit(first, count) for each run of elements (flat, row-major, in source order) a
// tensor of `dims` keeps when `cuts` leave their axes.
template <class Emit>
void forEachKeptRun(const std::vector<int64_t>& dims, const std::map<int, std::set<int64_t>>& cuts, Emit emit)
{
    const int rank = static_cast<int>(dims.size());
    const int last = cuts.rbegin()->first;
    std::vector<int64_t> stride(dims.size(), 1);
    for (int d = rank - 2; d >= 0; --d)
        stride[static_cast<size_t>(d)] = stride[static_cast<size_t>(d) + 1] * dims[static_cast<size_t>(d) + 1];
    // Kept indices of the axes before the last cut one; runs of consecutive kept indices on it.
    std::vector<std::vector<int64_t>> kept(static_cast<size_t>(last));
    for (int d = 0; d < last; ++d) {
        const auto it = cuts.find(d);
        for (int64_t i = 0; i < dims[static_cast<size_t>(d)]; ++i)
            if (it == cuts.end() || !it->second.contains(i))
                kept[static_cast<size_t>(d)].push_back(i);
        if (kept[static_cast<size_t>(d)].empty())
            return;
    }
    std::vector<std::pair<int64_t, int64_t>> runs;
    {
        const auto& removed = cuts.at(last);
        for (int64_t i = 0; i < dims[static_cast<size_t>(last)]; ++i) {
            if (removed.contains(i))
                continue;
            if (!runs.empty() && runs.back().first + runs.back().second == i)
                ++runs.back().second;
            else
                runs.emplace_back(i, 1);
        }
    }
    const int64_t inner = stride[static_cast<size_t>(last)];
    std::vector<size_t> pos(static_cast<size_t>(last), 0);
    while (true) {
        int64_t base = 0;
        for (int d = 0; d < last; ++d)
            base += kept[static_cast<size_t>(d)][pos[static_cast<size_t>(d)]] * stride[static_cast<size_t>(d)];
        for (const auto& [start, length] : runs)
            emit(base + start * inner, length * inner);
        int d = last - 1;
        for (; d >= 0; --d) {
            if (++pos[static_cast<size_t>(d)] < kept[static_cast<size_t>(d)].size())
                break;
            pos[static_cast<size_t>(d)] = 0;
        }
        if (d < 0)
            return;
    }
}

template <class Field>
Result<void> cutField(Field& field, int64_t count, int perElement, const std::vector<int64_t>& dims,
    const std::map<int, std::set<int64_t>>& cuts)
{
    if (static_cast<int64_t>(field.size()) != count * perElement)
        return fail("its data does not match its dims");
    Field out;
    forEachKeptRun(dims, cuts, [&](int64_t first, int64_t n) {
        for (int64_t i = first * perElement; i < (first + n) * perElement; ++i)
            out.Add(field.Get(static_cast<int>(i)));
    });
    field.Swap(&out);
    return {};
}

// Removes the indices of every axis in `cuts` from the tensor, keeping its element type
// and encoding (raw bytes or typed fields).
Result<void> cutTensor(onnx::TensorProto& t, const std::map<int, std::set<int64_t>>& cuts)
{
    if (cuts.empty())
        return {};
    if (hasExternalData(t))
        return fail("its data is stored externally (inline it first)");
    std::vector<int64_t> dims(t.dims().begin(), t.dims().end());
    int64_t count = 1;
    for (int64_t d : dims) {
        if (d < 0)
            return fail("it has a negative dimension");
        count *= d;
    }
    for (const auto& [axis, indices] : cuts) {
        if (axis < 0 || axis >= static_cast<int>(dims.size()))
            return fail("it has no axis " + std::to_string(axis));
        if (!indices.empty() && (*indices.begin() < 0 || *indices.rbegin() >= dims[static_cast<size_t>(axis)]))
            return fail("index " + std::to_string(*indices.rbegin()) + " is out of range on axis "
                + std::to_string(axis) + " (" + std::to_string(dims[static_cast<size_t>(axis)]) + " entries)");
        if (static_cast<int64_t>(indices.size()) >= dims[static_cast<size_t>(axis)])
            return fail("every entry of axis " + std::to_string(axis) + " would go");
    }

    if (t.has_raw_data()) {
        const int64_t size = elementSize(t.data_type());
        const std::string& raw = t.raw_data();
        if (size <= 0 || static_cast<int64_t>(raw.size()) != count * size)
            return fail("its raw data does not match its type and dims");
        std::string out;
        forEachKeptRun(dims, cuts, [&](int64_t first, int64_t n) {
            out.append(raw, static_cast<size_t>(first * size), static_cast<size_t>(n * size));
        });
        t.set_raw_data(std::move(out));
    } else {
        Result<void> r;
        switch (t.data_type()) {
        case onnx::TensorProto_DataType_FLOAT:
            r = cutField(*t.mutable_float_data(), count, 1, dims, cuts);
            break;
        case onnx::TensorProto_DataType_COMPLEX64:
            r = cutField(*t.mutable_float_data(), count, 2, dims, cuts);
            break;
        case onnx::TensorProto_DataType_DOUBLE:
            r = cutField(*t.mutable_double_data(), count, 1, dims, cuts);
            break;
        case onnx::TensorProto_DataType_COMPLEX128:
            r = cutField(*t.mutable_double_data(), count, 2, dims, cuts);
            break;
        case onnx::TensorProto_DataType_INT64:
            r = cutField(*t.mutable_int64_data(), count, 1, dims, cuts);
            break;
        case onnx::TensorProto_DataType_UINT32:
        case onnx::TensorProto_DataType_UINT64:
            r = cutField(*t.mutable_uint64_data(), count, 1, dims, cuts);
            break;
        case onnx::TensorProto_DataType_STRING:
        case onnx::TensorProto_DataType_UNDEFINED:
            return fail("its element type cannot be cut");
        default: // int32, int16, int8, uint8, uint16, bool, float16, bfloat16, float8
            r = cutField(*t.mutable_int32_data(), count, 1, dims, cuts);
            break;
        }
        if (!r)
            return r;
    }
    for (const auto& [axis, indices] : cuts)
        t.set_dims(axis, dims[static_cast<size_t>(axis)] - static_cast<int64_t>(indices.size()));
    return {};
}

// Rewrites single elements of an int64 tensor (the shape input of a Reshape).
Result<void> setEntries(onnx::TensorProto& t, const std::map<int64_t, int64_t>& entries)
{
    if (entries.empty())
        return {};
    if (t.data_type() != onnx::TensorProto_DataType_INT64)
        return fail("it is not an int64 tensor");
    auto values = readInts(t);
    if (!values)
        return fail("its values cannot be read");
    for (const auto& [index, value] : entries) {
        if (index < 0 || index >= static_cast<int64_t>(values->size()))
            return fail("it has no element " + std::to_string(index));
        (*values)[static_cast<size_t>(index)] = value;
    }
    t.clear_int64_data();
    t.clear_raw_data();
    t.set_raw_data(std::string(reinterpret_cast<const char*>(values->data()), values->size() * sizeof(int64_t)));
    return {};
}

void setIntAttr(onnx::NodeProto& node, const std::string& name, int64_t value)
{
    for (auto& a : *node.mutable_attribute())
        if (a.name() == name) {
            a.set_i(value);
            return;
        }
    auto* a = node.add_attribute();
    a->set_name(name);
    a->set_type(onnx::AttributeProto_AttributeType_INT);
    a->set_i(value);
}

void setShape(onnx::ValueInfoProto& vi, const onnx::TensorProto& t)
{
    auto* tt = vi.mutable_type()->mutable_tensor_type();
    tt->set_elem_type(t.data_type());
    auto* shape = tt->mutable_shape();
    shape->clear_dim();
    for (int64_t d : t.dims())
        shape->add_dim()->set_dim_value(d);
}

// A Reshape whose shape constant spells out the channel width of its input: where that
// entry is and what it becomes when `removed` of the input's channel-axis entries go.
// The analysis accepts two forms (see visitReshape): the channel axis and everything
// before it kept (N x C x H x W -> N x C x HW), or the channel axis and everything after
// it flattened (N x C x H x W -> N x CHW).
Result<std::pair<int64_t, int64_t>> reshapeEntry(const Model& model, int node, const std::vector<int64_t>& shape,
    int64_t width, int64_t stride, int64_t removed)
{
    const Node& n = model.node(node);
    const TensorInfo* in = model.tensor(n.inputs[0]);
    const TensorInfo* out = model.tensor(n.outputs[0]);
    if (!in || !out || !in->hasShape || !out->hasShape)
        return fail("the shapes around " + n.opType + " '" + n.name + "' are not known");
    const auto& s = in->shape;
    const auto& t = out->shape;
    std::vector<size_t> candidates;
    for (size_t a = 0; a < s.size() && a < shape.size(); ++a) {
        if (s[a] <= 0 || (width > 0 && s[a] != width) || shape[a] <= 0 || shape[a] % s[a] != 0)
            continue;
        const bool prefixKept = stride == 1 && t.size() > a && std::equal(s.begin(), s.begin() + static_cast<long>(a) + 1, t.begin());
        int64_t tail = 1;
        for (size_t d = a; d < s.size(); ++d)
            tail = s[d] > 0 && tail > 0 ? tail * s[d] : -1;
        const bool flattened = t.size() == a + 1 && std::equal(s.begin(), s.begin() + static_cast<long>(a), t.begin())
            && tail == t[a];
        if ((prefixKept || flattened) && shape[a] == t[a])
            candidates.push_back(a);
    }
    // Ambiguous only when several axes have the channel width; the channel axis of a
    // convolution's output is 1.
    if (candidates.size() > 1 && std::find(candidates.begin(), candidates.end(), size_t { 1 }) != candidates.end())
        candidates = { 1 };
    if (candidates.size() != 1)
        return fail("cannot tell which entry of the shape of " + n.opType + " '" + n.name + "' holds the channels");
    const size_t a = candidates.front();
    const int64_t perEntry = shape[a] / s[a];
    return std::pair { static_cast<int64_t>(a), shape[a] - removed * perEntry };
}

} // namespace

Result<ShrinkRecord> shrinkChannels(onnx::ModelProto& proto, const Model& model, const std::vector<Layer>& layers,
    const std::vector<DependencyGroup>& groups, const PruneSelection& selection)
{
    if (selection.groupChannels.size() > groups.size())
        return fail("the pruning selection has more groups than the model");
    auto& graph = *proto.mutable_graph();
    GraphIndex index(graph);

    // Model node -> node of the proto, by output names (the proto may have gained nodes).
    std::vector<int> protoNode(model.nodes().size(), -1);
    auto protoNodeOf = [&](int node) -> Result<int> {
        if (node < 0 || static_cast<size_t>(node) >= protoNode.size())
            return fail("a dependency group names node " + std::to_string(node) + ", which the model does not have");
        int& p = protoNode[static_cast<size_t>(node)];
        if (p < 0) {
            const Node& n = model.node(node);
            for (const auto& out : n.outputs)
                if (!out.empty() && (p = index.producer(out)) >= 0)
                    break;
            if (p < 0 || graph.node(p).op_type() != n.opType)
                return fail(n.opType + " '" + n.name + "' is not in the graph being shrunk");
        }
        return p;
    };

    // Everything each node loses, per constant it reads, accumulated over all groups.
    std::map<std::string, std::map<int, Edit>> edits;
    std::map<int, std::set<int64_t>> reshapeRemoved; // proto node -> removed input channel-axis entries
    std::map<int, std::pair<int, const GroupMember*>> reshapeSource; // proto node -> (model node, a member)
    std::map<int, int> depthwise; // proto node -> layer
    for (size_t g = 0; g < selection.groupChannels.size(); ++g) {
        const auto& channels = selection.groupChannels[g];
        if (channels.empty())
            continue;
        const DependencyGroup& group = groups[g];
        if (!group.prunable)
            return fail("channels of a group that cannot be pruned were selected (" + group.reason + ")");
        if (channels.front() < 0 || channels.back() >= group.channels
            || !std::is_sorted(channels.begin(), channels.end()))
            return fail("the pruned channels of a group are not sorted channel indices of that group");
        if (static_cast<int64_t>(channels.size()) >= group.channels)
            return fail("every channel of a group would be pruned");
        for (const GroupMember& m : group.members) {
            const std::vector<int64_t> removed = m.prunedIndices(channels);
            if (removed.empty())
                continue;
            auto p = protoNodeOf(m.node);
            if (!p)
                return std::unexpected(p.error());
            if (m.role == MemberRole::Reshape) {
                reshapeRemoved[*p].insert(removed.begin(), removed.end());
                reshapeSource.emplace(*p, std::pair { m.node, &m });
                continue;
            }
            if (m.role == MemberRole::Depthwise) {
                if (m.layer < 0 || static_cast<size_t>(m.layer) >= layers.size()
                    || !layers[static_cast<size_t>(m.layer)].isDepthwise())
                    return fail(nodeText(graph.node(*p)) + " is not a depthwise convolution");
                depthwise[*p] = m.layer;
            }
            for (const PrunedAxis& axis : m.axes) {
                if (!index.isConstant(axis.tensor))
                    return fail("'" + axis.tensor + "' (read by " + nodeText(graph.node(*p)) + ") is not a constant");
                edits[axis.tensor][*p].cuts[axis.axis].insert(removed.begin(), removed.end());
            }
        }
    }

    // Reshape shapes: the literal channel width shrinks with the channels.
    for (const auto& [p, removed] : reshapeRemoved) {
        const auto& node = graph.node(p);
        const std::string shapeName = node.input_size() > 1 ? index.resolve(node.input(1)) : std::string();
        const onnx::TensorProto* shapeTensor = shapeName.empty() ? nullptr : index.mutableTensor(shapeName);
        const auto shape = shapeTensor ? readInts(*shapeTensor) : std::nullopt;
        if (!shape)
            return fail(nodeText(node) + " has a shape that is not a constant");
        const auto [modelNode, member] = reshapeSource.at(p);
        // The input's channel-axis width: the group tensor that is this Reshape's input.
        int64_t width = -1;
        for (const auto& group : groups)
            for (const auto& t : group.tensors)
                if (t.tensor == model.node(modelNode).inputs[0])
                    width = t.channels * member->stride;
        auto entry = reshapeEntry(model, modelNode, *shape, width, member->stride, static_cast<int64_t>(removed.size()));
        if (!entry)
            return std::unexpected(entry.error());
        edits[shapeName][p].entries[entry->first] = entry->second;
    }

    // Constants several nodes read (or read with different edits) get private copies.
    NameAllocator names(graph);
    std::vector<std::pair<std::string, Edit>> work;
    for (auto& [tensor, perNode] : edits) {
        const auto readers = index.readers(tensor);
        for (const auto& [p, edit] : perNode)
            if (!readers.nodes.contains(p))
                return fail(nodeText(graph.node(p)) + " does not read '" + tensor + "'");
        const bool othersRead = readers.external
            || std::any_of(readers.nodes.begin(), readers.nodes.end(), [&](int r) { return !perNode.contains(r); });
        // Nodes that need the same edit share one tensor; classes in order of their first node.
        std::vector<std::pair<const Edit*, std::vector<int>>> classes;
        for (const auto& [p, edit] : perNode) {
            auto it = std::find_if(classes.begin(), classes.end(), [&](const auto& c) { return *c.first == edit; });
            if (it == classes.end())
                classes.emplace_back(&edit, std::vector<int> { p });
            else
                it->second.push_back(p);
        }
        for (size_t c = 0; c < classes.size(); ++c) {
            const auto& [edit, nodes] = classes[c];
            if (c == 0 && !othersRead) {
                work.emplace_back(tensor, *edit);
                continue;
            }
            const auto& first = graph.node(nodes.front());
            const std::string copy
                = names.fresh(tensor + "_" + (first.name().empty() ? first.output(0) : first.name()));
            if (auto r = index.addCopy(tensor, copy); !r)
                return std::unexpected(r.error());
            for (int p : nodes)
                for (auto& in : *graph.mutable_node(p)->mutable_input())
                    if (!in.empty() && index.resolve(in) == tensor)
                        in = copy;
            if (proto.ir_version() < 4) { // initializers must be graph inputs too
                auto* vi = graph.add_input();
                vi->set_name(copy);
            }
            work.emplace_back(copy, *edit);
        }
    }

    ShrinkRecord record;
    for (const auto& [tensor, edit] : work) {
        onnx::TensorProto* t = index.mutableTensor(tensor);
        if (!t)
            return fail("constant '" + tensor + "' is not in the graph");
        if (auto r = setEntries(*t, edit.entries); !r)
            return std::unexpected(r.error().withContext("cannot rewrite '" + tensor + "'"));
        if (auto r = cutTensor(*t, edit.cuts); !r)
            return std::unexpected(r.error().withContext("cannot shrink '" + tensor + "'"));
        for (const auto& [axis, indices] : edit.cuts)
            record[tensor].push_back(RemovedIndices { axis, { indices.begin(), indices.end() } });
    }

    // Depthwise convolutions: one group per remaining channel.
    for (const auto& [p, layer] : depthwise) {
        auto& node = *graph.mutable_node(p);
        const std::string weight = node.input_size() > 1 ? index.resolve(node.input(1)) : std::string();
        const onnx::TensorProto* w = weight.empty() ? nullptr : index.mutableTensor(weight);
        if (!w || w->dims_size() < 1)
            return fail(nodeText(node) + " has no weight to count its groups by");
        setIntAttr(node, "group", w->dims(0));
    }

    // Shapes recorded before shrinking are stale: shape inference recomputes them.
    graph.clear_value_info();
    // Initializers listed as graph inputs (IR < 4, or overridable constants) state their shapes.
    for (auto& in : *graph.mutable_input())
        if (index.isInitializer(in.name()))
            if (const onnx::TensorProto* t = index.mutableTensor(in.name()))
                setShape(in, *t);
    // Groups that feed graph outputs are not prunable, so an output never loses channels;
    // if one does anyway, its declared dims become unknown rather than stay wrong (the
    // checker wants the shape field itself on graph outputs).
    for (size_t g = 0; g < selection.groupChannels.size(); ++g) {
        const auto& channels = selection.groupChannels[g];
        if (channels.empty())
            continue;
        for (const auto& t : groups[g].tensors) {
            const bool loses = std::any_of(channels.begin(), channels.end(),
                [&](int64_t k) { return k >= t.groupBegin && k < t.groupBegin + t.count; });
            if (!loses)
                continue;
            for (auto& out : *graph.mutable_output())
                if (out.name() == t.tensor && out.type().tensor_type().has_shape())
                    for (auto& dim : *out.mutable_type()->mutable_tensor_type()->mutable_shape()->mutable_dim())
                        if (dim.has_dim_value() && dim.dim_value() == t.channels)
                            dim.clear_dim_value();
        }
    }
    return record;
}

} // namespace topiary
