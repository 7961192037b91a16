// The bundled sample as the evaluation benchmarks load it: the model, its 1,000 test
// images and their preprocessing, from TOPIARY_SAMPLE_DIR (default resources/sample, for
// runs from the source tree).
#pragma once

#include "core/data/Dataset.h"
#include "core/data/Preprocess.h"
#include "core/model/Model.h"

#include <benchmark/benchmark.h>

#include <filesystem>
#include <optional>

namespace topiary::bench {

struct Sample {
    Model model;
    Dataset dataset;
    PreprocessSpec spec;
};

std::filesystem::path sampleDir();
// Marks the benchmark skipped, with the reason, when the sample cannot be read.
std::optional<Sample> loadSample(benchmark::State& state);

} // namespace topiary::bench
