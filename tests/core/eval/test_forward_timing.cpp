// Timing a model's forward pass in OpenCV: the batch asked for when the model's batch is
// symbolic and the model's own when it is fixed; the median lies between the fastest run
// and a bound the wall clock sets; a model OpenCV cannot import and a stop are errors.
#include "ModelBuilder.h"

#include "core/eval/ForwardTiming.h"
#include "core/model/Model.h"

#include <catch2/catch.hpp>

#include <chrono>
#include <stop_token>

using namespace topiary;

TEST_CASE("a forward pass is timed at the batch asked for, or the model's own", "[eval][timing]")
{
    auto dynamic = Model::fromProto(test::makeSmallCnn(true), {});
    REQUIRE(dynamic.has_value());
    REQUIRE(hasFreeBatch(*dynamic));
    const auto t0 = std::chrono::steady_clock::now();
    auto timing = timeForward(*dynamic, ForwardTimingOptions { 4, 5, 1 });
    const double wallMs = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count();
    REQUIRE(timing.has_value());
    CHECK(timing->batch == 4);
    CHECK(timing->runs == 5);
    CHECK(timing->threads >= 1);
    CHECK(timing->minMs > 0.0);
    CHECK(timing->minMs <= timing->medianMs);
    // Five timed runs and one warm-up fit in the whole call: the median is at most a third of it.
    CHECK(timing->medianMs * 3.0 <= wallMs);
    CHECK(timing->medianMsPerImage() == Approx(timing->medianMs / 4));

    auto fixed = Model::fromProto(test::makeSmallCnn(false), {});
    REQUIRE(fixed.has_value());
    REQUIRE_FALSE(hasFreeBatch(*fixed));
    auto one = timeForward(*fixed, ForwardTimingOptions { 8, 3, 0 });
    REQUIRE(one.has_value());
    CHECK(one->batch == 1);
}

TEST_CASE("a model OpenCV cannot run, or a stop, is an error", "[eval][timing]")
{
    test::ModelBuilder b;
    b.input("input", { 1, 4 });
    b.node("NoSuchOperator", { "input" }, { "output" }, "odd");
    b.output("output", { 1, 4 });
    auto odd = Model::fromProto(b.build(), {});
    if (odd) { // the loader may already refuse the unknown operator
        auto timing = timeForward(*odd, {});
        REQUIRE_FALSE(timing.has_value());
        CHECK_FALSE(timing.error().message.empty());
    }

    auto model = Model::fromProto(test::makeSmallCnn(true), {});
    REQUIRE(model.has_value());
    std::stop_source stop;
    stop.request_stop();
    auto stopped = timeForward(*model, {}, stop.get_token());
    REQUIRE_FALSE(stopped.has_value());
    CHECK(stopped.error().message == "cancelled");
    CHECK_FALSE(timeForward(*model, ForwardTimingOptions { 1, 0, 0 }).has_value());
}
