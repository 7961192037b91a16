#include "SessionFiles.h"

#include "AutoSaver.h"
#include "DatasetDialog.h"
#include "Document.h"
#include "ExportDialog.h"
#include "GraphPane.h"
#include "ExportTiming.h"
#include "JobTracker.h"
#include "LiveEvaluation.h"
#include "MessageButtons.h"
#include "ReportContents.h"
#include "ReportPdf.h"

#include "widgets/NumberFormat.h"

#include "core/data/Dataset.h"
#include "core/model/CostModel.h"
#include "core/model/Model.h"
#include "core/model/ModelWriter.h"
#include "core/plan/Recipe.h"
#include "core/report/HtmlReport.h"

#include <QAction>
#include <QDir>
#include <QFile>
#include <QFileDialog>
#include <QFileInfo>
#include <QMessageBox>
#include <QProgressDialog>
#include <QSaveFile>
#include <QSettings>
#include <QTemporaryDir>

#include <utility>

namespace topiary {

namespace {
constexpr int statusTimeoutMs = 5000;
const QString lastDirectoryKey = QStringLiteral("mainWindow/lastDirectory");
const QString lastProjectDirectoryKey = QStringLiteral("mainWindow/lastProjectDirectory");
// The export dialog's choices, offered again next time.
const QString exportShrinkKey = QStringLiteral("export/shrink");
const QString exportInt8Key = QStringLiteral("export/int8Qdq");
const QString exportFloat16Key = QStringLiteral("export/float16");
// An export shorter than this shows no progress dialog.
constexpr int exportProgressDelayMs = 500;

// The export dialog's last choices: offered again, and what the report states sizes for.
ApplyOptions chosenExportOptions()
{
    const QSettings settings;
    ApplyOptions options;
    options.shrink = settings.value(exportShrinkKey, true).toBool();
    options.int8Qdq = settings.value(exportInt8Key, false).toBool();
    options.float16 = settings.value(exportFloat16Key, false).toBool();
    return options;
}

std::filesystem::path toPath(const QString& path)
{
    return QFile::encodeName(path).toStdString();
}
} // namespace

SessionFiles::SessionFiles(
    Document* document, LiveEvaluation* evaluation, GraphPane* graph, QWidget* window, std::function<bool()> showDialogs)
    : QObject(window)
    , m_document(document)
    , m_evaluation(evaluation)
    , m_graph(graph)
    , m_window(window)
    , m_showDialogs(std::move(showDialogs))
    , m_autoSaver(new AutoSaver(this))
    , m_exports(new JobTracker(this))
    , m_exportTiming(new ExportTiming(this))
{
    connect(m_exportTiming, &ExportTiming::finished, this, [this](bool ok, const QString& text) {
        emit message(text, 3 * statusTimeoutMs);
        emit exportTimed(ok, text);
    });
    connect(m_autoSaver, &AutoSaver::failed, this, [this](const QString& text) {
        emit message(tr("Autosave failed: %1").arg(text), statusTimeoutMs);
    });
    connect(m_document, &Document::planChanged, this, &SessionFiles::markSessionDirty);
    connect(m_document, &Document::datasetChanged, this, &SessionFiles::markSessionDirty);
    connect(m_document, &Document::evaluationsChanged, this, &SessionFiles::markSessionDirty);
    createActions();
}

void SessionFiles::createActions()
{
    auto action = [this](QKeySequence shortcut, auto slot) {
        auto* a = new QAction(m_window);
        if (!shortcut.isEmpty())
            a->setShortcut(shortcut);
        connect(a, &QAction::triggered, this, slot);
        return a;
    };
    m_actions.openDataset = action(QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_O), &SessionFiles::chooseDataset);
    m_actions.openProject = action(QKeySequence(Qt::CTRL | Qt::ALT | Qt::Key_O), &SessionFiles::chooseProjectToOpen);
    m_actions.saveProject = action(QKeySequence::Save, &SessionFiles::save);
    m_actions.saveProjectAs = action(QKeySequence::SaveAs, &SessionFiles::chooseProjectToSave);
    m_actions.loadRecipe = action({}, &SessionFiles::chooseRecipeToLoad);
    m_actions.saveRecipe = action({}, &SessionFiles::chooseRecipeToSave);
    m_actions.exportModel = action(QKeySequence(Qt::CTRL | Qt::Key_E), &SessionFiles::chooseExport);
    m_actions.exportModel->setObjectName(QStringLiteral("exportAction"));
    m_actions.report = action(QKeySequence(Qt::CTRL | Qt::Key_R), &SessionFiles::chooseReport);
    m_actions.reportPdf = action({}, &SessionFiles::chooseReportPdf);
    m_actions.reportPdf->setObjectName(QStringLiteral("reportPdfAction"));
    retranslateUi();
}

