// What File > Export Report shows of the session, gathered from the Document and the
// analyses: the plan and its totals, the accuracy with its interval, and the figures as
// vectors (core/report/ReportFigures): the accuracy, the sensitivity curves when a sweep
// ran, the Pareto plot of the plans evaluated, and a weight histogram per edited layer.
// Sizes are stated for the export the user chose (its options, and the bytes written when
// that export was of this plan). No screenshot of the graph: it would show the view as
// zoomed, scrollbars included.
#pragma once

#include "core/export/Apply.h"
#include "core/report/HtmlReport.h"

#include <optional>

namespace topiary {

class Document;
class LiveEvaluation;
class SensitivityRunner;

// At most this many edited layers get a histogram (the largest first), so a plan that
// edits every layer of a ResNet still makes a report one can read.
inline constexpr int kReportHistograms = 8;

SessionReport sessionReport(const Document& document, const LiveEvaluation& evaluation,
    const SensitivityRunner* sensitivity, const ApplyOptions& exportOptions, std::optional<int64_t> writtenBytes);

} // namespace topiary
