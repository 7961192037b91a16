// How an image becomes the float blob a model takes, as torchvision transforms describe it
// (the spec and its JSON here; Preprocessor.h applies it):
//   decode -> grayscale or colour -> resize the shorter side to `resize` (aspect kept)
//   -> centre crop height x width (zero padding when smaller, as CenterCrop) -> channel
//   order -> x * scale -> (x - mean[c]) / std[c] -> NCHW float32.
// With resize 0, an image that is not height x width is stretched to it instead.
// "bilinear" shrinks with OpenCV's area filter, which is close to PIL's antialiased
// bilinear that torchvision uses on PIL images; it enlarges bilinearly.
//
// JSON (the file `topiary-cli eval --preprocess` reads, and the recipe will embed):
//   {"input_name": "input", "layout": "NCHW", "channels": 1, "height": 28, "width": 28,
//    "resize": 0, "interpolation": "bilinear", "color_order": "rgb",
//    "scale": 0.00392156862745098, "mean": [0.286], "std": [0.353], "classes": [...]}
// channels, height and width are required; the rest default to what is shown above, with
// mean 0 and std 1. mean and std hold one value per channel or one for all. Parsing is
// strict: unknown fields, wrong types and values out of range are errors naming the field.
#pragma once

#include "core/base/Error.h"

