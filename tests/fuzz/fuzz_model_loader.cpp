// libFuzzer entry point: any bytes given to the loader must produce a model or an error
// value, never a crash, a hang or a sanitizer report; loaded models are also indexed
// and costed, since that code walks whatever the file declared.
#include "core/model/CostModel.h"
#include "core/model/Model.h"

#include <cstddef>
#include <cstdint>
#include <string_view>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size)
{
    topiary::LoadLimits limits;
    limits.maxTensorElements = int64_t{1} << 24;  // keep allocations within the fuzzer's budget
    auto model = topiary::Model::fromBytes(std::string_view(reinterpret_cast<const char*>(data), size), {}, limits);
    if (model) {
        const topiary::CostModel cost(*model);
        (void)cost.totals();
    }
    return 0;
}
