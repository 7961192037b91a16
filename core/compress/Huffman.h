// Huffman coding of quantization indices, the last stage of Deep Compression: frequent
// codebook entries get short codes. Only the code lengths are needed to know the size.
#pragma once

#include <cstdint>
#include <span>
#include <vector>

namespace topiary {

// Optimal prefix-code length per symbol for these counts (0 for symbols never used; a
// single used symbol gets length 1). Deterministic: ties broken by symbol index.
std::vector<int> huffmanCodeLengths(std::span<const int64_t> counts);

// Σ counts[i] · length[i]: the bits of the coded stream, without the code table.
int64_t huffmanBits(std::span<const int64_t> counts);

} // namespace topiary
