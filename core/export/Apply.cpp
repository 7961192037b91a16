#include "core/export/Apply.h"

#include "core/export/ActivationQdq.h"
#include "core/export/ApplyControl.h"
#include "core/export/FoldBatchNorm.h"

#include "core/model/DependencyGroups.h"
#include "core/compress/Importance.h"
#include "core/model/Layer.h"
#include "core/compress/LowRank.h"
#include "core/export/LowRankSplit.h"
#include "core/model/Model.h"
#include "core/plan/Plan.h"
#include "core/compress/PruneSelection.h"
#include "core/compress/Quantizer.h"
#include "core/plan/Recipe.h"
#include "core/export/ShrinkChannels.h"
#include "core/model/TensorData.h"
#include "core/export/WeightStorage.h"
#include "core/model/GraphEdit.h"
#include "core/model/NodeAttributes.h"

#include <algorithm>
#include <cmath>
#include <set>

namespace topiary {

namespace {

// A constant tensor of the graph being edited: an initializer or a Constant node's value.
onnx::TensorProto* mutableTensor(onnx::GraphProto& graph, const std::string& name)
{
    if (auto* t = findInitializer(graph, name))
        return t;
    for (auto& n : *graph.mutable_node()) {
        if (n.op_type() != "Constant" || n.output_size() != 1 || n.output(0) != name)
            continue;
        for (auto& a : *n.mutable_attribute())
            if (a.name() == "value" && a.has_t())
                return a.mutable_t();
    }
    return nullptr;
}

void clearData(onnx::TensorProto& t)
{
    t.clear_float_data();
    t.clear_double_data();
    t.clear_int32_data();
    t.clear_int64_data();
    t.clear_uint64_data();
    t.clear_external_data();
    t.clear_data_location();
}

// Stores values in the tensor's own element type, as raw data.
void setFloats(onnx::TensorProto& t, std::span<const float> values)
{
    clearData(t);
    t.set_raw_data(encodeFloats(values, t.data_type()));
}

// The exported file lives elsewhere: external data is read now and written inline.
Result<void> inlineExternalData(onnx::GraphProto& graph, const Model& model)
{
    auto inlineOne = [&](onnx::TensorProto& t, const std::string& name) -> Result<void> {
        if (t.data_location() != onnx::TensorProto_DataLocation_EXTERNAL)
            return {};
        const Constant* c = model.constant(name);
        if (!c)
            return fail("tensor '" + name + "' keeps external data the model index did not read");
        std::string raw = !c->floats.empty() ? encodeFloats(c->floats, t.data_type()) : encodeInts(c->ints, t.data_type());
        if (raw.empty() && c->info.numElements().value_or(1) != 0)
            return fail("tensor '" + name + "' keeps external data of a type export cannot write inline");
        clearData(t);
        t.set_raw_data(std::move(raw));
        return {};
    };
    for (auto& t : *graph.mutable_initializer())
        if (auto r = inlineOne(t, t.name()); !r)
            return r;
    for (auto& n : *graph.mutable_node())
        if (n.op_type() == "Constant" && n.output_size() == 1)
            for (auto& a : *n.mutable_attribute())
                if (a.name() == "value" && a.has_t())
                    if (auto r = inlineOne(*a.mutable_t(), n.output(0)); !r)
                        return r;
    return {};
}

// Nodes that read a constant, looking through Identity chains.
std::set<int> readersOf(const Model& model, const std::string& tensor)
{
    std::set<int> readers;
    std::vector<std::string> pending { tensor };
    while (!pending.empty()) {
        const std::string t = pending.back();
        pending.pop_back();
        for (int c : model.consumers(t)) {
            const Node& n = model.node(c);
            if (n.opType == "Identity" && !n.outputs.empty())
                pending.push_back(n.outputs[0]);
            else
                readers.insert(c);
        }
    }
    return readers;
}

// Calls visit(first element, count) for each contiguous run of a row-major tensor that
// lies at one of `indices` along `axis`; stops early when visit returns false.
template <class T, class Visit>
bool forEachAlongAxis(std::span<T> values, std::span<const int64_t> dims, int axis, std::span<const int64_t> indices,
    Visit visit)
{
    if (axis < 0 || static_cast<size_t>(axis) >= dims.size())
        return true;
    int64_t inner = 1;
    for (size_t d = static_cast<size_t>(axis) + 1; d < dims.size(); ++d)
        inner *= dims[d];
    const int64_t extent = dims[static_cast<size_t>(axis)];
    const auto outer = static_cast<int64_t>(values.size()) / std::max<int64_t>(1, extent * inner);
    for (int64_t o = 0; o < outer; ++o)
        for (int64_t i : indices)
            if (i >= 0 && i < extent && !visit(values.data() + (o * extent + i) * inner, inner))
                return false;
    return true;
}

void zeroAlongAxis(std::vector<float>& values, std::span<const int64_t> dims, int axis, std::span<const int64_t> indices)
{
    forEachAlongAxis(std::span<float>(values), dims, axis, indices, [](float* p, int64_t n) {
        std::fill(p, p + n, 0.0f);
        return true;
    });
}

// True when every entry at these indices along the axis is already zero (exporters share
// one zero bias between layers: zeroing it again needs no private copy).
bool zeroAlready(std::span<const float> values, std::span<const int64_t> dims, int axis, std::span<const int64_t> indices)
{
    return forEachAlongAxis(values, dims, axis, indices,
        [](const float* p, int64_t n) { return std::all_of(p, p + n, [](float v) { return v == 0.0f; }); });
}

// Float copies of the constants being edited, written back into the proto at the end.
class ConstantEdits {
public:
    ConstantEdits(const Model& model, onnx::GraphProto& graph, const ConstantValues* replaced)
        : m_model(model)
        , m_graph(graph)
        , m_names(graph)
        , m_replaced(replaced)
    {
    }

