#include "core/plan/Recipe.h"

#include "core/base/JsonFields.h"
#include "core/model/DependencyGroups.h"
#include "core/model/Layer.h"
#include "core/model/Model.h"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <initializer_list>
#include <map>
#include <sstream>
#include <unordered_map>

namespace topiary {

namespace {

using nlohmann::json;
using namespace json_fields;

template <class E, size_t N>
Result<E> parseEnum(
    const EnumName<E> (&table)[N], std::string_view text, const std::string& path, bool allowFirst = true)
{
    std::string expected;
    for (size_t i = allowFirst ? 0 : 1; i < N; ++i) {
        if (table[i].name == text)
            return table[i].value;
        expected += (expected.empty() ? "" : ", ") + std::string(table[i].name);
    }
    return fail(path + ": unknown value '" + std::string(text) + "' (expected one of " + expected + ")");
}

// ---- spec sections

Result<PruneSpec> parsePrune(const json& j, const std::string& path)
{
    if (auto r = expectObject(j, path); !r)
        return std::unexpected(r.error());
    if (auto r = onlyFields(j, path, { "granularity", "criterion", "mode", "value" }); !r)
        return std::unexpected(r.error());
    PruneSpec spec;
    auto g = required(j, path, "granularity", stringAt);
    if (!g)
        return std::unexpected(g.error());
    auto granularity = parseEnum(kGranularityNames, *g, join(path, "granularity"), false);
    if (!granularity)
        return std::unexpected(granularity.error());
    spec.granularity = *granularity;
    if (const json* c = find(j, "criterion")) {
        auto s = stringAt(*c, join(path, "criterion"));
        if (!s)
            return std::unexpected(s.error());
        auto criterion = parseEnum(kCriterionNames, *s, join(path, "criterion"));
        if (!criterion)
            return std::unexpected(criterion.error());
        spec.criterion = *criterion;
    }
    if (const json* m = find(j, "mode")) {
        auto s = stringAt(*m, join(path, "mode"));
        if (!s)
            return std::unexpected(s.error());
        auto mode = parseEnum(kPruneModeNames, *s, join(path, "mode"));
        if (!mode)
            return std::unexpected(mode.error());
        spec.mode = *mode;
    }
    auto v = required(j, path, "value", numberAt);
    if (!v)
        return std::unexpected(v.error());
    spec.value = *v;
    return spec;
}

Result<QuantSpec> parseQuant(const json& j, const std::string& path)
{
    if (auto r = expectObject(j, path); !r)
        return std::unexpected(r.error());
    if (auto r = onlyFields(j, path, { "scheme", "bits", "symmetric", "per_channel", "range" }); !r)
        return std::unexpected(r.error());
    QuantSpec spec;
    auto s = required(j, path, "scheme", stringAt);
    if (!s)
        return std::unexpected(s.error());
    auto scheme = parseEnum(kQuantSchemeNames, *s, join(path, "scheme"));
    if (!scheme)
        return std::unexpected(scheme.error());
    spec.scheme = *scheme;
    if (const json* b = find(j, "bits")) {
        auto bits = integerAt(*b, join(path, "bits"));
        if (!bits)
            return std::unexpected(bits.error());
        if (*bits < 0 || *bits > 64)
            return fail(join(path, "bits") + ": " + std::to_string(*bits) + " is out of range");
        spec.bits = static_cast<int>(*bits);
    } else if (naturalBits(spec.scheme) > 0) {
        spec.bits = naturalBits(spec.scheme);
    } else {
        return fail(join(path, "bits") + ": missing (" + *s + " quantization needs a bit width)");
    }
    if (const json* sym = find(j, "symmetric")) {
        auto v = booleanAt(*sym, join(path, "symmetric"));
        if (!v)
            return std::unexpected(v.error());
        spec.symmetric = *v;
    }
    if (const json* pc = find(j, "per_channel")) {
        auto v = booleanAt(*pc, join(path, "per_channel"));
        if (!v)
            return std::unexpected(v.error());
        spec.perChannel = *v;
    }
    if (const json* r = find(j, "range")) {
        auto v = stringAt(*r, join(path, "range"));
        if (!v)
            return std::unexpected(v.error());
        auto range = parseEnum(kQuantRangeNames, *v, join(path, "range"));
        if (!range)
            return std::unexpected(range.error());
        spec.range = *range;
    }
    return spec;
}

Result<LowRankSpec> parseLowRank(const json& j, const std::string& path)
{
    if (auto r = expectObject(j, path); !r)
        return std::unexpected(r.error());
    if (auto r = onlyFields(j, path, { "rank" }); !r)
        return std::unexpected(r.error());
    auto rank = required(j, path, "rank", integerAt);
    if (!rank)
        return std::unexpected(rank.error());
    return LowRankSpec { *rank };
}

Result<ActivationSpec> parseActivation(const json& j, const std::string& path)
{
    if (auto r = expectObject(j, path); !r)
        return std::unexpected(r.error());
    if (auto r = onlyFields(j, path, { "bits", "symmetric" }); !r)
        return std::unexpected(r.error());
    ActivationSpec spec;
    auto bits = required(j, path, "bits", integerAt);
    if (!bits)
        return std::unexpected(bits.error());
    if (*bits < 0 || *bits > 64)
        return fail(join(path, "bits") + ": " + std::to_string(*bits) + " is out of range");
    spec.bits = static_cast<int>(*bits);
    if (const json* sym = find(j, "symmetric")) {
        auto v = booleanAt(*sym, join(path, "symmetric"));
        if (!v)
            return std::unexpected(v.error());
        spec.symmetric = *v;
    }
    return spec;
}

// "activation_ranges": {"method": "entropy", "images": 256, "percentile": 99.99,
//                       "tensors": {"input.4": [0, 5.25], ...}}
Result<ActivationRanges> parseRanges(const json& j, const std::string& path)
{
    if (auto r = expectObject(j, path); !r)
        return std::unexpected(r.error());
    if (auto r = onlyFields(j, path, { "method", "images", "percentile", "tensors" }); !r)
        return std::unexpected(r.error());
    ActivationRanges ranges;
    auto m = required(j, path, "method", stringAt);
    if (!m)
        return std::unexpected(m.error());
    auto method = parseEnum(kCalibrationMethodNames, *m, join(path, "method"));
    if (!method)
        return std::unexpected(method.error());
    ranges.method = *method;
    if (const json* n = find(j, "images")) {
        auto v = integerAt(*n, join(path, "images"));
        if (!v)
            return std::unexpected(v.error());
        ranges.images = *v;
    }
    if (const json* p = find(j, "percentile")) {
        auto v = numberAt(*p, join(path, "percentile"));
        if (!v)
            return std::unexpected(v.error());
        if (!(*v > 50.0 && *v <= 100.0))
            return fail(join(path, "percentile") + ": must be in (50, 100]");
        ranges.percentile = *v;
    }
    auto tensors = require(j, path, "tensors");
    if (!tensors)
        return std::unexpected(tensors.error());
    const std::string tpath = join(path, "tensors");
    if (auto r = expectObject(**tensors, tpath); !r)
        return std::unexpected(r.error());
    for (auto it = (*tensors)->begin(); it != (*tensors)->end(); ++it) {
        const std::string where = tpath + "." + it.key();
        const json& v = it.value();
        if (!v.is_array() || v.size() != 2 || !v[0].is_number() || !v[1].is_number())
            return fail(where + ": expected [min, max]");
        TensorRange r { v[0].get<float>(), v[1].get<float>() };
        if (!std::isfinite(r.min) || !std::isfinite(r.max) || r.min > r.max)
            return fail(where + ": [min, max] must be finite with min <= max");
        ranges.tensors[it.key()] = r;
    }
    return ranges;
}

Result<LayerSpec> parseLayer(const json& j, const std::string& path)
{
    if (auto r = expectObject(j, path); !r)
        return std::unexpected(r.error());
    if (auto r = onlyFields(j, path, { "prune", "quant", "low_rank", "act" }); !r)
        return std::unexpected(r.error());
    LayerSpec spec;
    if (const json* p = find(j, "prune")) {
        auto prune = parsePrune(*p, join(path, "prune"));
        if (!prune)
            return std::unexpected(prune.error());
        spec.prune = *prune;
    }
    if (const json* q = find(j, "quant")) {
        auto quant = parseQuant(*q, join(path, "quant"));
        if (!quant)
            return std::unexpected(quant.error());
        spec.quant = *quant;
    }
    if (const json* l = find(j, "low_rank")) {
        auto lowRank = parseLowRank(*l, join(path, "low_rank"));
        if (!lowRank)
            return std::unexpected(lowRank.error());
        spec.lowRank = *lowRank;
    }
    if (const json* a = find(j, "act")) {
        auto act = parseActivation(*a, join(path, "act"));
        if (!act)
            return std::unexpected(act.error());
        spec.act = *act;
    }
    if (auto ok = checkLayerSpec(spec); !ok)
        return fail(path + "." + ok.error().message);
    return spec;
}

Result<PlanOptions> parseOptions(const json& j, const std::string& path)
{
    if (auto r = expectObject(j, path); !r)
        return std::unexpected(r.error());
    if (auto r = onlyFields(j, path, { "round_channels", "channel_multiple" }); !r)
        return std::unexpected(r.error());
    PlanOptions options;
    if (const json* r = find(j, "round_channels")) {
        auto v = booleanAt(*r, join(path, "round_channels"));
        if (!v)
            return std::unexpected(v.error());
        options.roundChannels = *v;
    }
    if (const json* m = find(j, "channel_multiple")) {
        auto v = integerAt(*m, join(path, "channel_multiple"));
        if (!v)
            return std::unexpected(v.error());
        if (*v < 1 || *v > 4096)
            return fail(join(path, "channel_multiple") + ": must be in 1..4096, not " + std::to_string(*v));
        options.channelMultiple = *v;
    }
    return options;
}

// ---- compact flags

std::vector<std::string> split(std::string_view text, char sep)
{
    std::vector<std::string> parts;
    size_t start = 0;
    while (true) {
        const size_t end = text.find(sep, start);
        parts.emplace_back(text.substr(start, end == std::string_view::npos ? std::string_view::npos : end - start));
        if (end == std::string_view::npos)
            return parts;
        start = end + 1;
    }
}

Result<double> parseDouble(const std::string& text, const std::string& what)
{
    double v = 0.0;
    const auto* end = text.data() + text.size();
    auto [ptr, ec] = std::from_chars(text.data(), end, v);
    if (ec != std::errc() || ptr != end || text.empty() || !std::isfinite(v))
        return fail(what + ": '" + text + "' is not a number");
    return v;
}

Result<int64_t> parseInt(const std::string& text, const std::string& what)
{
    int64_t v = 0;
    const auto* end = text.data() + text.size();
    auto [ptr, ec] = std::from_chars(text.data(), end, v);
    if (ec != std::errc() || ptr != end || text.empty())
        return fail(what + ": '" + text + "' is not an integer");
    return v;
}

} // namespace

nlohmann::json recipeToJson(const Recipe& recipe)
{
    json out = json::object();
    out["version"] = kRecipeVersion;
    if (!recipe.modelFile.empty() || !recipe.modelSha256.empty()) {
        json model = json::object();
        if (!recipe.modelFile.empty())
            model["file"] = recipe.modelFile;
        if (!recipe.modelSha256.empty())
            model["sha256"] = recipe.modelSha256;
        out["model"] = model;
    }
    json layers = json::object();
    for (const auto& [name, spec] : recipe.plan.layers()) {
        json layer = json::object();
        if (spec.prune.granularity != PruneGranularity::None) {
            layer["prune"] = { { "granularity", granularityName(spec.prune.granularity) },
                { "criterion", criterionName(spec.prune.criterion) }, { "mode", pruneModeName(spec.prune.mode) },
                { "value", spec.prune.value } };
        }
        if (!(spec.quant == QuantSpec {})) {
            json quant = { { "scheme", quantSchemeName(spec.quant.scheme) }, { "bits", spec.quant.bits } };
            const QuantSpec defaults;
            if (spec.quant.scheme == QuantScheme::Uniform || spec.quant.symmetric != defaults.symmetric)
                quant["symmetric"] = spec.quant.symmetric;
            if (spec.quant.scheme == QuantScheme::Uniform || spec.quant.perChannel != defaults.perChannel)
                quant["per_channel"] = spec.quant.perChannel;
            if (spec.quant.range != QuantRange::MinMax)
                quant["range"] = nameIn(kQuantRangeNames, spec.quant.range);
            layer["quant"] = quant;
        }
        if (spec.lowRank.rank != 0)
            layer["low_rank"] = { { "rank", spec.lowRank.rank } };
        if (!(spec.act == ActivationSpec {}))
            layer["act"] = { { "bits", spec.act.bits }, { "symmetric", spec.act.symmetric } };
        layers[name] = layer;
    }
    out["layers"] = layers;
    const PlanOptions& o = recipe.plan.options();
    if (!(o == PlanOptions {}))
        out["options"] = { { "round_channels", o.roundChannels }, { "channel_multiple", o.channelMultiple } };
    if (recipe.preprocess)
        out["preprocess"] = preprocessToJson(*recipe.preprocess);
    if (recipe.plan.recovery().any())
        out["recovery"] = recoveryToJson(recipe.plan.recovery());
    if (const ActivationRanges& r = recipe.plan.activationRanges(); !r.empty()) {
        json tensors = json::object();
        for (const auto& [name, range] : r.tensors)
            tensors[name] = json::array({ range.min, range.max });
        out["activation_ranges"] = { { "method", nameIn(kCalibrationMethodNames, r.method) }, { "images", r.images },
            { "percentile", r.percentile }, { "tensors", tensors } };
    }
    return out;
}

std::string writeRecipe(const Recipe& recipe)
{
    return recipeToJson(recipe).dump(2) + "\n";
}

Result<Recipe> recipeFromJson(const nlohmann::json& j)
{
    if (auto r = expectObject(j, "recipe"); !r)
        return std::unexpected(r.error());
    if (auto r = onlyFields(j, "", { "version", "model", "layers", "options", "preprocess", "recovery", "activation_ranges" }); !r)
        return std::unexpected(r.error());
    auto version = required(j, "", "version", integerAt);
    if (!version)
        return std::unexpected(version.error());
    if (*version != kRecipeVersion)
        return fail("version: unsupported recipe version " + std::to_string(*version) + " (this Topiary reads version "
            + std::to_string(kRecipeVersion) + ")");
    Recipe recipe;
    if (const json* m = find(j, "model")) {
        if (auto r = expectObject(*m, "model"); !r)
            return std::unexpected(r.error());
        if (auto r = onlyFields(*m, "model", { "file", "sha256" }); !r)
            return std::unexpected(r.error());
        if (const json* f = find(*m, "file")) {
            auto s = stringAt(*f, "model.file");
            if (!s)
                return std::unexpected(s.error());
            recipe.modelFile = *s;
        }
        if (const json* h = find(*m, "sha256")) {
            auto s = stringAt(*h, "model.sha256");
            if (!s)
                return std::unexpected(s.error());
            recipe.modelSha256 = *s;
        }
    }
    auto layers = require(j, "", "layers");
    if (!layers)
        return std::unexpected(layers.error());
    if (auto r = expectObject(**layers, "layers"); !r)
        return std::unexpected(r.error());
    for (auto it = (*layers)->begin(); it != (*layers)->end(); ++it) {
        if (it.key().empty())
            return fail("layers: a layer name is empty");
        auto spec = parseLayer(it.value(), "layers." + it.key());
        if (!spec)
            return std::unexpected(spec.error());
        recipe.plan.set(it.key(), *spec);
    }
    if (const json* o = find(j, "options")) {
        auto options = parseOptions(*o, "options");
        if (!options)
            return std::unexpected(options.error());
        recipe.plan.setOptions(*options);
    }
    if (const json* p = find(j, "preprocess")) {
        auto spec = preprocessFromJson(*p);
        if (!spec)
            return std::unexpected(spec.error().withContext("preprocess"));
        recipe.preprocess = std::move(*spec);
    }
    if (const json* r = find(j, "recovery")) {
        auto spec = recoveryFromJson(*r, "recovery");
        if (!spec)
            return std::unexpected(spec.error());
        recipe.plan.setRecovery(*spec);
    }
    if (const json* r = find(j, "activation_ranges")) {
        auto ranges = parseRanges(*r, "activation_ranges");
        if (!ranges)
            return std::unexpected(ranges.error());
        recipe.plan.setActivationRanges(*ranges);
    }
    return recipe;
}

Result<Recipe> parseRecipe(std::string_view text)
{
    json j;
    try {
        j = json::parse(text.begin(), text.end());
    } catch (const json::parse_error& e) {
        return fail(std::string("the recipe is not valid JSON: ") + e.what());
    }
    return recipeFromJson(j);
}

Result<Plan> planFromCompactFlags(
    const std::vector<std::string>& args, const std::vector<Layer>& layers, const std::vector<DependencyGroup>& groups)
{
    auto expanded = expandCompactFlags(args, layers, groups);
    if (!expanded)
        return std::unexpected(expanded.error());
    return std::move(expanded->plan);
}

Result<CompactPlan> expandCompactFlags(
    const std::vector<std::string>& args, const std::vector<Layer>& layers, const std::vector<DependencyGroup>& groups)
{
    // First pass: read everything, so --skip-first-last may come after the edits it affects.
    struct Edit {
        bool prune;
        PruneSpec pruneSpec;
        QuantSpec quantSpec;
        std::string flag; // as given, for the skip notes
        std::optional<ActivationSpec> act; // an --act-bits edit (prune and quantSpec unused)
    };
    std::vector<Edit> edits;
    bool skipFirstLast = false;
    PlanOptions options;
    for (size_t i = 0; i < args.size(); ++i) {
        std::string flag = args[i];
        std::string value;
        bool hasValue = false;
        if (auto eq = flag.find('='); flag.starts_with("--") && eq != std::string::npos) {
            value = flag.substr(eq + 1);
            flag = flag.substr(0, eq);
            hasValue = true;
        }
        auto takeValue = [&]() -> Result<std::string> {
            if (hasValue)
                return value;
            if (i + 1 >= args.size())
                return fail(flag + ": missing value");
            return args[++i];
        };
        if (flag == "--skip-first-last" && !hasValue) {
            skipFirstLast = true;
        } else if (flag == "--round-channels") {
            options.roundChannels = true;
            if (hasValue) {
                auto n = parseInt(value, flag);
                if (!n)
                    return std::unexpected(n.error());
                if (*n < 1 || *n > 4096)
                    return fail(flag + ": the multiple must be in 1..4096, not " + value);
                options.channelMultiple = *n;
            }
        } else if (flag == "--prune") {
            auto v = takeValue();
            if (!v)
                return std::unexpected(v.error());
            const auto parts = split(*v, ':');
            if (parts.size() != 3)
                return fail(flag + " " + *v + ": expected GRANULARITY:CRITERION:RATIO, e.g. filter:l1:0.3");
            PruneSpec spec;
            auto g = parseEnum(kGranularityNames, parts[0], flag + " granularity", false);
            auto c = parseEnum(kCriterionNames, parts[1], flag + " criterion");
            auto r = parseDouble(parts[2], flag + " ratio");
            if (!g)
                return std::unexpected(g.error());
            if (!c)
                return std::unexpected(c.error());
            if (!r)
                return std::unexpected(r.error());
            spec = PruneSpec { *g, *c, PruneMode::Ratio, *r };
            if (auto ok = checkLayerSpec(LayerSpec { spec, {}, {}, {} }); !ok)
                return std::unexpected(ok.error().withContext(flag + " " + *v));
            edits.push_back({ true, spec, {}, flag + " " + *v, {} });
        } else if (flag == "--bits" || flag == "--quant") {
            auto v = takeValue();
            if (!v)
                return std::unexpected(v.error());
            QuantSpec spec;
            if (flag == "--bits") {
                auto b = parseInt(*v, flag);
                if (!b)
                    return std::unexpected(b.error());
                spec = QuantSpec { QuantScheme::Uniform, static_cast<int>(std::clamp<int64_t>(*b, -1, 1000)), true,
                    true };
            } else {
                const auto parts = split(*v, ':');
                auto s = parseEnum(kQuantSchemeNames, parts[0], flag + " scheme");
                if (!s)
                    return std::unexpected(s.error());
                spec.scheme = *s;
                spec.bits = naturalBits(*s);
                spec.perChannel = *s == QuantScheme::Uniform;
                if (parts.size() == 3 && *s == QuantScheme::Uniform) {
                    auto r = parseEnum(kQuantRangeNames, parts[2], flag + " range");
                    if (!r)
                        return std::unexpected(r.error());
                    spec.range = *r;
                } else if (parts.size() > 2) {
                    return fail(flag + " " + *v + ": expected SCHEME[:BITS], or uniform:BITS:mse");
                }
                if (parts.size() >= 2) {
                    auto b = parseInt(parts[1], flag + " bits");
                    if (!b)
                        return std::unexpected(b.error());
                    spec.bits = static_cast<int>(std::clamp<int64_t>(*b, -1, 1000));
                } else if (spec.bits == 0) {
                    return fail(flag + " " + *v + ": " + parts[0] + " needs a bit width, e.g. " + parts[0] + ":8");
                }
            }
            if (auto ok = checkLayerSpec(LayerSpec { {}, spec, {}, {} }); !ok)
                return std::unexpected(ok.error().withContext(flag + " " + *v));
            edits.push_back({ false, {}, spec, flag + " " + *v, {} });
        } else if (flag == "--act-bits") {
            auto v = takeValue();
            if (!v)
                return std::unexpected(v.error());
            const auto parts = split(*v, ':');
            auto b = parseInt(parts[0], flag);
            if (!b)
                return std::unexpected(b.error());
            ActivationSpec act { static_cast<int>(std::clamp<int64_t>(*b, -1, 1000)), false };
            if (parts.size() == 2 && parts[1] == "symmetric")
                act.symmetric = true;
            else if (parts.size() != 1)
                return fail(flag + " " + *v + ": expected BITS or BITS:symmetric, e.g. 8 or 8:symmetric");
            if (auto ok = checkLayerSpec(LayerSpec { {}, {}, {}, act }); !ok)
                return std::unexpected(ok.error().withContext(flag + " " + *v));
            edits.push_back({ false, {}, {}, flag + " " + *v, act });
        } else {
            return fail(args[i]
                + ": unknown flag (expected --prune, --bits, --quant, --act-bits, --skip-first-last or "
                  "--round-channels)");
        }
    }
    CompactPlan out;
    out.plan.setOptions(options);
    for (const auto& e : edits) {
        std::vector<SkippedLayer> skipped;
        if (e.act)
            out.plan = quantizeAllActivations(out.plan, layers, *e.act, skipFirstLast, &skipped);
        else
            out.plan = e.prune ? pruneAllLayers(out.plan, layers, groups, e.pruneSpec, skipFirstLast, &skipped)
                               : quantizeAll(out.plan, layers, e.quantSpec, skipFirstLast, &skipped);
        for (const auto& s : skipped)
            out.skipped.push_back(e.flag + ": skipped '" + s.layer + "': " + s.reason);
    }
    return out;
}

} // namespace topiary
