#include "core/export/ActivationPlacement.h"

#include "core/plan/Plan.h"

#include <algorithm>
#include <map>
#include <set>
#include <unordered_map>
#include <unordered_set>

namespace topiary {

namespace {

bool isPassThrough(const std::string& op) { return op == "MaxPool" || op == "Flatten" || op == "Reshape"; }
bool isActivation(const std::string& op) { return op == "Relu" || op == "Clip"; }

struct GraphIndex {
    std::unordered_map<std::string, int> producer;
    std::unordered_map<std::string, std::vector<int>> consumers;
    std::unordered_set<std::string> constants;
    std::unordered_set<std::string> outputs;

    explicit GraphIndex(const onnx::GraphProto& graph)
    {
        for (const auto& t : graph.initializer())
            constants.insert(t.name());
        for (const auto& o : graph.output())
            outputs.insert(o.name());
        for (int i = 0; i < graph.node_size(); ++i) {
            const auto& n = graph.node(i);
            for (const auto& o : n.output())
                producer[o] = i;
            if (n.op_type() == "Constant")
                for (const auto& o : n.output())
                    constants.insert(o);
            for (const auto& in : n.input())
                if (!in.empty())
                    consumers[in].push_back(i);
        }
    }
    int producerOf(const std::string& t) const
    {
        auto it = producer.find(t);
        return it == producer.end() ? -1 : it->second;
    }
    const std::vector<int>& consumersOf(const std::string& t) const
    {
        static const std::vector<int> none;
        auto it = consumers.find(t);
        return it == consumers.end() ? none : it->second;
    }
    // Ops that move codes without computing (one range on every data input and the output):
    // MaxPool, Flatten, Reshape, and a Concat of tensors only (no constant part).
    bool movesCodes(const onnx::NodeProto& n) const
    {
        if (isPassThrough(n.op_type()))
            return true;
        return n.op_type() == "Concat" && n.input_size() > 0
            && std::none_of(n.input().begin(), n.input().end(),
                [&](const std::string& in) { return in.empty() || constants.contains(in); });
    }
    std::vector<std::string> dataInputs(const onnx::NodeProto& n) const
    {
        std::vector<std::string> out;
        for (const auto& in : n.input())
            if (!in.empty() && !constants.contains(in))
                out.push_back(in);
        return out;
    }
};

// Groups that have a member in common merged into one (a Concat of MaxPool outputs chains
// two groups), so each tensor is in at most one group and one pass of taking the union
// of its members' ranges suffices.
std::vector<std::vector<std::string>> disjointGroups(const std::vector<std::vector<std::string>>& groups)
{
    std::vector<std::vector<std::string>> out;
    for (const auto& g : groups) {
        std::vector<std::string> merged = g;
        for (auto it = out.begin(); it != out.end();) {
            const bool overlaps = std::any_of(it->begin(), it->end(),
                [&](const std::string& t) { return std::find(merged.begin(), merged.end(), t) != merged.end(); });
            if (!overlaps) {
                ++it;
                continue;
            }
            for (const auto& t : merged)
                if (std::find(it->begin(), it->end(), t) == it->end())
                    it->push_back(t);
            merged = std::move(*it);
            it = out.erase(it);
        }
        out.push_back(std::move(merged));
    }
    return out;
}

} // namespace

std::vector<std::string> ActivationPlacement::rangeTensors() const
{
    std::vector<std::string> out;
    for (const auto& s : sites)
        if (std::find(out.begin(), out.end(), s.range) == out.end())
            out.push_back(s.range);
    return out;
}

Result<ActivationPlacement> placeActivations(const onnx::GraphProto& graph, const Plan& plan)
{
    const GraphIndex index(graph);
    std::map<std::string, bool> marked; // tensor -> symmetric
    std::vector<std::vector<std::string>> shared;
    std::unordered_set<int> layers; // nodes whose inputs and outputs are quantized
    std::set<std::string, std::less<>> found;

    auto mark = [&](const std::string& t, bool symmetric) {
        if (index.outputs.contains(t) || index.constants.contains(t))
            return false;
        return marked.emplace(t, symmetric).second;
    };
    // The tensor a quantized node's output is taken at: through a lone BatchNormalization
    // (which then counts as part of the node) and a lone Relu or Clip.
    auto loneUser = [&](const std::string& t, bool (*accept)(const std::string&)) -> int {
        const auto& users = index.consumersOf(t);
        if (users.size() != 1 || index.outputs.contains(t))
            return -1;
        const auto& user = graph.node(users[0]);
        return accept(user.op_type()) && user.input(0) == t ? users[0] : -1;
    };
    auto quantizedOutput = [&](const onnx::NodeProto& n) {
        std::string out = n.output(0);
        if (int bn = loneUser(out, [](const std::string& op) { return op == "BatchNormalization"; }); bn >= 0) {
            layers.insert(bn);
            out = graph.node(bn).output(0);
        }
        if (int act = loneUser(out, isActivation); act >= 0)
            return graph.node(act).output(0);
        return out;
    };

    // The inputs of the quantized layers, and back through the ops that move codes.
    std::vector<std::string> work;
    for (int i = 0; i < graph.node_size(); ++i) {
        const auto& n = graph.node(i);
        const ActivationSpec& act = plan.spec(n.name()).act;
        if (!act.quantized() || !plan.contains(n.name()))
            continue;
        found.insert(n.name());
        layers.insert(i);
        const auto inputs = index.dataInputs(n);
        if (!inputs.empty() && mark(inputs[0], act.symmetric))
            work.push_back(inputs[0]);
    }
    for (const auto& [name, spec] : plan.layers())
        if (spec.act.quantized() && !found.contains(name))
            return fail("activation quantization of '" + name + "': the model has no node of that name");
    while (!work.empty()) {
        const std::string t = work.back();
        work.pop_back();
        const int p = index.producerOf(t);
        if (p < 0 || !index.movesCodes(graph.node(p)))
            continue;
        const auto& n = graph.node(p);
        const auto inputs = index.dataInputs(n);
        if (inputs.empty())
            continue;
        // MaxPool, Flatten and Reshape move their data input (the first); Concat all of them.
        const size_t moved = n.op_type() == "Concat" ? inputs.size() : 1;
        std::vector<std::string> group(inputs.begin(), inputs.begin() + static_cast<std::ptrdiff_t>(moved));
        group.push_back(t);
        shared.push_back(group);
        for (size_t k = 0; k < moved; ++k)
            if (mark(inputs[k], marked.at(t)))
                work.push_back(inputs[k]);
    }

    // Forward in graph order: the outputs of quantized layers and Adds, pass-through ops.
    for (int i = 0; i < graph.node_size(); ++i) {
        const auto& n = graph.node(i);
        if (n.output_size() == 0)
            continue;
        const auto inputs = index.dataInputs(n);
        const bool allQuantized = !inputs.empty()
            && std::all_of(inputs.begin(), inputs.end(), [&](const std::string& t) { return marked.contains(t); });
        if (layers.contains(i)) {
            const auto in = inputs.empty() ? marked.end() : marked.find(inputs[0]);
            mark(quantizedOutput(n), in != marked.end() && in->second);
        } else if (n.op_type() == "Add" && inputs.size() >= 2 && allQuantized) {
            layers.insert(i);
            mark(quantizedOutput(n), marked.at(inputs[0]));
        } else if (index.movesCodes(n) && allQuantized) {
            if (mark(n.output(0), marked.at(inputs[0]))) {
                std::vector<std::string> group = n.op_type() == "Concat" ? inputs : std::vector<std::string> { inputs[0] };
                group.push_back(n.output(0));
                shared.push_back(std::move(group));
            }
        }
    }

    // One site per quantized tensor, in the order the graph computes them.
    ActivationPlacement out;
    out.shared = disjointGroups(shared);
    std::vector<std::pair<int, std::string>> order;
    for (const auto& [t, sym] : marked)
        order.emplace_back(index.producerOf(t), t);
    std::sort(order.begin(), order.end());
    for (const auto& [p, t] : order) {
        QdqSite site { t, t, marked.at(t), "" };
        if (p >= 0 && isActivation(graph.node(p).op_type())) {
            const std::string& before = graph.node(p).input(0);
            const int q = index.producerOf(before);
            if (q >= 0 && layers.contains(q) && index.consumersOf(before).size() == 1
                && !index.outputs.contains(before)) {
                site.tensor = before;
                site.activation = t;
            }
        }
        out.sites.push_back(std::move(site));
    }
    return out;
}

} // namespace topiary
