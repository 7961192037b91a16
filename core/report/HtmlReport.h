// The report of a compression session, for sharing: one self-contained HTML page (images
// embedded as data URIs, no scripts, no external files) with the model's name, a summary
// of the plan, the totals before and after (params, MACs, weight bytes at the chosen
// encodings, activation memory, accuracy with its interval) and the per-layer table; and
// the same per-layer table as CSV for spreadsheets.
//
// Every string that comes from the model or the user (layer names, captions, the model's
// name) is escaped: HTML-escaped in the page, quoted in the CSV, and a CSV cell starting
// with = + - @ gets a leading ' so spreadsheets do not run it as a formula.
//
// CSV columns, one row per layer in graph order (numbers plain, sparsity a fraction):
//   layer, kind, in_channels_before, in_channels_after, out_channels_before,
//   out_channels_after, sparsity, bits, rank, params_before, params_after, macs_before,
//   macs_after, effective_macs_after, encoded_bytes_before, encoded_bytes_after, encoding
#pragma once

#include "core/base/Error.h"
#include "core/base/Estimate.h"
#include "core/model/Layer.h"
#include "core/plan/Plan.h"
#include "core/analysis/Stats.h"

#include <filesystem>
#include <optional>
#include <string>
#include <vector>

namespace topiary {

struct ReportImage {
    std::string caption;
    std::string png; // the bytes of a PNG file (the widgets' grab(), saved to a buffer)
};

struct SessionReport {
    std::string modelName; // the title, e.g. the model's file name
    Plan plan;
    std::vector<Layer> layers; // findLayers(model)
    ModelStats original; // stats of the empty plan
    ModelStats current; // stats of `plan`
    std::optional<Estimate> originalTop1; // evaluation of the original model, if run
    std::optional<Estimate> currentTop1; // evaluation of `plan`, if run
    std::vector<ReportImage> images; // shown in order, each with its caption
};

// Errors: stats that do not match the layers, an image that is not a PNG.
Result<std::string> htmlReport(const SessionReport& report);
Result<std::string> layerTableCsv(const SessionReport& report);

// Written atomically (core/AtomicFile.h).
Result<void> writeHtmlReport(const std::filesystem::path& file, const SessionReport& report);
Result<void> writeLayerTableCsv(const std::filesystem::path& file, const SessionReport& report);

// The plan in one line per edited layer kind: "3 of 12 layers edited: 2 filter-pruned, ...".
std::string planSummary(const Plan& plan, const std::vector<Layer>& layers);
// One layer's spec: "filter 30 % by l1, uniform 8-bit per-channel, rank 16" ("" = unchanged).
std::string layerSpecText(const LayerSpec& spec);

} // namespace topiary
