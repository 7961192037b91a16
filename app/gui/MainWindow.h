// The first window: the layer table in the middle, the totals in a dock, File menu with
// Open, Open Recent and Quit, drag and drop of .onnx files, and a status bar that shows
// a running load with a Cancel button. Loading and analysis run in ModelLoader; what is
// shown lives in Document.
#pragma once

#include "Document.h"

#include "core/export/Apply.h"
#include "core/analysis/LayerInspection.h"
#include "core/analysis/ParetoSet.h"
#include "core/compress/PruneSelection.h"
#include "core/plan/Project.h"

#include <QFont>
#include <QMainWindow>

#include <memory>
#include <optional>
#include <utility>
#include <vector>

class QAction;
class QDockWidget;
class QLabel;
class QMenu;
class QMimeData;
class QProgressBar;
class QSortFilterProxyModel;
class QStackedWidget;
class QTabWidget;
class QTimer;
class QTableView;
class QTemporaryDir;
class QToolButton;
class QUndoView;

namespace topiary {

class Plan;
struct ActivationStats;
struct EvaluationMetrics;

class AutoSaver;
class PreferencesDialog;
class RatioStepper;
class ExplainPanel;
class LayerInspector;
class BudgetFitPanel;
class NetworkOverviewMap;
class ParetoPlot;
class SensitivityPlot;
class SensitivityRunner;
struct BudgetRequest;
class GraphPane;
class LayerTableModel;
class LiveEvaluation;
class ModelLoader;
class RecentFiles;
class TotalsPanel;
class CriteriaComparisonRunner;
class CriteriaComparisonView;

class MainWindow : public QMainWindow {
    Q_OBJECT
    // False in tests and screenshot runs: errors are only signalled, never shown modally.
    Q_PROPERTY(bool showErrorDialogs READ showErrorDialogs WRITE setShowErrorDialogs)

public:
    explicit MainWindow(QWidget* parent = nullptr);
    ~MainWindow() override;

    static QString sampleResourcePath();

    void openFile(const QString& path);
    void openSample();
    bool isLoading() const;
    // Reads a recipe (topiary-cli's JSON plan) into the document's plan; false with a
    // status message when it cannot be read or does not fit the model.
    bool loadRecipe(const QString& path);
    bool saveRecipe(const QString& path);
    // Evaluates on this dataset (an image folder, a path,label list or an IDX images file)
    // from now on; preprocessing from preprocess.json beside the model or the dataset, else
    // the defaults of the model's input. False with a status message when it cannot.
    bool openDataset(const QString& path, const std::optional<PreprocessSpec>& spec = std::nullopt);
    LiveEvaluation* liveEvaluation() const { return m_evaluation; }
    GraphPane* graphPane() const { return m_graph; }
    // Projects (.topiary): the model, dataset, plan and history. openProject loads the
    // model and then restores the rest; false (with a message) when it cannot start.
    bool openProject(const QString& path);
    bool saveProject(const QString& path);
    QString projectPath() const { return m_projectPath; }
    // The HTML report (plots and per-layer table) and a CSV of the table beside it.
    bool exportReport(const QString& htmlPath);
    // At start: offers to recover a session a crash left behind (not in tests).
    void offerRecovery();
    // Analyze > Sensitivity: the per-layer filter-pruning sweep on the current dataset.
    bool runSensitivity(int64_t imageLimit = 500);
    SensitivityRunner* sensitivityRunner() const { return m_sensitivity; }
    // Fits a plan to the budget from the measured sensitivity and shows it (an undoable
    // step) until the user accepts or discards it; false with the reason in the panel.
    bool proposeFit(const BudgetRequest& request);
    const ParetoSet& paretoSet() const { return m_pareto; }
    // The layer every view shows as selected (-1: none); from any view, or a test.
    void selectLayer(int layer);
    int selectedLayer() const { return m_selectedLayer; }
    // Applies the plan and writes the model off the GUI thread; ends with exportFinished.
    void exportModel(const QString& path, const ApplyOptions& options);

    // Teaching: View > Presentation Mode (full screen, larger text and lines), the Step
    // animation of the selected layer's pruning ratio, and Edit > Preferences.
    void setPresentationMode(bool on);
    bool isPresentationMode() const { return m_presenting; }
    RatioStepper* ratioStepper() const { return m_stepper; }
    void showPreferences();
    PreferencesDialog* preferencesDialog() const { return m_preferences; }

