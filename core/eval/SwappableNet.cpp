#include "core/eval/SwappableNet.h"

#include "core/eval/DepthwiseConvLayer.h"
#include "core/eval/OneDnnConvLayer.h"
#include "core/model/GraphEdit.h"
#include "core/passes/OpenCvCanonicalizer.h"

#include <cstring>
#include <exception>
#include <functional>
#include <string_view>

namespace topiary {

namespace {

// Everything but initializer values: two models with the same structure import into nets
// with the same layers, connections and blob shapes.
std::string structureOf(const onnx::ModelProto& model)
{
    std::string s;
    for (const auto& node : model.graph().node()) {
        onnx::NodeProto n = node;
        n.clear_name(); // apply() names nameless layer nodes
        n.clear_doc_string();
        s += n.SerializeAsString();
    }
    for (const auto& in : model.graph().input())
        s += in.SerializeAsString();
    for (const auto& out : model.graph().output())
        s += out.SerializeAsString();
    for (const auto& t : model.graph().initializer()) {
        s += t.name();
        s += '\0';
        s += std::to_string(t.data_type());
        for (int64_t d : t.dims())
            s += ',' + std::to_string(d);
        s += ';';
    }
    return s;
}

// The values of an initializer as bytes, independent of how the proto encodes them
// (apply() rewrites the tensors it edits as raw data).
std::string valueBytes(const onnx::TensorProto& t)
{
    if (auto f = readFloats(t))
        return std::string(reinterpret_cast<const char*>(f->data()), f->size() * sizeof(float));
    if (auto i = readInts(t))
        return std::string(reinterpret_cast<const char*>(i->data()), i->size() * sizeof(int64_t));
    onnx::TensorProto copy = t;
    copy.clear_name();
    copy.clear_doc_string();
    return copy.SerializeAsString();
}

// The blob's elements in order equal the values (a dense layer's blob may be a padded view).
bool blobEquals(const cv::Mat& blob, const std::vector<float>& values)
{
    if (blob.depth() != CV_32F || blob.total() != values.size())
        return false;
    if (blob.isContinuous())
        return std::memcmp(blob.ptr<float>(), values.data(), values.size() * sizeof(float)) == 0;
    if (blob.dims != 2)
        return false;
    for (int r = 0; r < blob.rows; ++r)
        if (std::memcmp(blob.ptr<float>(r), values.data() + static_cast<size_t>(r) * blob.cols, blob.cols * sizeof(float)) != 0)
            return false;
    return true;
}

} // namespace

Result<SwappableNet> SwappableNet::create(const onnx::ModelProto& model)
try {
    auto canonical = canonicalizeForOpenCv(model);
    if (!canonical)
        return std::unexpected(canonical.error());
    auto net = OpenCvNet::createWithoutCanonicalizing(*canonical);
    if (!net)
        return std::unexpected(net.error());
    SwappableNet swappable(std::move(*net));
    swappable.m_structure = std::hash<std::string> {}(structureOf(model));
    if (auto ok = swappable.findSlots(model, *canonical); !ok)
        return std::unexpected(ok.error());
    return swappable;
} catch (const cv::Exception& e) {
    return std::unexpected(openCvError(e, "OpenCV cannot import the model"));
} catch (const std::exception& e) {
    return fail(std::string("preparing the model for OpenCV: ") + e.what());
}

Result<void> SwappableNet::findSlots(const onnx::ModelProto& model, const onnx::ModelProto& canonical)
{
    // Candidates: float weights and biases of Conv, Gemm and MatMul nodes that canonicalization
    // passes through with the same values.
    std::map<std::string, const onnx::TensorProto*> canonicalInit;
    for (const auto& t : canonical.graph().initializer())
        canonicalInit[t.name()] = &t;
    std::set<std::string> read;
    for (const auto& node : canonical.graph().node())
        if (node.op_type() == "Conv" || node.op_type() == "Gemm" || node.op_type() == "MatMul")
            for (int i = 1; i < node.input_size(); ++i)
                read.insert(node.input(i));
    std::map<std::string, std::vector<float>> candidates;
    for (const auto& t : model.graph().initializer()) {
        auto it = canonicalInit.find(t.name());
        if (!read.contains(t.name()) || it == canonicalInit.end()
            || t.data_type() != onnx::TensorProto_DataType_FLOAT || valueBytes(t) != valueBytes(*it->second)) {
            m_fixed[t.name()] = std::hash<std::string> {}(valueBytes(t));
            continue;
        }
        auto floats = readFloats(t);
        if (floats)
            candidates[t.name()] = std::move(*floats);
    }

    // Each candidate must equal exactly one blob of one layer whose forward pass reads
    // the blob again when the net is set up: a Convolution's weights and bias (finalize()
    // derives its working copy from them; DepthwiseConvLayer's and OneDnnConvLayer's do too). An InnerProduct
    // keeps the weight blob it reads only when the rows need no padding to OpenCV's vector
    // width (8 floats): otherwise OpenCV 4.6 computes from a padded copy made once, and a
    // MatMul's operand is stored transposed into such a copy; those, and its bias, are
    // rebuilt instead.
    std::map<std::string, std::vector<Slot>> found;
    cv::dnn::Net& net = m_net.openCv();
    for (const auto& name : net.getLayerNames()) {
        const int id = net.getLayerId(name);
        cv::Ptr<cv::dnn::Layer> layer = net.getLayer(id);
        if (!layer)
            continue;
        const bool conv = layer->type == "Convolution" || layer->type == depthwiseConvLayerType
            || layer->type == oneDnnConvLayerType;
        const bool dense = layer->type == "InnerProduct";
        for (size_t b = 0; b < layer->blobs.size(); ++b) {
            const cv::Mat& blob = layer->blobs[b];
            const bool writable = conv ? b < 2 : dense && b == 0 && blob.dims == 2 && blob.size[1] % 8 == 0;
            for (const auto& [init, values] : candidates)
                if (blobEquals(blob, values))
                    found[init].push_back({ writable ? blob : cv::Mat(), values });
        }
    }
    for (auto& [init, values] : candidates) {
        auto it = found.find(init);
        if (it != found.end() && it->second.size() == 1 && !it->second.front().blob.empty())
            m_slots.emplace(init, std::move(it->second.front()));
        else // no blob, one not read again, or several (shared or equal contents)
            m_fixed[init] = std::hash<std::string> {}(
                std::string(reinterpret_cast<const char*>(values.data()), values.size() * sizeof(float)));
    }
    return {};
}

std::vector<std::string> SwappableNet::swappable() const
{
    std::vector<std::string> names;
    for (const auto& [name, slot] : m_slots)
        names.push_back(name);
    return names;
}

void SwappableNet::write(Slot& slot, const std::vector<float>& values)
{
    if (slot.blob.isContinuous()) {
        std::memcpy(slot.blob.ptr<float>(), values.data(), values.size() * sizeof(float));
        return;
    }
    for (int r = 0; r < slot.blob.rows; ++r)
        std::memcpy(slot.blob.ptr<float>(r), values.data() + static_cast<size_t>(r) * slot.blob.cols,
            slot.blob.cols * sizeof(float));
}

Result<bool> SwappableNet::swapTo(const onnx::ModelProto& variant)
try {
    if (std::hash<std::string> {}(structureOf(variant)) != m_structure)
        return false;
    std::map<std::string, std::vector<float>> changes;
    for (const auto& t : variant.graph().initializer()) {
        auto slot = m_slots.find(t.name());
        if (slot == m_slots.end()) {
            auto fixed = m_fixed.find(t.name());
            if (fixed == m_fixed.end() || fixed->second != std::hash<std::string> {}(valueBytes(t)))
                return false;
            continue;
        }
        auto values = readFloats(t);
        if (!values || values->size() != slot->second.original.size())
            return false;
        if (*values != slot->second.original || m_changed.contains(t.name()))
            changes.emplace(t.name(), std::move(*values));
    }
    if (changes.empty())
        return true;
    for (auto& [name, values] : changes) {
        Slot& slot = m_slots.at(name);
        write(slot, values);
        if (values == slot.original)
            m_changed.erase(name);
        else
            m_changed.insert(name);
    }
    // OpenCV derives each layer's working weights (aligned, BatchNorm folded in) from its
    // blobs when it sets the net up; toggling fusion makes the next forward do that again.
    m_net.openCv().enableFusion(false);
    m_net.openCv().enableFusion(true);
    return true;
} catch (const cv::Exception& e) {
    return std::unexpected(openCvError(e, "OpenCV failed to take the new weights"));
}

} // namespace topiary