void SessionFiles::retranslateUi()
{
    const struct {
        QAction* action;
        QString text;
        QString tip;
    } texts[] = {
        { m_actions.openDataset, tr("Open &Dataset…"),
            tr("Choose images to estimate accuracy on: an image folder, a path,label list or an IDX file") },
        { m_actions.openProject, tr("Open &Project…"), tr("Reopen a saved session: model, dataset, plan and history") },
        { m_actions.saveProject, tr("Save Pro&ject"), tr("Save the session (model, dataset, plan and history) as a .topiary project") },
        { m_actions.saveProjectAs, tr("Save Project &As…"), tr("Save the session under a new name") },
        { m_actions.loadRecipe, tr("&Load Recipe…"), tr("Replace the plan with one saved as a recipe (JSON)") },
        { m_actions.saveRecipe, tr("&Save Recipe…"), tr("Save the plan as a recipe that topiary-cli apply can use") },
        { m_actions.exportModel, tr("&Export Compressed Model…"),
            tr("Apply the plan and write the compressed model as a new ONNX file") },
        { m_actions.report, tr("Export &Report…"),
            tr("Write an HTML report with the plots and the per-layer table, and a CSV of the table") },
        { m_actions.reportPdf, tr("Export Report as P&DF…"),
            tr("Write the report with its plots and the per-layer table as a PDF, to print or mail") },
    };
    for (const auto& t : texts) {
        t.action->setText(t.text);
        t.action->setStatusTip(t.tip);
    }
}

SessionFiles::~SessionFiles()
{
    // The autosave snapshot reads the document, which as the window's child may go first.
    m_autoSaver->flush();
    delete m_autoSaver;
}

bool SessionFiles::openDataset(const QString& path, const std::optional<PreprocessSpec>& given, const QString& givenFrom)
{
    if (m_document->isEmpty())
        return false;
    const Model& model = *m_document->model();
    PreprocessSearch search;
    if (given) {
        search.recorded = *given;
        search.recordedFrom = (givenFrom.isEmpty() ? tr("the project") : givenFrom).toStdString();
    }
    search.dataset = path.toStdString();
    if (!m_document->isBundled())
        search.modelFile = m_document->path().toStdString();
    const bool sample = isSampleImages(path);
    const QString name = sample ? tr("the bundled sample images") : QFileInfo(path).fileName();
    auto chosen = choosePreprocess(model, search);
    if (!chosen) {
        emit message(tr("Cannot evaluate on %1: %2").arg(name, QString::fromStdString(chosen.error().message)), statusTimeoutMs);
        return false;
    }
    QString from;
    switch (chosen->origin) {
    case PreprocessOrigin::Recorded:
        from = given && !givenFrom.isEmpty() ? givenFrom : tr("the project");
        break;
    case PreprocessOrigin::ModelDefaults:
        from = tr("guesses from the model's input shape");
        break;
    case PreprocessOrigin::ModelMetadata:
        from = tr("the model's metadata");
        break;
    default:
        from = QString::fromStdString(chosen->file.string());
        break;
    }
    if (chosen->origin == PreprocessOrigin::ModelDefaults)
        emit message(tr("No preprocess.json beside %1 or the model: using defaults from the model's input, "
                        "which may not be how it was trained")
                         .arg(name),
            statusTimeoutMs);
    else
        emit message(tr("Preprocessing for %1 from %2").arg(name, from), statusTimeoutMs);
    DatasetOptions options;
    options.classNames = chosen->spec.classes;
    auto dataset = Dataset::open(path.toStdString(), options);
    if (!dataset) {
        emit message(tr("Cannot open dataset %1: %2").arg(name, QString::fromStdString(dataset.error().message)), statusTimeoutMs);
        return false;
    }
    if (!dataset->hasLabels())
        emit message(tr("%1 has no labels: only agreement with the original and latency can be shown").arg(name), statusTimeoutMs);
    // The sample's images live in a temporary folder a project cannot point to.
    m_document->setDataset(
        std::move(*dataset), std::move(chosen->spec), sample ? QString() : QFileInfo(path).absoluteFilePath(), from);
    return true;
}

