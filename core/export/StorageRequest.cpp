#include "core/export/StorageRequest.h"

#include "core/model/Layer.h"
#include "core/plan/Recipe.h"

namespace topiary {

Result<StorageRequest> resolveStorage(const Plan& plan, const std::vector<Layer>& layers, const ApplyOptions& options)
{
    StorageRequest out { plan, {} };
    if (options.int8Qdq) {
        bool any = false;
        for (const auto& [_, spec] : plan.layers())
            any = any || (spec.quant.scheme == QuantScheme::Uniform && (spec.quant.bits == 8 || spec.quant.bits == 7));
        if (!any)
            return fail("--int8-qdq stores 8-bit uniform layers as int8, and the plan has none: nothing would be "
                        "stored that way (quantize with --bits 8, or leave out --int8-qdq)");
    }
    if (!options.float16)
        return out;
    std::vector<std::string> unquantized;
    std::string otherScheme;
    for (const Layer& layer : layers) {
        const QuantSpec& q = plan.spec(layer.name).quant;
        if (q.scheme == QuantScheme::Float16)
            return out; // the plan says which layers are float16: only those are stored so
        if (q.scheme == QuantScheme::Float32)
            unquantized.push_back(layer.name);
        else if (otherScheme.empty())
            otherScheme = std::string(quantSchemeName(q.scheme)) + " " + std::to_string(q.bits) + "-bit";
    }
    if (unquantized.empty())
        return fail("--float16 stores float16 layers as float16, and the plan quantizes every layer another way ("
            + otherScheme + "): nothing would be stored that way"
            + (options.int8Qdq ? "" : " (8-bit uniform layers are stored in 1 byte with --int8-qdq)"));
    const QuantSpec half { QuantScheme::Float16, 16, true, false };
    for (const auto& name : unquantized)
        out.plan.setQuant(name, half);
    out.notes.push_back("--float16 with no float16 layer in the plan: "
        + std::string(unquantized.size() == layers.size() ? "every layer" : "every layer the plan does not quantize")
        + " (" + std::to_string(unquantized.size()) + " of " + std::to_string(layers.size())
        + ") is stored as float16, as --quant float16 would");
    return out;
}

} // namespace topiary