    // The values a tensor starts from: the replacement when there is one.
    std::span<const float> source(const std::string& tensor) const
    {
        if (m_replaced)
            if (auto it = m_replaced->find(tensor); it != m_replaced->end())
                return it->second;
        const Constant* c = m_model.constant(tensor);
        return c ? c->floats : std::span<const float>();
    }

    // The values of `tensor` as this node will read them. When other nodes read the same
    // tensor too, the node gets a private copy (so zeroing it leaves them alone).
    Result<std::vector<float>*> forNode(int node, const std::string& tensor)
    {
        std::string target = tensor;
        if (readersOf(m_model, tensor).size() > 1) {
            auto key = std::make_pair(node, tensor);
            auto it = m_privateCopies.find(key);
            if (it == m_privateCopies.end()) {
                const std::string copy = m_names.fresh(tensor + "_" + m_model.node(node).name);
                auto* source = mutableTensor(m_graph, tensor);
                if (!source)
                    return fail("constant '" + tensor + "' is not in the graph");
                onnx::TensorProto t = *source;
                t.set_name(copy);
                *m_graph.add_initializer() = std::move(t);
                auto& np = *m_graph.mutable_node(m_model.node(node).protoIndex);
                for (auto& in : *np.mutable_input())
                    if (m_model.resolveConstantName(in) == tensor)
                        in = copy;
                it = m_privateCopies.emplace(key, copy).first;
            }
            target = it->second;
            if (!m_values.contains(target))
                if (auto r = load(target, tensor); !r)
                    return std::unexpected(r.error());
        }
        return values(target);
    }

    // The values of a tensor that only its layer reads (a layer's weight).
    Result<std::vector<float>*> values(const std::string& tensor)
    {
        if (!m_values.contains(tensor))
            if (auto r = load(tensor, tensor); !r)
                return std::unexpected(r.error());
        return &m_values[tensor];
    }

    const std::vector<int64_t>& dims(const std::string& tensor) const { return m_dims.at(tensor); }

    Result<void> flush()
    {
        for (auto& [name, v] : m_values) {
            auto* t = mutableTensor(m_graph, name);
            if (!t)
                return fail("constant '" + name + "' is not in the graph");
            setFloats(*t, v);
        }
        return {};
    }

private:
    Result<void> load(const std::string& name, const std::string& source)
    {
        const Constant* c = m_model.constant(source);
        if (!c || !c->proto)
            return fail("'" + source + "' is not a constant tensor export can edit");
        if (c->floats.empty() && c->info.numElements().value_or(1) != 0)
            return fail("'" + source + "' is not a float tensor");
        const std::span<const float> start = this->source(source);
        if (start.size() != c->floats.size())
            return fail("the replacement values of '" + source + "' have " + std::to_string(start.size())
                + " elements, the tensor " + std::to_string(c->floats.size()));
        m_values[name].assign(start.begin(), start.end());
        m_dims[name] = c->info.shape;
        m_dims[source] = c->info.shape; // callers name a private copy by its source
        return {};
    }

