// The window: a shell that places the panes and offers their commands. The graph and the
// layer table share the middle, the totals, history, inspector, explain and compare panels
// are docks at the right, the sensitivity, Pareto and fit-to-budget panels docks at the
// bottom; the File, Edit, View, Analyze and Help menus, drag and drop of .onnx and
// .topiary files, and a status bar that shows a running load with a Cancel button. What
// is shown lives in the Document; the work is in the panes (GraphPane, InspectorPane,
// AnalysisPane, ComparePane), the session's files in SessionFiles, loading in ModelLoader.
#pragma once

#include "AnalysisPane.h"
#include "ComparePane.h"
#include "Document.h"
#include "InspectorPane.h"
#include "ModelLoader.h"
#include "PresentationMode.h"
#include "SessionFiles.h"
#include "TrainingPane.h"

#include "core/export/Apply.h"

#include <QMainWindow>

#include <optional>

class QAction;
class QDockWidget;
class QLabel;
class QMenu;
class QStackedWidget;
class QTabWidget;
class QUndoView;

namespace topiary {

class CriteriaComparisonRunner;
class CriteriaComparisonView;
class GraphPane;
class LayerTablePane;
class LiveEvaluation;
class LoadStatus;
class PreferencesDialog;
class RatioStepper;
class RecentFiles;
class SensitivityRunner;
class ThemeMenu;
class UndoActions;
class ActivationBitsAction;
class ChannelRoundingAction;
class TotalsPane;
struct BudgetRequest;

class MainWindow : public QMainWindow {
    Q_OBJECT
    // False in tests and screenshot runs: errors are only signalled, never shown modally.
    Q_PROPERTY(bool showErrorDialogs READ showErrorDialogs WRITE setShowErrorDialogs)

public:
    explicit MainWindow(QWidget* parent = nullptr);
    ~MainWindow() override;

    static QString sampleResourcePath();

    void openFile(const QString& path) { m_loader->loadFile(path); }
    void openSample() { m_loader->loadResource(sampleResourcePath()); }
    bool isLoading() const { return m_loader->isBusy(); }
    Document* document() const { return m_document; }
    LiveEvaluation* liveEvaluation() const { return m_evaluation; }
    GraphPane* graphPane() const { return m_graph; }
    SessionFiles* sessionFiles() const { return m_session; }
    // The layer every view shows as selected (-1: none); from any view, or a test.
    void selectLayer(int layer) { m_document->selectLayer(layer); }
    int selectedLayer() const { return m_document->selectedLayer(); }

    // The session's files (SessionFiles): see there.
    bool loadRecipe(const QString& path) { return m_session->loadRecipe(path); }
    bool saveRecipe(const QString& path) { return m_session->saveRecipe(path); }
    bool openDataset(const QString& path, const std::optional<PreprocessSpec>& spec = std::nullopt)
    {
        return m_session->openDataset(path, spec);
    }
    bool openProject(const QString& path) { return m_session->openProject(path); }
    bool saveProject(const QString& path) { return m_session->saveProject(path); }
    QString projectPath() const { return m_session->projectPath(); }
    bool exportReport(const QString& htmlPath) { return m_session->exportReport(htmlPath); }
    void offerRecovery() { m_session->offerRecovery(); }
    // Applies the plan and writes the model off the GUI thread; ends with exportFinished.
    void exportModel(const QString& path, const ApplyOptions& options) { m_session->exportModel(path, options); }

    // Analyses (AnalysisPane, ComparePane): see there.
    bool runSensitivity(int64_t imageLimit = 500) { return m_analysis->runSensitivity(imageLimit); }
    SensitivityRunner* sensitivityRunner() const { return m_analysis->sensitivityRunner(); }
    bool proposeFit(const BudgetRequest& request) { return m_analysis->proposeFit(request); }
    const ParetoSet& paretoSet() const { return m_document->paretoSet(); }
    bool measureCriteriaComparison(int64_t imageLimit = 500) { return m_compare->measure(imageLimit); }
    CriteriaComparisonRunner* criteriaRunner() const { return m_compare->runner(); }
    CriteriaComparisonView* criteriaView() const { return m_compare->view(); }
    // Fine-tuning and Taylor importance in the trainer process (TrainingPane).
    TrainingPane* training() const { return m_training; }

