// What the index knows of one tensor: its element type and its shape, with -1 for a
// dimension that shape inference could not resolve.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace topiary {

struct TensorInfo {
    std::string name;
    int32_t elemType = 0;         // onnx::TensorProto_DataType
    std::vector<int64_t> shape;   // -1 = unknown dimension
    bool hasShape = false;        // false: rank unknown

    // Product of the dims, or nullopt when a dim is unknown or the product overflows.
    std::optional<int64_t> numElements() const;
    // numElements() * elementSize(elemType), nullopt when unknown.
    std::optional<int64_t> byteSize() const;
};

// Bytes per element of an ONNX data type; 0 for types without a fixed size (string).
int64_t elementSize(int32_t elemType);
// "float32", "float16", "int64"...
std::string elemTypeName(int32_t elemType);
// "1x3x224x224", "?" for unknown dims.
std::string shapeToString(const std::vector<int64_t>& shape);

} // namespace topiary
