#include "MainWindow.h"

#include "AutoSaver.h"
#include "ExportDialog.h"
#include "GraphPane.h"
#include "Theme.h"
#include "LiveEvaluation.h"
#include "ModelLoader.h"
#include "RatioStepper.h"
#include "RecentFiles.h"

#include "widgets/LayerTableModel.h"
#include "widgets/NetworkOverviewMap.h"
#include "widgets/SensitivityPlot.h"
#include "widgets/NumberFormat.h"
#include "widgets/TotalsPanel.h"

#include "core/model/CostModel.h"
#include "core/model/DependencyGroups.h"
#include "core/data/Dataset.h"
#include "core/model/Model.h"
#include "core/model/ModelWriter.h"
#include "core/data/Preprocess.h"
#include "core/plan/Recipe.h"

#include <QAction>
#include <QActionGroup>
#include <QSaveFile>
#include <QApplication>
#include <QCloseEvent>
#include <QDir>
#include <QDockWidget>
#include <QDragEnterEvent>
#include <QDropEvent>
#include <QFutureWatcher>
#include <QtConcurrent/QtConcurrentRun>
#include <QFileDialog>
#include <QFileInfo>
#include <QHeaderView>
#include <QLabel>
#include <QMenuBar>
#include <QMessageBox>
#include <QMimeData>
#include <QProgressBar>
#include <QSettings>
#include <QSortFilterProxyModel>
#include <QStackedWidget>
#include <QStatusBar>
#include <QItemSelectionModel>
#include <QTabWidget>
#include <QTableView>
#include <QTemporaryDir>
#include <QToolButton>
#include <QUndoStack>
#include <QUndoView>

namespace topiary {

namespace {
const QString geometryKey = QStringLiteral("mainWindow/geometry");
const QString stateKey = QStringLiteral("mainWindow/state");
const QString layerHeaderKey = QStringLiteral("mainWindow/layerTableHeader");
const QString lastDirectoryKey = QStringLiteral("mainWindow/lastDirectory");
// The export dialog's choices, offered again next time.
const QString exportShrinkKey = QStringLiteral("export/shrink");
const QString exportInt8Key = QStringLiteral("export/int8Qdq");
const QString exportFloat16Key = QStringLiteral("export/float16");
const QString themeKey = QStringLiteral("appearance/theme");
constexpr int statusTimeoutMs = 5000;
} // namespace

MainWindow::MainWindow(QWidget* parent)
    : QMainWindow(parent)
    , m_document(new Document(this))
    , m_loader(new ModelLoader(this))
    , m_evaluation(new LiveEvaluation(this))
    , m_autoSaver(new AutoSaver(this))
    , m_showErrorDialogs(!qEnvironmentVariableIsSet("TOPIARY_NO_DIALOGS"))
{
    setAcceptDrops(true);
    createActions();
    createMenus();
    createCentralWidget();
    createDocks();
    createAnalysisDocks();
    createInspector();
    createTeaching();
    createCompareDock();
    createStatusBar();
    retranslateUi();
    readSettings();

    connect(m_loader, &ModelLoader::started, this, &MainWindow::onLoadStarted);
    connect(m_loader, &ModelLoader::loaded, this, &MainWindow::onLoaded);
    connect(m_loader, &ModelLoader::failed, this, &MainWindow::onLoadFailed);
    connect(m_loader, &ModelLoader::canceled, this, &MainWindow::onLoadCanceled);
    connect(m_document, &Document::modelChanged, this, &MainWindow::showDocument);
    connect(m_document, &Document::planChanged, this, &MainWindow::showPlan);
    connect(m_evaluation, &LiveEvaluation::updated, this, &MainWindow::showEvaluation);
    connect(m_document, &Document::planChanged, this, &MainWindow::markSessionDirty);
    connect(m_document->undoStack(), &QUndoStack::cleanChanged, this, &MainWindow::updateTitle);
    connect(m_evaluation, &LiveEvaluation::evaluated, this, [this](const Plan& plan, const EvaluationMetrics& metrics) {
        // Only the shown plan's stats are at hand; an older plan's result arrives only when stale.
        if (metrics.labelled == 0 || m_document->isEmpty() || !(plan == m_document->plan()))
            return;
        const ModelStats& stats = m_document->currentStats();
        m_evaluated.emplace_back(plan, HistoryEvaluation { metrics.top1(), stats.encodedBytes, stats.linearMacs });
        markSessionDirty();
    });
    connect(m_autoSaver, &AutoSaver::failed, this, [this](const QString& message) {
        statusBar()->showMessage(tr("Autosave failed: %1").arg(message), statusTimeoutMs);
    });
    connect(m_evaluation, &LiveEvaluation::failed, this, [this](const QString& message) {
        statusBar()->showMessage(tr("Evaluation failed: %1").arg(message), statusTimeoutMs);
    });
    connect(m_layerModel, &LayerTableModel::pruneRatioEdited, this, &MainWindow::editPruneRatio);
    connect(m_layerModel, &LayerTableModel::bitsEdited, this, &MainWindow::editBits);
    updateTitle();
}

MainWindow::~MainWindow()
{
    // The autosave snapshot reads the document, which as a child would go first.
    m_autoSaver->flush();
    delete m_autoSaver;
}

QString MainWindow::sampleResourcePath()
{
    return QStringLiteral(":/sample/fashion_cnn.onnx");
}

void MainWindow::openFile(const QString& path)
{
    m_loader->loadFile(path);
}

void MainWindow::openSample()
{
    m_loader->loadResource(sampleResourcePath());
}

bool MainWindow::openDataset(const QString& path, const std::optional<PreprocessSpec>& given)
{
    if (m_document->isEmpty())
        return false;
    const Model& model = *m_document->model();
    PreprocessSearch search;
    if (given) {
        search.recorded = *given;
        search.recordedFrom = "the project";
    }
    search.dataset = path.toStdString();
    if (!m_document->path().startsWith(QLatin1Char(':')))
        search.modelFile = m_document->path().toStdString();
    auto chosen = choosePreprocess(model, search);
    if (!chosen) {
        statusBar()->showMessage(tr("Cannot evaluate on %1: %2")
                                     .arg(QFileInfo(path).fileName(), QString::fromStdString(chosen.error().message)),
            statusTimeoutMs);
        return false;
    }
    if (chosen->origin == PreprocessOrigin::ModelDefaults)
        statusBar()->showMessage(tr("No preprocess.json beside %1 or the model: using defaults from the model's input, "
                                    "which may not be how it was trained")
                                     .arg(QFileInfo(path).fileName()),
            statusTimeoutMs);
    else
        statusBar()->showMessage(tr("Preprocessing for %1 from %2")
                                     .arg(QFileInfo(path).fileName(),
                                         chosen->origin == PreprocessOrigin::Recorded
                                             ? tr("the project")
                                             : QString::fromStdString(chosen->file.string())),
            statusTimeoutMs);
    DatasetOptions options;
    options.classNames = chosen->spec.classes;
    auto dataset = Dataset::open(path.toStdString(), options);
    if (!dataset) {
        statusBar()->showMessage(
            tr("Cannot open dataset %1: %2").arg(QFileInfo(path).fileName(), QString::fromStdString(dataset.error().message)),
            statusTimeoutMs);
        return false;
    }
    if (!dataset->hasLabels())
        statusBar()->showMessage(tr("%1 has no labels: only agreement with the original and latency can be shown")
                                     .arg(QFileInfo(path).fileName()),
            statusTimeoutMs);
    m_evaluation->setDataset(std::move(*dataset), std::move(chosen->spec));
    m_evaluation->setPlan(m_document->plan());
    gatherActivations();
    m_datasetPath = QFileInfo(path).absoluteFilePath();
    m_evaluated.clear();
    markSessionDirty();
    return true;
}

void MainWindow::attachSampleDataset()
{
    // The bundled model comes with 1000 test images so that the estimate works at once.
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
        statusBar()->showMessage(tr("The bundled sample images could not be read"), statusTimeoutMs);
        return;
    }
    m_evaluation->setDataset(std::move(*dataset), std::move(*spec));
    m_evaluation->setPlan(m_document->plan());
    gatherActivations();
    m_datasetPath.clear();
}

