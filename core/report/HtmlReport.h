// The report of a compression session, for sharing: one self-contained HTML page (plots
// inline as SVG, bitmaps as data URIs, no scripts, no external files) with the model's
// name, a summary of the plan, the totals before and after (params, MACs, weight bytes at
// the chosen encodings, the file size of the export the user chose, activation memory,
// accuracy with its interval), the figures (ReportFigures.h: sensitivity, Pareto, the
// edited layers' histograms, accuracy) and the per-layer table, laid out to fit an A4 or
// Letter page when printed; and the same per-layer table as CSV for spreadsheets.
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
#include "core/export/Apply.h"

#include <filesystem>
#include <optional>
#include <string>
#include <vector>

namespace topiary {

struct ReportImage {
    std::string caption;
    std::string png; // the bytes of a PNG file (the widgets' grab(), saved to a buffer)
};

// A plot as SVG text (from ReportFigures.h, or a widget's QSvgGenerator output). It is
// inlined, so it must be an <svg> element (an XML declaration before it is dropped) and
// may hold no script or foreignObject.
struct ReportFigure {
    std::string caption;
    std::string svg;
};

struct SessionReport {
    std::string modelName; // the title, e.g. the model's file name
    Plan plan;
    std::vector<Layer> layers; // findLayers(model)
    ModelStats original; // stats of the empty plan
    ModelStats current; // stats of `plan`
    std::optional<Estimate> originalTop1; // evaluation of the original model, if run
    std::optional<Estimate> currentTop1; // evaluation of `plan`, if run
    std::vector<ReportFigure> figures; // shown in order, before `images`
    std::vector<ReportImage> images; // shown in order, each with its caption
    // The export the sizes are stated for: what the user chose in the export dialog
    // (default: shrunk, float32 weights), and the bytes written when that export ran.
    ApplyOptions exportOptions { .shrink = true };
    std::optional<int64_t> writtenFileBytes;
};

// "shrunk, int8 weights for 8-bit layers": the export form in words.
std::string exportFormText(const ApplyOptions& options);

// Errors: stats that do not match the layers, an image that is not a PNG, a figure that
// is not a plain <svg> element.
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
