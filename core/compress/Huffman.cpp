#include "core/compress/Huffman.h"

#include <functional>
#include <queue>
#include <tuple>

namespace topiary {

std::vector<int> huffmanCodeLengths(std::span<const int64_t> counts)
{
    const size_t n = counts.size();
    std::vector<int> lengths(n, 0);
    // Tree nodes: leaves 0..n-1, inner nodes after; parent links give each leaf's depth.
    std::vector<int> parent;
    parent.reserve(2 * n);
    using Item = std::tuple<int64_t, size_t, int>; // weight, tie-break order, node
    std::priority_queue<Item, std::vector<Item>, std::greater<>> queue;
    size_t order = 0;
    for (size_t i = 0; i < n; ++i) {
        parent.push_back(-1);
        if (counts[i] > 0)
            queue.emplace(counts[i], order++, static_cast<int>(i));
    }
    if (queue.empty())
        return lengths;
    if (queue.size() == 1) {
        lengths[static_cast<size_t>(std::get<2>(queue.top()))] = 1;
        return lengths;
    }
    while (queue.size() > 1) {
        auto [wa, oa, a] = queue.top();
        queue.pop();
        auto [wb, ob, b] = queue.top();
        queue.pop();
        const int inner = static_cast<int>(parent.size());
        parent.push_back(-1);
        parent[static_cast<size_t>(a)] = inner;
        parent[static_cast<size_t>(b)] = inner;
        queue.emplace(wa + wb, order++, inner);
    }
    for (size_t i = 0; i < n; ++i) {
        if (counts[i] <= 0)
            continue;
        int depth = 0;
        for (int p = parent[i]; p >= 0; p = parent[static_cast<size_t>(p)])
            ++depth;
        lengths[i] = depth;
    }
    return lengths;
}

int64_t huffmanBits(std::span<const int64_t> counts)
{
    const auto lengths = huffmanCodeLengths(counts);
    int64_t bits = 0;
    for (size_t i = 0; i < counts.size(); ++i)
        bits += counts[i] * lengths[i];
    return bits;
}

} // namespace topiary
