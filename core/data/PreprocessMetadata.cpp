// Mean and std read from a model's metadata_props (see normalizationFromMetadata in
// Preprocess.h): what a model file can say about its own normalisation.
#include "core/data/Preprocess.h"

#include <cctype>
#include <charconv>
#include <cmath>

namespace topiary {

namespace {

std::string_view trim(std::string_view text)
{
    while (!text.empty() && std::isspace(static_cast<unsigned char>(text.front())))
        text.remove_prefix(1);
    while (!text.empty() && std::isspace(static_cast<unsigned char>(text.back())))
        text.remove_suffix(1);
    return text;
}

} // namespace

Result<std::vector<double>> metadataNumbers(const std::string& key, std::string_view text)
{
    const std::string where = "the model's metadata '" + key + "'";
    text = trim(text);
    if (text.size() >= 2 && text.front() == '[' && text.back() == ']')
        text = trim(text.substr(1, text.size() - 2));
    if (text.empty())
        return fail(where + ": empty; expected numbers separated by commas");
    std::vector<double> values;
    while (true) {
        const size_t comma = text.find(',');
        const std::string_view item = trim(text.substr(0, comma));
        double v = 0.0;
        const auto [end, ec] = std::from_chars(item.data(), item.data() + item.size(), v);
        if (item.empty() || ec != std::errc() || end != item.data() + item.size() || !std::isfinite(v))
            return fail(where + ": '" + std::string(item) + "' is not a number (expected e.g. \"0.485,0.456,0.406\")");
        values.push_back(v);
        if (comma == std::string_view::npos)
            break;
        text.remove_prefix(comma + 1);
    }
    if (values.size() != 1 && values.size() != 3)
        return fail(where + ": " + std::to_string(values.size()) + " values (one per channel, or one for all)");
    return values;
}

Result<MetadataNormalization> normalizationFromMetadata(const onnx::ModelProto& model)
{
    MetadataNormalization out;
    for (const auto& entry : model.metadata_props()) {
        const bool isMean = entry.key() == kMetadataMeanKey;
        if (!isMean && entry.key() != kMetadataStdKey)
            continue;
        auto values = metadataNumbers(entry.key(), entry.value());
        if (!values)
            return std::unexpected(values.error());
        if (!isMean)
            for (double v : *values)
                if (v <= 0)
                    return fail("the model's metadata 'std': every value must be positive");
        (isMean ? out.mean : out.stddev) = std::move(*values);
    }
    return out;
}

} // namespace topiary
