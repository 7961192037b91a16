// Union-find over channel sources, each placed at an offset in its root's index space:
// how the dependency-group analysis (ChannelCoupling) joins channels that must be pruned
// together, and remembers why a set of them cannot be pruned at all.
#pragma once

#include <algorithm>
#include <cstdint>
#include <string>
#include <utility>
#include <vector>

namespace topiary::coupling {

class OffsetUnionFind {
public:
    int add(int64_t channels)
    {
        m_parent.push_back(static_cast<int>(m_parent.size()));
        m_offset.push_back(0);
        m_min.push_back(0);
        m_max.push_back(channels);
        m_size.push_back(1);
        m_conflict.emplace_back();
        return m_parent.back();
    }

    // Root of x and the position of x's channel 0 in the root's index space.
    std::pair<int, int64_t> find(int x)
    {
        int64_t pos = 0;
        int r = x;
        while (m_parent[idx(r)] != r) {
            pos += m_offset[idx(r)];
            r = m_parent[idx(r)];
        }
        // Path compression: point every node on the way straight at the root.
        int64_t remaining = pos;
        while (m_parent[idx(x)] != x) {
            const int next = m_parent[idx(x)];
            const int64_t own = m_offset[idx(x)];
            m_parent[idx(x)] = r;
            m_offset[idx(x)] = remaining;
            remaining -= own;
            x = next;
        }
        return { r, pos };
    }

    // Channel xc of x is channel yc of y. Returns false when that contradicts what is known.
    bool unite(int x, int64_t xc, int y, int64_t yc)
    {
        auto [rx, ox] = find(x);
        auto [ry, oy] = find(y);
        if (rx == ry)
            return ox + xc == oy + yc;
        attach(rx, ry, ox + xc - (oy + yc));
        return true;
    }

    // Puts y's whole group after x's (no channel is coupled, they just share one index space).
    void placeAfter(int x, int y)
    {
        const int rx = find(x).first;
        const int ry = find(y).first;
        if (rx != ry)
            attach(rx, ry, m_max[idx(rx)] - m_min[idx(ry)]);
    }

    void markConflict(int x, const std::string& why)
    {
        auto& c = m_conflict[idx(find(x).first)];
        if (c.empty())
            c = why;
    }
    const std::string& conflict(int root) const { return m_conflict[idx(root)]; }
    int64_t minPos(int root) const { return m_min[idx(root)]; }
    int64_t maxPos(int root) const { return m_max[idx(root)]; }

private:
    static size_t idx(int i) { return static_cast<size_t>(i); }

    // Attaches ry's tree under rx (or the other way round, smaller under larger) so that
    // position p in ry's space is p + d in rx's space.
    void attach(int rx, int ry, int64_t d)
    {
        if (m_size[idx(rx)] < m_size[idx(ry)]) {
            std::swap(rx, ry);
            d = -d;
        }
        m_parent[idx(ry)] = rx;
        m_offset[idx(ry)] = d;
        m_size[idx(rx)] += m_size[idx(ry)];
        m_min[idx(rx)] = std::min(m_min[idx(rx)], m_min[idx(ry)] + d);
        m_max[idx(rx)] = std::max(m_max[idx(rx)], m_max[idx(ry)] + d);
        if (m_conflict[idx(rx)].empty())
            m_conflict[idx(rx)] = m_conflict[idx(ry)];
    }

    std::vector<int> m_parent;
    std::vector<int64_t> m_offset; // position of channel 0 in the parent's space
    std::vector<int64_t> m_min, m_max; // extent of a root's space
    std::vector<int> m_size;
    std::vector<std::string> m_conflict;
};

} // namespace topiary::coupling
