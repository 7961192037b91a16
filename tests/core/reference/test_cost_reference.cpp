// Params and conv+linear MACs of the torchvision models, against PyTorch's own count
// (parameters(), forward hooks) and an independent count with the python onnx package.
#include "ReferenceModels.h"

#include "core/model/CostModel.h"
#include "core/model/Model.h"

#include <catch2/catch.hpp>

using namespace topiary;

TEST_CASE("params and MACs equal PyTorch's for every torchvision reference model", "[reference][cost]")
{
    const auto names = test::referenceModelNames();
    REQUIRE(names.size() == 10);
    for (const auto& name : names) {
        const auto& ref = test::references()[name];
        for (const std::string variant : {"bn", "folded"}) {
            INFO(name << " (" << variant << " export)");
            auto model = Model::load(test::referenceDir() / ref["files"][variant].get<std::string>());
            REQUIRE(model.has_value());
            const CostModel cost(*model);
            if (variant == "bn")
                CHECK(cost.totals().params == ref["params_pytorch"].get<int64_t>());
            else
                CHECK(cost.totals().params == ref["params_onnx_folded"].get<int64_t>());
            CHECK(cost.totals().linearMacs == ref["macs_conv_linear"].get<int64_t>());
            CHECK(cost.totals().allMacs() > cost.totals().linearMacs);
        }
    }
}
