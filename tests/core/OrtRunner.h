// ONNX Runtime as an independent reference in tests: runs a model file through
// tests/ort/run.js (onnxruntime-node, CPU) on one float input and returns the first
// output. Tests that compare Topiary's exports with another runtime use this.
#pragma once

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

// A fresh empty folder under the system temp dir for a test's files.
std::filesystem::path makeTempDir(const std::string& prefix);

} // namespace topiary::test