void MainWindow::chooseDataset()
{
    QSettings settings;
    const QString path = QFileDialog::getOpenFileName(this, tr("Open Dataset"),
        settings.value(lastDirectoryKey, QDir::homePath()).toString(),
        tr("Datasets (*-idx3-ubyte *.idx3 *.gz *.csv *.tsv *.txt);;All files (*)"));
    if (!path.isEmpty())
        openDataset(path);
}

void MainWindow::selectLayer(int layer)
{
    if (m_document->isEmpty() || layer < 0 || layer >= static_cast<int>(m_document->cost()->layers().size()))
        layer = -1;
    if (layer == m_selectedLayer)
        return;
    if (m_stepper->isRunning() && layer != m_stepper->layer())
        m_stepper->stop(); // the animation belongs to the layer it started on
    m_selectedLayer = layer;
    m_graph->setSelectedLayer(layer);
    m_overview->setSelectedLayer(layer);
    m_sensitivityPlot->setSelectedLayer(layer);
    inspectSelectedLayer();
    refreshComparison();
    const QModelIndex row = layer >= 0 ? m_layerProxy->mapFromSource(m_layerModel->index(layer, 0)) : QModelIndex();
    if (row.isValid() && m_layerTable->currentIndex().row() != row.row()) {
        m_layerTable->selectionModel()->setCurrentIndex(
            row, QItemSelectionModel::ClearAndSelect | QItemSelectionModel::Rows);
        m_layerTable->scrollTo(row);
    }
    if (layer >= 0)
        statusBar()->showMessage(QString::fromStdString(m_document->cost()->layers()[static_cast<size_t>(layer)].name),
            statusTimeoutMs);
}

