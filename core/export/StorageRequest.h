// What the storage flags of an export (--int8-qdq, --float16) can do with a plan. They
// change how some layers' weights are written (8-bit uniform layers as int8, float16
// layers as float16), never what the layers compute; with no such layer in the plan
// they would write the same floats as before, plus a few bytes of nodes: a silent no-op
// that makes the file larger. So, before apply():
//   - --float16 with no float16 layer in the plan stores every layer the plan does not
//     quantize another way as float16 (the obvious reading of "--float16" alone), and
//     says so; when the plan quantizes every layer another way, it is refused;
//   - --int8-qdq with no 8-bit uniform layer is refused (quantizing to 8 bits changes the
//     weights; it must be asked for, with --bits 8).
#pragma once

#include "core/base/Error.h"
#include "core/export/Apply.h"
#include "core/plan/Plan.h"

#include <string>
#include <vector>

namespace topiary {

struct Layer;

struct StorageRequest {
    Plan plan; // the plan to apply: the given one, or with the implied float16 layers
    std::vector<std::string> notes; // what was implied, in words, for the user
};

Result<StorageRequest> resolveStorage(const Plan& plan, const std::vector<Layer>& layers, const ApplyOptions& options);

} // namespace topiary
