// Writes a ModelProto to disk safely: serialized in memory, then written atomically
// (core/AtomicFile.h: temporary file, fsync, rename), so an interrupted export never
// leaves a half-written file. Refuses to overwrite the model it was made from.
#pragma once

#include "core/base/Error.h"

#include <onnx/onnx_pb.h>

#include <cstdint>
#include <filesystem>

namespace topiary {

struct WriteOptions {
    std::filesystem::path source; // the input model: never overwritten (compared by identity)
    bool check = true; // run onnx::checker (full_check with shape inference) before writing
};

// Returns the bytes written. Errors: the target is the source, the folder is missing or
// read-only, the disk is full, the model fails the checker, or it exceeds 2 GB.
Result<int64_t> writeModel(const onnx::ModelProto& proto, const std::filesystem::path& target,
    const WriteOptions& options = {});

// The exact size writeModel() would write.
int64_t serializedSize(const onnx::ModelProto& proto);

} // namespace topiary
