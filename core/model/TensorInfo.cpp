#include "core/model/TensorInfo.h"

#include <onnx/onnx_pb.h>

namespace topiary {

std::optional<int64_t> TensorInfo::numElements() const
{
    if (!hasShape)
        return std::nullopt;
    int64_t n = 1;
    for (int64_t d : shape) {
        if (d < 0 || __builtin_mul_overflow(n, d, &n))
            return std::nullopt;
    }
    return n;
}

std::optional<int64_t> TensorInfo::byteSize() const
{
    auto n = numElements();
    int64_t bytes = 0;
    if (!n || __builtin_mul_overflow(*n, elementSize(elemType), &bytes))
        return std::nullopt;
    return bytes;
}

int64_t elementSize(int32_t elemType)
{
    switch (elemType) {
    case onnx::TensorProto_DataType_FLOAT:
    case onnx::TensorProto_DataType_INT32:
    case onnx::TensorProto_DataType_UINT32:
        return 4;
    case onnx::TensorProto_DataType_DOUBLE:
    case onnx::TensorProto_DataType_INT64:
    case onnx::TensorProto_DataType_UINT64:
    case onnx::TensorProto_DataType_COMPLEX64:
        return 8;
    case onnx::TensorProto_DataType_COMPLEX128:
        return 16;
    case onnx::TensorProto_DataType_FLOAT16:
    case onnx::TensorProto_DataType_BFLOAT16:
    case onnx::TensorProto_DataType_INT16:
    case onnx::TensorProto_DataType_UINT16:
        return 2;
    case onnx::TensorProto_DataType_INT8:
    case onnx::TensorProto_DataType_UINT8:
    case onnx::TensorProto_DataType_BOOL:
        return 1;
    default:
        return 0;
    }
}

std::string elemTypeName(int32_t elemType)
{
    switch (elemType) {
    case onnx::TensorProto_DataType_FLOAT: return "float32";
    case onnx::TensorProto_DataType_DOUBLE: return "float64";
    case onnx::TensorProto_DataType_FLOAT16: return "float16";
    case onnx::TensorProto_DataType_BFLOAT16: return "bfloat16";
    case onnx::TensorProto_DataType_INT8: return "int8";
    case onnx::TensorProto_DataType_UINT8: return "uint8";
    case onnx::TensorProto_DataType_INT16: return "int16";
    case onnx::TensorProto_DataType_UINT16: return "uint16";
    case onnx::TensorProto_DataType_INT32: return "int32";
    case onnx::TensorProto_DataType_UINT32: return "uint32";
    case onnx::TensorProto_DataType_INT64: return "int64";
    case onnx::TensorProto_DataType_UINT64: return "uint64";
    case onnx::TensorProto_DataType_BOOL: return "bool";
    case onnx::TensorProto_DataType_STRING: return "string";
    case onnx::TensorProto_DataType_COMPLEX64: return "complex64";
    case onnx::TensorProto_DataType_COMPLEX128: return "complex128";
    default: return "unknown";
    }
}

std::string shapeToString(const std::vector<int64_t>& shape)
{
    if (shape.empty())
        return "scalar";
    std::string s;
    for (size_t i = 0; i < shape.size(); ++i) {
        if (i)
            s += "x";
        s += shape[i] < 0 ? std::string("?") : std::to_string(shape[i]);
    }
    return s;
}

} // namespace topiary
