#include "core/model/Model.h"

#include "core/base/NodeText.h"
#include "core/model/ShapeInference.h"
#include "core/model/TensorData.h"
#include "core/model/StoredWeights.h"

#include <onnx/checker.h>

#include <google/protobuf/io/zero_copy_stream_impl.h>

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <fstream>
#include <queue>
#include <system_error>
#include <unordered_set>

namespace fs = std::filesystem;

namespace topiary {

struct Model::Impl {
    onnx::ModelProto proto;
    fs::path path;
    fs::path baseDir;
    int64_t fileBytes = 0;
    int64_t widenedBytes = 0;
    WidenedWeights widened;
    std::vector<std::string> warnings;

    std::vector<Node> nodes;
    std::unordered_map<std::string, int> nodeByName;
    std::vector<std::string> inputs;
    std::vector<std::string> outputs;
    std::unordered_set<std::string> outputSet;
    std::unordered_map<std::string, TensorInfo> tensors;
    std::unordered_map<std::string, Constant> constants;
    std::unordered_map<std::string, int> producers;
    std::unordered_map<std::string, std::vector<int>> consumers;
    std::vector<std::vector<float>> floatStorage;  // converted float data (fp16, double, external)
};

namespace {

// Checks dims of a tensor declared in the file: no negatives, no overflow, no absurd sizes.
Result<int64_t> checkedElementCount(const google::protobuf::RepeatedField<int64_t>& dims, const std::string& what,
                                    const LoadLimits& limits)
{
    int64_t n = 1;
    for (int64_t d : dims) {
        if (d < 0)
            return fail(what + " has a negative dimension (" + std::to_string(d) + ")");
        if (__builtin_mul_overflow(n, d, &n))
            return fail(what + " has dimensions whose product overflows 64 bits");
    }
    if (n > limits.maxTensorElements)
        return fail(what + " declares " + std::to_string(n) + " elements, more than the limit of " +
                    std::to_string(limits.maxTensorElements) + "; the file is corrupt or hostile");
    return n;
}

Result<void> checkValueInfoDims(const onnx::ValueInfoProto& vi, const std::string& role)
{
    if (!vi.type().has_tensor_type() || !vi.type().tensor_type().has_shape())
        return {};
    int64_t n = 1;
    for (const auto& d : vi.type().tensor_type().shape().dim()) {
        if (!d.has_dim_value())
            continue;
        if (d.dim_value() < 0)
            return fail(role + " " + quote(vi.name()) + " has a negative dimension (" +
                        std::to_string(d.dim_value()) + ")");
        if (__builtin_mul_overflow(n, d.dim_value(), &n))
            return fail(role + " " + quote(vi.name()) + " has dimensions whose product overflows 64 bits");
    }
    return {};
}

// Resolves an external-data location inside the model's folder, refusing anything
// that would read outside it (absolute paths, "..", symlinks that point out).
Result<fs::path> confinedPath(const fs::path& baseDir, const std::string& location, const std::string& what)
{
    if (baseDir.empty())
        return fail(what + " keeps its data in an external file (" + quote(location) +
                    "), which needs the model to be opened from a file on disk");
    if (location.empty())
        return fail(what + " is marked as external data but names no file");
    const fs::path rel(location);
    if (rel.is_absolute())
        return fail(what + " names external data by an absolute path (" + quote(location) +
                    "); only files inside the model's folder are read");
    std::error_code ec;
    const fs::path root = fs::canonical(baseDir, ec);
    if (ec)
        return fail("cannot resolve the model's folder " + quote(baseDir.string()) + ": " + ec.message());
    const fs::path full = fs::weakly_canonical(root / rel, ec);
    if (ec)
        return fail(what + ": cannot resolve external data path " + quote(location) + ": " + ec.message());
    auto [rootEnd, _] = std::mismatch(root.begin(), root.end(), full.begin(), full.end());
    if (rootEnd != root.end())
        return fail(what + " names external data " + quote(location) +
                    " that leaves the model's folder (through '..' or a symbolic link); refusing to read it");
    if (!fs::is_regular_file(full, ec))
        return fail(what + " names external data file " + quote(location) + " that does not exist next to the model");
    return full;
}

// Validates one TensorProto's data against its declared shape and exposes it as floats
// or integers. External data is read (and confined) here.
Result<Constant> readTensor(const onnx::TensorProto& t, const std::string& what, const fs::path& baseDir,
                            const LoadLimits& limits, std::vector<std::vector<float>>& storage,
                            int64_t& externalBytes)
{
    Constant c;
    c.proto = &t;
    c.info.name = t.name();
    c.info.elemType = t.data_type();
    c.info.hasShape = true;
    c.info.shape.assign(t.dims().begin(), t.dims().end());
    auto count = checkedElementCount(t.dims(), what, limits);
    if (!count)
        return std::unexpected(count.error());
    const int64_t n = *count;
    const int64_t elemBytes = elementSize(t.data_type());
    if (t.data_type() == onnx::TensorProto_DataType_UNDEFINED)
        return fail(what + " has no data type");

    if (t.data_location() == onnx::TensorProto_DataLocation_EXTERNAL) {
        std::string location;
        int64_t offset = 0, length = -1;
        for (const auto& kv : t.external_data()) {
            try {
                if (kv.key() == "location")
                    location = kv.value();
                else if (kv.key() == "offset")
                    offset = std::stoll(kv.value());
                else if (kv.key() == "length")
                    length = std::stoll(kv.value());
            } catch (const std::exception&) {
                return fail(what + " has a malformed external-data " + quote(kv.key()) + ": " + quote(kv.value()));
            }
        }
        auto file = confinedPath(baseDir, location, what);
        if (!file)
            return std::unexpected(file.error());
        const int64_t expected = n * elemBytes;
        const auto fileSize = static_cast<int64_t>(fs::file_size(*file));
        if (length < 0)
            length = fileSize - offset;
        if (offset < 0 || length < 0 || offset > fileSize || length > fileSize - offset)
            return fail(what + " reads bytes " + std::to_string(offset) + "+" + std::to_string(length) + " of " +
                        quote(location) + ", which has only " + std::to_string(fileSize) + " bytes");
        if (elemBytes > 0 && length != expected)
            return fail(what + " has shape " + shapeToString(c.info.shape) + " (" + std::to_string(expected) +
                        " bytes) but its external data holds " + std::to_string(length) + " bytes");
        externalBytes += length;
        if (externalBytes > limits.maxTotalExternalBytes)
            return fail("external data exceeds the limit of " + std::to_string(limits.maxTotalExternalBytes) + " bytes");
        c.external = true;
        if (!isFloatType(t.data_type()) && !isIntegerType(t.data_type()))
            return c;
        std::string bytes(static_cast<size_t>(length), '\0');
        std::ifstream in(*file, std::ios::binary);
        in.seekg(offset);
        in.read(bytes.data(), length);
        if (!in)
            return fail(what + ": could not read " + std::to_string(length) + " bytes from " + quote(location));
        if (isFloatType(t.data_type())) {
            storage.push_back(decodeFloats(bytes, t.data_type()));
            c.floats = storage.back();
        } else {
            c.ints = decodeInts(bytes, t.data_type());
        }
        return c;
    }

    if (t.has_raw_data()) {
        if (elemBytes > 0 && static_cast<int64_t>(t.raw_data().size()) != n * elemBytes)
            return fail(what + " has shape " + shapeToString(c.info.shape) + " (" + std::to_string(n * elemBytes) +
                        " bytes as " + elemTypeName(t.data_type()) + ") but holds " +
                        std::to_string(t.raw_data().size()) + " bytes of data");
        if (t.data_type() == onnx::TensorProto_DataType_FLOAT &&
            reinterpret_cast<uintptr_t>(t.raw_data().data()) % alignof(float) == 0) {
            c.floats = {reinterpret_cast<const float*>(t.raw_data().data()), static_cast<size_t>(n)};
        } else if (isFloatType(t.data_type())) {
            storage.push_back(decodeFloats(t.raw_data(), t.data_type()));
            c.floats = storage.back();
        } else if (isIntegerType(t.data_type())) {
            c.ints = decodeInts(t.raw_data(), t.data_type());
        }
        return c;
    }

    // Typed fields: the element count must match the shape exactly.
    const auto mismatch = [&](int64_t have) {
        return fail(what + " has shape " + shapeToString(c.info.shape) + " (" + std::to_string(n) +
                    " elements) but holds " + std::to_string(have) + " values");
    };
    switch (t.data_type()) {
    case onnx::TensorProto_DataType_FLOAT:
        if (t.float_data_size() != n)
            return mismatch(t.float_data_size());
        c.floats = {t.float_data().data(), static_cast<size_t>(n)};
        return c;
    case onnx::TensorProto_DataType_DOUBLE: {
        if (t.double_data_size() != n)
            return mismatch(t.double_data_size());
        storage.emplace_back(t.double_data().begin(), t.double_data().end());
        c.floats = storage.back();
        return c;
    }
    case onnx::TensorProto_DataType_FLOAT16:
    case onnx::TensorProto_DataType_BFLOAT16: {
        if (t.int32_data_size() != n)
            return mismatch(t.int32_data_size());
        std::vector<float> f(static_cast<size_t>(n));
        for (int64_t i = 0; i < n; ++i) {
            const auto bits = static_cast<uint16_t>(t.int32_data(static_cast<int>(i)));
            f[static_cast<size_t>(i)] =
                t.data_type() == onnx::TensorProto_DataType_FLOAT16 ? halfToFloat(bits) : bfloat16ToFloat(bits);
        }
        storage.push_back(std::move(f));
        c.floats = storage.back();
        return c;
    }
    case onnx::TensorProto_DataType_INT64:
        if (t.int64_data_size() != n)
            return mismatch(t.int64_data_size());
        c.ints.assign(t.int64_data().begin(), t.int64_data().end());
        return c;
    case onnx::TensorProto_DataType_UINT32:
    case onnx::TensorProto_DataType_UINT64:
        if (t.uint64_data_size() != n)
            return mismatch(t.uint64_data_size());
        c.ints.assign(t.uint64_data().begin(), t.uint64_data().end());
        return c;
    case onnx::TensorProto_DataType_INT32:
    case onnx::TensorProto_DataType_INT16:
    case onnx::TensorProto_DataType_INT8:
    case onnx::TensorProto_DataType_UINT16:
    case onnx::TensorProto_DataType_UINT8:
    case onnx::TensorProto_DataType_BOOL:
        if (t.int32_data_size() != n)
            return mismatch(t.int32_data_size());
        c.ints.assign(t.int32_data().begin(), t.int32_data().end());
        return c;
    case onnx::TensorProto_DataType_STRING:
        if (t.string_data_size() != n)
            return mismatch(t.string_data_size());
        return c;
    default:
        if (n != 0)
            return fail(what + " uses data type " + std::to_string(t.data_type()) + ", which Topiary cannot read");
        return c;
    }
}

Result<Constant> readConstantNode(const onnx::NodeProto& n, const std::string& what, const fs::path& baseDir,
                                  const LoadLimits& limits, std::vector<std::vector<float>>& storage,
                                  int64_t& externalBytes)
{
    for (const auto& a : n.attribute()) {
        if (a.name() == "value" && a.has_t()) {
            auto c = readTensor(a.t(), what, baseDir, limits, storage, externalBytes);
            if (c)
                c->info.name = n.output(0);
            return c;
        }
        Constant c;
        c.info.name = n.output(0);
        c.info.hasShape = true;
        if (a.name() == "value_float") {
            c.info.elemType = onnx::TensorProto_DataType_FLOAT;
            storage.push_back({a.f()});
            c.floats = storage.back();
            return c;
        }
        if (a.name() == "value_floats") {
            c.info.elemType = onnx::TensorProto_DataType_FLOAT;
            c.info.shape = {a.floats_size()};
            storage.emplace_back(a.floats().begin(), a.floats().end());
            c.floats = storage.back();
            return c;
        }
        if (a.name() == "value_int") {
            c.info.elemType = onnx::TensorProto_DataType_INT64;
            c.ints = {a.i()};
            return c;
        }
        if (a.name() == "value_ints") {
            c.info.elemType = onnx::TensorProto_DataType_INT64;
            c.info.shape = {a.ints_size()};
            c.ints.assign(a.ints().begin(), a.ints().end());
            return c;
        }
    }
    return fail(what + " has no value the loader understands");
}

} // namespace

Model::Model(std::unique_ptr<Impl> impl) : m_impl(std::move(impl)) {}
Model::Model(Model&&) noexcept = default;
Model& Model::operator=(Model&&) noexcept = default;
Model::~Model() = default;

Result<Model> Model::load(const fs::path& file, const LoadLimits& limits)
{
    const std::string where = "cannot open " + quote(file.string());
    std::error_code ec;
    if (!fs::exists(file, ec))
        return fail(where + ": the file does not exist");
    if (fs::is_directory(file, ec))
        return fail(where + ": it is a folder, not a model file");
    const auto size = static_cast<int64_t>(fs::file_size(file, ec));
    if (ec)
        return fail(where + ": " + ec.message());
    if (size == 0)
        return fail(where + ": the file is empty");
    if (size > limits.maxFileBytes)
        return fail(where + ": the file has " + std::to_string(size) + " bytes, more than the limit of " +
                    std::to_string(limits.maxFileBytes) + "; large weights must be stored as external data");
    const int fd = ::open(file.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return fail(where + ": " + std::error_code(errno, std::generic_category()).message());
    onnx::ModelProto proto;
    bool parsed = false;
    {
        google::protobuf::io::FileInputStream stream(fd);
        stream.SetCloseOnDelete(true);
        parsed = proto.ParseFromZeroCopyStream(&stream);
    }
    if (!parsed)
        return fail(where + ": not a valid ONNX model (the protobuf data is truncated or corrupt)");
    auto model = fromProto(std::move(proto), file.parent_path().empty() ? fs::path(".") : file.parent_path(), limits);
    if (!model)
        return std::unexpected(model.error().withContext(where));
    model->m_impl->path = file;
    model->m_impl->fileBytes = size;
    return model;
}

Result<Model> Model::fromBytes(std::string_view bytes, const fs::path& baseDir, const LoadLimits& limits)
{
    if (bytes.empty())
        return fail("the model data is empty");
    if (static_cast<int64_t>(bytes.size()) > limits.maxFileBytes)
        return fail("the model data is larger than the limit of " + std::to_string(limits.maxFileBytes) + " bytes");
    onnx::ModelProto proto;
    if (!proto.ParseFromArray(bytes.data(), static_cast<int>(bytes.size())))
        return fail("not a valid ONNX model (the protobuf data is truncated or corrupt)");
    auto model = fromProto(std::move(proto), baseDir, limits);
    if (model)
        model->m_impl->fileBytes = static_cast<int64_t>(bytes.size());
    return model;
}

Result<Model> Model::fromProto(onnx::ModelProto proto, const fs::path& baseDir, const LoadLimits& limits)
{
    auto impl = std::make_unique<Impl>();
    impl->proto = std::move(proto);
    impl->baseDir = baseDir;
    const onnx::ModelProto& m = impl->proto;

    if (!m.has_graph() || (m.graph().node_size() == 0 && m.graph().output_size() == 0))
        return fail("the file holds no ONNX graph (is it an ONNX model?)");
    if (m.ir_version() <= 0)
        return fail("the model has no IR version (is it an ONNX model?)");
    const auto& g = m.graph();
    if (g.node_size() > limits.maxNodes)
        return fail("the graph has " + std::to_string(g.node_size()) + " nodes, more than the limit of " +
                    std::to_string(limits.maxNodes));

    // Weights stored in 16 or 8 bits (float16 and int8 QDQ exports) are edited as float32.
    const auto before = static_cast<int64_t>(impl->proto.ByteSizeLong());
    if (const WidenedWeights widened = widenStoredWeights(impl->proto); widened.total() > 0) {
        impl->widenedBytes = static_cast<int64_t>(impl->proto.ByteSizeLong()) - before;
        impl->widened = widened;
        const auto tensors = [](int n) { return std::to_string(n) + (n == 1 ? " weight tensor is" : " weight tensors are"); };
        if (widened.cast > 0)
            impl->warnings.push_back(tensors(widened.cast) + " stored as float16 behind a Cast; Topiary edits them as "
                                     "float32, and exporting with float16 storage writes them at 16 bits again");
        if (widened.dequantized > 0)
            impl->warnings.push_back(tensors(widened.dequantized) + " stored as int8 behind a DequantizeLinear; "
                                     "Topiary edits their dequantized values as float32, and exporting 8-bit layers "
                                     "with int8 QDQ writes them at 8 bits again");
    }

    // Constants: initializers first, then Constant nodes.
    int64_t externalBytes = 0;
    std::unordered_set<std::string> available;
    for (const auto& t : g.initializer()) {
        const std::string what = "initializer " + quote(t.name());
        if (t.name().empty())
            return fail("an initializer has no name");
        if (impl->constants.count(t.name()))
            return fail(what + " is defined twice");
        auto c = readTensor(t, what, baseDir, limits, impl->floatStorage, externalBytes);
        if (!c)
            return std::unexpected(c.error());
        impl->tensors[t.name()] = c->info;
        impl->constants.emplace(t.name(), std::move(*c));
        available.insert(t.name());
    }

    std::unordered_set<std::string> realInputs;
    for (const auto& in : g.input()) {
        if (auto ok = checkValueInfoDims(in, "input"); !ok)
            return std::unexpected(ok.error());
        if (!impl->constants.count(in.name())) {
            impl->inputs.push_back(in.name());
            realInputs.insert(in.name());
            available.insert(in.name());
        }
    }

    // Producers, duplicate outputs, dangling inputs.
    std::unordered_map<std::string, int> producerProto;
    for (int i = 0; i < g.node_size(); ++i) {
        const auto& n = g.node(i);
        for (const auto& out : n.output()) {
            if (out.empty())
                continue;
            if (available.count(out) && !producerProto.count(out))
                return fail(describeNode(n, i) + " writes tensor " + quote(out) +
                            ", which is already a graph input or initializer");
            if (auto [it, inserted] = producerProto.emplace(out, i); !inserted)
                return fail("tensor " + quote(out) + " is written by both " + describeNode(g.node(it->second), it->second) +
                            " and " + describeNode(n, i));
        }
    }
    for (int i = 0; i < g.node_size(); ++i) {
        const auto& n = g.node(i);
        for (const auto& in : n.input())
            if (!in.empty() && !available.count(in) && !producerProto.count(in))
                return fail(describeNode(n, i) + " reads tensor " + quote(in) +
                            " that no node, graph input or initializer produces");
    }
    for (const auto& out : g.output()) {
        if (auto ok = checkValueInfoDims(out, "output"); !ok)
            return std::unexpected(ok.error());
        if (!available.count(out.name()) && !producerProto.count(out.name()))
            return fail("graph output " + quote(out.name()) + " is produced by no node");
        impl->outputs.push_back(out.name());
        impl->outputSet.insert(out.name());
    }

    // Topological order (Kahn, stable: a graph already in order keeps its order).
    const int n = g.node_size();
    std::vector<int> indegree(static_cast<size_t>(n), 0);
    std::vector<std::vector<int>> next(static_cast<size_t>(n));
    for (int i = 0; i < n; ++i) {
        std::unordered_set<int> deps;
        for (const auto& in : g.node(i).input())
            if (auto it = producerProto.find(in); it != producerProto.end())
                deps.insert(it->second);
        for (int d : deps) {
            next[static_cast<size_t>(d)].push_back(i);
            ++indegree[static_cast<size_t>(i)];
        }
    }
    std::priority_queue<int, std::vector<int>, std::greater<>> ready;
    for (int i = 0; i < n; ++i)
        if (indegree[static_cast<size_t>(i)] == 0)
            ready.push(i);
    std::vector<int> order;
    order.reserve(static_cast<size_t>(n));
    while (!ready.empty()) {
        const int i = ready.top();
        ready.pop();
        order.push_back(i);
        for (int j : next[static_cast<size_t>(i)])
            if (--indegree[static_cast<size_t>(j)] == 0)
                ready.push(j);
    }
    if (static_cast<int>(order.size()) != n) {
        for (int i = 0; i < n; ++i)
            if (indegree[static_cast<size_t>(i)] > 0)
                return fail("the graph has a cycle through " + describeNode(g.node(i), i) +
                            "; an ONNX graph must be acyclic");
    }

    // The node index, with names that are never empty and never shared.
    std::unordered_map<std::string, int> nameCount;
    for (int i = 0; i < n; ++i)
        ++nameCount[g.node(i).name()];
    for (int protoIndex : order) {
        const auto& np = g.node(protoIndex);
        Node node;
        node.opType = np.op_type();
        node.protoIndex = protoIndex;
        node.name = np.name();
        if (node.name.empty() || nameCount[node.name] > 1 || impl->nodeByName.count(node.name))
            node.name = (node.name.empty() ? np.op_type() : node.name) + "_" + std::to_string(protoIndex);
        node.inputs.assign(np.input().begin(), np.input().end());
        node.outputs.assign(np.output().begin(), np.output().end());
        const int index = static_cast<int>(impl->nodes.size());
        impl->nodeByName.emplace(node.name, index);
        for (const auto& out : node.outputs)
            if (!out.empty())
                impl->producers[out] = index;
        for (const auto& in : node.inputs)
            if (!in.empty()) {
                auto& c = impl->consumers[in];
                if (c.empty() || c.back() != index)
                    c.push_back(index);
            }
        if (node.opType == "Constant" && node.outputs.size() == 1 && np.domain().empty()) {
            auto c = readConstantNode(np, describeNode(np, protoIndex), baseDir, limits, impl->floatStorage,
                                      externalBytes);
            if (!c)
                return std::unexpected(c.error());
            impl->tensors[node.outputs[0]] = c->info;
            impl->constants.emplace(node.outputs[0], std::move(*c));
        }
        impl->nodes.push_back(std::move(node));
    }

    // The checker's findings are reported, not fatal: runtimes load many models it dislikes.
    if (limits.runChecker) {
        try {
            onnx::checker::check_model(m);
        } catch (const std::exception& e) {
            std::string msg = e.what();
            if (auto pos = msg.find("\n\n"); pos != std::string::npos)
                msg.resize(pos);
            impl->warnings.push_back("ONNX checker: " + msg);
        }
    }

    // Shapes: ONNX shape inference, node by node, on a light copy; the original stays untouched.
    auto shapes = inferShapes(m, order, realInputs, limits.assumeBatchOne, impl->warnings);
    if (!shapes)
        return std::unexpected(shapes.error());
    for (auto& [name, info] : *shapes)
        if (!impl->constants.count(name))
            impl->tensors[name] = std::move(info);

    return Model(std::move(impl));
}

const onnx::ModelProto& Model::proto() const { return m_impl->proto; }
const fs::path& Model::path() const { return m_impl->path; }
const fs::path& Model::baseDir() const { return m_impl->baseDir; }
int64_t Model::fileBytes() const { return m_impl->fileBytes; }
int64_t Model::widenedBytes() const { return m_impl->widenedBytes; }
const WidenedWeights& Model::widenedWeights() const { return m_impl->widened; }
const std::vector<std::string>& Model::warnings() const { return m_impl->warnings; }
const std::vector<Node>& Model::nodes() const { return m_impl->nodes; }
const std::vector<std::string>& Model::inputs() const { return m_impl->inputs; }
const std::vector<std::string>& Model::outputs() const { return m_impl->outputs; }

int64_t Model::opsetVersion() const
{
    for (const auto& op : proto().opset_import())
        if (op.domain().empty() || op.domain() == "ai.onnx")
            return op.version();
    return 0;
}

const onnx::NodeProto& Model::nodeProto(int index) const
{
    return proto().graph().node(node(index).protoIndex);
}

int Model::findNode(std::string_view name) const
{
    auto it = m_impl->nodeByName.find(std::string(name));
    return it == m_impl->nodeByName.end() ? -1 : it->second;
}

const TensorInfo* Model::tensor(std::string_view name) const
{
    auto it = m_impl->tensors.find(std::string(name));
    return it == m_impl->tensors.end() ? nullptr : &it->second;
}

const Constant* Model::constant(std::string_view name) const
{
    auto it = m_impl->constants.find(std::string(name));
    return it == m_impl->constants.end() ? nullptr : &it->second;
}

std::string Model::resolveConstantName(std::string_view name) const
{
    std::string current(name);
    for (size_t hops = 0; hops <= m_impl->nodes.size(); ++hops) {
        if (constant(current))
            return current;
        const int p = producer(current);
        if (p < 0 || node(p).opType != "Identity" || node(p).inputs.empty())
            return {};
        current = node(p).inputs[0];
    }
    return {};
}

const Constant* Model::resolveConstant(std::string_view name) const
{
    const std::string resolved = resolveConstantName(name);
    return resolved.empty() ? nullptr : constant(resolved);
}

int Model::producer(std::string_view tensor) const
{
    auto it = m_impl->producers.find(std::string(tensor));
    return it == m_impl->producers.end() ? -1 : it->second;
}

std::span<const int> Model::consumers(std::string_view tensor) const
{
    auto it = m_impl->consumers.find(std::string(tensor));
    if (it == m_impl->consumers.end())
        return {};
    return it->second;
}

bool Model::isGraphOutput(std::string_view tensor) const
{
    return m_impl->outputSet.count(std::string(tensor)) > 0;
}

} // namespace topiary
