// Conversions between ONNX tensor encodings and plain float/int64 vectors: half and
// bfloat16 bit patterns, raw little-endian bytes of any numeric type.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace topiary {

bool isFloatType(int32_t elemType);    // float, double, float16, bfloat16
bool isIntegerType(int32_t elemType);  // int8..int64, uint8..uint64, bool

float halfToFloat(uint16_t bits);
uint16_t floatToHalf(float value);     // round to nearest even
float bfloat16ToFloat(uint16_t bits);

// Raw little-endian bytes of a float-like type as float32 values.
std::vector<float> decodeFloats(std::string_view bytes, int32_t elemType);
// Raw little-endian bytes of an integer type as int64 values.
std::vector<int64_t> decodeInts(std::string_view bytes, int32_t elemType);

// The inverse: float32 values as raw bytes of a float-like type (half and bfloat16
// rounded to nearest even); empty for other types.
std::string encodeFloats(std::span<const float> values, int32_t elemType);
// int64 values as raw bytes of an integer type (truncated to its width); empty for others.
std::string encodeInts(std::span<const int64_t> values, int32_t elemType);

} // namespace topiary
