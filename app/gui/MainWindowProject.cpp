// MainWindow's session files: projects (.topiary), the autosave and crash recovery, and
// the HTML/CSV report. Kept apart from the window's views and menus.
#include "MainWindow.h"

#include "AutoSaver.h"
#include "GraphPane.h"
#include "LiveEvaluation.h"

#include "widgets/GraphView.h"

#include "core/model/CostModel.h"
#include "core/report/HtmlReport.h"
#include "core/model/Model.h"

#include <QBuffer>
#include <QDir>
#include <QFileDialog>
#include <QFileInfo>
#include <QMessageBox>
#include <QSettings>
#include <QStatusBar>
#include <QTabWidget>

namespace topiary {

namespace {
constexpr int statusTimeoutMs = 5000;
const QString lastProjectDirectoryKey = QStringLiteral("mainWindow/lastProjectDirectory");

std::filesystem::path toPath(const QString& path)
{
    return QFile::encodeName(path).toStdString();
}
} // namespace

Project MainWindow::snapshot() const
{
    Project project = m_document->snapshot([this](const Plan& plan) -> std::optional<HistoryEvaluation> {
        for (auto it = m_evaluated.rbegin(); it != m_evaluated.rend(); ++it)
            if (it->first == plan)
                return it->second;
        return std::nullopt;
    });
    if (!m_datasetPath.isEmpty()) {
        project.datasetPath = toPath(m_datasetPath);
        project.preprocess = m_evaluation->spec();
    }
    return project;
}

void MainWindow::markSessionDirty()
{
    // A bundled model has no file a project could point to.
    if (m_document->isEmpty() || m_document->path().startsWith(QLatin1Char(':')) || !m_document->isModified())
        return;
    m_autoSaver->markDirty([this] { return snapshot(); });
}

bool MainWindow::saveProject(const QString& path)
{
    if (m_document->isEmpty())
        return false;
    if (m_document->path().startsWith(QLatin1Char(':'))) {
        statusBar()->showMessage(
            tr("The bundled sample has no file a project can refer to: export it or open a model file first"),
            statusTimeoutMs);
        return false;
    }
    if (auto written = writeProject(toPath(path), snapshot()); !written) {
        const QString message = tr("Could not save %1: %2").arg(QFileInfo(path).fileName(),
            QString::fromStdString(written.error().message));
        statusBar()->showMessage(message, statusTimeoutMs);
        if (m_showErrorDialogs) {
            auto* box = new QMessageBox(QMessageBox::Warning, tr("Save failed"), message, QMessageBox::Ok, this);
            box->setInformativeText(tr("Your session is unchanged and still open."));
            box->setAttribute(Qt::WA_DeleteOnClose);
            box->open();
        }
        return false;
    }
    m_projectPath = QFileInfo(path).absoluteFilePath();
    m_document->markSaved();
    m_autoSaver->discard();
    updateTitle();
    statusBar()->showMessage(tr("Saved the session to %1").arg(QFileInfo(path).fileName()), statusTimeoutMs);
    return true;
}

bool MainWindow::openProject(const QString& path)
{
    auto project = readProject(toPath(path));
    if (!project) {
        const QString message = tr("Could not open project %1: %2")
                                    .arg(QFileInfo(path).fileName(), QString::fromStdString(project.error().message));
        statusBar()->showMessage(message, statusTimeoutMs);
        emit loadFailed(message);
        return false;
    }
    auto state = checkModelFile(*project);
    const QString model = QString::fromStdString(project->modelPath.string());
    if (!state || *state == ModelFileState::Missing) {
        const QString message = tr("The project's model %1 is missing: it was moved or deleted").arg(model);
        statusBar()->showMessage(message, statusTimeoutMs);
        emit loadFailed(message);
        return false;
    }
    if (*state == ModelFileState::Changed)
        statusBar()->showMessage(
            tr("%1 changed since the project was saved; plans that no longer fit are refused").arg(model), statusTimeoutMs);
    m_pendingProject = std::move(*project);
    m_projectPath = QFileInfo(path).absoluteFilePath();
    openFile(model);
    return true;
}

void MainWindow::chooseProjectToOpen()
{
    if (!maybeSave())
        return;
    QSettings settings;
    const QString path = QFileDialog::getOpenFileName(this, tr("Open Project"),
        settings.value(lastProjectDirectoryKey, QDir::homePath()).toString(), tr("Topiary projects (*.topiary)"));
    if (path.isEmpty())
        return;
    settings.setValue(lastProjectDirectoryKey, QFileInfo(path).absolutePath());
    openProject(path);
}

bool MainWindow::chooseProjectToSave()
{
    if (m_document->isEmpty())
        return false;
    QSettings settings;
    const QString suggested = !m_projectPath.isEmpty()
        ? m_projectPath
        : QDir(settings.value(lastProjectDirectoryKey, QFileInfo(m_document->path()).absolutePath()).toString())
              .filePath(QFileInfo(m_document->path()).completeBaseName() + QStringLiteral(".topiary"));
    QString path = QFileDialog::getSaveFileName(this, tr("Save Project"), suggested, tr("Topiary projects (*.topiary)"));
    if (path.isEmpty())
        return false;
    if (!path.endsWith(QStringLiteral(".topiary"), Qt::CaseInsensitive))
        path += QStringLiteral(".topiary");
    settings.setValue(lastProjectDirectoryKey, QFileInfo(path).absolutePath());
    return saveProject(path);
}

bool MainWindow::maybeSave()
{
    if (m_document->isEmpty() || !m_document->isModified() || m_document->path().startsWith(QLatin1Char(':'))
        || !m_showErrorDialogs)
        return true;
    const auto answer = QMessageBox::question(this, tr("Unsaved changes"),
        tr("The plan of %1 has changed. Save the session as a project?").arg(m_document->displayName()),
        QMessageBox::Save | QMessageBox::Discard | QMessageBox::Cancel, QMessageBox::Save);
    if (answer == QMessageBox::Cancel)
        return false;
    if (answer == QMessageBox::Save)
        return m_projectPath.isEmpty() ? chooseProjectToSave() : saveProject(m_projectPath);
    return true;
}

void MainWindow::offerRecovery()
{
    const QStringList autosaves = AutoSaver::recoverable();
    if (autosaves.isEmpty() || !m_showErrorDialogs)
        return;
    const QString newest = autosaves.first();
    auto project = readProject(toPath(newest));
    if (!project) {
        for (const QString& path : autosaves)
            AutoSaver::removeRecoverable(path);
        return;
    }
    const auto answer = QMessageBox::question(this, tr("Recover unsaved session?"),
        tr("Topiary did not close cleanly while you were working on %1. Recover that session?")
            .arg(QString::fromStdString(project->modelPath.string())),
        QMessageBox::Yes | QMessageBox::No, QMessageBox::Yes);
    if (answer == QMessageBox::Yes && openProject(newest)) {
        m_projectPath.clear(); // recovered, not yet saved anywhere
        AutoSaver::removeRecoverable(newest);
        return;
    }
    for (const QString& path : autosaves)
        AutoSaver::removeRecoverable(path);
}

bool MainWindow::exportReport(const QString& htmlPath)
{
    if (m_document->isEmpty())
        return false;
    SessionReport report;
    report.modelName = m_document->displayName().toStdString();
    report.plan = m_document->plan();
    report.layers = m_document->cost()->layers();
    report.original = m_document->originalStats();
    report.current = m_document->currentStats();
    if (const auto* original = m_evaluation->original(); original && original->finished() && original->labelled > 0)
        report.originalTop1 = original->top1();
    if (const auto* current = m_evaluation->current(); current && m_evaluation->currentDone() && current->labelled > 0)
        report.currentTop1 = current->top1();
    auto png = [](QWidget* widget) {
        QByteArray bytes;
        QBuffer buffer(&bytes);
        buffer.open(QIODevice::WriteOnly);
        widget->grab().save(&buffer, "PNG");
        return bytes.toStdString();
    };
    if (m_graph->hasLayout())
        report.images.push_back({ tr("The layer graph as shown").toStdString(), png(m_graph->view()) });
    const QString csvPath = QFileInfo(htmlPath).dir().filePath(QFileInfo(htmlPath).completeBaseName() + QStringLiteral(".csv"));
    auto html = writeHtmlReport(toPath(htmlPath), report);
    auto csv = html ? writeLayerTableCsv(toPath(csvPath), report) : Result<void> {};
    if (!html || !csv) {
        const Error& error = !html ? html.error() : csv.error();
        statusBar()->showMessage(tr("Could not write the report: %1").arg(QString::fromStdString(error.message)),
            statusTimeoutMs);
        return false;
    }
    statusBar()->showMessage(
        tr("Wrote %1 and %2").arg(QFileInfo(htmlPath).fileName(), QFileInfo(csvPath).fileName()), statusTimeoutMs);
    return true;
}

void MainWindow::chooseReport()
{
    if (m_document->isEmpty())
        return;
    const QString folder = m_document->path().startsWith(QLatin1Char(':')) ? QDir::homePath()
                                                                           : QFileInfo(m_document->path()).absolutePath();
    const QString path = QFileDialog::getSaveFileName(this, tr("Export Report"),
        QDir(folder).filePath(QFileInfo(m_document->path()).completeBaseName() + QStringLiteral("-report.html")),
        tr("HTML pages (*.html)"));
    if (!path.isEmpty())
        exportReport(path);
}

} // namespace topiary
