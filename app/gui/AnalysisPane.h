// The whole-network analyses: the importance overview tab (every layer's filters ranked,
// scored off the GUI thread after a short debounce, only while its tab is shown), the
// sensitivity sweep (Analyze > Sensitivity) with its curves, the Pareto plot of the
// Document's evaluated plans, and fitting a plan to a budget from the measured
// sensitivity, measured (after the plan's recovery, when it has one) and adjusted on a
// worker (MeasuredFitRunner), shown as an undoable step until the user accepts or
// discards it. The
// window places the widgets (a tab and three docks) and the actions in its menus.
#pragma once

#include <QObject>

#include <cstdint>
#include <vector>

class QAction;
class QProgressBar;
class QTimer;
class QWidget;

namespace topiary {

class BudgetFitPanel;
class Document;
class JobTracker;
class MeasuredFitRunner;
class NetworkOverviewMap;
class ParetoPlot;
class SensitivityPlot;
class SensitivityRunner;
struct BudgetRequest;
struct MeasuredFit;

class AnalysisPane : public QObject {
    Q_OBJECT

public:
    // The widgets are children of `window`.
    AnalysisPane(Document* document, QWidget* window);

    NetworkOverviewMap* overview() const { return m_overview; }
    QWidget* sensitivityWidget() const { return m_sensitivityBox; }
    ParetoPlot* paretoPlot() const { return m_paretoPlot; }
    QWidget* fitWidget() const { return m_fitBox; }
    BudgetFitPanel* fitPanel() const { return m_fitPanel; }
    SensitivityRunner* sensitivityRunner() const { return m_sensitivity; }
    MeasuredFitRunner* fitRunner() const { return m_fitRunner; }
    QAction* sensitivityAction() const { return m_sensitivityAction; }
    QAction* cancelSensitivityAction() const { return m_cancelSensitivityAction; }

    // The overview is scored only while its tab is shown.
    void setOverviewShown(bool shown);
    // The per-layer filter-pruning sweep on the Document's dataset.
    bool runSensitivity(int64_t imageLimit = 500);
    // Starts fitting a plan to the budget from the measured sensitivity: measured on the
    // sweep's images, with the plan's recovery, and adjusted to the allowed loss on a
    // worker. When it is done the chosen plan shows (an undoable step) until the user
    // accepts or discards it. False with the reason in the panel when it cannot start.
    bool proposeFit(const BudgetRequest& request);
    // Adjustment rounds after the greedy proposal, at most (tests make it small).
    void setFitRounds(int rounds) { m_fitRounds = rounds; }
    void retranslateUi();

signals:
    // The window shows the dock holding `content` if it is hidden, and raises it if asked.
    void showRequested(QWidget* content, bool raise);
    // Per-layer top-1 lost when the layer alone loses half its filters (NaN: unmeasured).
    void sensitivityLossChanged(const std::vector<double>& lossPerLayer);
    void message(const QString& text, int timeoutMs);

private:
    void createSensitivity(QWidget* window);
    void createFit(QWidget* window);
    void refreshOverview();
    void onSensitivityChanged();
    void onModelChanged();
    void showPareto();
    void showFit(const MeasuredFit& fit);

    Document* m_document;
    SensitivityRunner* m_sensitivity = nullptr;
    NetworkOverviewMap* m_overview = nullptr;
    bool m_overviewShown = false;
    QTimer* m_overviewTimer = nullptr;
    QWidget* m_sensitivityBox = nullptr;
    SensitivityPlot* m_sensitivityPlot = nullptr;
    QProgressBar* m_sensitivityProgress = nullptr;
    ParetoPlot* m_paretoPlot = nullptr;
    QWidget* m_fitBox = nullptr;
    BudgetFitPanel* m_fitPanel = nullptr;
    bool m_fitPreviewOpen = false; // a proposed fit is shown and not yet accepted
    MeasuredFitRunner* m_fitRunner = nullptr;
    int m_fitRounds = 6;
    int64_t m_sensitivityLimit = 0; // the images the sweep measured on; the fit measures on them too
    uint64_t m_sensitivityRuns = 0; // names the sweep a fit reads (a kept recovered sweep belongs to one)
    QAction* m_sensitivityAction = nullptr;
    QAction* m_cancelSensitivityAction = nullptr;
    JobTracker* m_overviewJobs = nullptr;
};

} // namespace topiary
