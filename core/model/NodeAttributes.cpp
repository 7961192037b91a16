#include "core/model/NodeAttributes.h"

namespace topiary {

const onnx::AttributeProto* attributeNamed(const onnx::NodeProto& node, std::string_view name)
{
    for (const auto& a : node.attribute())
        if (a.name() == name)
            return &a;
    return nullptr;
}

int64_t intAttribute(const onnx::NodeProto& node, std::string_view name, int64_t fallback)
{
    const auto* a = attributeNamed(node, name);
    return a ? a->i() : fallback;
}

float floatAttribute(const onnx::NodeProto& node, std::string_view name, float fallback)
{
    const auto* a = attributeNamed(node, name);
    return a ? a->f() : fallback;
}

std::optional<std::vector<int64_t>> intsAttribute(const onnx::NodeProto& node, std::string_view name)
{
    const auto* a = attributeNamed(node, name);
    if (!a)
        return std::nullopt;
    return std::vector<int64_t>(a->ints().begin(), a->ints().end());
}

int64_t product(std::span<const int64_t> dims)
{
    int64_t p = 1;
    for (int64_t d : dims) {
        if (d < 0)
            return 0;
        p *= d;
    }
    return p;
}

} // namespace topiary
