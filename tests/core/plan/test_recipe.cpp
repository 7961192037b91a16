// The recipe JSON: round trip, strict parsing with errors that name the path, validation
// of a plan against a model, and the CLI's compact flags.
#include "ModelBuilder.h"

#include "core/model/DependencyGroups.h"
#include "core/model/Layer.h"
#include "core/model/Model.h"
#include "core/plan/Recipe.h"

#include <catch2/catch.hpp>

#include <algorithm>

using namespace topiary;

namespace {

std::string errorOf(std::string_view text)
{
    auto r = parseRecipe(text);
    REQUIRE_FALSE(r.has_value());
    return r.error().message;
}

std::string layerJson(const std::string& body)
{
    return R"({"version": 1, "layers": {"conv1": )" + body + "}}";
}

std::string pruneJson(const std::string& fields)
{
    return layerJson(R"({"prune": {)" + fields + "}}");
}

std::string quantJson(const std::string& fields)
{
    return layerJson(R"({"quant": {)" + fields + "}}");
}

} // namespace

TEST_CASE("a recipe round-trips every kind of spec", "[recipe]")
{
    Recipe r;
    r.modelFile = "resnet18.onnx";
    r.modelSha256 = "ab12";
    r.plan.set("conv1",
        LayerSpec { { PruneGranularity::Filter, Criterion::Fpgm, PruneMode::Ratio, 0.3 },
            { QuantScheme::Uniform, 4, false, true }, { 16 }, {} });
    r.plan.setPrune("conv2", { PruneGranularity::Element, Criterion::L2, PruneMode::Threshold, 0.01 });
    r.plan.setPrune("conv3", { PruneGranularity::Filter, Criterion::BnScale, PruneMode::MeanStdRule, -0.5 });
    r.plan.setQuant("conv3", { QuantScheme::Codebook, 3, true, false });
    r.plan.setQuant("fc", { QuantScheme::Binary, 1, true, false });
    r.plan.setQuant("fc2", { QuantScheme::Float16, 16, true, false });
    r.plan.setQuant("fc3", { QuantScheme::Ternary, 2, true, true });
    r.plan.setOptions(PlanOptions { true, 16 });

    const std::string text = writeRecipe(r);
    auto back = parseRecipe(text);
    REQUIRE(back.has_value());
    CHECK(*back == r);
    CHECK(writeRecipe(*back) == text);

    const auto j = nlohmann::json::parse(text);
    CHECK(j["version"] == 1);
    CHECK(j["layers"]["conv1"]["prune"]["granularity"] == "filter");
    CHECK(j["layers"]["conv1"]["prune"]["criterion"] == "fpgm");
    CHECK(j["layers"]["conv1"]["prune"]["value"] == 0.3);
    CHECK(j["layers"]["conv1"]["quant"]["per_channel"] == true);
    CHECK(j["layers"]["conv1"]["low_rank"]["rank"] == 16);
    CHECK(j["options"]["channel_multiple"] == 16);

    // The empty plan: just a version and no layers.
    auto empty = parseRecipe(writeRecipe(Recipe {}));
    REQUIRE(empty.has_value());
    CHECK(*empty == Recipe {});
}

TEST_CASE("the recipe format from the documentation parses", "[recipe]")
{
    auto r = parseRecipe(R"({
      "version": 1,
      "model": {"file": "net.onnx"},
      "layers": {
        "conv1": {"prune": {"granularity": "filter", "criterion": "l1", "mode": "ratio", "value": 0.3},
                  "quant": {"scheme": "uniform", "bits": 8, "symmetric": true, "per_channel": true},
                  "low_rank": {"rank": 16}},
        "fc": {"quant": {"scheme": "float16"}},
        "conv2": {"prune": {"granularity": "element", "value": 0.5}}
      },
      "options": {"round_channels": true}
    })");
    REQUIRE(r.has_value());
    CHECK(r->modelFile == "net.onnx");
    CHECK(r->plan.spec("conv1")
        == LayerSpec { { PruneGranularity::Filter, Criterion::L1, PruneMode::Ratio, 0.3 },
            { QuantScheme::Uniform, 8, true, true }, { 16 }, {} });
    CHECK(r->plan.spec("fc").quant == QuantSpec { QuantScheme::Float16, 16, true, false });
    CHECK(r->plan.spec("conv2").prune == PruneSpec { PruneGranularity::Element, Criterion::L1, PruneMode::Ratio, 0.5 });
    CHECK(r->plan.options() == PlanOptions { true, PlanOptions::kDefaultChannelMultiple });
}

