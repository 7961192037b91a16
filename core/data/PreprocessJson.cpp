// The preprocessing spec as JSON: strict parsing, every error naming its field.
#include "core/data/Preprocess.h"

#include <cmath>
#include <cstdint>
#include <fstream>
#include <initializer_list>
#include <sstream>
#include <tuple>
#include <unordered_set>

namespace topiary {

namespace {

using nlohmann::json;

constexpr int64_t kMaxPreprocessFileBytes = 1 << 20;

std::string field(const std::string& key)
{
    return "preprocess." + key;
}

struct InterpolationName {
    Interpolation value;
    const char* name;
};
constexpr InterpolationName kInterpolations[] = { { Interpolation::Bilinear, "bilinear" },
    { Interpolation::Nearest, "nearest" }, { Interpolation::Bicubic, "bicubic" }, { Interpolation::Area, "area" } };

const char* interpolationName(Interpolation i)
{
    for (const auto& e : kInterpolations)
        if (e.value == i)
            return e.name;
    return "?";
}

Result<int64_t> integerAt(const json& j, const std::string& key)
{
    if (j.is_number_unsigned() && j.get<uint64_t>() > static_cast<uint64_t>(INT64_MAX))
        return fail(field(key) + ": " + j.dump() + " is too large");
    if (!j.is_number_integer())
        return fail(
            field(key) + ": expected an integer, got " + (j.is_number() ? "a fractional number" : j.type_name()));
    return j.get<int64_t>();
}

Result<int> sideAt(const json& j, const std::string& key, int lowest)
{
    auto v = integerAt(j, key);
    if (!v)
        return std::unexpected(v.error());
    if (*v < lowest || *v > kMaxImageSide)
        return fail(field(key) + ": " + std::to_string(*v) + " is out of range (" + std::to_string(lowest) + " to "
            + std::to_string(kMaxImageSide) + ")");
    return static_cast<int>(*v);
}

Result<double> numberAt(const json& j, const std::string& key)
{
    if (!j.is_number())
        return fail(field(key) + ": expected a number, got " + j.type_name());
    const double v = j.get<double>();
    if (!std::isfinite(v))
        return fail(field(key) + ": expected a finite number");
    return v;
}

Result<std::string> stringAt(const json& j, const std::string& key)
{
    if (!j.is_string())
        return fail(field(key) + ": expected a string, got " + j.type_name());
    return j.get<std::string>();
}

Result<std::vector<double>> numbersAt(const json& j, const std::string& key)
{
    if (!j.is_array())
        return fail(field(key) + ": expected an array of numbers, got " + j.type_name());
    std::vector<double> out;
    for (size_t i = 0; i < j.size(); ++i) {
        auto v = numberAt(j[i], key + "[" + std::to_string(i) + "]");
        if (!v)
            return std::unexpected(v.error());
        out.push_back(*v);
    }
    return out;
}

Result<std::vector<std::string>> stringsAt(const json& j, const std::string& key)
{
    if (!j.is_array())
        return fail(field(key) + ": expected an array of strings, got " + j.type_name());
    std::vector<std::string> out;
    for (size_t i = 0; i < j.size(); ++i) {
        auto v = stringAt(j[i], key + "[" + std::to_string(i) + "]");
        if (!v)
            return std::unexpected(v.error());
        out.push_back(*v);
    }
    return out;
}

} // namespace

json preprocessToJson(const PreprocessSpec& spec)
{
    json j = json::object();
    if (!spec.inputName.empty())
        j["input_name"] = spec.inputName;
    j["layout"] = "NCHW";
    j["channels"] = spec.channels;
    j["height"] = spec.height;
    j["width"] = spec.width;
    j["resize"] = spec.resize;
    j["interpolation"] = interpolationName(spec.interpolation);
    j["color_order"] = spec.colorOrder == ColorOrder::Rgb ? "rgb" : "bgr";
    j["scale"] = spec.scale;
    j["mean"] = spec.mean;
    j["std"] = spec.stddev;
    j["classes"] = spec.classes;
    return j;
}

Result<PreprocessSpec> preprocessFromJson(const json& j)
{
    if (!j.is_object())
        return fail(std::string("preprocess: expected an object, got ") + j.type_name());
    static const std::unordered_set<std::string> known = { "input_name", "layout", "channels", "height", "width",
        "resize", "interpolation", "color_order", "scale", "mean", "std", "classes" };
    for (auto it = j.begin(); it != j.end(); ++it)
        if (!known.contains(it.key()))
            return fail(field(it.key()) + ": unknown field");
    for (const char* required : { "channels", "height", "width" })
        if (!j.contains(required))
            return fail(field(required) + ": missing (channels, height and width are required)");

    PreprocessSpec spec;
    if (j.contains("input_name")) {
        auto v = stringAt(j["input_name"], "input_name");
        if (!v)
            return std::unexpected(v.error());
        spec.inputName = *v;
    }
    if (j.contains("layout")) {
        auto v = stringAt(j["layout"], "layout");
        if (!v)
            return std::unexpected(v.error());
        if (*v != "NCHW")
            return fail(field("layout") + ": '" + *v + "' is not supported (only NCHW)");
    }
    auto channels = integerAt(j["channels"], "channels");
    if (!channels)
        return std::unexpected(channels.error());
    if (*channels != 1 && *channels != 3)
        return fail(field("channels") + ": " + std::to_string(*channels) + " is not supported (1 or 3)");
    spec.channels = static_cast<int>(*channels);
    for (auto [key, target, lowest] : { std::tuple { "height", &spec.height, 1 },
             std::tuple { "width", &spec.width, 1 }, std::tuple { "resize", &spec.resize, 0 } }) {
        if (!j.contains(key))
            continue;
        auto v = sideAt(j[key], key, lowest);
        if (!v)
            return std::unexpected(v.error());
        *target = *v;
    }
    if (j.contains("interpolation")) {
        auto v = stringAt(j["interpolation"], "interpolation");
        if (!v)
            return std::unexpected(v.error());
        bool found = false;
        for (const auto& e : kInterpolations)
            if (*v == e.name) {
                spec.interpolation = e.value;
                found = true;
            }
        if (!found)
            return fail(field("interpolation") + ": unknown value '" + *v + "' (bilinear, nearest, bicubic or area)");
    }
    if (j.contains("color_order")) {
        auto v = stringAt(j["color_order"], "color_order");
        if (!v)
            return std::unexpected(v.error());
        if (*v != "rgb" && *v != "bgr")
            return fail(field("color_order") + ": unknown value '" + *v + "' (rgb or bgr)");
        spec.colorOrder = *v == "rgb" ? ColorOrder::Rgb : ColorOrder::Bgr;
    }
    if (j.contains("scale")) {
        auto v = numberAt(j["scale"], "scale");
        if (!v)
            return std::unexpected(v.error());
        spec.scale = *v;
    }
    for (auto [key, target] : { std::pair { "mean", &spec.mean }, std::pair { "std", &spec.stddev } }) {
        if (!j.contains(key))
            continue;
        auto v = numbersAt(j[key], key);
        if (!v)
            return std::unexpected(v.error());
        *target = std::move(*v);
    }
    if (j.contains("classes")) {
        auto v = stringsAt(j["classes"], "classes");
        if (!v)
            return std::unexpected(v.error());
        spec.classes = std::move(*v);
    }
    if (auto ok = checkPreprocess(spec); !ok)
        return std::unexpected(ok.error());
    return spec;
}

Result<PreprocessSpec> parsePreprocess(std::string_view text)
{
    json j;
    try {
        j = json::parse(text);
    } catch (const json::parse_error& e) {
        return fail(std::string("preprocess: not valid JSON: ") + e.what());
    }
    return preprocessFromJson(j);
}

Result<PreprocessSpec> loadPreprocess(const std::filesystem::path& file)
{
    std::error_code ec;
    const auto size = std::filesystem::file_size(file, ec);
    if (ec)
        return fail(file.string() + ": cannot read: " + ec.message());
    if (size > static_cast<uintmax_t>(kMaxPreprocessFileBytes))
        return fail(file.string() + ": " + std::to_string(size) + " bytes is too large for a preprocessing file");
    std::ifstream in(file, std::ios::binary);
    if (!in)
        return fail(file.string() + ": cannot open for reading");
    std::ostringstream text;
    text << in.rdbuf();
    auto spec = parsePreprocess(text.str());
    if (!spec)
        return std::unexpected(spec.error().withContext(file.string()));
    return spec;
}

} // namespace topiary