bool SessionFiles::isSampleImages(const QString& path) const
{
    return m_sampleData && QFileInfo(path).absolutePath() == QFileInfo(m_sampleData->path()).absoluteFilePath();
}

QString SessionFiles::datasetFile() const
{
    if (!m_document->datasetPath().isEmpty() || !m_document->dataset() || !m_sampleData)
        return m_document->datasetPath();
    return QDir(m_sampleData->path()).filePath(QStringLiteral("fashion-mnist-test-1000-images-idx3-ubyte"));
}

void SessionFiles::chooseDataForNewModel()
{
    if (m_document->isEmpty() || m_document->isBundled() || !m_document->dataset())
        return;
    if (!openDataset(datasetFile())) {
        m_document->clearDataset();
        emit message(tr("The dataset was closed: it does not fit %1. Open one that does with File → Open Dataset.")
                         .arg(m_document->displayName()),
            statusTimeoutMs);
    }
}

void SessionFiles::attachSampleDataset()
{
    if (!m_sampleData) {
        m_sampleData = std::make_unique<QTemporaryDir>();
        const QDir dir(m_sampleData->path());
        for (const char* name : { "fashion-mnist-test-1000-images-idx3-ubyte", "fashion-mnist-test-1000-labels-idx1-ubyte" })
            QFile::copy(QStringLiteral(":/sample/") + QLatin1String(name), dir.filePath(QLatin1String(name)));
    }
    auto spec = parsePreprocess([] {
        QFile file(QStringLiteral(":/sample/preprocess.json"));
        file.open(QIODevice::ReadOnly);
        return file.readAll().toStdString();
    }());
    auto dataset = Dataset::open(
        QDir(m_sampleData->path()).filePath(QStringLiteral("fashion-mnist-test-1000-images-idx3-ubyte")).toStdString());
    if (!spec || !dataset) {
        emit message(tr("The bundled sample images could not be read"), statusTimeoutMs);
        return;
    }
    m_document->setDataset(std::move(*dataset), std::move(*spec), QString(), // a project cannot point to it
        tr("the sample's preprocess.json"));
}

void SessionFiles::chooseDataset()
{
    if (m_document->isEmpty()) {
        emit message(tr("Open a model first: the data is checked against it"), statusTimeoutMs);
        return;
    }
    if (auto* open = m_window->findChild<DatasetDialog*>(); open && open->isVisible()) {
        open->raise();
        open->activateWindow();
        return;
    }
    // The preprocessing in use, or before any data the one this model would get.
    PreprocessSpec spec = m_document->preprocess();
    if (!m_document->dataset()) {
        PreprocessSearch search;
        if (!m_document->isBundled())
            search.modelFile = m_document->path().toStdString();
        if (auto chosen = choosePreprocess(*m_document->model(), search))
            spec = chosen->spec;
    }
    auto* dialog = new DatasetDialog(m_document->model(), datasetFile(), spec, m_window);
    dialog->setAttribute(Qt::WA_DeleteOnClose);
    connect(dialog, &QDialog::accepted, this, [this, dialog] {
        const QString path = dialog->datasetPath();
        if (auto chosen = dialog->spec()) {
            QSettings().setValue(lastDirectoryKey, QFileInfo(path).absolutePath());
            openDataset(path, *chosen, tr("your choice in the Dataset dialog"));
        }
    });
    dialog->open();
}

