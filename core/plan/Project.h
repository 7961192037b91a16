// A saved workbench session, the ".topiary" file: the model it was made on (with a
// fingerprint, so a moved or changed model is noticed when the project is opened), the
// dataset and its preprocessing, the current plan, and the history of plans the user went
// through with what each measured. Plans are stored as recipes (Recipe.h) and the
// preprocessing as Preprocess.h writes it, so their readers are the same everywhere.
//
//   {"format": "topiary-project", "version": 1,
//    "model": {"path": "resnet18.onnx", "size": 46827520, "fnv1a64": "8c3fa2e01b77d4c9"},
//    "dataset": {"path": "val", "preprocess": {...}},          (optional, both fields too)
//    "plan": {recipe},
//    "history": [{"label": "conv1 pruned 30%", "plan": {recipe},
//                 "evaluation": {"top1": 0.912, "top1_low": 0.894, "top1_high": 0.927,
//                                "images": 1000, "size_bytes": 11234567, "macs": 1814073344}}],
//    "current": 0}
//
// Paths are absolute in memory. On disk a path inside the project file's folder (lexically,
// symlinks are not resolved) is stored relative to that folder, so a folder holding the
// project and its model can be moved or shared; any other path is stored absolute.
//
// The fingerprint is the file's size and FNV-1a 64 over all its bytes: fast (about 1 GB/s,
// no crypto library) and it catches any accidental change; it is not meant to resist
// someone crafting a collision. Compute it once when the model is loaded, not per save.
//
// Reading is strict and bounded: unknown fields, wrong types, a newer version, out of range
// values, more than kMaxProjectHistory entries, strings longer than kMaxProjectString bytes
// or files over kMaxProjectFileBytes are errors naming the field. Writing checks the same
// rules first (what is written can always be read back) and replaces the file atomically.
#pragma once

#include "core/base/Error.h"
#include "core/base/Estimate.h"
#include "core/plan/Plan.h"
#include "core/data/Preprocess.h"

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

namespace topiary {

inline constexpr int kProjectVersion = 1;
inline constexpr int64_t kMaxProjectFileBytes = 64 << 20;
inline constexpr size_t kMaxProjectHistory = 10000;
inline constexpr size_t kMaxProjectString = 4096; // labels and paths, in bytes

struct FileFingerprint {
    int64_t size = -1; // bytes; -1 = not recorded
    uint64_t fnv1a64 = 0;

    bool operator==(const FileFingerprint&) const = default;
};

// Reads the whole file. Errors: missing, unreadable, a folder.
Result<FileFingerprint> fingerprintFile(const std::filesystem::path& file);

// What one plan of the history measured.
struct HistoryEvaluation {
    Estimate top1; // value with its 95% interval; n = the images it covers (>= 1)
    int64_t sizeBytes = 0; // weights at their chosen encodings (ModelStats::encodedBytes)
    int64_t macs = 0; // ModelStats::linearMacs

    bool operator==(const HistoryEvaluation& o) const;
};

struct HistoryEntry {
    Plan plan;
    std::string label; // what the step did, "conv1 pruned 30%"
    std::optional<HistoryEvaluation> evaluation;

    bool operator==(const HistoryEntry&) const = default;
};

struct Project {
    std::filesystem::path modelPath; // absolute
    FileFingerprint modelFingerprint;
    std::filesystem::path datasetPath; // absolute; empty = none chosen
    std::optional<PreprocessSpec> preprocess;
    Plan plan; // the plan being edited (may differ from history[current] by unrecorded edits)
    std::vector<HistoryEntry> history;
    int64_t current = -1; // index into history, -1 = none

    bool operator==(const Project&) const = default;
};

// The rules readProject() enforces, for a project in memory.
Result<void> checkProject(const Project& project);

Result<Project> readProject(const std::filesystem::path& file);
Result<void> writeProject(const std::filesystem::path& file, const Project& project);

enum class ModelFileState {
    Unchanged, // same size and hash as recorded
    Missing, // no file at project.modelPath (moved or deleted)
    Changed, // there, but different bytes
};
// Compares the model file with the recorded fingerprint (reads the whole file). An error
// only when the file is there but cannot be read.
Result<ModelFileState> checkModelFile(const Project& project);

} // namespace topiary
