#include "core/model/ChannelCoupling.h"

#include "core/model/Layer.h"
#include "core/model/Model.h"
#include "core/model/NodeAttributes.h"
#include "core/model/TensorData.h"

#include <algorithm>
#include <limits>
#include <numeric>
#include <optional>
#include <set>

namespace topiary::coupling {

std::vector<DependencyGroup> ChannelCoupling::collect()
{
    std::map<int, size_t> groupOfRoot;
    std::vector<DependencyGroup> groups;
    std::vector<int> roots;
    // Groups exist where a layer produces (or passes on) channels.
    for (const auto& m : m_members) {
        if (m.role != MemberRole::Producer && m.role != MemberRole::Depthwise)
            continue;
        const int root = m_uf.find(m.source).first;
        if (!groupOfRoot.contains(root)) {
            groupOfRoot[root] = groups.size();
            groups.emplace_back();
            roots.push_back(root);
        }
    }
    for (const auto& m : m_members) {
        auto [root, pos] = m_uf.find(m.source);
        auto it = groupOfRoot.find(root);
        if (it == groupOfRoot.end())
            continue;
        GroupMember gm;
        gm.role = m.role;
        gm.node = m.node;
        gm.layer = m.layer;
        gm.groupBegin = pos + m.sourceBegin - m_uf.minPos(root);
        gm.count = m.count;
        gm.offset = m.offset;
        gm.stride = m.stride;
        gm.axes = m.axes;
        groups[it->second].members.push_back(std::move(gm));
    }
    for (const auto& [tensor, l] : m_layouts) {
        const int64_t total = l.channels();
        int64_t offset = 0;
        for (const auto& seg : l.segments) {
            auto [root, pos] = m_uf.find(seg.source);
            if (auto it = groupOfRoot.find(root); it != groupOfRoot.end())
                groups[it->second].tensors.push_back(
                    GroupTensor { tensor, pos + seg.begin - m_uf.minPos(root), seg.count, offset, total });
            offset += seg.count;
        }
    }
    for (auto& group : groups)
        std::sort(group.tensors.begin(), group.tensors.end(), [](const auto& a, const auto& b) {
            return a.tensor != b.tensor ? a.tensor < b.tensor : a.offset < b.offset;
        });
    std::vector<std::vector<std::string>> reasons(groups.size());
    for (size_t s = 0; s < m_sources.size(); ++s) {
        auto it = groupOfRoot.find(m_uf.find(static_cast<int>(s)).first);
        if (it == groupOfRoot.end())
            continue;
        for (const auto& r : m_sources[s].reasons)
            if (std::find(reasons[it->second].begin(), reasons[it->second].end(), r) == reasons[it->second].end())
                reasons[it->second].push_back(r);
    }
    for (size_t g = 0; g < groups.size(); ++g) {
        auto& group = groups[g];
        group.channels = m_uf.maxPos(roots[g]) - m_uf.minPos(roots[g]);
        std::stable_sort(group.members.begin(), group.members.end(), [](const auto& a, const auto& b) {
            return a.node != b.node ? a.node < b.node : a.groupBegin < b.groupBegin;
        });
        std::set<int> producers, consumers, norms;
        for (const auto& m : group.members) {
            if (m.role == MemberRole::Producer || m.role == MemberRole::Depthwise)
                producers.insert(m.layer);
            else if (m.role == MemberRole::Consumer)
                consumers.insert(m.layer);
            else if (m.role == MemberRole::Norm)
                norms.insert(m.node);
        }
        group.producers.assign(producers.begin(), producers.end());
        group.consumers.assign(consumers.begin(), consumers.end());
        group.norms.assign(norms.begin(), norms.end());
        if (!m_uf.conflict(roots[g]).empty())
            reasons[g].insert(reasons[g].begin(), m_uf.conflict(roots[g]));
        group.prunable = reasons[g].empty();
        for (size_t r = 0; r < reasons[g].size() && r < 3; ++r)
            group.reason += (r ? "; " : "") + reasons[g][r];
        if (reasons[g].size() > 3)
            group.reason += "; and " + std::to_string(reasons[g].size() - 3) + " more";
    }
    std::stable_sort(groups.begin(), groups.end(),
        [](const auto& a, const auto& b) { return a.producers.front() < b.producers.front(); });
    return groups;
}

} // namespace topiary::coupling