    const Model& m_model;
    onnx::GraphProto& m_graph;
    NameAllocator m_names;
    const ConstantValues* m_replaced;
    std::map<std::string, std::vector<float>> m_values;
    std::map<std::string, std::vector<int64_t>> m_dims;
    std::map<std::pair<int, std::string>, std::string> m_privateCopies;
};

std::string problemsText(const std::vector<PlanProblem>& problems)
{
    std::string s = "the plan does not fit this model:";
    for (size_t i = 0; i < problems.size() && i < 8; ++i)
        s += "\n  " + problems[i].layer + ": " + problems[i].message;
    if (problems.size() > 8)
        s += "\n  ... and " + std::to_string(problems.size() - 8) + " more";
    return s;
}

// Current dims of a tensor in the proto.
std::vector<int64_t> tensorDims(const onnx::TensorProto& t) { return { t.dims().begin(), t.dims().end() }; }

// A layer as it stands in the edited proto (shrinking changes its channel counts).
Layer currentLayer(const Layer& original, const std::vector<int64_t>& weightDims)
{
    Layer l = original;
    l.weightShape = weightDims;
    if (weightDims.size() >= 2) {
        const int64_t axis = outputChannelAxis(l);
        const int64_t other = axis == 0 ? 1 : 0;
        l.outChannels = weightDims[static_cast<size_t>(axis)] * (l.kind == LayerKind::ConvTranspose ? l.group : 1);
        l.inChannels = weightDims[static_cast<size_t>(other)] * (l.kind == LayerKind::Conv ? l.group : 1);
    }
    return l;
}

// Codes of values that already lie on a uniform grid (scales, zero points per channel).
QuantizedTensor regrid(std::span<const float> values, std::span<const int64_t> dims, const QuantizedTensor& q,
    std::span<const int64_t> removedChannels)
{
    QuantizedTensor out;
    out.scheme = QuantScheme::Uniform;
    out.bits = q.bits;
    out.channelAxis = q.channelAxis;
    out.qmin = q.qmin;
    out.qmax = q.qmax;
    out.values.assign(values.begin(), values.end());
    for (size_t c = 0; c < q.scales.size(); ++c) {
        if (std::binary_search(removedChannels.begin(), removedChannels.end(), static_cast<int64_t>(c)))
            continue;
        out.scales.push_back(q.scales[c]);
        out.zeroPoints.push_back(q.zeroPoints[c]);
    }
    int64_t inner = 1;
    int64_t extent = 1;
    if (q.channelAxis >= 0) {
        extent = dims[static_cast<size_t>(q.channelAxis)];
        for (size_t d = static_cast<size_t>(q.channelAxis) + 1; d < dims.size(); ++d)
            inner *= dims[d];
    }
    out.codes.resize(values.size());
    for (size_t i = 0; i < values.size(); ++i) {
        const size_t c = q.channelAxis >= 0 ? static_cast<size_t>((static_cast<int64_t>(i) / inner) % extent) : 0;
        const float s = out.scales[c];
        const double code = s > 0 ? std::nearbyint(values[i] / s) + out.zeroPoints[c] : out.zeroPoints[c];
        out.codes[i] = static_cast<int32_t>(std::clamp<double>(code, q.qmin, q.qmax));
    }
    return out;
}

} // namespace

namespace {

// The steps of one apply() run, reported and checked for a stop request as they are done.
class Steps {
public:
    Steps(const ApplyControl& control, size_t layers)
        : m_control(control)
        , m_total(static_cast<int>(2 * layers + 3))
    {
    }
    // False when the caller asked to stop.
    bool next()
    {
        ++m_done;
        if (m_control.progress)
            m_control.progress(m_done, m_total);
        return !m_control.stop.stop_requested();
    }

private:
    const ApplyControl& m_control;
    int m_total;
    int m_done = 0;
};

} // namespace

Result<AppliedModel> apply(const Model& model, const Plan& plan, const ApplyOptions& options,
    const PruneSelection* givenSelection)
{
    return apply(model, plan, options, givenSelection, ApplyControl {});
}

Result<AppliedModel> apply(const Model& model, const Plan& plan, const ApplyOptions& options,
    const PruneSelection* givenSelection, const ApplyControl& control)
{
    const std::vector<Layer> layers = findLayers(model);
    const std::vector<DependencyGroup> groups = findDependencyGroups(model, layers);
    Steps steps(control, layers.size());
    if (auto problems = validatePlan(plan, model, layers, &groups); !problems.empty())
        return fail(problemsText(problems));
    PruneSelection computed;
    if (!givenSelection) {
        auto s = selectPruned(model, layers, groups, plan, weightScorer(model, layers));
        if (!s)
            return std::unexpected(s.error());
        computed = std::move(*s);
        givenSelection = &computed;
    }
    const PruneSelection& selection = *givenSelection;
    if (!steps.next())
        return fail(kApplyStopped);

    AppliedModel out;
    out.proto = model.proto();
    auto& graph = *out.proto.mutable_graph();
    if (auto r = inlineExternalData(graph, model); !r)
        return std::unexpected(r.error());
    // Later passes find layer nodes by name: give nameless ones the index's name.
    for (const Layer& l : layers) {
        auto& np = *graph.mutable_node(model.node(l.node).protoIndex);
        if (np.name().empty())
            np.set_name(l.name);
    }

    ConstantEdits edits(model, graph, options.values);
    if (options.values)
        for (const auto& [name, values] : *options.values)
            if (auto v = edits.values(name); !v)
                return std::unexpected(v.error().withContext("replacing constants"));

    // Filter pruning: zero every pruned channel in every member's constants, so the
    // masked model computes exactly what the shrunk one does. Consumers lose their input
    // columns too, which makes the result independent of what flows in a pruned channel.
    // Shrinking removes these entries anyway; zeroing first keeps quantization scales
    // identical between the two exports. Elementwise constants are left alone (a zeroed
    // divisor would make NaN) and so are Reshape shapes.
    for (size_t g = 0; g < groups.size(); ++g) {
        const auto& channels = selection.groupChannels[g];
        if (channels.empty())
            continue;
        out.report.removedChannels += static_cast<int64_t>(channels.size());
        for (const auto& m : groups[g].members) {
            if (m.role == MemberRole::Elementwise || m.role == MemberRole::Reshape)
                continue;
            const std::vector<int64_t> indices = m.prunedIndices(channels);
            for (const auto& axis : m.axes) {
                // Shrinking cuts shared tensors itself; only private ones are zeroed here.
                if (options.shrink && readersOf(model, axis.tensor).size() > 1)
                    continue;
                if (const Constant* c = model.constant(axis.tensor); c && !c->floats.empty()
                    && zeroAlready(edits.source(axis.tensor), c->info.shape, axis.axis, indices))
                    continue;
                auto v = edits.forNode(m.node, axis.tensor);
                if (!v)
                    return std::unexpected(v.error());
                zeroAlongAxis(**v, edits.dims(axis.tensor), axis.axis, indices);
            }
        }
    }

    for (const auto& [layerIndex, mask] : selection.elementMasks) {
        const Layer& layer = layers[static_cast<size_t>(layerIndex)];
        auto v = edits.values(layer.weight);
        if (!v)
            return std::unexpected(v.error());
        if ((*v)->size() != mask.size())
            return fail("layer " + layer.name + ": the pruning mask does not match its weight");
        for (size_t i = 0; i < mask.size(); ++i)
            if (!mask[i])
                (**v)[i] = 0.0f;
    }

    // A BatchNormalization after a Conv whose activations and weights are quantized is
    // folded into the weights first, so the weights quantized are the ones that run and
    // the Conv can become a QLinearConv; the node goes after shrinking (FoldBatchNorm.h).
    std::vector<std::string> foldedNorms; // their outputs
    for (const Layer& layer : layers) {
        const LayerSpec& spec = plan.spec(layer.name);
        if (layer.kind != LayerKind::Conv || layer.batchNorm < 0 || !spec.act.quantized()
            || spec.quant.scheme != QuantScheme::Uniform || spec.lowRank.rank > 0)
            continue;
        const Node& bn = model.node(layer.batchNorm);
        if (bn.inputs.size() < 5 || bn.outputs.size() != 1 || bn.inputs[0] != layer.output)
            continue;
        std::vector<float>* params[4] = {};
        for (size_t k = 0; k < 4; ++k) {
            const std::string name = model.resolveConstantName(bn.inputs[k + 1]);
            if (!model.constant(name))
                break;
            auto v = edits.forNode(layer.batchNorm, name);
            if (!v)
                return std::unexpected(v.error().withContext(layer.name));
            params[k] = *v;
        }
        // One tensor read as two parameters (a shared zero mean and shift) cannot become
        // two different ones here: such a BatchNormalization stays, as do computed ones.
        if (!params[3] || std::set<std::vector<float>*>(params, params + 4).size() != 4)
            continue;
        std::vector<float> bias;
        if (!layer.bias.empty()) {
            auto b = edits.forNode(layer.node, layer.bias);
            if (!b)
                return std::unexpected(b.error().withContext(layer.name));
            bias = **b;
        }
        auto w = edits.values(layer.weight);
        if (!w)
            return std::unexpected(w.error().withContext(layer.name));
        const float epsilon = floatAttribute(model.proto().graph().node(bn.protoIndex), "epsilon", 1e-5f);
        if (auto r = foldIntoWeights(**w, bias, BatchNormValues { params[0], params[1], params[2], params[3], epsilon }); !r)
            return std::unexpected(r.error().withContext(layer.name));
        foldedNorms.push_back(bn.outputs[0]);
    }

    // Quantization of layers that are not factored (factored ones quantize their factors).
    std::map<int, QuantizedTensor> qdq;
    for (size_t li = 0; li < layers.size(); ++li) {
        if (!steps.next())
            return fail(kApplyStopped);
        const Layer& layer = layers[li];
        const LayerSpec& spec = plan.spec(layer.name);
        if (spec.quant.scheme == QuantScheme::Float32 || spec.lowRank.rank > 0)
            continue;
        auto v = edits.values(layer.weight);
        if (!v)
            return std::unexpected(v.error());
        auto q = quantize(**v, layer.weightShape, outputChannelAxis(layer), spec.quant);
        if (!q)
            return std::unexpected(q.error().withContext(layer.name));
        **v = q->values;
        ++out.report.quantizedLayers;
        // 8 or 7 bits: int8 codes with --int8-qdq (7 bits for x86 CPUs without VNNI, whose
        // u8s8 kernels saturate 16-bit pair sums of 8-bit weights), else their grid's scales
        // (the biases of 8-bit inputs are rounded to them as the int8 export's are).
        if (spec.quant.scheme == QuantScheme::Uniform && (spec.quant.bits == 8 || spec.quant.bits == 7))
            qdq.emplace(static_cast<int>(li), std::move(*q));
    }
    if (auto r = edits.flush(); !r)
        return std::unexpected(r.error());
    for (const auto& [li, mask] : selection.elementMasks)
        out.report.zeroedWeights += static_cast<int64_t>(std::count(mask.begin(), mask.end(), uint8_t { 0 }));
    for (size_t li = 0; li < layers.size(); ++li) {
        const auto filters = selection.prunedFilters(groups, static_cast<int>(li));
        if (filters.empty() || layers[li].outChannels <= 0)
            continue;
        int64_t weights = 1;
        for (int64_t d : layers[li].weightShape)
            weights *= d;
        out.report.zeroedWeights += weights / layers[li].outChannels * static_cast<int64_t>(filters.size());
    }

    std::vector<std::string> halfWeights; // float16 storage: the tensors to write as FLOAT16
    ShrinkRecord record;
    if (options.shrink) {
        auto r = shrinkChannels(out.proto, model, layers, groups, selection);
        if (!r)
            return std::unexpected(r.error());
        record = std::move(*r);
    }
    if (!steps.next())
        return fail(kApplyStopped);

    for (const Layer& layer : layers) {
        if (!steps.next())
            return fail(kApplyStopped);
        const LayerSpec& spec = plan.spec(layer.name);
        if (spec.lowRank.rank <= 0)
            continue;
        const auto* t = mutableTensor(graph, layer.weight);
        if (!t)
            return fail("layer " + layer.name + ": its weight is not in the graph");
        auto values = readFloats(*t);
        if (!values)
            return fail("layer " + layer.name + ": its weight is not a float tensor");
        const Layer current = currentLayer(layer, tensorDims(*t));
        auto matrix = filterMatrix(*values, current);
        if (!matrix)
            return std::unexpected(matrix.error().withContext(layer.name));
        auto factors = lowRank(*matrix, spec.lowRank.rank);
        if (!factors)
            return std::unexpected(factors.error().withContext(layer.name));
        if (spec.quant.scheme != QuantScheme::Float32) {
            const int64_t m = factors->rows, n = factors->cols, r = factors->rank;
            auto qa = quantize(factors->us, std::vector<int64_t> { m, r }, 0, spec.quant);
            auto qb = quantize(factors->vt, std::vector<int64_t> { r, n }, 0, spec.quant);
            if (!qa || !qb)
                return std::unexpected((qa ? qb.error() : qa.error()).withContext(layer.name));
            factors->us = std::move(qa->values);
            factors->vt = std::move(qb->values);
            ++out.report.quantizedLayers;
        }
        auto written = splitLowRank(out.proto, layer.name, *factors);
        if (!written)
            return std::unexpected(written.error().withContext(layer.name));
        if (options.float16 && spec.quant.scheme == QuantScheme::Float16) {
            halfWeights.push_back(written->first);
            halfWeights.push_back(written->second);
        }
        ++out.report.factoredLayers;
    }

    WeightScales weightScales; // weights stored as float on their grid
    for (const auto& [li, q] : qdq) {
        const Layer& layer = layers[static_cast<size_t>(li)];
        const auto* t = mutableTensor(graph, layer.weight);
        if (!t)
            return fail("layer " + layer.name + ": its weight is not in the graph");
        auto values = readFloats(*t);
        if (!values)
            return fail("layer " + layer.name + ": its weight is not a float tensor");
        std::vector<int64_t> removed;
        if (auto it = record.find(layer.weight); it != record.end() && q.channelAxis >= 0)
            for (const auto& r : it->second)
                if (r.axis == q.channelAxis)
                    removed.insert(removed.end(), r.indices.begin(), r.indices.end());
        std::sort(removed.begin(), removed.end());
        QuantizedTensor current = regrid(*values, tensorDims(*t), q, removed);
        if (!options.int8Qdq) {
            weightScales[layer.weight] = std::move(current.scales);
            continue;
        }
        if (auto r = insertWeightDequantize(out.proto, layer.weight, current); !r)
            return std::unexpected(r.error().withContext(layer.name));
        ++out.report.qdqWeights;
    }

    if (options.float16)
        for (const Layer& layer : layers)
            if (const LayerSpec& spec = plan.spec(layer.name); spec.quant.scheme == QuantScheme::Float16 && spec.lowRank.rank <= 0)
                halfWeights.push_back(layer.weight);
    std::set<std::string> halved;
    for (const std::string& tensor : halfWeights) {
        // Tied weights are written once; weights the source stores in 16 bits already stay.
        const auto* t = mutableTensor(graph, tensor);
        if (!halved.insert(tensor).second || (t && t->data_type() != onnx::TensorProto_DataType_FLOAT))
            continue;
        if (auto r = insertWeightCast(out.proto, tensor); !r)
            return std::unexpected(r.error());
        ++out.report.float16Weights;
    }

    if (auto r = removeFoldedBatchNorms(out.proto, foldedNorms); !r)
        return std::unexpected(r.error());
    if (!steps.next())
        return fail(kApplyStopped);
    // 8-bit activations: always as QDQ pairs, so every export computes what was evaluated.
    auto placement = placeActivations(out.proto.graph(), plan);
    if (!placement)
        return std::unexpected(placement.error());
    auto acts = insertActivationQdq(out.proto, *placement, plan.activationRanges(), weightScales);
    if (!acts)
        return std::unexpected(acts.error());
    out.report.qdqActivations = acts->pairs;
    auto* meta = out.proto.add_metadata_props();
    meta->set_key("topiary.recipe");
    meta->set_value(writeRecipe(Recipe { plan, model.path().filename().string(), {}, {} }));
    return out;
}

} // namespace topiary
