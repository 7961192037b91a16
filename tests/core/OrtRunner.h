// The runtimes tests compare Topiary's exports in: ONNX Runtime as an independent
// reference (a model file through tests/ort/run.js, onnxruntime-node on the CPU) and
// OpenCV dnn, each on one float input, returning the first output.
#pragma once

#include <onnx/onnx_pb.h>

#include <cstdint>
#include <filesystem>
#include <span>
#include <string>
#include <vector>

namespace topiary::test {

struct OrtResult {
    bool ok = false;
    std::string error; // ORT's message when !ok
    std::vector<float> output;
};

OrtResult runInOrt(const std::filesystem::path& model, std::span<const float> input, std::span<const int64_t> dims);

// OpenCV dnn (after canonicalization) as the other runtime: one float input, the first
// output. Fails the current Catch2 test, with OpenCV's message, when it cannot run.
std::vector<float> runInOpenCv(const onnx::ModelProto& model, std::span<const float> input, std::span<const int64_t> dims);

// A fresh empty folder under the system temp dir for a test's files.
std::filesystem::path makeTempDir(const std::string& prefix);

} // namespace topiary::test
