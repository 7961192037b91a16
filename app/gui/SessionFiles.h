// The files of a session: the dataset (File > Open Dataset, and the bundled sample's
// images), recipes (the plan as topiary-cli's JSON), projects (.topiary: model, dataset,
// plan and history) with the autosave and crash recovery, the exported compressed model
// (applied and written off the GUI thread, with progress and Cancel) and the HTML/CSV
// report. It reads and fills the Document; the window only offers the commands.
#pragma once

#include "core/data/Preprocess.h"
#include "core/export/Apply.h"
#include "core/export/ApplyControl.h"
#include "core/plan/Project.h"
#include "core/report/HtmlReport.h"

#include <QObject>
#include <QPointer>
#include <QString>

#include <functional>
#include <memory>
#include <optional>

class QAction;
class QProgressDialog;
class QTemporaryDir;
class QWidget;

namespace topiary {

class AutoSaver;
class Document;
class ExportTiming;
class GraphPane;
class JobTracker;
class LiveEvaluation;
class SensitivityRunner;

class SessionFiles : public QObject {
    Q_OBJECT

public:
    // `window` parents the dialogs; showDialogs says whether errors may be shown modally.
    SessionFiles(Document* document, LiveEvaluation* evaluation, GraphPane* graph, QWidget* window,
        std::function<bool()> showDialogs);
    ~SessionFiles() override;

    // The File menu's commands for these files; the window places them.
    struct Actions {
        QAction* openDataset = nullptr;
        QAction* openProject = nullptr;
        QAction* saveProject = nullptr;
        QAction* saveProjectAs = nullptr;
        QAction* loadRecipe = nullptr;
        QAction* saveRecipe = nullptr;
        QAction* exportModel = nullptr;
        QAction* report = nullptr;
        QAction* reportPdf = nullptr;
    };
    const Actions& actions() const { return m_actions; }
    void retranslateUi();

    // Evaluates on this dataset (an image folder, a path,label list or an IDX images file)
    // from now on; with `spec` when given (`specFrom` says who chose it: the project, the
    // Dataset dialog), else chosen for the model by choosePreprocess (preprocess.json beside
    // the model, its metadata, beside the data, the input's defaults). False with a message
    // when it cannot.
    bool openDataset(const QString& path, const std::optional<PreprocessSpec>& spec = std::nullopt,
        const QString& specFrom = {});
    // The bundled model's 1000 test images, so that the estimate works at once.
    void attachSampleDataset();
    // File > Open Dataset and the totals' accuracy link: the Dataset dialog (source,
    // preprocessing with where each value came from, preview, counts); Use evaluates with it.
    void chooseDataset();

    // Reads a recipe into the document's plan; false with a message when it cannot be
    // read or does not fit the model.
    bool loadRecipe(const QString& path);
    bool saveRecipe(const QString& path);
    void chooseRecipeToLoad();
    void chooseRecipeToSave();

    // Projects: openProject checks the file and asks for its model (openModelRequested),
    // then restores the rest when that model has loaded (modelLoaded).
    bool openProject(const QString& path);
    bool saveProject(const QString& path);
    // File > Save Project: to the project's file, or asks for one.
    void save();
    bool chooseProjectToSave();
    void chooseProjectToOpen();
    // Asks about unsaved changes; false when the user cancels.
    bool maybeSave();
    // At start: offers to recover a session a crash left behind (not in tests).
    void offerRecovery();
    QString projectPath() const { return m_projectPath; }
    // A model was loaded into the document: the pending project's history, dataset and
    // evaluations are restored onto it, or the project (if any) is forgotten.
    void modelLoaded(const QString& path);
    // The window closes: no recovery needed.
    void discardAutosave();

    // Applies the plan and writes the model off the GUI thread; ends with exportFinished.
    void chooseExport();
    void exportModel(const QString& path, const ApplyOptions& options);
    // Stops a running export before it writes anything (exportFinished says so).
    void cancelExport();
    bool isExporting() const;

    // The HTML report (ReportContents: vector figures, totals for the chosen export and
    // the per-layer table) and a CSV of the table beside it; or the same report as a PDF.
    bool exportReport(const QString& htmlPath);
    bool exportReportPdf(const QString& pdfPath);
    void chooseReport();
    void chooseReportPdf();
    // Where the report finds the sensitivity sweep (none: no curves).
    void setSensitivityRunner(const SensitivityRunner* runner) { m_sensitivity = runner; }

signals:
    void message(const QString& text, int timeoutMs);
    void loadFailed(const QString& message);
    void openModelRequested(const QString& path);
    void projectPathChanged();
    // message says what was written (or why nothing was).
    void exportFinished(bool ok, const QString& message);
    // After a successful export: the written file's latency beside the original's in
    // OpenCV (ExportTiming), or why it could not be timed.
    void exportTimed(bool ok, const QString& text);

private:
    void createActions();
    void markSessionDirty();
    // Another model was opened: the images stay, the preprocessing is chosen again for it
    // (never the previous model's), or the data is closed when it cannot fit.
    void chooseDataForNewModel();
    // The file the dataset was read from; the unpacked sample images for those.
    QString datasetFile() const;
    bool isSampleImages(const QString& path) const;
    void showExportProgress(int done, int total);
    SessionReport currentReport() const;

    Document* m_document;
    LiveEvaluation* m_evaluation;
    GraphPane* m_graph;
    QWidget* m_window;
    std::function<bool()> m_showDialogs;
    Actions m_actions;
    AutoSaver* m_autoSaver = nullptr;
    QString m_projectPath;
    std::optional<Project> m_pendingProject; // restored when its model has loaded
    bool m_pendingRecovered = false; // the pending project is a recovered autosave: unsaved when restored
    QString m_recoveredAutosave; // removed once the session has its own autosave
    std::unique_ptr<QTemporaryDir> m_sampleData; // the bundled images, unpacked for the evaluator
    QPointer<QProgressDialog> m_exportProgress;
    JobTracker* m_exports = nullptr;
    ExportTiming* m_exportTiming = nullptr;
    const SensitivityRunner* m_sensitivity = nullptr;
    // The last export written: the report states its size when the plan is still this one.
    struct WrittenExport {
        Plan plan;
        ApplyOptions options;
        int64_t bytes = 0;
    };
    std::optional<WrittenExport> m_lastExport;
};

} // namespace topiary