TEST_CASE("unknown fields are errors at every level, naming the path", "[recipe]")
{
    CHECK(errorOf(R"({"version": 1, "layers": {}, "extra": 1})") == "extra: unknown field");
    CHECK(errorOf(R"({"version": 1, "layers": {}, "model": {"name": "x"}})") == "model.name: unknown field");
    CHECK(errorOf(R"({"version": 1, "layers": {}, "options": {"round": true}})") == "options.round: unknown field");
    CHECK(errorOf(layerJson(R"({"prunning": {}})")) == "layers.conv1.prunning: unknown field");
    CHECK(errorOf(pruneJson(R"("granularity": "filter", "ammount": 0.3, "value": 0.3)"))
        == "layers.conv1.prune.ammount: unknown field");
    CHECK(errorOf(quantJson(R"("scheme": "uniform", "bits": 8, "perchannel": true)"))
        == "layers.conv1.quant.perchannel: unknown field");
    CHECK(errorOf(layerJson(R"({"low_rank": {"rank": 4, "tol": 1}})")) == "layers.conv1.low_rank.tol: unknown field");
}

TEST_CASE("wrong types and missing fields are errors", "[recipe]")
{
    CHECK(errorOf("[1, 2]") == "recipe: expected an object, got array");
    CHECK(errorOf(R"({"version": "1", "layers": {}})") == "version: expected an integer, got string");
    CHECK(errorOf(R"({"layers": {}})") == "version: missing");
    CHECK(errorOf(R"({"version": 1})") == "layers: missing");
    CHECK(errorOf(R"({"version": 1, "layers": []})") == "layers: expected an object, got array");
    CHECK(errorOf(layerJson("3")) == "layers.conv1: expected an object, got number");
    CHECK(errorOf(pruneJson(R"("granularity": "filter", "value": "0.3")"))
        == "layers.conv1.prune.value: expected a number, got string");
    CHECK(errorOf(pruneJson(R"("granularity": "filter")")) == "layers.conv1.prune.value: missing");
    CHECK(errorOf(quantJson(R"("scheme": "uniform", "bits": 8.5)"))
        == "layers.conv1.quant.bits: expected an integer, got a fractional number");
    CHECK(errorOf(quantJson(R"("scheme": "uniform")"))
        == "layers.conv1.quant.bits: missing (uniform quantization needs a bit width)");
    CHECK(errorOf(quantJson(R"("scheme": "uniform", "bits": 8, "symmetric": 1)"))
        == "layers.conv1.quant.symmetric: expected true or false, got number");
    CHECK(errorOf(R"({"version": 1, "layers": {}, "options": {"channel_multiple": 0}})")
        == "options.channel_multiple: must be in 1..4096, not 0");
    CHECK_THAT(errorOf("{\"version\": 1,"), Catch::StartsWith("the recipe is not valid JSON"));
}

