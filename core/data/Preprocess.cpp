#include "core/data/Preprocess.h"

#include "core/model/Model.h"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <map>
#include <fstream>
#include <system_error>
#include <tuple>
#include <unordered_set>
#include <vector>

namespace topiary {

namespace {

const double kImageNetMean[] = { 0.485, 0.456, 0.406 };
const double kImageNetStd[] = { 0.229, 0.224, 0.225 };

std::string field(const std::string& key)
{
    return "preprocess." + key;
}

std::string dimText(int64_t d)
{
    return d < 0 ? std::string("?") : std::to_string(d);
}

} // namespace

Result<ImageInput> findImageInput(const onnx::ModelProto& model, std::string_view name)
{
    std::unordered_set<std::string> initializers;
    for (const auto& t : model.graph().initializer())
        initializers.insert(t.name());
    std::vector<const onnx::ValueInfoProto*> inputs;
    for (const auto& in : model.graph().input())
        if (!initializers.contains(in.name()))
            inputs.push_back(&in);
    const onnx::ValueInfoProto* input = nullptr;
    if (name.empty()) {
        if (inputs.size() != 1)
            return fail("the model has " + std::to_string(inputs.size())
                + " inputs; say which one takes the images (\"input_name\" in the preprocessing)");
        input = inputs.front();
    } else {
        for (const auto* in : inputs)
            if (in->name() == name)
                input = in;
        if (!input)
            return fail("the model has no input named '" + std::string(name) + "'");
    }
    ImageInput out;
    out.name = input->name();
    const auto& type = input->type();
    if (!type.has_tensor_type() || type.tensor_type().elem_type() != onnx::TensorProto_DataType_FLOAT)
        return fail("input '" + out.name + "' is not a float32 tensor, so it cannot take images");
    if (!type.tensor_type().has_shape() || type.tensor_type().shape().dim_size() != 4)
        return fail("input '" + out.name + "' is not of rank 4; images go in as N x C x H x W"
            + (type.tensor_type().has_shape()
                    ? " (it has rank " + std::to_string(type.tensor_type().shape().dim_size()) + ")"
                    : std::string(" (its shape is not given)")));
    for (int d = 0; d < 4; ++d) {
        const auto& dim = type.tensor_type().shape().dim(d);
        out.dims[d] = dim.has_dim_value() && dim.dim_value() > 0 ? dim.dim_value() : -1;
    }
    return out;
}

Result<void> checkPreprocess(const PreprocessSpec& spec)
{
    if (spec.channels != 1 && spec.channels != 3)
        return fail(field("channels") + ": " + std::to_string(spec.channels) + " is not supported (1 or 3)");
    for (auto [key, v, lowest] : { std::tuple { "height", spec.height, 1 }, std::tuple { "width", spec.width, 1 },
             std::tuple { "resize", spec.resize, 0 } })
        if (v < lowest || v > kMaxImageSide)
            return fail(field(key) + ": " + std::to_string(v) + " is out of range (" + std::to_string(lowest) + " to "
                + std::to_string(kMaxImageSide) + ")");
    if (!std::isfinite(spec.scale) || spec.scale <= 0)
        return fail(field("scale") + ": expected a positive number");
    for (auto [key, values] : { std::pair { "mean", &spec.mean }, std::pair { "std", &spec.stddev } }) {
        if (values->size() != 1 && values->size() != static_cast<size_t>(spec.channels))
            return fail(field(key) + ": " + std::to_string(values->size()) + " values for "
                + std::to_string(spec.channels) + " channel(s) (expected one per channel, or one for all)");
        for (size_t i = 0; i < values->size(); ++i) {
            const double v = (*values)[i];
            if (!std::isfinite(v) || (values == &spec.stddev && v <= 0))
                return fail(field(key) + "[" + std::to_string(i)
                    + "]: " + (values == &spec.stddev ? "expected a positive number" : "expected a finite number"));
        }
    }
    return {};
}

Result<void> checkPreprocessFor(const PreprocessSpec& spec, const onnx::ModelProto& model)
{
    if (auto ok = checkPreprocess(spec); !ok)
        return ok;
    auto input = findImageInput(model, spec.inputName);
    if (!input)
        return std::unexpected(input.error());
    const int64_t want[3] = { spec.channels, spec.height, spec.width };
    for (int d = 1; d < 4; ++d)
        if (input->dims[d] >= 0 && input->dims[d] != want[d - 1])
            return fail("the preprocessing makes " + std::to_string(spec.channels) + "x" + std::to_string(spec.height)
                + "x" + std::to_string(spec.width) + " images, input '" + input->name + "' takes "
                + dimText(input->dims[1]) + "x" + dimText(input->dims[2]) + "x" + dimText(input->dims[3]));
    return {};
}

Result<PreprocessSpec> defaultPreprocess(const Model& model)
{
    return defaultPreprocess(model.proto());
}

Result<PreprocessSpec> defaultPreprocess(const onnx::ModelProto& model)
{
    auto input = findImageInput(model);
    if (!input)
        return std::unexpected(input.error());
    PreprocessSpec spec;
    spec.inputName = input->name;
    if (input->dims[1] >= 0 && input->dims[1] != 1 && input->dims[1] != 3)
        return fail("input '" + input->name + "' takes " + std::to_string(input->dims[1])
            + " channels; no default preprocessing for that, give one (1 or 3 channels)");
    spec.channels = input->dims[1] == 1 ? 1 : 3;
    spec.height = input->dims[2] > 0 ? static_cast<int>(std::min<int64_t>(input->dims[2], kMaxImageSide)) : 224;
    spec.width = input->dims[3] > 0 ? static_cast<int>(std::min<int64_t>(input->dims[3], kMaxImageSide)) : 224;
    spec.scale = 1.0 / 255.0;
    if (spec.channels == 3) {
        spec.mean.assign(std::begin(kImageNetMean), std::end(kImageNetMean));
        spec.stddev.assign(std::begin(kImageNetStd), std::end(kImageNetStd));
        spec.colorOrder = ColorOrder::Rgb;
        // torchvision's evaluation transform: Resize(256) then CenterCrop(224), scaled to the input size.
        if (spec.height == spec.width)
            spec.resize = static_cast<int>(std::lround(spec.height * 256.0 / 224.0));
    } else {
        spec.mean = { 0.0 };
        spec.stddev = { 1.0 };
    }
    return spec;
}

Result<std::optional<PreprocessSpec>> preprocessFromMetadata(const Model& model, std::string* source)
{
    std::map<std::string, std::string> props;
    for (const auto& p : model.proto().metadata_props())
        props[p.key()] = p.value();
    auto done = [&](PreprocessSpec spec, const std::string& keys) -> Result<std::optional<PreprocessSpec>> {
        if (auto ok = checkPreprocess(spec); !ok)
            return std::unexpected(ok.error().withContext("the model's metadata (" + keys + ")"));
        if (source)
            *source = "the model's metadata (" + keys + ")";
        return std::optional<PreprocessSpec>(std::move(spec));
    };
    if (auto it = props.find("topiary.preprocess"); it != props.end()) {
        auto spec = parsePreprocess(it->second);
        if (!spec)
            return std::unexpected(spec.error().withContext("the model's metadata 'topiary.preprocess'"));
        return done(std::move(*spec), "topiary.preprocess");
    }
    for (auto [meanKey, stdKey] : { std::pair { "mean", "std" }, std::pair { "image_mean", "image_std" } }) {
        const auto mean = props.find(meanKey);
        const auto stddev = props.find(stdKey);
        if (mean == props.end() && stddev == props.end())
            continue;
        auto spec = defaultPreprocess(model);
        if (!spec)
            return std::unexpected(spec.error());
        spec->mean = { 0.0 };
        spec->stddev = { 1.0 };
        std::string keys;
        for (const auto& [it, target] : { std::pair { mean, &spec->mean }, std::pair { stddev, &spec->stddev } }) {
            if (it == props.end())
                continue;
            auto values = metadataNumbers(it->first, it->second);
            if (!values)
                return std::unexpected(values.error());
            *target = std::move(*values);
            keys += (keys.empty() ? "" : ", ") + it->first;
        }
        const bool pixels = std::any_of(spec->mean.begin(), spec->mean.end(), [](double v) { return v > 1.0; })
            || std::any_of(spec->stddev.begin(), spec->stddev.end(), [](double v) { return v > 1.0; });
        if (pixels)
            spec->scale = 1.0;
        return done(std::move(*spec), keys);
    }
    return std::optional<PreprocessSpec>();
}

namespace {

constexpr const char* kSpecFields[] = { "channels", "height", "width", "resize", "interpolation", "color_order",
    "scale", "mean", "std", "classes" };

// The fields a preprocessing file sets: those it names come from it, the rest are defaults.
std::vector<std::pair<std::string, std::string>> fileSources(const std::filesystem::path& file)
{
    nlohmann::json j;
    {
        std::ifstream in(file, std::ios::binary);
        j = nlohmann::json::parse(in, nullptr, false);
    }
    std::vector<std::pair<std::string, std::string>> out;
    for (const char* key : kSpecFields)
        out.emplace_back(key, j.is_object() && j.contains(key) ? file.string() : std::string("default"));
    return out;
}

// The defaults' sources: the input shape where the model fixes a dim, the ImageNet
// conventions for three channels, the metadata where it speaks.
std::vector<std::pair<std::string, std::string>> defaultSources(
    const ImageInput& input, const PreprocessSpec& spec, const MetadataNormalization& metadata)
{
    const std::string shape = "the model's input shape";
    const std::string imageNet = "ImageNet default for 3 channels";
    std::vector<std::pair<std::string, std::string>> out;
    for (const char* key : kSpecFields) {
        const std::string k = key;
        std::string source = "default";
        if (k == "channels")
            source = input.dims[1] > 0 ? shape : "default";
        else if (k == "height")
            source = input.dims[2] > 0 ? shape : "default";
        else if (k == "width")
            source = input.dims[3] > 0 ? shape : "default";
        else if (k == "resize" && spec.resize > 0)
            source = "torchvision's Resize(256) / CenterCrop(224), scaled";
        else if (k == "mean")
            source = metadata.mean ? "the model's metadata" : spec.channels == 3 ? imageNet : "default";
        else if (k == "std")
            source = metadata.stddev ? "the model's metadata" : spec.channels == 3 ? imageNet : "default";
        out.emplace_back(k, source);
    }
    return out;
}

Result<ChosenPreprocess> findPreprocess(const Model& model, const PreprocessSearch& search)
{
    auto fromFile = [](const std::filesystem::path& file, PreprocessOrigin origin) -> Result<ChosenPreprocess> {
        auto spec = loadPreprocess(file);
        if (!spec)
            return std::unexpected(spec.error()); // it names the file
        return ChosenPreprocess { std::move(*spec), origin, file, file.string(), {}, fileSources(file) };
    };
    if (!search.explicitFile.empty())
        return fromFile(search.explicitFile, PreprocessOrigin::ExplicitFile);
    if (search.recorded) {
        const std::string from
            = search.recordedFrom.empty() ? std::string("the recorded preprocessing") : search.recordedFrom;
        std::vector<std::pair<std::string, std::string>> sources;
        for (const char* key : kSpecFields)
            sources.emplace_back(key, from);
        return ChosenPreprocess { *search.recorded, PreprocessOrigin::Recorded, {}, from, {}, std::move(sources) };
    }

    std::error_code ec;
    auto besideIn = [&](const std::filesystem::path& folder) -> std::filesystem::path {
        if (folder.empty())
            return {};
        const auto candidate = folder / "preprocess.json";
        return std::filesystem::is_regular_file(candidate, ec) ? candidate : std::filesystem::path();
    };
    if (!search.modelFile.empty())
        if (auto file = besideIn(std::filesystem::absolute(search.modelFile, ec).parent_path()); !file.empty())
            return fromFile(file, PreprocessOrigin::BesideModel);

    std::string metadataSource;
    auto fromMetadata = preprocessFromMetadata(model, &metadataSource);
    if (!fromMetadata)
        return std::unexpected(fromMetadata.error());
    if (*fromMetadata) {
        std::vector<std::pair<std::string, std::string>> sources;
        std::string warning;
        if (metadataSource.find("topiary.preprocess") != std::string::npos) {
            for (const char* key : kSpecFields)
                sources.emplace_back(key, metadataSource);
        } else {
            // mean / std (or image_mean / image_std) over the input-shape defaults.
            MetadataNormalization given;
            const bool mean = metadataSource.find("mean") != std::string::npos;
            const bool stddev = metadataSource.find("std") != std::string::npos;
            if (mean)
                given.mean = (*fromMetadata)->mean;
            if (stddev)
                given.stddev = (*fromMetadata)->stddev;
            auto input = findImageInput(model.proto());
            sources = defaultSources(input ? *input : ImageInput {}, **fromMetadata, given);
            if (mean != stddev)
                warning = std::string("the model's metadata gives only its ") + (mean ? "mean" : "std") + "; its "
                    + (mean ? "std" : "mean") + " is a default";
        }
        return ChosenPreprocess { std::move(**fromMetadata), PreprocessOrigin::ModelMetadata, {}, metadataSource,
            std::move(warning), std::move(sources) };
    }

    if (!search.dataset.empty()) {
        const auto data = std::filesystem::absolute(search.dataset, ec);
        std::vector<std::filesystem::path> folders;
        if (std::filesystem::is_directory(data, ec))
            folders.push_back(data);
        folders.push_back(data.parent_path());
        for (const auto& folder : folders)
            if (auto file = besideIn(folder); !file.empty())
                return fromFile(file, PreprocessOrigin::BesideDataset);
    }
    auto spec = defaultPreprocess(model);
    if (!spec)
        return std::unexpected(spec.error().withContext("no preprocess.json beside the data or the model, and no default"));
    auto input = findImageInput(model.proto());
    auto sources = defaultSources(input ? *input : ImageInput {}, *spec, MetadataNormalization {});
    std::string warning = "no preprocess.json beside the data or the model: using defaults from the model's input shape";
    warning += spec->channels == 3 ? " (ImageNet mean and std)" : " (pixels / 255)";
    return ChosenPreprocess { std::move(*spec), PreprocessOrigin::ModelDefaults, {},
        "defaults from the model's input shape", std::move(warning), std::move(sources) };
}

} // namespace

std::string ChosenPreprocess::sourceOf(std::string_view field) const
{
    for (const auto& [key, source] : sources)
        if (key == field)
            return source;
    return {};
}

Result<ChosenPreprocess> choosePreprocess(const Model& model, const PreprocessSearch& search)
{
    auto chosen = findPreprocess(model, search);
    if (!chosen)
        return chosen;
    if (auto fits = checkPreprocessFor(chosen->spec, model.proto()); !fits)
        return std::unexpected(fits.error().withContext(chosen->description));
    return chosen;
}

} // namespace topiary
