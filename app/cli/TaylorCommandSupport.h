// Taylor importance for topiary-cli: the scores come from the trainer process (its
// "taylor" request; topiary-cli never links libtorch) and are kept in the TaylorCache, so
// a second command on the same model and data does not start the trainer again.
#pragma once

#include "core/base/Error.h"
#include "core/compress/TaylorScores.h"
#include "core/data/Preprocess.h"

#include <filesystem>

namespace topiary::cli {

// Images per batch of a Taylor request; --limit images make limit / kTaylorBatchSize batches.
inline constexpr int kTaylorBatchSize = 32;
inline constexpr int64_t kTaylorDefaultImages = 512;

// The cached scores, or the trainer's (a progress line on stderr while it works).
Result<TaylorScores> taylorScoresFor(
    const std::filesystem::path& model, const std::filesystem::path& data, const PreprocessSpec& spec, int64_t images);

} // namespace topiary::cli