void MainWindow::chooseExport()
{
    if (m_document->isEmpty())
        return;
    const bool bundled = m_document->path().startsWith(QLatin1Char(':'));
    const QFileInfo source(m_document->path());
    const QString folder = bundled ? QSettings().value(lastDirectoryKey, QDir::homePath()).toString() : source.absolutePath();
    const QString suggested = QDir(folder).filePath(source.completeBaseName() + QStringLiteral("-compressed.onnx"));
    auto* dialog = new ExportDialog(m_document->currentStats(), bundled ? QString() : m_document->path(), suggested, this);
    dialog->setAttribute(Qt::WA_DeleteOnClose);
    const QSettings settings;
    ApplyOptions last;
    last.shrink = settings.value(exportShrinkKey, true).toBool();
    last.int8Qdq = settings.value(exportInt8Key, false).toBool();
    last.float16 = settings.value(exportFloat16Key, false).toBool();
    dialog->setOptions(last);
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

void MainWindow::exportModel(const QString& path, const ApplyOptions& options)
{
    if (m_document->isEmpty()) {
        emit exportFinished(false, tr("No model is open."));
        return;
    }
    struct Outcome {
        bool ok = false;
        qint64 bytes = 0;
        ApplyReport report;
        QString error;
    };
    const auto model = m_document->model();
    const Plan plan = m_document->plan();
    const ModelStats& stats = m_document->currentStats();
    const qint64 predicted = predictedFileBytes(stats, options);
    WriteOptions write;
    if (!m_document->path().startsWith(QLatin1Char(':')))
        write.source = m_document->path().toStdString();
    const QString name = QFileInfo(path).fileName();
    statusBar()->showMessage(tr("Exporting %1…").arg(name));
    auto* watcher = new QFutureWatcher<Outcome>(this);
    connect(watcher, &QFutureWatcher<Outcome>::finished, this, [this, watcher, name, predicted] {
        const Outcome outcome = watcher->result();
        watcher->deleteLater();
        if (!outcome.ok) {
            const QString message = tr("Could not export %1: %2").arg(name, outcome.error);
            statusBar()->showMessage(message, statusTimeoutMs);
            emit exportFinished(false, message);
            if (m_showErrorDialogs) {
                auto* box = new QMessageBox(QMessageBox::Warning, tr("Export failed"), message, QMessageBox::Ok, this);
                box->setInformativeText(tr("Nothing was written; the plan is unchanged."));
                box->setAttribute(Qt::WA_DeleteOnClose);
                box->open();
            }
            return;
        }
        const QString message
            = tr("Wrote %1: %2 (predicted %3); %4 channels removed or zeroed, %5 weights zeroed, %6 layers quantized, %7 factored")
                  .arg(name, format::exactBytes(outcome.bytes), format::exactBytes(predicted),
                      format::count(outcome.report.removedChannels), format::count(outcome.report.zeroedWeights))
                  .arg(outcome.report.quantizedLayers)
                  .arg(outcome.report.factoredLayers);
        statusBar()->showMessage(message, 3 * statusTimeoutMs);
        emit exportFinished(true, message);
    });
    watcher->setFuture(QtConcurrent::run([model, plan, options, write, target = path.toStdString()] {
        Outcome outcome;
        auto applied = apply(*model, plan, options);
        if (!applied) {
            outcome.error = QString::fromStdString(applied.error().message);
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
    }));
}

void MainWindow::showEvaluation()
{
    QString note;
    if (!m_evaluation->hasDataset())
        note = tr("No dataset: open one with File → Open Dataset to estimate accuracy.");
    m_totals->setEvaluation(m_evaluation->original(), m_evaluation->current(), m_evaluation->currentDone(), note);
}

bool MainWindow::isLoading() const
{
    return m_loader->isBusy();
}

void MainWindow::closeEvent(QCloseEvent* event)
{
    if (!maybeSave()) {
        event->ignore();
        return;
    }
    m_autoSaver->discard();
    writeSettings();
    QMainWindow::closeEvent(event);
}

void MainWindow::dragEnterEvent(QDragEnterEvent* event)
{
    if (!onnxFiles(event->mimeData()).isEmpty())
        event->acceptProposedAction();
}

void MainWindow::dropEvent(QDropEvent* event)
{
    const QStringList files = onnxFiles(event->mimeData());
    if (files.isEmpty())
        return;
    event->acceptProposedAction();
    // One document at a time: the first file wins.
    if (files.first().endsWith(QStringLiteral(".topiary"), Qt::CaseInsensitive))
        openProject(files.first());
    else
        openFile(files.first());
}

void MainWindow::changeEvent(QEvent* event)
{
    if (event->type() == QEvent::LanguageChange)
        retranslateUi();
    QMainWindow::changeEvent(event);
}

void MainWindow::createActions()
{
    m_openAction = new QAction(this);
    m_openAction->setShortcut(QKeySequence::Open);
    connect(m_openAction, &QAction::triggered, this, &MainWindow::chooseFile);

    m_openSampleAction = new QAction(this);
    connect(m_openSampleAction, &QAction::triggered, this, &MainWindow::openSample);

    m_openProjectAction = new QAction(this);
    m_openProjectAction->setShortcut(QKeySequence(Qt::CTRL | Qt::ALT | Qt::Key_O));
    connect(m_openProjectAction, &QAction::triggered, this, &MainWindow::chooseProjectToOpen);
    m_saveProjectAction = new QAction(this);
    m_saveProjectAction->setShortcut(QKeySequence::Save);
    connect(m_saveProjectAction, &QAction::triggered, this, [this] {
        if (m_projectPath.isEmpty())
            chooseProjectToSave();
        else
            saveProject(m_projectPath);
    });
    m_saveProjectAsAction = new QAction(this);
    m_saveProjectAsAction->setShortcut(QKeySequence::SaveAs);
    connect(m_saveProjectAsAction, &QAction::triggered, this, &MainWindow::chooseProjectToSave);
    m_reportAction = new QAction(this);
    m_reportAction->setShortcut(QKeySequence(Qt::CTRL | Qt::Key_R));
    connect(m_reportAction, &QAction::triggered, this, &MainWindow::chooseReport);

    m_loadRecipeAction = new QAction(this);
    connect(m_loadRecipeAction, &QAction::triggered, this, &MainWindow::chooseRecipeToLoad);
    m_saveRecipeAction = new QAction(this);
    connect(m_saveRecipeAction, &QAction::triggered, this, &MainWindow::chooseRecipeToSave);

    m_openDatasetAction = new QAction(this);
    m_openDatasetAction->setShortcut(QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_O));
    connect(m_openDatasetAction, &QAction::triggered, this, &MainWindow::chooseDataset);

    m_exportAction = new QAction(this);
    m_exportAction->setObjectName(QStringLiteral("exportAction"));
    m_exportAction->setShortcut(QKeySequence(Qt::CTRL | Qt::Key_E));
    connect(m_exportAction, &QAction::triggered, this, &MainWindow::chooseExport);

    m_undoAction = m_document->undoStack()->createUndoAction(this);
    m_undoAction->setShortcut(QKeySequence::Undo);
    m_redoAction = m_document->undoStack()->createRedoAction(this);
    m_redoAction->setShortcut(QKeySequence::Redo);

    m_quitAction = new QAction(this);
    m_quitAction->setShortcut(QKeySequence::Quit);
    m_quitAction->setMenuRole(QAction::QuitRole);
    connect(m_quitAction, &QAction::triggered, this, &QWidget::close);

    m_aboutAction = new QAction(this);
    m_aboutAction->setMenuRole(QAction::AboutRole);
    connect(m_aboutAction, &QAction::triggered, this, &MainWindow::showAbout);
}

void MainWindow::createMenus()
{
    m_fileMenu = menuBar()->addMenu(QString());
    m_fileMenu->addAction(m_openAction);
    m_recentMenu = m_fileMenu->addMenu(QString());
    m_recentFiles = new RecentFiles(m_recentMenu, this);
    connect(m_recentFiles, &RecentFiles::openRequested, this, &MainWindow::openFile);
    m_fileMenu->addAction(m_openSampleAction);
    m_fileMenu->addAction(m_openDatasetAction);
    m_fileMenu->addSeparator();
    m_fileMenu->addAction(m_openProjectAction);
    m_fileMenu->addAction(m_saveProjectAction);
    m_fileMenu->addAction(m_saveProjectAsAction);
    m_fileMenu->addSeparator();
    m_fileMenu->addAction(m_loadRecipeAction);
    m_fileMenu->addAction(m_saveRecipeAction);
    m_fileMenu->addSeparator();
    m_fileMenu->addAction(m_exportAction);
    m_fileMenu->addAction(m_reportAction);
    m_fileMenu->addSeparator();
    m_fileMenu->addAction(m_quitAction);

    m_editMenu = menuBar()->addMenu(QString());
    m_editMenu->addAction(m_undoAction);
    m_editMenu->addAction(m_redoAction);
    m_viewMenu = menuBar()->addMenu(QString());
    m_helpMenu = menuBar()->addMenu(QString());
    m_helpMenu->addAction(m_aboutAction);
}

void MainWindow::createCentralWidget()
{
    m_layerModel = new LayerTableModel(this);
    m_layerProxy = new QSortFilterProxyModel(this);
    m_layerProxy->setSourceModel(m_layerModel);
    m_layerProxy->setSortRole(LayerTableModel::SortRole);
    m_layerProxy->setSortCaseSensitivity(Qt::CaseInsensitive);

    m_layerTable = new QTableView(this);
    m_layerTable->setObjectName(QStringLiteral("layerTable"));
    m_layerTable->setModel(m_layerProxy);
    m_layerTable->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_layerTable->setAlternatingRowColors(true);
    m_layerTable->setWordWrap(false);
    m_layerTable->setTextElideMode(Qt::ElideMiddle);  // keeps the op at the end of "/a/b/c/Conv"
    m_layerTable->verticalHeader()->setDefaultAlignment(Qt::AlignRight | Qt::AlignVCenter);
    // Styles default to roomy rows; a model has hundreds of layers, so keep them to one line.
    m_layerTable->verticalHeader()->setDefaultSectionSize(m_layerTable->fontMetrics().lineSpacing() + 8);
    QHeaderView* header = m_layerTable->horizontalHeader();
    header->setSectionsMovable(true);
    // Names take whatever width the numbers leave; the full name is in the tooltip.
    header->setSectionResizeMode(LayerTableModel::Name, QHeaderView::Stretch);
    header->setHighlightSections(false);
    // Unsorted shows the graph's topological order; a third click on a header returns to it.
    header->setSortIndicatorClearable(true);
    header->setSortIndicator(-1, Qt::AscendingOrder);
    m_layerTable->setSortingEnabled(true);

    m_emptyHint = new QLabel(this);
    m_emptyHint->setAlignment(Qt::AlignCenter);
    m_emptyHint->setWordWrap(true);
    m_emptyHint->setEnabled(false);  // drawn in the disabled colour, like a placeholder text

    m_graph = new GraphPane(m_document, this);
    m_tabs = new QTabWidget(this);
    m_tabs->setObjectName(QStringLiteral("views"));
    m_tabs->setDocumentMode(true);
    m_tabs->addTab(m_graph, QString());
    m_tabs->addTab(m_layerTable, QString());

    m_central = new QStackedWidget(this);
    m_central->addWidget(m_emptyHint);
    m_central->addWidget(m_tabs);
    setCentralWidget(m_central);

    connect(m_graph, &GraphPane::layerSelected, this, &MainWindow::selectLayer);
    connect(m_layerTable->selectionModel(), &QItemSelectionModel::currentRowChanged, this,
        [this](const QModelIndex& current) {
            if (current.isValid())
                selectLayer(m_layerProxy->mapToSource(current).row());
        });
}

void MainWindow::createDocks()
{
    m_totals = new TotalsPanel(this);
    m_totalsDock = new QDockWidget(this);
    m_totalsDock->setObjectName(QStringLiteral("totalsDock"));
    m_totalsDock->setWidget(m_totals);
    m_totalsDock->setAllowedAreas(Qt::LeftDockWidgetArea | Qt::RightDockWidgetArea);
    addDockWidget(Qt::RightDockWidgetArea, m_totalsDock);
    m_viewMenu->addAction(m_totalsDock->toggleViewAction());

    m_historyView = new QUndoView(m_document->undoStack(), this);
    m_historyView->setObjectName(QStringLiteral("historyView"));
    m_historyDock = new QDockWidget(this);
    m_historyDock->setObjectName(QStringLiteral("historyDock"));
    m_historyDock->setWidget(m_historyView);
    addDockWidget(Qt::RightDockWidgetArea, m_historyDock);
    tabifyDockWidget(m_totalsDock, m_historyDock);
    m_totalsDock->raise();
    m_viewMenu->addAction(m_historyDock->toggleViewAction());

    m_themeMenu = m_viewMenu->addMenu(QString());
    auto* themes = new QActionGroup(this);
    for (int i = 0; i < 3; ++i) {
        m_themeActions[i] = m_themeMenu->addAction(QString());
        m_themeActions[i]->setCheckable(true);
        themes->addAction(m_themeActions[i]);
        connect(m_themeActions[i], &QAction::triggered, this, [i] {
            applyTheme(static_cast<Theme>(i));
            QSettings().setValue(themeKey, themeName(static_cast<Theme>(i)));
        });
    }
    const Theme theme = themeFromName(QSettings().value(themeKey).toString());
    m_themeActions[static_cast<int>(theme)]->setChecked(true);
    if (theme != Theme::System)
        applyTheme(theme);
}

void MainWindow::createStatusBar()
{
    m_loadingLabel = new QLabel(this);
    m_loadingBar = new QProgressBar(this);
    m_loadingBar->setRange(0, 0);  // busy: the loader cannot tell how far it is
    m_loadingBar->setMaximumWidth(160);
    m_loadingBar->setTextVisible(false);
    m_cancelButton = new QToolButton(this);
    m_cancelButton->setObjectName(QStringLiteral("cancelLoadButton"));
    m_cancelButton->setAutoRaise(true);
    connect(m_cancelButton, &QToolButton::clicked, m_loader, &ModelLoader::cancel);
    statusBar()->addPermanentWidget(m_loadingLabel);
    statusBar()->addPermanentWidget(m_loadingBar);
    statusBar()->addPermanentWidget(m_cancelButton);
    setLoadingVisible(false);
}

void MainWindow::retranslateUi()
{
    m_fileMenu->setTitle(tr("&File"));
    m_editMenu->setTitle(tr("&Edit"));
    m_openDatasetAction->setText(tr("Open &Dataset…"));
    m_openDatasetAction->setStatusTip(
        tr("Choose images to estimate accuracy on: an image folder, a path,label list or an IDX file"));
    m_openProjectAction->setText(tr("Open &Project…"));
    m_openProjectAction->setStatusTip(tr("Reopen a saved session: model, dataset, plan and history"));
    m_saveProjectAction->setText(tr("Save Pro&ject"));
    m_saveProjectAction->setStatusTip(tr("Save the session (model, dataset, plan and history) as a .topiary project"));
    m_saveProjectAsAction->setText(tr("Save Project &As…"));
    m_saveProjectAsAction->setStatusTip(tr("Save the session under a new name"));
    m_reportAction->setText(tr("Export &Report…"));
    m_reportAction->setStatusTip(tr("Write an HTML report with the plots and the per-layer table, and a CSV of the table"));
    m_exportAction->setText(tr("&Export Compressed Model…"));
    m_exportAction->setStatusTip(tr("Apply the plan and write the compressed model as a new ONNX file"));
    m_historyDock->setWindowTitle(tr("History"));
    m_inspectorDock->setWindowTitle(tr("Inspector"));
    m_explainDock->setWindowTitle(tr("Explain"));
    m_explainAction->setText(tr("&Explain"));
    m_explainAction->setStatusTip(tr("Say in plain words, with formulas, what the selected layer's numbers mean"));
    m_themeMenu->setTitle(tr("&Theme"));
    m_themeActions[0]->setText(tr("&System"));
    m_themeActions[0]->setStatusTip(tr("Use the desktop's own style and colours"));
    m_themeActions[1]->setText(tr("&Light"));
    m_themeActions[1]->setStatusTip(tr("Dark text on a light background"));
    m_themeActions[2]->setText(tr("&Dark"));
    m_themeActions[2]->setStatusTip(tr("Light text on a dark background, easier on the eyes in a dim room"));
    m_tabs->setTabText(0, tr("Graph"));
    m_tabs->setTabToolTip(0, tr("The network as a graph of its operations; click a layer to inspect it."));
    m_tabs->setTabText(1, tr("Layers"));
    m_tabs->setTabToolTip(1, tr("Every layer with its size and cost; edit Pruned and Bits in place."));
    m_historyView->setEmptyLabel(tr("Model as loaded"));
    m_historyView->setToolTip(tr("Every edit of the plan; click a step to go back to it."));
    m_viewMenu->setTitle(tr("&View"));
    m_helpMenu->setTitle(tr("&Help"));
    m_openAction->setText(tr("&Open…"));
    m_openAction->setStatusTip(tr("Open an ONNX model"));
    m_openSampleAction->setText(tr("Open &Sample Model"));
    m_openSampleAction->setStatusTip(tr("Open the small Fashion-MNIST CNN that comes with Topiary"));
    m_loadRecipeAction->setText(tr("&Load Recipe…"));
    m_loadRecipeAction->setStatusTip(tr("Replace the plan with one saved as a recipe (JSON)"));
    m_saveRecipeAction->setText(tr("&Save Recipe…"));
    m_saveRecipeAction->setStatusTip(tr("Save the plan as a recipe that topiary-cli apply can use"));
    m_quitAction->setText(tr("&Quit"));
    m_aboutAction->setText(tr("&About Topiary"));
    m_recentFiles->retranslateUi();
    m_totalsDock->setWindowTitle(tr("Totals"));
    retranslateAnalysis();
    retranslateTeaching();
    m_emptyHint->setText(tr("Open an ONNX model with File → Open, or drop an .onnx file here."));
    m_cancelButton->setText(tr("Cancel"));
    m_cancelButton->setToolTip(tr("Stop waiting for this model; the current one stays open"));
    if (!m_loadingName.isEmpty())
        m_loadingLabel->setText(tr("Loading %1…").arg(m_loadingName));
    updateTitle();
}

void MainWindow::readSettings()
{
    QSettings settings;
    if (!restoreGeometry(settings.value(geometryKey).toByteArray()))
        resize(1200, 720);
    if (!restoreState(settings.value(stateKey).toByteArray())) {
        // First run: the graph gets most of the width, the docks what they need.
        resizeDocks({ m_totalsDock, m_inspectorDock }, { 420, 420 }, Qt::Horizontal);
        resizeDocks({ m_totalsDock, m_inspectorDock }, { 260, 440 }, Qt::Vertical);
    }
    m_layerTable->horizontalHeader()->restoreState(settings.value(layerHeaderKey).toByteArray());
}

void MainWindow::writeSettings() const
{
    QSettings settings;
    // In presentation mode, the window as it was before (leaving full screen is asynchronous).
    settings.setValue(geometryKey, m_presenting ? m_normalGeometry : saveGeometry());
    settings.setValue(stateKey, m_presenting ? m_normalDocks : saveState());
    settings.setValue(layerHeaderKey, m_layerTable->horizontalHeader()->saveState());
}

void MainWindow::chooseFile()
{
    QSettings settings;
    const QString path = QFileDialog::getOpenFileName(
        this, tr("Open Model"), settings.value(lastDirectoryKey, QDir::homePath()).toString(),
        tr("ONNX models (*.onnx);;All files (*)"));
    if (path.isEmpty())
        return;
    settings.setValue(lastDirectoryKey, QFileInfo(path).absolutePath());
    openFile(path);
}

void MainWindow::showAbout()
{
    QMessageBox::about(this, tr("About Topiary"),
                       tr("<h3>Topiary %1</h3><p>A workbench for compressing neural networks by hand.</p>")
                           .arg(QApplication::applicationVersion()));
}

void MainWindow::onLoadStarted(const QString& displayName)
{
    m_loadingName = displayName;
    m_loadingLabel->setText(tr("Loading %1…").arg(displayName));
    setLoadingVisible(true);
}

void MainWindow::onLoaded(const LoadedModel& result)
{
    setLoadingVisible(false);
    if (!result.path.startsWith(QLatin1Char(':')))
        m_recentFiles->add(result.path);
    m_evaluated.clear();
    m_document->setContents(result);
    if (m_pendingProject && QFileInfo(result.path) == QFileInfo(QString::fromStdString(m_pendingProject->modelPath.string()))) {
        const Project project = *m_pendingProject;
        m_pendingProject.reset();
        m_document->restore(project);
        if (!project.datasetPath.empty())
            openDataset(QString::fromStdString(project.datasetPath.string()), project.preprocess);
        for (const auto& entry : project.history)
            if (entry.evaluation)
                m_evaluated.emplace_back(entry.plan, *entry.evaluation);
        m_document->markSaved();
    } else {
        m_projectPath.clear();
        m_pendingProject.reset();
    }
    const auto layers = static_cast<qint64>(result.cost->layers().size());
    QString loaded = tr("Loaded %1 (layers: %2, parameters: %3)")
                         .arg(result.displayName, format::count(layers), format::count(result.cost->totals().params));
    // An int8 QDQ or float16 file: say its weights are now float32 until exported so again.
    const WidenedWeights& widened = result.model->widenedWeights();
    if (widened.dequantized > 0)
        loaded += QLatin1Char(' ') + tr("Its int8 weights are edited as float32: export 8-bit layers as int8 QDQ to keep them small.");
    if (widened.cast > 0)
        loaded += QLatin1Char(' ') + tr("Its float16 weights are edited as float32: export float16 layers with float16 storage to keep them small.");
    statusBar()->showMessage(loaded, widened.total() > 0 ? 3 * statusTimeoutMs : statusTimeoutMs);
    emit loadFinished(true);
}

void MainWindow::onLoadFailed(const QString& path, const QString& message)
{
    setLoadingVisible(false);
    const QString name = QFileInfo(path).fileName();
    if (!path.startsWith(QLatin1Char(':')) && !QFileInfo::exists(path))
        m_recentFiles->remove(path);
    statusBar()->showMessage(tr("Could not open %1").arg(name), statusTimeoutMs);
    emit loadFailed(message);
    emit loadFinished(false);
    if (!m_showErrorDialogs)
        return;
    // Window-modal without a nested event loop: loads and repaints go on behind it.
    auto* box = new QMessageBox(QMessageBox::Critical, tr("Could not open model"),
                                tr("Could not open %1.").arg(name), QMessageBox::Ok, this);
    box->setInformativeText(message);
    box->setAttribute(Qt::WA_DeleteOnClose);
    box->open();
}

void MainWindow::onLoadCanceled()
{
    setLoadingVisible(false);
    statusBar()->showMessage(tr("Stopped loading %1").arg(m_loadingName), statusTimeoutMs);
    emit loadFinished(false);
}

void MainWindow::showDocument()
{
    if (m_document->isEmpty()) {
        m_layerModel->setModel(nullptr, nullptr);
        m_totals->clear();
    } else {
        m_layerModel->setModel(m_document->model(), m_document->cost());
        m_totals->setModel(*m_document->model(), *m_document->cost(), m_document->fileBytes());
        m_layerModel->setPlan(m_document->plan(), m_document->currentStats());
        m_totals->setStats(m_document->originalStats(), m_document->currentStats());
        m_layerTable->resizeColumnsToContents();
    }
    const auto& cost = m_document->cost();
    m_evaluation->setModel(m_document->model(),
        cost ? std::shared_ptr<const std::vector<Layer>>(cost, &cost->layers()) : nullptr, m_document->groups());
    if (!m_document->isEmpty() && m_document->path() == sampleResourcePath())
        attachSampleDataset();
    else if (m_evaluation->hasDataset())
        m_evaluation->setPlan(m_document->plan());
    showEvaluation();
    m_selectedLayer = -1;
    if (!m_document->isEmpty() && !m_document->cost()->layers().empty())
        selectLayer(0); // the inspector always shows a layer
    m_central->setCurrentWidget(m_document->isEmpty() ? static_cast<QWidget*>(m_emptyHint) : m_tabs);
    updateTitle();
}

bool MainWindow::loadRecipe(const QString& path)
{
    if (m_document->isEmpty())
        return false;
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly)) {
        statusBar()->showMessage(tr("Could not read %1: %2").arg(QFileInfo(path).fileName(), file.errorString()),
                                 statusTimeoutMs);
        return false;
    }
    const QByteArray bytes = file.readAll();
    auto recipe = parseRecipe(std::string_view(bytes.constData(), static_cast<size_t>(bytes.size())));
    if (!recipe) {
        statusBar()->showMessage(tr("%1: %2").arg(QFileInfo(path).fileName(), QString::fromStdString(recipe.error().message)),
                                 statusTimeoutMs);
        return false;
    }
    const auto before = m_document->plan();
    proposePlan(recipe->plan, tr("Load recipe %1").arg(QFileInfo(path).fileName()));
    return m_document->plan() == recipe->plan || before == recipe->plan;
}

