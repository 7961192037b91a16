// Drops nodes whose outputs nobody reads and initializers no node uses, which the
// folding passes leave behind.
#pragma once

#include <onnx/onnx_pb.h>

namespace topiary {

void eliminateDeadCode(onnx::ModelProto& model);

} // namespace topiary
