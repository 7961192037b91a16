// apply()'s progress and stop: every step is reported once, in order, up to a total
// that is fixed for the run; a stop request ends the run at the next step with an error
// and nothing else; and watching a run does not change the bytes it produces.
#include "core/export/Apply.h"
#include "core/export/ApplyControl.h"
#include "core/model/DependencyGroups.h"
#include "core/model/Layer.h"
#include "core/model/Model.h"
#include "core/plan/Plan.h"

#include <catch2/catch.hpp>

#include <filesystem>
#include <stop_token>
#include <vector>

using namespace topiary;
namespace fs = std::filesystem;

namespace {

const fs::path kSampleModel = fs::path(TOPIARY_SOURCE_DIR) / "resources" / "sample" / "fashion_cnn.onnx";

// Filter pruning, 4-bit codebooks, a low-rank layer and int8 QDQ: every step does work.
Plan busyPlan(const std::vector<Layer>& layers, const std::vector<DependencyGroup>& groups)
{
    Plan plan = pruneAllConvs(Plan {}, layers, groups,
        PruneSpec { PruneGranularity::Filter, Criterion::L1, PruneMode::Ratio, 0.25 }, false);
    plan = quantizeAll(plan, layers, QuantSpec { QuantScheme::Uniform, 8, true, true }, false);
    plan.setQuant(layers[1].name, QuantSpec { QuantScheme::Codebook, 4, true, false });
    plan.setLowRank(layers.back().name, LowRankSpec { 4 });
    return plan;
}

} // namespace

TEST_CASE("apply reports each step once and its result does not depend on being watched", "[export][apply]")
{
    auto model = Model::load(kSampleModel);
    REQUIRE(model.has_value());
    const auto layers = findLayers(*model);
    const auto groups = findDependencyGroups(*model, layers);
    const Plan plan = busyPlan(layers, groups);
    const ApplyOptions options { true, true, false };

    std::vector<std::pair<int, int>> calls;
    ApplyControl control;
    control.progress = [&](int done, int total) { calls.emplace_back(done, total); };
    auto watched = apply(*model, plan, options, nullptr, control);
    REQUIRE(watched.has_value());
    auto plain = apply(*model, plan, options);
    REQUIRE(plain.has_value());

    const int total = static_cast<int>(2 * layers.size() + 3);
    REQUIRE(calls.size() == static_cast<size_t>(total));
    for (size_t i = 0; i < calls.size(); ++i) {
        CHECK(calls[i].first == static_cast<int>(i) + 1);
        CHECK(calls[i].second == total);
    }
    CHECK(watched->proto.SerializeAsString() == plain->proto.SerializeAsString());
    CHECK(watched->report.removedChannels == plain->report.removedChannels);
    CHECK(watched->report.factoredLayers == 1);
}

TEST_CASE("a stop request ends apply at the next step", "[export][apply]")
{
    auto model = Model::load(kSampleModel);
    REQUIRE(model.has_value());
    const auto layers = findLayers(*model);
    const auto groups = findDependencyGroups(*model, layers);
    const Plan plan = busyPlan(layers, groups);

    SECTION("asked in the middle")
    {
        std::stop_source stop;
        int last = 0;
        ApplyControl control;
        control.stop = stop.get_token();
        control.progress = [&](int done, int) {
            last = done;
            if (done == 4)
                stop.request_stop();
        };
        auto applied = apply(*model, plan, {}, nullptr, control);
        REQUIRE(!applied.has_value());
        CHECK(applied.error().message == kApplyStopped);
        CHECK(last == 4); // no step after the request
    }
    SECTION("asked before it starts")
    {
        std::stop_source stop;
        stop.request_stop();
        int calls = 0;
        ApplyControl control;
        control.stop = stop.get_token();
        control.progress = [&](int, int) { ++calls; };
        auto applied = apply(*model, plan, {}, nullptr, control);
        REQUIRE(!applied.has_value());
        CHECK(applied.error().message == kApplyStopped);
        CHECK(calls == 1);
    }
}