bool MainWindow::saveRecipe(const QString& path)
{
    if (m_document->isEmpty())
        return false;
    const std::string text
        = writeRecipe(Recipe { m_document->plan(), QFileInfo(m_document->path()).fileName().toStdString(), {}, {} });
    QSaveFile file(path);
    if (!file.open(QIODevice::WriteOnly) || file.write(text.data(), static_cast<qint64>(text.size())) < 0
        || !file.commit()) {
        statusBar()->showMessage(tr("Could not write %1: %2").arg(QFileInfo(path).fileName(), file.errorString()),
                                 statusTimeoutMs);
        return false;
    }
    statusBar()->showMessage(tr("Saved the plan to %1").arg(QFileInfo(path).fileName()), statusTimeoutMs);
    return true;
}

void MainWindow::chooseRecipeToLoad()
{
    const QString path = QFileDialog::getOpenFileName(this, tr("Load Recipe"), QString(), tr("Recipes (*.json)"));
    if (!path.isEmpty())
        loadRecipe(path);
}

void MainWindow::chooseRecipeToSave()
{
    const QString path = QFileDialog::getSaveFileName(this, tr("Save Recipe"), QString(), tr("Recipes (*.json)"));
    if (!path.isEmpty())
        saveRecipe(path);
}

void MainWindow::showPlan()
{
    m_layerModel->setPlan(m_document->plan(), m_document->currentStats());
    m_totals->setStats(m_document->originalStats(), m_document->currentStats());
    m_evaluation->setPlan(m_document->plan());
}