bool SessionFiles::loadRecipe(const QString& path)
{
    if (m_document->isEmpty())
        return false;
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly)) {
        emit message(tr("Could not read %1: %2").arg(QFileInfo(path).fileName(), file.errorString()), statusTimeoutMs);
        return false;
    }
    const QByteArray bytes = file.readAll();
    auto recipe = parseRecipe(std::string_view(bytes.constData(), static_cast<size_t>(bytes.size())));
    if (!recipe) {
        emit message(tr("%1: %2").arg(QFileInfo(path).fileName(), QString::fromStdString(recipe.error().message)),
            statusTimeoutMs);
        return false;
    }
    // A plan that does not fit the model is refused by the document, which says why.
    if (!m_document->editPlan(recipe->plan, tr("Load recipe %1").arg(QFileInfo(path).fileName())))
        return false;
    if (recipe->preprocess && m_document->dataset() && !(*recipe->preprocess == m_document->preprocess()))
        openDataset(datasetFile(), recipe->preprocess, tr("the recipe %1").arg(QFileInfo(path).fileName()));
    return true;
}

bool SessionFiles::saveRecipe(const QString& path)
{
    if (m_document->isEmpty())
        return false;
    // The preprocessing the accuracy was measured with travels with the plan.
    std::optional<PreprocessSpec> preprocess;
    if (m_document->dataset())
        preprocess = m_document->preprocess();
    const std::string text = writeRecipe(
        Recipe { m_document->plan(), QFileInfo(m_document->path()).fileName().toStdString(), {}, preprocess });
    QSaveFile file(path);
    if (!file.open(QIODevice::WriteOnly) || file.write(text.data(), static_cast<qint64>(text.size())) < 0
        || !file.commit()) {
        emit message(tr("Could not write %1: %2").arg(QFileInfo(path).fileName(), file.errorString()), statusTimeoutMs);
        return false;
    }
    emit message(tr("Saved the plan to %1").arg(QFileInfo(path).fileName()), statusTimeoutMs);
    return true;
}

void SessionFiles::chooseRecipeToLoad()
{
    const QString path = QFileDialog::getOpenFileName(m_window, tr("Load Recipe"), QString(), tr("Recipes (*.json)"));
    if (!path.isEmpty())
        loadRecipe(path);
}

void SessionFiles::chooseRecipeToSave()
{
    const QString path = QFileDialog::getSaveFileName(m_window, tr("Save Recipe"), QString(), tr("Recipes (*.json)"));
    if (!path.isEmpty())
        saveRecipe(path);
}

void SessionFiles::markSessionDirty()
{
    // A bundled model has no file a project could point to.
    if (m_document->isEmpty() || m_document->isBundled() || !m_document->isModified())
        return;
    m_autoSaver->markDirty([this] { return m_document->snapshot(); });
}

void SessionFiles::discardAutosave()
{
    m_autoSaver->discard();
}

bool SessionFiles::saveProject(const QString& path)
{
    if (m_document->isEmpty())
        return false;
    if (m_document->isBundled()) {
        emit message(tr("The bundled sample has no file a project can refer to: export it or open a model file first"),
            statusTimeoutMs);
        return false;
    }
    if (auto written = writeProject(toPath(path), m_document->snapshot()); !written) {
        const QString text
            = tr("Could not save %1: %2").arg(QFileInfo(path).fileName(), QString::fromStdString(written.error().message));
        emit message(text, statusTimeoutMs);
        if (m_showDialogs()) {
            auto* box = new QMessageBox(QMessageBox::Warning, tr("Save failed"), text, QMessageBox::Ok, m_window);
            box->setInformativeText(tr("Your session is unchanged and still open."));
            nameButtons(box);
            box->setAttribute(Qt::WA_DeleteOnClose);
            box->open();
        }
        return false;
    }
    m_projectPath = QFileInfo(path).absoluteFilePath();
    m_document->markSaved();
    m_autoSaver->discard();
    emit projectPathChanged();
    emit message(tr("Saved the session to %1").arg(QFileInfo(path).fileName()), statusTimeoutMs);
    return true;
}