    // Teaching: View > Presentation Mode, the Step animation, Edit > Preferences.
    void setPresentationMode(bool on) { m_presentation->setOn(on); }
    bool isPresentationMode() const { return m_presentation->isOn(); }
    RatioStepper* ratioStepper() const { return m_inspector->ratioStepper(); }
    void showPreferences();
    PreferencesDialog* preferencesDialog() const { return m_preferences; }

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
    void createPanes();
    void createActions();
    void createMenus();
    void createCentralWidget();
    void createDocks();
    QDockWidget* addDock(const char* name, QWidget* content, Qt::DockWidgetArea area);
    void retranslateUi();
    void readSettings();
    void writeSettings() const;

    void chooseFile();
    // Opens a model or a project in place of the document, after asking about unsaved
    // changes (every path that drops the document: Open, Open Sample, a recent file, a drop).
    void replaceDocument(const QString& path);
    void showAbout();
    void showMessage(const QString& text, int timeoutMs);
    void showDock(QWidget* content, bool raise);
    void traceFilter(int layer, int filter);
    void onLoaded(const LoadedModel& result);
    void onLoadFailed(const QString& path, const QString& message);
    void showDocument();
    void showSelection(int layer);
    void updateTitle();

    Document* m_document = nullptr;
    ModelLoader* m_loader = nullptr;
    LiveEvaluation* m_evaluation = nullptr;
    GraphPane* m_graph = nullptr;
    InspectorPane* m_inspector = nullptr;
    AnalysisPane* m_analysis = nullptr;
    ComparePane* m_compare = nullptr;
    SessionFiles* m_session = nullptr;
    TrainingPane* m_training = nullptr;
    PresentationMode* m_presentation = nullptr;
    PreferencesDialog* m_preferences = nullptr;

    LayerTablePane* m_layerTable = nullptr;
    QLabel* m_emptyHint = nullptr;
    QStackedWidget* m_central = nullptr;
    QTabWidget* m_tabs = nullptr;
    TotalsPane* m_totals = nullptr;
    QUndoView* m_historyView = nullptr;
    RecentFiles* m_recentFiles = nullptr;

    QDockWidget* m_totalsDock = nullptr;
    QDockWidget* m_historyDock = nullptr;
    QDockWidget* m_inspectorDock = nullptr;
    QDockWidget* m_explainDock = nullptr;
    QDockWidget* m_compareDock = nullptr;
    QDockWidget* m_sensitivityDock = nullptr;
    QDockWidget* m_paretoDock = nullptr;
    QDockWidget* m_fitDock = nullptr;

    QMenu* m_fileMenu = nullptr;
    QMenu* m_recentMenu = nullptr;
    QMenu* m_editMenu = nullptr;
    QMenu* m_viewMenu = nullptr;
    QMenu* m_analyzeMenu = nullptr;
    QMenu* m_helpMenu = nullptr;
    ThemeMenu* m_themeMenu = nullptr;
    QAction* m_openAction = nullptr;
    QAction* m_openSampleAction = nullptr;
    QAction* m_quitAction = nullptr;
    UndoActions* m_undoActions = nullptr;
    ChannelRoundingAction* m_channelRounding = nullptr;
    ActivationBitsAction* m_activationBits = nullptr;
    QAction* m_undoAction = nullptr;
    QAction* m_redoAction = nullptr;
    QAction* m_preferencesAction = nullptr;
    QAction* m_compareAction = nullptr;
    QAction* m_explainAction = nullptr;
    QAction* m_fitAction = nullptr;
    QAction* m_traceAction = nullptr;
    QAction* m_aboutAction = nullptr;

    LoadStatus* m_loadStatus = nullptr;

    bool m_showErrorDialogs = true;
};

} // namespace topiary
