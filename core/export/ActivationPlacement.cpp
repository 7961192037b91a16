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
    std::vector<std::string> dataInputs(const onnx::NodeProto& n) const
    {
        std::vector<std::string> out;
        for (const auto& in : n.input())
            if (!in.empty() && !constants.contains(in))
                out.push_back(in);
        return out;
    }
};

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
        if (p < 0 || !isPassThrough(graph.node(p).op_type()))
            continue;
        const auto inputs = index.dataInputs(graph.node(p));
        if (inputs.empty())
            continue;
        shared.push_back({ inputs[0], t });
        if (mark(inputs[0], marked.at(t)))
            work.push_back(inputs[0]);
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
        } else if (isPassThrough(n.op_type()) && allQuantized) {
            if (mark(n.output(0), marked.at(inputs[0])))
                shared.push_back({ inputs[0], n.output(0) });
        }
    }

    // One site per quantized tensor, in the order the graph computes them.
    ActivationPlacement out;
    out.shared = std::move(shared);
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
