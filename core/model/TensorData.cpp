#include "core/model/TensorData.h"

#include <onnx/onnx_pb.h>

#include <bit>
#include <cmath>
#include <cstring>

namespace topiary {

bool isFloatType(int32_t t)
{
    return t == onnx::TensorProto_DataType_FLOAT || t == onnx::TensorProto_DataType_DOUBLE ||
           t == onnx::TensorProto_DataType_FLOAT16 || t == onnx::TensorProto_DataType_BFLOAT16;
}

bool isIntegerType(int32_t t)
{
    switch (t) {
    case onnx::TensorProto_DataType_INT8:
    case onnx::TensorProto_DataType_INT16:
    case onnx::TensorProto_DataType_INT32:
    case onnx::TensorProto_DataType_INT64:
    case onnx::TensorProto_DataType_UINT8:
    case onnx::TensorProto_DataType_UINT16:
    case onnx::TensorProto_DataType_UINT32:
    case onnx::TensorProto_DataType_UINT64:
    case onnx::TensorProto_DataType_BOOL:
        return true;
    default:
        return false;
    }
}

float halfToFloat(uint16_t h)
{
    const uint32_t sign = static_cast<uint32_t>(h & 0x8000u) << 16;
    uint32_t exp = (h >> 10) & 0x1fu;
    uint32_t mant = h & 0x3ffu;
    uint32_t bits;
    if (exp == 0) {
        if (mant == 0) {
            bits = sign;
        } else {  // subnormal: normalize
            exp = 127 - 15 + 1;
            while ((mant & 0x400u) == 0) {
                mant <<= 1;
                --exp;
            }
            mant &= 0x3ffu;
            bits = sign | (exp << 23) | (mant << 13);
        }
    } else if (exp == 0x1f) {
        bits = sign | 0x7f800000u | (mant << 13);
    } else {
        bits = sign | ((exp + 127 - 15) << 23) | (mant << 13);
    }
    return std::bit_cast<float>(bits);
}

uint16_t floatToHalf(float value)
{
    const uint32_t f = std::bit_cast<uint32_t>(value);
    const uint32_t sign = (f >> 16) & 0x8000u;
    const uint32_t absf = f & 0x7fffffffu;
    if (absf >= 0x7f800000u)  // inf or nan
        return static_cast<uint16_t>(sign | 0x7c00u | (absf > 0x7f800000u ? 0x200u : 0u));
    if (absf >= 0x477ff000u)  // rounds to >= 65520: overflow to inf
        return static_cast<uint16_t>(sign | 0x7c00u);
    if (absf < 0x38800000u) {  // below the smallest normal half: subnormal or zero
        const float scaled = std::bit_cast<float>(absf) * 16777216.0f;  // * 2^24
        // round to nearest even via float arithmetic
        const auto m = static_cast<uint32_t>(scaled);
        const float rem = scaled - static_cast<float>(m);
        uint32_t r = m;
        if (rem > 0.5f || (rem == 0.5f && (m & 1u)))
            ++r;
        return static_cast<uint16_t>(sign | r);
    }
    const uint32_t exp = ((absf >> 23) - 127 + 15) << 10;
    const uint32_t mant = (absf >> 13) & 0x3ffu;
    uint32_t h = exp | mant;
    const uint32_t rest = absf & 0x1fffu;
    if (rest > 0x1000u || (rest == 0x1000u && (h & 1u)))
        ++h;
    return static_cast<uint16_t>(sign | h);
}

float bfloat16ToFloat(uint16_t bits) { return std::bit_cast<float>(static_cast<uint32_t>(bits) << 16); }

namespace {
template <class T>
T readAt(std::string_view bytes, size_t i)
{
    T v;
    std::memcpy(&v, bytes.data() + i * sizeof(T), sizeof(T));
    return v;
}

template <class T, class Out>
std::vector<Out> decodeAs(std::string_view bytes)
{
    const size_t n = bytes.size() / sizeof(T);
    std::vector<Out> out(n);
    for (size_t i = 0; i < n; ++i)
        out[i] = static_cast<Out>(readAt<T>(bytes, i));
    return out;
}

template <class T, class In>
std::string encodeAs(std::span<const In> values)
{
    std::string out(values.size() * sizeof(T), '\0');
    for (size_t i = 0; i < values.size(); ++i) {
        const T v = static_cast<T>(values[i]);
        std::memcpy(out.data() + i * sizeof(T), &v, sizeof(T));
    }
    return out;
}

uint16_t floatToBfloat16(float value)
{
    const auto bits = std::bit_cast<uint32_t>(value);
    if (std::isnan(value))
        return static_cast<uint16_t>((bits >> 16) | 0x40u);
    const uint32_t rounding = 0x7fffu + ((bits >> 16) & 1u);
    return static_cast<uint16_t>((bits + rounding) >> 16);
}
} // namespace

std::vector<float> decodeFloats(std::string_view bytes, int32_t elemType)
{
    switch (elemType) {
    case onnx::TensorProto_DataType_FLOAT:
        return decodeAs<float, float>(bytes);
    case onnx::TensorProto_DataType_DOUBLE:
        return decodeAs<double, float>(bytes);
    case onnx::TensorProto_DataType_FLOAT16: {
        std::vector<float> out(bytes.size() / 2);
        for (size_t i = 0; i < out.size(); ++i)
            out[i] = halfToFloat(readAt<uint16_t>(bytes, i));
        return out;
    }
    case onnx::TensorProto_DataType_BFLOAT16: {
        std::vector<float> out(bytes.size() / 2);
        for (size_t i = 0; i < out.size(); ++i)
            out[i] = bfloat16ToFloat(readAt<uint16_t>(bytes, i));
        return out;
    }
    default:
        return {};
    }
}

std::vector<int64_t> decodeInts(std::string_view bytes, int32_t elemType)
{
    switch (elemType) {
    case onnx::TensorProto_DataType_INT8: return decodeAs<int8_t, int64_t>(bytes);
    case onnx::TensorProto_DataType_UINT8:
    case onnx::TensorProto_DataType_BOOL: return decodeAs<uint8_t, int64_t>(bytes);
    case onnx::TensorProto_DataType_INT16: return decodeAs<int16_t, int64_t>(bytes);
    case onnx::TensorProto_DataType_UINT16: return decodeAs<uint16_t, int64_t>(bytes);
    case onnx::TensorProto_DataType_INT32: return decodeAs<int32_t, int64_t>(bytes);
    case onnx::TensorProto_DataType_UINT32: return decodeAs<uint32_t, int64_t>(bytes);
    case onnx::TensorProto_DataType_INT64: return decodeAs<int64_t, int64_t>(bytes);
    case onnx::TensorProto_DataType_UINT64: return decodeAs<uint64_t, int64_t>(bytes);
    default: return {};
    }
}

std::string encodeFloats(std::span<const float> values, int32_t elemType)
{
    switch (elemType) {
    case onnx::TensorProto_DataType_FLOAT:
        return encodeAs<float, float>(values);
    case onnx::TensorProto_DataType_DOUBLE:
        return encodeAs<double, float>(values);
    case onnx::TensorProto_DataType_FLOAT16:
    case onnx::TensorProto_DataType_BFLOAT16: {
        std::vector<uint16_t> bits(values.size());
        for (size_t i = 0; i < values.size(); ++i)
            bits[i] = elemType == onnx::TensorProto_DataType_FLOAT16 ? floatToHalf(values[i]) : floatToBfloat16(values[i]);
        return encodeAs<uint16_t, uint16_t>(bits);
    }
    default:
        return {};
    }
}

std::string encodeInts(std::span<const int64_t> values, int32_t elemType)
{
    switch (elemType) {
    case onnx::TensorProto_DataType_INT8: return encodeAs<int8_t, int64_t>(values);
    case onnx::TensorProto_DataType_UINT8:
    case onnx::TensorProto_DataType_BOOL: return encodeAs<uint8_t, int64_t>(values);
    case onnx::TensorProto_DataType_INT16: return encodeAs<int16_t, int64_t>(values);
    case onnx::TensorProto_DataType_UINT16: return encodeAs<uint16_t, int64_t>(values);
    case onnx::TensorProto_DataType_INT32: return encodeAs<int32_t, int64_t>(values);
    case onnx::TensorProto_DataType_UINT32: return encodeAs<uint32_t, int64_t>(values);
    case onnx::TensorProto_DataType_INT64: return encodeAs<int64_t, int64_t>(values);
    case onnx::TensorProto_DataType_UINT64: return encodeAs<uint64_t, int64_t>(values);
    default: return {};
    }
}

} // namespace topiary