TEST_CASE("out-of-range values, unknown names and other versions are errors", "[recipe]")
{
    CHECK(errorOf(pruneJson(R"("granularity": "filter", "value": 1.5)"))
        == "layers.conv1.prune.value: a ratio must be in [0, 1), not 1.5");
    CHECK(errorOf(pruneJson(R"("granularity": "filter", "value": -0.1)"))
        == "layers.conv1.prune.value: a ratio must be in [0, 1), not -0.1");
    CHECK(errorOf(pruneJson(R"("granularity": "filter", "mode": "threshold", "value": -1)"))
        == "layers.conv1.prune.value: a score threshold cannot be negative (-1)");
    CHECK(errorOf(quantJson(R"("scheme": "uniform", "bits": 0)"))
        == "layers.conv1.quant.bits: uniform quantization takes 1 to 16 bits, not 0");
    CHECK(errorOf(quantJson(R"("scheme": "uniform", "bits": 17)"))
        == "layers.conv1.quant.bits: uniform quantization takes 1 to 16 bits, not 17");
    CHECK(errorOf(quantJson(R"("scheme": "codebook", "bits": 9)"))
        == "layers.conv1.quant.bits: codebook quantization takes 1 to 8 bits, not 9");
    CHECK(
        errorOf(quantJson(R"("scheme": "binary", "bits": 2)")) == "layers.conv1.quant.bits: binary has 1 bits, not 2");
    CHECK(errorOf(layerJson(R"({"low_rank": {"rank": -3}})"))
        == "layers.conv1.low_rank.rank: must be positive (or 0 for no factoring), not -3");
    CHECK(errorOf(pruneJson(R"("granularity": "filter", "criterion": "l3", "value": 0.1)"))
        == "layers.conv1.prune.criterion: unknown value 'l3' (expected one of l1, l2, fpgm, bn_scale, apoz, random, taylor)");
    CHECK(errorOf(pruneJson(R"("granularity": "channel", "value": 0.1)"))
        == "layers.conv1.prune.granularity: unknown value 'channel' (expected one of element, filter)");
    CHECK(errorOf(quantJson(R"("scheme": "int8", "bits": 8)"))
        == "layers.conv1.quant.scheme: unknown value 'int8' (expected one of float32, float16, uniform, codebook, "
           "binary, ternary)");
    CHECK(errorOf(pruneJson(R"("granularity": "element", "criterion": "fpgm", "value": 0.1)"))
        == "layers.conv1.prune.criterion: fpgm scores whole filters; element pruning takes l1, l2 or random");
    CHECK(errorOf(R"({"version": 2, "layers": {}})")
        == "version: unsupported recipe version 2 (this Topiary reads version 1)");
}

TEST_CASE("validating a plan against a model names the layer and the reason", "[recipe]")
{
    auto model = Model::fromProto(test::makeSmallCnn(), {});
    REQUIRE(model.has_value());
    const auto layers = findLayers(*model);
    const auto groups = findDependencyGroups(*model, layers);
    const PruneSpec filter { PruneGranularity::Filter, Criterion::L1, PruneMode::Ratio, 0.25 };

    Plan ok = pruneAllConvs(Plan(), layers, groups, filter, false);
    ok.setLowRank("pw", { 8 }); // pw: 16 x 8 -> rank up to 8
    CHECK(validatePlan(ok, *model, layers, &groups).empty());
    CHECK(validatePlan(ok, *model, layers).empty()); // computes the groups itself

    auto messages = [&](const Plan& p) {
        std::vector<std::string> out;
        for (const auto& problem : validatePlan(p, *model, layers, &groups))
            out.push_back(problem.message);
        return out;
    };
    CHECK(messages(Plan().withQuant("conv9", { QuantScheme::Float16, 16, true, false }))
        == std::vector<std::string> { "layer 'conv9': no such layer in the model" });
    CHECK(messages(Plan().withLowRank("pw", { 9 }))
        == std::vector<std::string> { "layer 'pw': rank 9 is larger than min(outputs 16, inputs x kernel 8) = 8" });
    CHECK(messages(Plan().withLowRank("dw", { 2 }))
        == std::vector<std::string> { "layer 'dw': a grouped convolution (group=8) cannot be factored" });
    const auto fc = messages(Plan().withPrune("fc", filter));
    REQUIRE(fc.size() == 1);
    CHECK_THAT(
        fc[0], Catch::StartsWith("layer 'fc': filter pruning is not possible: ") && Catch::Contains("graph output"));
    // block1.conv2 shares the stem's channels (residual Add): they must agree.
    const auto coupled = validatePlan(Plan().withPrune("block1.conv2", filter), *model, layers, &groups);
    REQUIRE(coupled.size() == 2);
    CHECK(coupled[0].layer == "stem");
    CHECK_THAT(coupled[0].message, Catch::Contains("shares its channels with 'block1.conv2'"));
    CHECK(coupled[1].layer == "dw");
    Plan bad;
    bad.setQuant("pw", { QuantScheme::Uniform, 0, true, false });
    CHECK(messages(bad)
        == std::vector<std::string> { "layer 'pw': quant.bits: uniform quantization takes 1 to 16 bits, not 0" });
}

