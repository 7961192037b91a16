// The report's plots, made from core values as SVG (SvgChart.h): the sensitivity curves,
// the Pareto plot of the plans tried, a weight histogram per edited layer and the accuracy
// before and after with its 95 % interval. The GUI may pass its own plots as SVG instead
// (ReportFigure takes any SVG text); these are what the CLI and the GUI share.
#pragma once

#include "core/analysis/ParetoSet.h"
#include "core/analysis/Sensitivity.h"
#include "core/base/Estimate.h"
#include "core/compress/Importance.h"
#include "core/report/HtmlReport.h"

#include <optional>
#include <string>

namespace topiary {

// Measured top-1 (or agreement, when the data has no labels) against the pruned fraction,
// one curve per layer with interval bars; the data-free estimate (energy kept) where no
// point of a layer was measured.
ReportFigure sensitivityFigure(const SensitivityResult& result, SweepKind kind = SweepKind::Prune);
// Accuracy against the encoded weight size (MB) or MACs (millions); the front joined by a
// line, the point `current` (an id, -1 = none) marked.
ReportFigure paretoFigure(const ParetoSet& set, ParetoCost cost = ParetoCost::Size, int current = -1);
// One layer's weights as stored, with the element-pruning cut at ± threshold.
ReportFigure histogramFigure(const std::string& layer, const Histogram& histogram, std::optional<double> threshold);
// Original and compressed top-1 with their 95 % intervals.
ReportFigure accuracyFigure(const std::optional<Estimate>& original, const std::optional<Estimate>& current);

} // namespace topiary