    Document* document() const { return m_document; }

    bool showErrorDialogs() const { return m_showErrorDialogs; }
    void setShowErrorDialogs(bool show) { m_showErrorDialogs = show; }

signals:
    void loadFailed(const QString& message);
    // Every load ends with this, whether it succeeded, failed or was cancelled.
    void loadFinished(bool ok);
    // message says what was written (or why nothing was).
    void exportFinished(bool ok, const QString& message);

protected:
    void closeEvent(QCloseEvent* event) override;
    void dragEnterEvent(QDragEnterEvent* event) override;
    void dropEvent(QDropEvent* event) override;
    void changeEvent(QEvent* event) override;

private:
    void createActions();
    void createMenus();
    void createCentralWidget();
    void createDocks();
    void createStatusBar();
    void retranslateUi();
    void readSettings();
    void writeSettings() const;

    void chooseFile();
    void chooseRecipeToLoad();
    void chooseRecipeToSave();
    void showAbout();
    void onLoadStarted(const QString& displayName);
    void onLoaded(const LoadedModel& result);
    void onLoadFailed(const QString& path, const QString& message);
    void onLoadCanceled();
    void showDocument();
    void showPlan();
    // Table edits become new plans; a plan the model cannot take is refused with the reason.
    void editPruneRatio(int layer, double ratio);
    void editBits(int layer, int bits);
    // text labels the undo step; edits with the same mergeKey merge while `open` (a drag).
    void proposePlan(const Plan& plan, const QString& text, int mergeKey = -1, bool open = false);
    void chooseDataset();
    void chooseExport();
    void createAnalysisDocks();
    void createInspector();
    void inspectSelectedLayer();
    void refreshInspector();
    void editSelectedLayerPrune(const PruneSpec& spec, bool dragging);
    void dragThreshold(double magnitude, bool dragging);
    // With a dataset, counts each channel's zero activations (APoZ) on a worker; the
    // inspector's APoZ criterion becomes available when it is done.
    void gatherActivations();
    void retranslateAnalysis();
    void createTeaching();
    void retranslateTeaching();
    void zoomGraphKeepingCentre(bool in);
    void refreshOverview();
    void onSensitivityChanged();
    void addParetoPoint(const Plan& plan, const EvaluationMetrics& metrics);
    void chooseProjectToOpen();
    bool chooseProjectToSave();
    void chooseReport();
    void markSessionDirty();
    Project snapshot() const;
    // Asks about unsaved changes; false when the user cancels.
    bool maybeSave();
    void attachSampleDataset();
    void showEvaluation();
    void setLoadingVisible(bool visible);
    void updateTitle();

    static QStringList onnxFiles(const QMimeData* mime);