void SessionFiles::save()
{
    if (m_projectPath.isEmpty())
        chooseProjectToSave();
    else
        saveProject(m_projectPath);
}

bool SessionFiles::openProject(const QString& path)
{
    auto project = readProject(toPath(path));
    if (!project) {
        const QString text = tr("Could not open project %1: %2")
                                 .arg(QFileInfo(path).fileName(), QString::fromStdString(project.error().message));
        emit message(text, statusTimeoutMs);
        emit loadFailed(text);
        return false;
    }
    auto state = checkModelFile(*project);
    const QString model = QString::fromStdString(project->modelPath.string());
    if (!state || *state == ModelFileState::Missing) {
        const QString text = tr("The project's model %1 is missing: it was moved or deleted").arg(model);
        emit message(text, statusTimeoutMs);
        emit loadFailed(text);
        return false;
    }
    if (*state == ModelFileState::Changed)
        emit message(tr("%1 changed since the project was saved; plans that no longer fit are refused").arg(model),
            statusTimeoutMs);
    m_pendingProject = std::move(*project);
    m_projectPath = QFileInfo(path).absoluteFilePath();
    emit projectPathChanged();
    emit openModelRequested(model);
    return true;
}

void SessionFiles::modelLoaded(const QString& path)
{
    if (m_pendingProject && QFileInfo(path) == QFileInfo(QString::fromStdString(m_pendingProject->modelPath.string()))) {
        const Project project = *m_pendingProject;
        const bool recovered = std::exchange(m_pendingRecovered, false);
        m_pendingProject.reset();
        m_document->restore(project);
        if (!project.datasetPath.empty())
            openDataset(QString::fromStdString(project.datasetPath.string()), project.preprocess);
        else
            chooseDataForNewModel();
        for (const auto& entry : project.history)
            if (entry.evaluation)
                m_document->addEvaluation(entry.plan, *entry.evaluation);
        if (recovered) {
            // Saved nowhere yet: the title says so, Quit asks, and this session's own
            // autosave replaces the recovered one until the user saves.
            m_document->markUnsaved();
            markSessionDirty();
            m_autoSaver->flush();
            if (!m_recoveredAutosave.isEmpty())
                AutoSaver::removeRecoverable(std::exchange(m_recoveredAutosave, QString()));
        } else {
            m_document->markSaved();
        }
    } else {
        m_projectPath.clear();
        m_pendingProject.reset();
        m_pendingRecovered = false;
        chooseDataForNewModel();
    }
    emit projectPathChanged();
}

void SessionFiles::chooseProjectToOpen()
{
    if (!maybeSave())
        return;
    QSettings settings;
    const QString path = QFileDialog::getOpenFileName(m_window, tr("Open Project"),
        settings.value(lastProjectDirectoryKey, QDir::homePath()).toString(), tr("Topiary projects (*.topiary)"));
    if (path.isEmpty())
        return;
    settings.setValue(lastProjectDirectoryKey, QFileInfo(path).absolutePath());
    openProject(path);
}