void MainWindow::editPruneRatio(int layer, double ratio)
{
    if (m_document->isEmpty() || !m_document->groups())
        return;
    const PruneSpec spec = ratio > 0.0 ? PruneSpec { PruneGranularity::Filter, Criterion::L1, PruneMode::Ratio, ratio }
                                       : PruneSpec {};
    const auto& name = m_document->cost()->layers()[static_cast<size_t>(layer)].name;
    proposePlan(withLayerPrune(m_document->plan(), m_document->cost()->layers(), *m_document->groups(), layer, spec),
        ratio > 0.0 ? tr("Prune %1 filters of %2").arg(format::percent(ratio), QString::fromStdString(name))
                    : tr("Stop pruning %1").arg(QString::fromStdString(name)));
}

void MainWindow::editBits(int layer, int bits)
{
    if (m_document->isEmpty())
        return;
    const auto& name = m_document->cost()->layers()[static_cast<size_t>(layer)].name;
    const QuantSpec spec = bits == 32 ? QuantSpec {} : QuantSpec { QuantScheme::Uniform, bits, true, true };
    proposePlan(m_document->plan().withQuant(name, spec),
        tr("%1 at %2 bits").arg(QString::fromStdString(name)).arg(bits));
}

void MainWindow::proposePlan(const Plan& plan, const QString& text, int mergeKey, bool open)
{
    const auto problems = validatePlan(plan, *m_document->model(), m_document->cost()->layers(), m_document->groups().get());
    if (!problems.empty()) {
        statusBar()->showMessage(tr("Not possible: %1").arg(QString::fromStdString(problems.front().message)),
                                 statusTimeoutMs);
        return;
    }
    m_document->editPlan(plan, text, mergeKey, open);
}

void MainWindow::setLoadingVisible(bool visible)
{
    if (!visible)
        m_loadingName.clear();
    m_loadingLabel->setVisible(visible);
    m_loadingBar->setVisible(visible);
    m_cancelButton->setVisible(visible);
}

void MainWindow::updateTitle()
{
    if (m_document->isEmpty())
        setWindowTitle(tr("Topiary"));
    else
        setWindowTitle(tr("%1%2 — Topiary")
                           .arg(m_projectPath.isEmpty() ? m_document->displayName() : QFileInfo(m_projectPath).fileName(),
                               m_document->isModified() ? QStringLiteral(" *") : QString()));
}

QStringList MainWindow::onnxFiles(const QMimeData* mime)
{
    QStringList files;
    if (!mime || !mime->hasUrls())
        return files;
    const QList<QUrl> urls = mime->urls();
    for (const QUrl& url : urls) {
        const QString path = url.toLocalFile();
        if (!path.isEmpty()
            && (path.endsWith(QStringLiteral(".onnx"), Qt::CaseInsensitive)
                || path.endsWith(QStringLiteral(".topiary"), Qt::CaseInsensitive)))
            files.append(path);
    }
    return files;
}

} // namespace topiary