TEST_CASE("compact CLI flags build a plan with the global edits", "[recipe]")
{
    auto model = Model::fromProto(test::makeSmallCnn(), {});
    REQUIRE(model.has_value());
    const auto layers = findLayers(*model);
    const auto groups = findDependencyGroups(*model, layers);

    auto p = planFromCompactFlags({ "--prune", "filter:l1:0.3", "--bits", "8", "--skip-first-last" }, layers, groups);
    REQUIRE(p.has_value());
    const PruneSpec filter { PruneGranularity::Filter, Criterion::L1, PruneMode::Ratio, 0.3 };
    CHECK(*p
        == pruneAllLayers(
            quantizeAll(Plan(), layers, { QuantScheme::Uniform, 8, true, true }, true), layers, groups, filter, true));
    // What each flag left alone is said, flag by flag.
    auto expanded = expandCompactFlags({ "--prune", "filter:l1:0.3", "--bits", "8", "--skip-first-last" }, layers, groups);
    REQUIRE(expanded.has_value());
    CHECK(expanded->plan == *p);
    const auto& notes = expanded->skipped;
    CHECK(std::find(notes.begin(), notes.end(), "--bits 8: skipped 'stem': the first layer (--skip-first-last)")
        != notes.end());
    CHECK(std::find(notes.begin(), notes.end(), "--bits 8: skipped 'fc': the last layer (--skip-first-last)")
        != notes.end());
    CHECK(std::count_if(notes.begin(), notes.end(), [](const std::string& n) {
        return n.starts_with("--prune filter:l1:0.3: skipped 'fc': filters cannot be removed: ")
            && n.find("graph output") != std::string::npos;
    }) == 1);
    CHECK(p->spec("pw").prune == filter);
    CHECK_FALSE(p->contains("stem"));
    CHECK(validatePlan(*p, *model, layers, &groups).empty());

    auto e = planFromCompactFlags(
        { "--prune=element:l2:0.5", "--quant=codebook:4", "--round-channels=16" }, layers, groups);
    REQUIRE(e.has_value());
    CHECK(e->spec("stem").prune == PruneSpec { PruneGranularity::Element, Criterion::L2, PruneMode::Ratio, 0.5 });
    CHECK(e->spec("fc").quant == QuantSpec { QuantScheme::Codebook, 4, true, false });
    CHECK(e->spec("fc").prune.granularity == PruneGranularity::Element); // linear layers too
    CHECK(e->options() == PlanOptions { true, 16 });

    auto err = [&](std::vector<std::string> args) {
        auto r = planFromCompactFlags(args, layers, groups);
        REQUIRE_FALSE(r.has_value());
        return r.error().message;
    };
    CHECK(err({ "--prune", "filter:l1" })
        == "--prune filter:l1: expected GRANULARITY:CRITERION:RATIO, e.g. filter:l1:0.3");
    CHECK(err({ "--prune", "filter:l1:1.5" })
        == "--prune filter:l1:1.5: prune.value: a ratio must be in [0, 1), not 1.5");
    CHECK(err({ "--prune", "filter:l1:abc" }) == "--prune ratio: 'abc' is not a number");
    CHECK(err({ "--bits", "17" }) == "--bits 17: quant.bits: uniform quantization takes 1 to 16 bits, not 17");
    CHECK(err({ "--bits" }) == "--bits: missing value");
    CHECK(err({ "--quant", "uniform" }) == "--quant uniform: uniform needs a bit width, e.g. uniform:8");
    CHECK_THAT(err({ "--prunee", "x" }), Catch::StartsWith("--prunee: unknown flag"));
}