    Document* m_document = nullptr;
    ModelLoader* m_loader = nullptr;
    LayerTableModel* m_layerModel = nullptr;
    QSortFilterProxyModel* m_layerProxy = nullptr;
    QTableView* m_layerTable = nullptr;
    QLabel* m_emptyHint = nullptr;
    QStackedWidget* m_central = nullptr;
    QTabWidget* m_tabs = nullptr;
    GraphPane* m_graph = nullptr;
    int m_selectedLayer = -1;
    TotalsPanel* m_totals = nullptr;
    QDockWidget* m_totalsDock = nullptr;
    RecentFiles* m_recentFiles = nullptr;
    LiveEvaluation* m_evaluation = nullptr;
    AutoSaver* m_autoSaver = nullptr;
    LayerInspector* m_inspector = nullptr;
    ExplainPanel* m_explain = nullptr;
    QDockWidget* m_explainDock = nullptr;
    QAction* m_explainAction = nullptr;
    QDockWidget* m_inspectorDock = nullptr;
    FilterScorer m_scorer; // cached per model: the inspector's scores
    std::shared_ptr<const ActivationStats> m_activationStats; // the dataset's counts, once gathered
    std::shared_ptr<LayerInspection> m_inspection; // of m_selectedLayer, under the shown plan
    quint64 m_inspectGeneration = 0;
    quint64 m_activationGeneration = 0;
    quint64 m_overviewGeneration = 0; // results of older overview runs are dropped
    SensitivityRunner* m_sensitivity = nullptr;
    NetworkOverviewMap* m_overview = nullptr;
    SensitivityPlot* m_sensitivityPlot = nullptr;
    QDockWidget* m_sensitivityDock = nullptr;
    QProgressBar* m_sensitivityProgress = nullptr;
    ParetoPlot* m_paretoPlot = nullptr;
    QDockWidget* m_paretoDock = nullptr;
    BudgetFitPanel* m_fitPanel = nullptr;
    QDockWidget* m_fitDock = nullptr;
    QMenu* m_analyzeMenu = nullptr;
    QAction* m_sensitivityAction = nullptr;
    QAction* m_cancelSensitivityAction = nullptr;
    QTimer* m_overviewTimer = nullptr;
    ParetoSet m_pareto;
    std::vector<Plan> m_paretoPlans; // by point id
    bool m_fitPreviewOpen = false; // a proposed fit is shown and not yet accepted
    QString m_projectPath;
    QString m_datasetPath; // "" for none or the bundled images
    std::optional<Project> m_pendingProject; // restored when its model has loaded
    // Plans evaluated this session, newest last: history entries and the Pareto plot use them.
    std::vector<std::pair<Plan, HistoryEvaluation>> m_evaluated;
    QUndoView* m_historyView = nullptr;
    QDockWidget* m_historyDock = nullptr;
    std::unique_ptr<QTemporaryDir> m_sampleData; // the bundled images, unpacked for the evaluator

    QMenu* m_fileMenu = nullptr;
    QMenu* m_recentMenu = nullptr;
    QMenu* m_editMenu = nullptr;
    QMenu* m_viewMenu = nullptr;
    QMenu* m_helpMenu = nullptr;
    QAction* m_openAction = nullptr;
    QAction* m_openSampleAction = nullptr;
    QAction* m_loadRecipeAction = nullptr;
    QAction* m_saveRecipeAction = nullptr;
    QAction* m_openDatasetAction = nullptr;
    QAction* m_exportAction = nullptr;
    QMenu* m_themeMenu = nullptr;
    QAction* m_themeActions[3] = {};
    QAction* m_openProjectAction = nullptr;
    QAction* m_saveProjectAction = nullptr;
    QAction* m_saveProjectAsAction = nullptr;
    QAction* m_reportAction = nullptr;
    QAction* m_undoAction = nullptr;
    QAction* m_redoAction = nullptr;
    QAction* m_quitAction = nullptr;
    QAction* m_aboutAction = nullptr;

    QLabel* m_loadingLabel = nullptr;
    QProgressBar* m_loadingBar = nullptr;
    QToolButton* m_cancelButton = nullptr;
    QString m_loadingName;

    bool m_showErrorDialogs = true;

    // Teaching
    QAction* m_presentationAction = nullptr;
    QAction* m_leavePresentationAction = nullptr;
    QAction* m_preferencesAction = nullptr;
    PreferencesDialog* m_preferences = nullptr;
    RatioStepper* m_stepper = nullptr;
    bool m_applyingStep = false; // the stepper's own edit: not a reason to stop it
    bool m_presenting = false;
    QFont m_normalFont;
    QByteArray m_normalDocks;
    QByteArray m_normalGeometry;
    Qt::WindowStates m_normalWindowState;

    // Compare criteria (MainWindowCompare.cpp): Analyze > Compare Criteria, a dock that
    // follows the selected layer with the current plan as base and the open dataset.
public:
    // Measures the selected layer pruned by each criterion on up to imageLimit images;
    // false (with the reason in the dock) without a layer or a dataset.
    bool measureCriteriaComparison(int64_t imageLimit = 500);
    CriteriaComparisonRunner* criteriaRunner() const { return m_compareRunner; }
    CriteriaComparisonView* criteriaView() const { return m_compareView; }

private:
    void createCompareDock();
    void refreshComparison();
    CriteriaComparisonRunner* m_compareRunner = nullptr;
    CriteriaComparisonView* m_compareView = nullptr;
    QDockWidget* m_compareDock = nullptr;
    QAction* m_compareAction = nullptr;
};

} // namespace topiary
