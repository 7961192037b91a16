#include "core/model/DependencyGroups.h"

#include "core/model/Layer.h"
#include "core/model/Model.h"
#include "core/model/TensorData.h"
#include "core/model/NodeAttributes.h"

#include <algorithm>
#include <limits>
#include <numeric>
#include <optional>
#include <set>
#include <unordered_map>

namespace topiary {

const char* memberRoleName(MemberRole role)
{
    switch (role) {
    case MemberRole::Producer:
        return "producer";
    case MemberRole::Depthwise:
        return "depthwise";
    case MemberRole::Consumer:
        return "consumer";
    case MemberRole::Norm:
        return "norm";
    case MemberRole::Elementwise:
        return "elementwise";
    case MemberRole::Reshape:
        return "reshape";
    }
    return "?";
}

std::vector<int64_t> GroupMember::prunedIndices(std::span<const int64_t> groupChannels) const
{
    std::vector<int64_t> out;
    for (int64_t k : groupChannels) {
        if (!covers(k))
            continue;
        const int64_t m = channelOf(k);
        for (int64_t j = 0; j < stride; ++j)
            out.push_back(m * stride + j);
    }
    std::sort(out.begin(), out.end());
    out.erase(std::unique(out.begin(), out.end()), out.end());
    return out;
}

std::vector<const GroupMember*> DependencyGroup::scoredMembers() const
{
    std::vector<const GroupMember*> out;
    for (const auto& m : members)
        if (m.role == MemberRole::Producer || m.role == MemberRole::Depthwise)
            out.push_back(&m);
    return out;
}

std::vector<int> producerGroupOfLayers(const std::vector<DependencyGroup>& groups, size_t layerCount)
{
    std::vector<int> out(layerCount, -1);
    for (size_t g = 0; g < groups.size(); ++g)
        for (int l : groups[g].producers)
            if (l >= 0 && static_cast<size_t>(l) < layerCount)
                out[static_cast<size_t>(l)] = static_cast<int>(g);
    return out;
}

int producerGroupOf(const std::vector<DependencyGroup>& groups, int layer)
{
    for (size_t g = 0; g < groups.size(); ++g)
        if (std::binary_search(groups[g].producers.begin(), groups[g].producers.end(), layer))
            return static_cast<int>(g);
    return -1;
}

std::vector<float> groupScores(const DependencyGroup& group, const std::vector<Layer>& layers,
    const std::map<std::string, std::vector<float>>& layerScores, ScoreReduction reduction)
{
    const auto n = static_cast<size_t>(group.channels);
    std::vector<double> acc(n, reduction == ScoreReduction::Max ? -std::numeric_limits<double>::infinity() : 0.0);
    std::vector<int> seen(n, 0);
    for (const GroupMember* m : group.scoredMembers()) {
        if (m->layer < 0 || static_cast<size_t>(m->layer) >= layers.size())
            continue;
        auto it = layerScores.find(layers[static_cast<size_t>(m->layer)].name);
        if (it == layerScores.end())
            continue;
        const auto& scores = it->second;
        for (int64_t k = m->groupBegin; k < m->groupBegin + m->count; ++k) {
            const int64_t c = m->channelOf(k);
            if (c < 0 || static_cast<size_t>(c) >= scores.size() || k < 0 || static_cast<size_t>(k) >= n)
                continue;
            const double v = scores[static_cast<size_t>(c)];
            auto& a = acc[static_cast<size_t>(k)];
            a = reduction == ScoreReduction::Max ? std::max(a, v) : a + v;
            ++seen[static_cast<size_t>(k)];
        }
    }
    std::vector<float> out(n, 0.0f);
    for (size_t k = 0; k < n; ++k) {
        if (seen[k] == 0)
            continue;
        out[k] = static_cast<float>(reduction == ScoreReduction::Mean ? acc[k] / seen[k] : acc[k]);
    }
    return out;
}

int64_t roundKeptChannels(int64_t total, int64_t kept, int64_t multiple)
{
    if (total <= 0)
        return 0;
    kept = std::clamp<int64_t>(kept, 1, total);
    if (multiple <= 1)
        return kept;
    const int64_t rounded = (kept + multiple - 1) / multiple * multiple;
    return std::min(rounded, total);
}

std::string describeGroup(const DependencyGroup& group, const std::vector<Layer>& layers)
{
    std::string s = std::to_string(group.channels) + " ch, producers:";
    int shown = 0;
    for (int l : group.producers) {
        if (shown++ == 4) {
            s += " +" + std::to_string(group.producers.size() - 4) + " more";
            break;
        }
        s += " " + layers[static_cast<size_t>(l)].name;
    }
    s += "; " + std::to_string(group.consumers.size()) + " consumers, " + std::to_string(group.norms.size())
        + " norms, " + std::to_string(group.members.size()) + " members";
    s += group.prunable ? "; prunable" : "; NOT prunable: " + group.reason;
    return s;
}

} // namespace topiary