TEST_CASE("a recipe carries its evaluation preprocessing", "[recipe]")
{
    Recipe recipe;
    recipe.plan.setLowRank("fc", LowRankSpec { 4 });
    PreprocessSpec spec;
    spec.channels = 1;
    spec.height = 28;
    spec.width = 28;
    spec.mean = { 0.286 };
    spec.stddev = { 0.353 };
    recipe.preprocess = spec;
    auto back = parseRecipe(writeRecipe(recipe));
    REQUIRE(back.has_value());
    REQUIRE(back->preprocess.has_value());
    CHECK(*back->preprocess == spec);
    CHECK(*back == recipe);
    auto bad = parseRecipe(R"({"version": 1, "layers": {}, "preprocess": {"channels": 1, "height": 28, "width": 28, "meen": [0]}})");
    REQUIRE_FALSE(bad.has_value());
    CHECK(bad.error().message.find("preprocess") != std::string::npos);
    CHECK(bad.error().message.find("meen") != std::string::npos);
}

TEST_CASE("8-bit activations and their calibrated ranges round-trip through the recipe", "[recipe][calibration]")
{
    auto model = Model::fromProto(test::makeSmallCnn(), {});
    REQUIRE(model.has_value());
    const auto layers = findLayers(*model);
    const auto groups = findDependencyGroups(*model, layers);

    // "int8 everywhere but the first and last layer"
    auto p = planFromCompactFlags({ "--act-bits", "8:symmetric", "--skip-first-last" }, layers, groups);
    REQUIRE(p.has_value());
    CHECK_FALSE(p->contains("stem"));
    CHECK_FALSE(p->contains("fc"));
    CHECK(p->spec("pw").act == ActivationSpec { 8, true });
    CHECK(*p == quantizeAllActivations(Plan {}, layers, ActivationSpec { 8, true }, true));
    CHECK(quantizesActivations(*p));
    CHECK_FALSE(quantizesActivations(Plan {}));

    ActivationRanges ranges;
    ranges.method = CalibrationMethod::Entropy;
    ranges.images = 256;
    ranges.tensors["a0"] = { 0.0f, 5.25f };
    ranges.tensors["b2n"] = { -1.5f, 2.125f };
    Plan plan = p->withActivationRanges(ranges);
    CHECK_FALSE(plan == *p);
    const std::string text = writeRecipe(Recipe { plan, {}, {}, {} });
    CHECK_THAT(text, Catch::Contains("\"activation_ranges\"") && Catch::Contains("\"entropy\""));
    auto back = parseRecipe(text);
    REQUIRE(back.has_value());
    CHECK(back->plan == plan);
    CHECK(back->plan.activationRanges().tensors.at("b2n") == TensorRange { -1.5f, 2.125f });
    // A changed range changes the evaluation from the first quantized layer on.
    CHECK(firstChangedLayer(*p, plan, layers, groups) == 1);

    CHECK_THAT(errorOf(layerJson(R"({"act": {"bits": 4}})")), Catch::Contains("act.bits"));
    CHECK_THAT(errorOf(R"({"version": 1, "layers": {}, "activation_ranges": {"method": "kl", "tensors": {}}})"),
        Catch::Contains("activation_ranges.method"));
    CHECK_THAT(errorOf(R"({"version": 1, "layers": {}, "activation_ranges": {"method": "mse", "tensors": {"x": [2, 1]}}})"),
        Catch::Contains("activation_ranges.tensors.x"));
    auto bad = planFromCompactFlags({ "--act-bits", "4" }, layers, groups);
    REQUIRE_FALSE(bad.has_value());
    CHECK_THAT(bad.error().message, Catch::Contains("act.bits"));
}
