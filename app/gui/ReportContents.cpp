#include "ReportContents.h"

#include "Document.h"
#include "LiveEvaluation.h"
#include "SensitivityRunner.h"

#include "core/analysis/LayerInspection.h"
#include "core/model/CostModel.h"
#include "core/model/DependencyGroups.h"
#include "core/report/ReportFigures.h"

#include <algorithm>

namespace topiary {

SessionReport sessionReport(const Document& document, const LiveEvaluation& evaluation,
    const SensitivityRunner* sensitivity, const ApplyOptions& exportOptions, std::optional<int64_t> writtenBytes)
{
    SessionReport report;
    if (document.isEmpty())
        return report;
    report.modelName = document.displayName().toStdString();
    report.plan = document.plan();
    report.layers = document.cost()->layers();
    report.original = document.originalStats();
    report.current = document.currentStats();
    report.exportOptions = exportOptions;
    report.writtenFileBytes = writtenBytes;
    if (const auto* original = evaluation.original(); original && original->finished() && original->labelled > 0)
        report.originalTop1 = original->top1();
    if (const auto* current = evaluation.current(); current && evaluation.currentDone() && current->labelled > 0)
        report.currentTop1 = current->top1();

    if (report.originalTop1 || report.currentTop1)
        report.figures.push_back(accuracyFigure(report.originalTop1, report.currentTop1));
    if (sensitivity && sensitivity->hasResult() && !sensitivity->result().points.empty())
        report.figures.push_back(sensitivityFigure(sensitivity->result(), sensitivity->result().points.front().kind));
    if (!document.paretoSet().points().empty())
        report.figures.push_back(paretoFigure(document.paretoSet(), ParetoCost::Size, document.currentParetoPoint()));

    // The edited layers' weights, the largest layers first; the element-pruning cut drawn.
    std::vector<int> edited;
    for (size_t i = 0; i < report.layers.size(); ++i)
        if (report.plan.contains(report.layers[i].name))
            edited.push_back(static_cast<int>(i));
    auto weights = [&](int layer) {
        int64_t n = 1;
        for (int64_t d : report.layers[static_cast<size_t>(layer)].weightShape)
            n *= d;
        return n;
    };
    std::stable_sort(edited.begin(), edited.end(), [&](int a, int b) { return weights(a) > weights(b); });
    if (edited.size() > static_cast<size_t>(kReportHistograms))
        edited.resize(static_cast<size_t>(kReportHistograms));
    std::sort(edited.begin(), edited.end()); // shown in graph order
    // No filter scores are needed for a histogram: a scorer that declines skips them.
    const FilterScorer noScores = [](int, Criterion) -> Result<std::vector<float>> { return fail("not needed"); };
    const std::vector<DependencyGroup> noGroups;
    for (int layer : edited) {
        auto inspected = inspectLayer(*document.model(), report.layers, document.groups() ? *document.groups() : noGroups,
            layer, report.plan, noScores);
        if (inspected)
            report.figures.push_back(histogramFigure(inspected->name, inspected->histogram, inspected->elementThreshold));
    }
    return report;
}

} // namespace topiary