bool SessionFiles::chooseProjectToSave()
{
    if (m_document->isEmpty())
        return false;
    QSettings settings;
    const QString suggested = !m_projectPath.isEmpty()
        ? m_projectPath
        : QDir(settings.value(lastProjectDirectoryKey, QFileInfo(m_document->path()).absolutePath()).toString())
              .filePath(QFileInfo(m_document->path()).completeBaseName() + QStringLiteral(".topiary"));
    QString path = QFileDialog::getSaveFileName(m_window, tr("Save Project"), suggested, tr("Topiary projects (*.topiary)"));
    if (path.isEmpty())
        return false;
    if (!path.endsWith(QStringLiteral(".topiary"), Qt::CaseInsensitive))
        path += QStringLiteral(".topiary");
    settings.setValue(lastProjectDirectoryKey, QFileInfo(path).absolutePath());
    return saveProject(path);
}

bool SessionFiles::maybeSave()
{
    if (m_document->isEmpty() || !m_document->isModified() || !m_showDialogs())
        return true;
    if (m_document->isBundled()) {
        // No file a project could point to: the plan can only be kept as a recipe.
        const auto answer = askQuestion(m_window, tr("Unsaved changes"),
            tr("The plan of %1 has changed. The bundled sample cannot be saved as a project; save the plan with "
               "File → Save Recipe first, or discard it?")
                .arg(m_document->displayName()),
            QMessageBox::Discard | QMessageBox::Cancel, QMessageBox::Cancel);
        return answer == QMessageBox::Discard;
    }
    const auto answer = askQuestion(m_window, tr("Unsaved changes"),
        tr("The plan of %1 has changed. Save the session as a project?").arg(m_document->displayName()),
        QMessageBox::Save | QMessageBox::Discard | QMessageBox::Cancel, QMessageBox::Save);
    if (answer == QMessageBox::Cancel)
        return false;
    if (answer == QMessageBox::Save)
        return m_projectPath.isEmpty() ? chooseProjectToSave() : saveProject(m_projectPath);
    return true;
}

void SessionFiles::offerRecovery()
{
    const QStringList autosaves = AutoSaver::recoverable();
    if (autosaves.isEmpty() || !m_showDialogs())
        return;
    const QString newest = autosaves.first();
    auto project = readProject(toPath(newest));
    if (!project) {
        for (const QString& path : autosaves)
            AutoSaver::removeRecoverable(path);
        return;
    }
    const auto answer = askQuestion(m_window, tr("Recover unsaved session?"),
        tr("Topiary did not close cleanly while you were working on %1. Recover that session?")
            .arg(QString::fromStdString(project->modelPath.string())),
        QMessageBox::Yes | QMessageBox::No, QMessageBox::Yes);
    // The recovered session replaces what is open: that asks first too.
    if (answer == QMessageBox::Yes && maybeSave() && openProject(newest)) {
        m_projectPath.clear(); // recovered, not yet saved anywhere
        m_pendingRecovered = true;
        m_recoveredAutosave = newest; // kept until the session has its own autosave
        emit projectPathChanged();
        for (const QString& path : autosaves)
            if (path != newest)
                AutoSaver::removeRecoverable(path);
        return;
    }
    if (answer == QMessageBox::Yes)
        return; // cancelled at the unsaved-changes question: the autosaves stay for next time
    for (const QString& path : autosaves)
        AutoSaver::removeRecoverable(path);
}

void SessionFiles::chooseExport()
{
    if (m_document->isEmpty())
        return;
    const bool bundled = m_document->isBundled();
    const QFileInfo source(m_document->path());
    const QString folder = bundled ? QSettings().value(lastDirectoryKey, QDir::homePath()).toString() : source.absolutePath();
    const QString suggested = QDir(folder).filePath(source.completeBaseName() + QStringLiteral("-compressed.onnx"));
    auto* dialog = new ExportDialog(m_document->currentStats(), bundled ? QString() : m_document->path(), suggested, m_window);
    dialog->setAttribute(Qt::WA_DeleteOnClose);
    dialog->setOptions(chosenExportOptions());
    connect(dialog, &QDialog::accepted, this, [this, dialog] {
        const ApplyOptions chosen = dialog->options();
        QSettings settings;
        settings.setValue(exportShrinkKey, chosen.shrink);
        settings.setValue(exportInt8Key, chosen.int8Qdq);
        settings.setValue(exportFloat16Key, chosen.float16);
        exportModel(dialog->path(), chosen);
    });
    dialog->open();
}

