// The bundled sample (resources/sample): the Fashion-MNIST CNN, its 1,000 test images and
// its preprocessing, the inputs most core tests run on. Loaded through the core's own
// loaders; a sample that cannot be loaded throws (the test reports it as a failure).
#pragma once

#include "core/data/Dataset.h"
#include "core/model/Model.h"
#include "core/data/Preprocess.h"

#include <filesystem>

namespace topiary::test {

std::filesystem::path sampleDir();
const Model& sampleModel(); // loaded once per test program
Dataset sampleData();
PreprocessSpec sampleSpec();

} // namespace topiary::test
