#include "core/plan/RecoverySpec.h"

#include "core/base/JsonFields.h"

#include <vector>

namespace topiary {

using namespace json_fields;

namespace {

Result<void> setMethod(std::string_view name, RecoverySpec& spec, const std::string& where)
{
    if (name == "bn")
        spec.batchNorm = true;
    else if (name == "bias")
        spec.bias = true;
    else if (name == "lsq")
        spec.leastSquares = true;
    else
        return fail(where + ": unknown recovery method '" + std::string(name) + "' (expected bn, bias or lsq)");
    return {};
}

std::vector<std::string> methodNames(const RecoverySpec& spec)
{
    std::vector<std::string> names;
    if (spec.batchNorm)
        names.push_back("bn");
    if (spec.bias)
        names.push_back("bias");
    if (spec.leastSquares)
        names.push_back("lsq");
    return names;
}

} // namespace

Result<void> parseRecoveryMethods(std::string_view text, RecoverySpec& spec)
{
    spec.batchNorm = spec.bias = spec.leastSquares = false;
    if (text == "none")
        return {};
    if (text.empty())
        return fail("no recovery methods given (expected a list such as bn,bias,lsq)");
    size_t start = 0;
    while (start <= text.size()) {
        const size_t comma = std::min(text.find(',', start), text.size());
        if (auto r = setMethod(text.substr(start, comma - start), spec, "--recover " + std::string(text)); !r)
            return r;
        start = comma + 1;
    }
    return {};
}

std::string recoveryMethodsText(const RecoverySpec& spec)
{
    std::string out;
    for (const auto& n : methodNames(spec))
        out += (out.empty() ? "" : ",") + n;
    return out.empty() ? "none" : out;
}

nlohmann::json recoveryToJson(const RecoverySpec& spec)
{
    nlohmann::json out = nlohmann::json::object();
    out["methods"] = methodNames(spec);
    out["calibration_images"] = spec.calibrationImages;
    out["seed"] = spec.seed;
    if (!spec.source.empty())
        out["source"] = spec.source;
    return out;
}

Result<RecoverySpec> recoveryFromJson(const nlohmann::json& j, const std::string& path)
{
    if (auto r = expectObject(j, path); !r)
        return std::unexpected(r.error());
    if (auto r = onlyFields(j, path, { "methods", "calibration_images", "seed", "source" }); !r)
        return std::unexpected(r.error());
    RecoverySpec spec;
    auto methods = require(j, path, "methods");
    if (!methods)
        return std::unexpected(methods.error());
    const std::string methodsPath = join(path, "methods");
    if (!(*methods)->is_array())
        return fail(methodsPath + ": expected a list of method names");
    for (size_t i = 0; i < (*methods)->size(); ++i) {
        const std::string at = methodsPath + "[" + std::to_string(i) + "]";
        auto name = stringAt((**methods)[i], at);
        if (!name)
            return std::unexpected(name.error());
        if (auto r = setMethod(*name, spec, at); !r)
            return std::unexpected(r.error());
    }
    if (const json* n = find(j, "calibration_images")) {
        auto v = integerAt(*n, join(path, "calibration_images"));
        if (!v)
            return std::unexpected(v.error());
        if (*v < 1 || *v > 1'000'000)
            return fail(join(path, "calibration_images") + ": must be in 1..1000000, not " + std::to_string(*v));
        spec.calibrationImages = *v;
    }
    if (const json* s = find(j, "seed")) {
        auto v = integerAt(*s, join(path, "seed"));
        if (!v)
            return std::unexpected(v.error());
        if (*v < 0)
            return fail(join(path, "seed") + ": must not be negative");
        spec.seed = static_cast<uint64_t>(*v);
    }
    if (const json* s = find(j, "source")) {
        auto v = stringAt(*s, join(path, "source"));
        if (!v)
            return std::unexpected(v.error());
        spec.source = *v;
    }
    return spec;
}

} // namespace topiary
