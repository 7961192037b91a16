// A model with its layers and dependency groups found once, and its layers looked up by
// name: where the core tests that build or load a model start. A test adds its own
// look-ups by deriving from it.
#pragma once

#include "core/model/DependencyGroups.h"
#include "core/model/Layer.h"
#include "core/model/Model.h"

#include <onnx/onnx_pb.h>

#include <filesystem>
#include <string>
#include <vector>

namespace topiary::test {

struct AnalysedModel {
    Model model;
    std::vector<Layer> layers;
    std::vector<DependencyGroup> groups;

    // The index of the layer named `name`; the test fails when there is none.
    int layer(const std::string& name) const;
};

// Fails the test (with the loader's message) when the model cannot be read.
AnalysedModel analyseModel(const onnx::ModelProto& proto);
AnalysedModel analyseModel(const std::filesystem::path& file);

} // namespace topiary::test