bool SessionFiles::isExporting() const
{
    return m_exports->isBusy();
}

void SessionFiles::cancelExport()
{
    // Not cancel(): the run still reports, so the user learns whether anything was written.
    m_exports->requestStop();
}

void SessionFiles::showExportProgress(int done, int total)
{
    if (!m_exportProgress)
        return;
    m_exportProgress->setMaximum(total);
    m_exportProgress->setValue(done);
}

void SessionFiles::exportModel(const QString& path, const ApplyOptions& options)
{
    if (m_document->isEmpty()) {
        emit exportFinished(false, tr("No model is open."));
        return;
    }
    struct Outcome {
        bool ok = false;
        bool stopped = false;
        qint64 bytes = 0;
        ApplyReport report;
        QString error;
    };
    const auto model = m_document->model();
    const Plan plan = m_document->plan();
    const qint64 predicted = predictedFileBytes(m_document->currentStats(), options);
    WriteOptions write;
    if (!m_document->isBundled())
        write.source = m_document->path().toStdString();
    const QString name = QFileInfo(path).fileName();
    emit message(tr("Exporting %1…").arg(name), 0);

    // Shown only when the export takes a while; Cancel stops it before anything is written.
    if (m_exportProgress)
        m_exportProgress->deleteLater();
    m_exportProgress = new QProgressDialog(tr("Exporting %1…").arg(name), tr("Cancel"), 0, 0, m_window);
    m_exportProgress->setObjectName(QStringLiteral("exportProgress"));
    m_exportProgress->setWindowTitle(tr("Export"));
    m_exportProgress->setMinimumDuration(exportProgressDelayMs);
    m_exportProgress->setAutoClose(false);
    m_exportProgress->setAutoReset(false);
    connect(m_exportProgress, &QProgressDialog::canceled, this, &SessionFiles::cancelExport);

    m_exports->run(
        [this, model, plan, options, write, target = path.toStdString()](const JobToken& token) {
            Outcome outcome;
            ApplyControl control;
            control.stop = token.stopToken();
            // One step more than apply's: the write.
            control.progress = [this, &token](int done, int total) {
                token.post([this, done, total] { showExportProgress(done, total + 1); });
            };
            auto applied = apply(*model, plan, options, nullptr, control);
            if (!applied) {
                outcome.stopped = token.stopToken().stop_requested();
                outcome.error = QString::fromStdString(applied.error().message);
                return outcome;
            }
            if (token.stopToken().stop_requested()) {
                outcome.stopped = true;
                return outcome;
            }
            auto bytes = writeModel(applied->proto, target, write);
            if (!bytes) {
                outcome.error = QString::fromStdString(bytes.error().message);
                return outcome;
            }
            outcome.ok = true;
            outcome.bytes = *bytes;
            outcome.report = applied->report;
            return outcome;
        },
        [this, name, predicted, plan, options, model, path](const Outcome& outcome) {
            if (m_exportProgress)
                m_exportProgress->deleteLater();
            if (outcome.stopped) {
                const QString text = tr("Stopped exporting %1; nothing was written").arg(name);
                emit message(text, statusTimeoutMs);
                emit exportFinished(false, text);
                return;
            }
            if (!outcome.ok) {
                const QString text = tr("Could not export %1: %2").arg(name, outcome.error);
                emit message(text, statusTimeoutMs);
                emit exportFinished(false, text);
                if (m_showDialogs()) {
                    auto* box = new QMessageBox(QMessageBox::Warning, tr("Export failed"), text, QMessageBox::Ok, m_window);
                    box->setInformativeText(tr("Nothing was written; the plan is unchanged."));
                    nameButtons(box);
                    box->setAttribute(Qt::WA_DeleteOnClose);
                    box->open();
                }
                return;
            }
            m_lastExport = WrittenExport { plan, options, outcome.bytes };
            const QString text
                = tr("Wrote %1: %2 (predicted %3); %4 channels removed or zeroed, %5 weights zeroed, %6 layers quantized, %7 factored")
                      .arg(name, format::exactBytes(outcome.bytes), format::exactBytes(predicted),
                          format::count(outcome.report.removedChannels), format::count(outcome.report.zeroedWeights))
                      .arg(outcome.report.quantizedLayers)
                      .arg(outcome.report.factoredLayers);
            emit message(text, 3 * statusTimeoutMs);
            emit exportFinished(true, text);
            m_exportTiming->time(model, path); // the written file beside the original, in OpenCV
        });
}

