// Running an independent reference in Debian's Python (numpy, PyTorch) from a test: float
// arrays go to and come from raw little-endian float32 files in a temporary folder.
#pragma once

#include <filesystem>
#include <span>
#include <string>
#include <vector>

namespace topiary::test {

void writeFloatFile(const std::filesystem::path& file, std::span<const float> values);
std::vector<float> readFloatFile(const std::filesystem::path& file);
// Runs `script` with the arguments (quoted here); fails the current test with Python's
// stderr when it exits non-zero.
void runPython(const std::string& script, const std::vector<std::string>& args);
std::string shellQuoted(const std::string& s);

} // namespace topiary::test