#include <nlohmann/json.hpp>
#include <onnx/onnx_pb.h>

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace topiary {

class Model;

inline constexpr int kMaxImageSide = 16384; // height, width and resize

enum class Interpolation { Bilinear, Nearest, Bicubic, Area };
enum class ColorOrder { Rgb, Bgr };

struct PreprocessSpec {
    std::string inputName; // "" = the model's only input
    int channels = 3; // 1 (grayscale) or 3
    int height = 224;
    int width = 224;
    int resize = 0; // shorter side before the centre crop; 0 = stretch to height x width
    Interpolation interpolation = Interpolation::Bilinear;
    ColorOrder colorOrder = ColorOrder::Rgb;
    double scale = 1.0 / 255.0;
    std::vector<double> mean = { 0.0 };
    std::vector<double> stddev = { 1.0 };
    std::vector<std::string> classes; // names of the model's outputs, in order; may be empty

    bool operator==(const PreprocessSpec&) const = default;
};

// The model's image input: its name and N, C, H, W dims (-1 where symbolic or unknown).
struct ImageInput {
    std::string name;
    int64_t dims[4] = { -1, -1, -1, -1 };
};
// name "" = the model's only input. An error unless it is a rank-4 float32 input.
Result<ImageInput> findImageInput(const onnx::ModelProto& model, std::string_view name = {});

// Values in range and consistent (mean/std sizes, std > 0...); the error names the field.
Result<void> checkPreprocess(const PreprocessSpec& spec);
// The spec fits the model: the input exists (or the model has one), is float, of rank 4,
// and its known channel/height/width dims equal the spec's.
Result<void> checkPreprocessFor(const PreprocessSpec& spec, const onnx::ModelProto& model);

// A spec from the model's input shape: channels, height and width where the model fixes
// them (224 otherwise). Three channels: ImageNet's mean and std, RGB, resize by 256/224
// then centre crop, as torchvision's classification models expect. One channel: x / 255.
// An error when the model has no single rank-4 float input.
Result<PreprocessSpec> defaultPreprocess(const Model& model);
Result<PreprocessSpec> defaultPreprocess(const onnx::ModelProto& model);

nlohmann::json preprocessToJson(const PreprocessSpec& spec);
Result<PreprocessSpec> preprocessFromJson(const nlohmann::json& json);
Result<PreprocessSpec> parsePreprocess(std::string_view text);
Result<PreprocessSpec> loadPreprocess(const std::filesystem::path& file);

// The preprocessing a model file carries in its metadata_props, when it does:
//   "topiary.preprocess"      the whole spec as the JSON above (what preprocess.json holds);
//   "mean" and "std", or "image_mean" and "image_std" (Hugging Face image processors'
//                             names): one value or one per channel, as a JSON list
//                             "[0.286]" or comma-separated "0.485,0.456,0.406", on top of
//                             defaultPreprocess(model). Values on the 0..1 scale of
//                             torchvision's Normalize; when any is above 1 they are taken
//                             as 0..255 pixel values (scale 1).
// nullopt when the model has none of these keys; an error naming the key when a value
// does not parse or does not fit the model. `source` gets "the model's metadata (KEYS)".
Result<std::optional<PreprocessSpec>> preprocessFromMetadata(const Model& model, std::string* source = nullptr);

// Choosing the preprocessing for evaluating a model on a dataset, one rule for the GUI
// and the CLI. In order, the first that exists wins:
//   1. an explicit file (topiary-cli --preprocess FILE);
//   2. a spec recorded with the work (a project or a recipe);
//   3. preprocess.json beside the model file: the normalisation the model was trained
//      with belongs to the model, whatever images it is shown;
//   4. the model's own metadata (preprocessFromMetadata), for the same reason;
//   5. preprocess.json beside the dataset: inside it when it is a folder, else (or then)
//      in the folder that holds it (a model shipped without one, data that carries one);
//   6. defaultPreprocess(model), with a warning, since its normalisation is a guess.
// A file that is found but does not parse is an error naming it, never skipped: a typo
// must not silently become the defaults. So is a spec that does not fit the model
// (checkPreprocessFor), with where it came from.
enum class PreprocessOrigin { ExplicitFile, Recorded, BesideDataset, BesideModel, ModelDefaults, ModelMetadata };

// The normalisation a model may carry in its metadata_props, so that a model file alone
// says how to feed it: keys "mean" and "std", each a comma-separated list of numbers, one
// per channel or one for all, in the units after `scale` (e.g. "0.485,0.456,0.406" and
// "0.229,0.224,0.225"). Spaces and enclosing [ ] are allowed. A key that is absent leaves
// its value unset; a key that does not parse is an error naming it.
inline constexpr const char* kMetadataMeanKey = "mean";
inline constexpr const char* kMetadataStdKey = "std";
struct MetadataNormalization {
    std::optional<std::vector<double>> mean;
    std::optional<std::vector<double>> stddev;
    bool empty() const { return !mean && !stddev; }
};
Result<MetadataNormalization> normalizationFromMetadata(const onnx::ModelProto& model);
// One metadata value as numbers: "0.485, 0.456,0.406" or "[0.5]" (one per channel, or
// one for all), or an error naming the key. Both metadata readers parse with it.
Result<std::vector<double>> metadataNumbers(const std::string& key, std::string_view text);

struct PreprocessSearch {
    std::filesystem::path explicitFile; // "" = none
    std::optional<PreprocessSpec> recorded;
    std::string recordedFrom; // what recorded it, for the description: "the recipe r.json"
    std::filesystem::path dataset; // an image folder, a list or an IDX file; "" = none
    std::filesystem::path modelFile; // "" when the model is not a file (a bundled resource)
};

struct ChosenPreprocess {
    PreprocessSpec spec;
    PreprocessOrigin origin = PreprocessOrigin::ModelDefaults;
    std::filesystem::path file; // the preprocess.json read (origins 1, 3 and 4)
    std::string description; // "resources/sample/preprocess.json", "defaults from the model's input shape"
    std::string warning; // set with ModelDefaults: no file was found, the normalisation is guessed
    // Where each value came from, by JSON field name ("height", "mean"...): the file that
    // set it, "the model's metadata", "the model's input shape", or "default". Every field
    // of preprocessToJson() except input_name and layout has an entry.
    std::vector<std::pair<std::string, std::string>> sources;
    std::string sourceOf(std::string_view field) const; // "" for an unknown field
};

Result<ChosenPreprocess> choosePreprocess(const Model& model, const PreprocessSearch& search);

} // namespace topiary
