// Helpers the trainer's tests share: the reference files PyTorch wrote
// (tests/train/python/gradient_reference.py), tensors read from them, and comparisons
// relative to a tensor's scale.
#pragma once

#include "train/GraphRunner.h"

#include <nlohmann/json.hpp>
#include <onnx/onnx_pb.h>

#include <filesystem>
#include <string>

namespace topiary::test {

std::filesystem::path trainFixturesDir(); // where gradient_reference.py wrote its files
nlohmann::json readJson(const std::filesystem::path& file);
onnx::ModelProto readProto(const std::filesystem::path& file);
train::FloatTensor tensorFromJson(const nlohmann::json& j);

// max |a - b| / max(max |b|, floor): 0 when equal; the shapes must match (else 1e30).
double relativeDifference(const train::FloatTensor& a, const train::FloatTensor& b, double floor = 1e-6);

} // namespace topiary::test
