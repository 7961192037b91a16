// Strict access to the fields of a JSON document (recipes, projects): every error names
// the field's path ("layers.conv1.prune.value: expected a number, got string"), unknown
// fields are errors, numbers must be finite and integers must fit in 64 bits.
#pragma once

#include "core/base/Error.h"

#include <nlohmann/json.hpp>

#include <cstdint>
#include <initializer_list>
#include <string>

namespace topiary::json_fields {

using nlohmann::json;

// "a.b" ("b" when path is empty).
std::string join(const std::string& path, const std::string& key);

// An error naming the first field of `obj` not in `allowed`.
Result<void> onlyFields(const json& obj, const std::string& path, std::initializer_list<const char*> allowed);
Result<void> expectObject(const json& j, const std::string& path);

Result<double> numberAt(const json& j, const std::string& path);
Result<int64_t> integerAt(const json& j, const std::string& path);
Result<bool> booleanAt(const json& j, const std::string& path);
Result<std::string> stringAt(const json& j, const std::string& path);

// The field, or null when absent.
const json* find(const json& obj, const char* key);
// The field, or "path.key: missing".
Result<const json*> require(const json& obj, const std::string& path, const char* key);

// A required field read by `read` (stringAt, numberAt, integerAt...), or "missing".
template <class Read>
auto required(const json& obj, const std::string& path, const char* key, Read read) -> decltype(read(obj, path))
{
    auto j = require(obj, path, key);
    if (!j)
        return std::unexpected(j.error());
    return read(**j, join(path, key));
}

} // namespace topiary::json_fields
