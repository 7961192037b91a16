// resolveStorage(): storage flags with nothing to store that way are made obvious or refused.
#include "ModelBuilder.h"

#include "core/export/StorageRequest.h"
#include "core/model/Layer.h"
#include "core/model/Model.h"

#include <catch2/catch.hpp>

using namespace topiary;

namespace {

const QuantSpec kHalf { QuantScheme::Float16, 16, true, false };
const QuantSpec kInt8 { QuantScheme::Uniform, 8, true, true };

std::vector<Layer> smallCnnLayers()
{
    auto model = Model::fromProto(test::makeSmallCnn(), {});
    REQUIRE(model.has_value());
    return findLayers(*model); // stem, block1.conv1, block1.conv2, dw, pw, fc
}

} // namespace

TEST_CASE("float16 storage asked alone stores every layer as float16 and says so", "[storage]")
{
    const auto layers = smallCnnLayers();
    auto r = resolveStorage(Plan(), layers, ApplyOptions { false, false, true });
    REQUIRE(r.has_value());
    for (const auto& l : layers)
        CHECK(r->plan.spec(l.name).quant == kHalf);
    REQUIRE(r->notes.size() == 1);
    CHECK_THAT(r->notes[0], Catch::Contains("every layer (6 of 6) is stored as float16"));

    // Layers quantized another way keep their scheme; the rest become float16.
    const Plan mixed = Plan().withQuant("pw", kInt8);
    auto m = resolveStorage(mixed, layers, ApplyOptions { false, true, true });
    REQUIRE(m.has_value());
    CHECK(m->plan.spec("pw").quant == kInt8);
    CHECK(m->plan.spec("stem").quant == kHalf);
    CHECK_THAT(m->notes.at(0), Catch::Contains("every layer the plan does not quantize (5 of 6)"));

    // A plan that names its float16 layers is taken as it is.
    const Plan named = Plan().withQuant("fc", kHalf);
    auto n = resolveStorage(named, layers, ApplyOptions { false, false, true });
    REQUIRE(n.has_value());
    CHECK(n->plan == named);
    CHECK(n->notes.empty());
}

TEST_CASE("storage flags with nothing to store are refused", "[storage]")
{
    const auto layers = smallCnnLayers();
    Plan allInt8;
    for (const auto& l : layers)
        allInt8.setQuant(l.name, kInt8);
    auto half = resolveStorage(allInt8, layers, ApplyOptions { false, false, true });
    REQUIRE_FALSE(half.has_value());
    CHECK_THAT(half.error().message,
        Catch::Contains("quantizes every layer another way (uniform 8-bit)") && Catch::Contains("--int8-qdq"));

    auto qdq = resolveStorage(Plan(), layers, ApplyOptions { true, true, false });
    REQUIRE_FALSE(qdq.has_value());
    CHECK_THAT(qdq.error().message, Catch::StartsWith("--int8-qdq") && Catch::Contains("--bits 8"));

    // Without storage flags nothing changes.
    auto plain = resolveStorage(allInt8, layers, ApplyOptions { true, false, false });
    REQUIRE(plain.has_value());
    CHECK(plain->plan == allInt8);
}
