#include "core/base/JsonFields.h"

#include <algorithm>
#include <cmath>
#include <limits>

namespace topiary::json_fields {

std::string join(const std::string& path, const std::string& key)
{
    return path.empty() ? key : path + "." + key;
}

Result<void> onlyFields(const json& obj, const std::string& path, std::initializer_list<const char*> allowed)
{
    for (auto it = obj.begin(); it != obj.end(); ++it) {
        const bool known = std::any_of(allowed.begin(), allowed.end(), [&](const char* a) { return it.key() == a; });
        if (!known)
            return fail(join(path, it.key()) + ": unknown field");
    }
    return {};
}

Result<void> expectObject(const json& j, const std::string& path)
{
    if (!j.is_object())
        return fail(path + ": expected an object, got " + j.type_name());
    return {};
}

Result<double> numberAt(const json& j, const std::string& path)
{
    if (!j.is_number())
        return fail(path + ": expected a number, got " + j.type_name());
    const double v = j.get<double>();
    if (!std::isfinite(v))
        return fail(path + ": expected a finite number");
    return v;
}

Result<int64_t> integerAt(const json& j, const std::string& path)
{
    if (j.is_number_unsigned()) {
        const auto v = j.get<uint64_t>();
        if (v > static_cast<uint64_t>(std::numeric_limits<int64_t>::max()))
            return fail(path + ": " + std::to_string(v) + " is too large");
        return static_cast<int64_t>(v);
    }
    if (!j.is_number_integer())
        return fail(path + ": expected an integer, got " + (j.is_number() ? "a fractional number" : j.type_name()));
    return j.get<int64_t>();
}

Result<bool> booleanAt(const json& j, const std::string& path)
{
    if (!j.is_boolean())
        return fail(path + ": expected true or false, got " + j.type_name());
    return j.get<bool>();
}

Result<std::string> stringAt(const json& j, const std::string& path)
{
    if (!j.is_string())
        return fail(path + ": expected a string, got " + j.type_name());
    return j.get<std::string>();
}

const json* find(const json& obj, const char* key)
{
    auto it = obj.find(key);
    return it == obj.end() ? nullptr : &*it;
}

Result<const json*> require(const json& obj, const std::string& path, const char* key)
{
    if (const json* j = find(obj, key))
        return j;
    return fail(join(path, key) + ": missing");
}

} // namespace topiary::json_fields
