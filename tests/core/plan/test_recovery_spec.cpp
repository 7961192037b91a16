// The plan's recovery section and the quantization range choice: how they read and write
// in recipes (and so in projects), the CLI's method list, and what a change of recovery
// means to the evaluation engine (plans differ; the first changed layer).
#include "SampleData.h"

#include "core/model/DependencyGroups.h"
#include "core/model/Layer.h"
#include "core/plan/Plan.h"
#include "core/plan/Recipe.h"
#include "core/plan/RecoverySpec.h"

#include <catch2/catch.hpp>

using namespace topiary;

TEST_CASE("the recovery methods read from the CLI's list", "[recovery][plan]")
{
    RecoverySpec spec;
    REQUIRE(parseRecoveryMethods("bias,bn", spec));
    CHECK(spec.batchNorm);
    CHECK(spec.bias);
    CHECK_FALSE(spec.leastSquares);
    CHECK(recoveryMethodsText(spec) == "bn,bias");
    REQUIRE(parseRecoveryMethods("lsq", spec));
    CHECK(recoveryMethodsText(spec) == "lsq");
    REQUIRE(parseRecoveryMethods("none", spec));
    CHECK_FALSE(spec.any());
    auto bad = parseRecoveryMethods("bn,adaround", spec);
    REQUIRE_FALSE(bad);
    CHECK(bad.error().message.find("unknown recovery method 'adaround'") != std::string::npos);
    CHECK_FALSE(parseRecoveryMethods("", spec));
    CHECK_FALSE(parseRecoveryMethods("bn,", spec));
}

TEST_CASE("a recipe carries the recovery and the MSE range", "[recovery][plan]")
{
    Plan plan;
    plan.setQuant("conv1", QuantSpec { QuantScheme::Uniform, 4, true, true, QuantRange::Mse });
    RecoverySpec r;
    r.batchNorm = true;
    r.leastSquares = true;
    r.calibrationImages = 128;
    r.seed = 7;
    r.source = "calib/";
    plan.setRecovery(r);
    const Recipe recipe { plan, {}, {}, {} };
    const std::string text = writeRecipe(recipe);
    CHECK(text.find("\"recovery\"") != std::string::npos);
    CHECK(text.find("\"range\": \"mse\"") != std::string::npos);
    auto back = parseRecipe(text);
    REQUIRE(back);
    CHECK(*back == recipe);
    CHECK(back->plan.recovery().calibrationImages == 128);
    CHECK(back->plan.recovery().source == "calib/");

    // Without recovery there is no section, and older recipes still read.
    const std::string plain = writeRecipe(Recipe { Plan {}.withQuant("conv1", QuantSpec { QuantScheme::Uniform, 8, true, false }), {}, {}, {} });
    CHECK(plain.find("recovery") == std::string::npos);
    CHECK(plain.find("range") == std::string::npos);
}

TEST_CASE("bad recovery sections are errors naming the field", "[recovery][plan]")
{
    auto check = [](const std::string& recovery, const std::string& expected) {
        INFO(recovery);
        auto r = parseRecipe(R"({"version": 1, "layers": {}, "recovery": )" + recovery + "}");
        REQUIRE_FALSE(r);
        CHECK(r.error().message.find(expected) != std::string::npos);
    };
    check(R"({"methods": ["bn", "magic"]})", "recovery.methods[1]: unknown recovery method 'magic'");
    check(R"({"methods": "bn"})", "recovery.methods: expected a list");
    check(R"({"calibration_images": 10})", "recovery.methods: missing");
    check(R"({"methods": ["bn"], "calibration_images": 0})", "recovery.calibration_images: must be in 1..1000000");
    check(R"({"methods": ["bn"], "images": 3})", "recovery.images: unknown field");
    auto range = parseRecipe(
        R"({"version": 1, "layers": {"a": {"quant": {"scheme": "uniform", "bits": 4, "range": "percentile"}}}})");
    REQUIRE_FALSE(range);
    CHECK(range.error().message.find("layers.a.quant.range: unknown value 'percentile'") != std::string::npos);
}

TEST_CASE("the compact flags choose the MSE range", "[recovery][plan]")
{
    const Model& model = test::sampleModel();
    const auto layers = findLayers(model);
    const auto groups = findDependencyGroups(model, layers);
    auto plan = planFromCompactFlags({ "--quant", "uniform:4:mse" }, layers, groups);
    REQUIRE(plan);
    CHECK(plan->spec(layers[0].name).quant.range == QuantRange::Mse);
    CHECK(plan->spec(layers[0].name).quant.bits == 4);
    CHECK_FALSE(planFromCompactFlags({ "--quant", "uniform:4:best" }, layers, groups));
    CHECK_FALSE(planFromCompactFlags({ "--quant", "codebook:4:mse" }, layers, groups));
}

TEST_CASE("a change of recovery is a change of plan from its first compressed layer", "[recovery][plan]")
{
    const Model& model = test::sampleModel();
    const auto layers = findLayers(model);
    const auto groups = findDependencyGroups(model, layers);
    const Plan base = Plan {}.withQuant(layers[3].name, QuantSpec { QuantScheme::Uniform, 4, true, true });
    RecoverySpec r;
    r.bias = true;
    const Plan recovered = base.withRecovery(r);
    CHECK_FALSE(base == recovered);
    const PlanDiff d = diff(base, recovered);
    CHECK(d.recoveryChanged);
    CHECK(d.layers.empty());
    CHECK(firstChangedLayer(base, recovered, layers, groups) == 3);
    CHECK(firstChangedLayer(recovered, recovered, layers, groups) == -1);
}
