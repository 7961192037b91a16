// Number formatting shared by the CLI and reports: thousands separators, MB (10^6 bytes),
// G/M suffixes for MACs.
#pragma once

#include <cstdint>
#include <string>

namespace topiary {

std::string withThousands(int64_t value);          // 11,689,512
std::string megabytes(int64_t bytes, int decimals = 2);  // "46.76 MB"
std::string humanCount(int64_t value);             // "1.81 G", "11.69 M", "532 K"

} // namespace topiary
