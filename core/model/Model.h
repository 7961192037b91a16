// A loaded ONNX model: the ModelProto (the source of truth for export, never modified
// after loading) plus a read-only index over it: nodes in topological order, every
// tensor's type and inferred shape, producers and consumers, and initializers as float
// views. Loading validates everything a hostile file could get wrong.
#pragma once

#include "core/base/Error.h"
#include "core/model/LoadLimits.h"
#include "core/model/TensorInfo.h"
#include "core/model/StoredWeights.h"

#include <onnx/onnx_pb.h>

#include <filesystem>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace topiary {

// One node of the graph, as the index sees it.
struct Node {
    std::string name;    // the node's name, or "<OpType>_<n>" when the file has none
    std::string opType;
    std::vector<std::string> inputs;   // "" for an omitted optional input
    std::vector<std::string> outputs;
    int protoIndex = 0;  // position in graph().node()
};

// A constant tensor: an initializer or the output of a Constant node.
struct Constant {
    TensorInfo info;
    const onnx::TensorProto* proto = nullptr;  // null for Constant nodes with value_float(s)/value_int(s)
    std::span<const float> floats;             // float/double/half data as float32; empty for other types
    std::vector<int64_t> ints;                 // integer data (int8..int64, bool), empty for floats
    bool external = false;
};

class Model {
public:
    // Reads and validates an .onnx file; external data files are read from its folder.
    static Result<Model> load(const std::filesystem::path& file, const LoadLimits& limits = {});
    // Parses bytes already in memory; external data is resolved against baseDir.
    static Result<Model> fromBytes(std::string_view bytes, const std::filesystem::path& baseDir,
                                   const LoadLimits& limits = {});
    // Indexes a ModelProto built in memory (by tests, or by a compression pass).
    static Result<Model> fromProto(onnx::ModelProto proto, const std::filesystem::path& baseDir,
                                   const LoadLimits& limits = {});

    Model(Model&&) noexcept;
    Model& operator=(Model&&) noexcept;
    ~Model();

    const onnx::ModelProto& proto() const;
    const onnx::GraphProto& graph() const { return proto().graph(); }
    const std::filesystem::path& path() const;       // empty when not loaded from a file
    const std::filesystem::path& baseDir() const;
    int64_t fileBytes() const;                         // size of the .onnx file (0 in memory)
    int64_t widenedBytes() const;                      // what widening 16- and 8-bit stored weights added to proto()
    const WidenedWeights& widenedWeights() const;      // how many were widened, of each kind
    int64_t opsetVersion() const;                      // of the default domain
    const std::vector<std::string>& warnings() const;  // checker findings that did not stop loading

    // Nodes in topological order; indices below are into this vector.
    const std::vector<Node>& nodes() const;
    const Node& node(int index) const { return nodes()[static_cast<size_t>(index)]; }
    const onnx::NodeProto& nodeProto(int index) const;
    int findNode(std::string_view name) const;  // -1 if none

    // Real graph inputs (initializers excluded) and outputs.
    const std::vector<std::string>& inputs() const;
    const std::vector<std::string>& outputs() const;

    // Shape and type of any tensor; nullptr if the index has nothing on it.
    const TensorInfo* tensor(std::string_view name) const;
    // Initializer or Constant-node output of that exact name, or nullptr.
    const Constant* constant(std::string_view name) const;
    // Like constant(), but follows Identity nodes back to their source.
    const Constant* resolveConstant(std::string_view name) const;
    // Name of the tensor constant() would resolve to through Identity chains ("" if none).
    std::string resolveConstantName(std::string_view name) const;

    int producer(std::string_view tensor) const;                 // node index, -1 for inputs/constants
    std::span<const int> consumers(std::string_view tensor) const;
    bool isGraphOutput(std::string_view tensor) const;

private:
    struct Impl;
    explicit Model(std::unique_ptr<Impl> impl);
    std::unique_ptr<Impl> m_impl;
};

} // namespace topiary