// Sizes for the last export written when it was of this plan, else for the export the
// dialog would offer (the user's last choice).
SessionReport SessionFiles::currentReport() const
{
    const bool written = m_lastExport && m_lastExport->plan == m_document->plan();
    return sessionReport(*m_document, *m_evaluation, m_sensitivity, written ? m_lastExport->options : chosenExportOptions(),
        written ? std::optional<int64_t>(m_lastExport->bytes) : std::nullopt);
}

bool SessionFiles::exportReport(const QString& htmlPath)
{
    if (m_document->isEmpty())
        return false;
    const SessionReport report = currentReport();
    const QString csvPath = QFileInfo(htmlPath).dir().filePath(QFileInfo(htmlPath).completeBaseName() + QStringLiteral(".csv"));
    auto html = writeHtmlReport(toPath(htmlPath), report);
    auto csv = html ? writeLayerTableCsv(toPath(csvPath), report) : Result<void> {};
    if (!html || !csv) {
        const Error& error = !html ? html.error() : csv.error();
        emit message(tr("Could not write the report: %1").arg(QString::fromStdString(error.message)), statusTimeoutMs);
        return false;
    }
    emit message(tr("Wrote %1 and %2").arg(QFileInfo(htmlPath).fileName(), QFileInfo(csvPath).fileName()), statusTimeoutMs);
    return true;
}

bool SessionFiles::exportReportPdf(const QString& pdfPath)
{
    if (m_document->isEmpty())
        return false;
    const SessionReport report = currentReport();
    auto html = htmlReport(report);
    const QString error = html ? writeReportPdf(QString::fromStdString(*html), pdfPath) : QString::fromStdString(html.error().message);
    if (!error.isEmpty()) {
        emit message(tr("Could not write the report: %1").arg(error), statusTimeoutMs);
        return false;
    }
    emit message(tr("Wrote %1").arg(QFileInfo(pdfPath).fileName()), statusTimeoutMs);
    return true;
}

void SessionFiles::chooseReport()
{
    if (m_document->isEmpty())
        return;
    const QString folder = m_document->isBundled() ? QDir::homePath() : QFileInfo(m_document->path()).absolutePath();
    const QString path = QFileDialog::getSaveFileName(m_window, tr("Export Report"),
        QDir(folder).filePath(QFileInfo(m_document->path()).completeBaseName() + QStringLiteral("-report.html")),
        tr("HTML pages (*.html)"));
    if (!path.isEmpty())
        exportReport(path);
}

void SessionFiles::chooseReportPdf()
{
    if (m_document->isEmpty())
        return;
    const QString folder = m_document->isBundled() ? QDir::homePath() : QFileInfo(m_document->path()).absolutePath();
    QString path = QFileDialog::getSaveFileName(m_window, tr("Export Report as PDF"),
        QDir(folder).filePath(QFileInfo(m_document->path()).completeBaseName() + QStringLiteral("-report.pdf")),
        tr("PDF documents (*.pdf)"));
    if (path.isEmpty())
        return;
    if (!path.endsWith(QStringLiteral(".pdf"), Qt::CaseInsensitive))
        path += QStringLiteral(".pdf");
    exportReportPdf(path);
}

} // namespace topiary
