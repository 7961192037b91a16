#include "MainWindow.h"

#include "ModelLoader.h"
#include "RecentFiles.h"

#include "widgets/LayerTableModel.h"
#include "widgets/NumberFormat.h"
#include "widgets/TotalsPanel.h"

#include "core/CostModel.h"
#include "core/DependencyGroups.h"
#include "core/Model.h"
#include "core/Recipe.h"

#include <QAction>
#include <QSaveFile>
#include <QApplication>
#include <QCloseEvent>
#include <QDir>
#include <QDockWidget>
#include <QDragEnterEvent>
#include <QDropEvent>
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
#include <QTableView>
#include <QToolButton>

namespace topiary {

namespace {
const QString geometryKey = QStringLiteral("mainWindow/geometry");
const QString stateKey = QStringLiteral("mainWindow/state");
const QString layerHeaderKey = QStringLiteral("mainWindow/layerTableHeader");
const QString lastDirectoryKey = QStringLiteral("mainWindow/lastDirectory");
constexpr int statusTimeoutMs = 5000;
} // namespace

MainWindow::MainWindow(QWidget* parent)
    : QMainWindow(parent)
    , m_document(new Document(this))
    , m_loader(new ModelLoader(this))
    , m_showErrorDialogs(!qEnvironmentVariableIsSet("TOPIARY_NO_DIALOGS"))
{
    setAcceptDrops(true);
    createActions();
    createMenus();
    createCentralWidget();
    createDocks();
    createStatusBar();
    retranslateUi();
    readSettings();

    connect(m_loader, &ModelLoader::started, this, &MainWindow::onLoadStarted);
    connect(m_loader, &ModelLoader::loaded, this, &MainWindow::onLoaded);
    connect(m_loader, &ModelLoader::failed, this, &MainWindow::onLoadFailed);
    connect(m_loader, &ModelLoader::canceled, this, &MainWindow::onLoadCanceled);
    connect(m_document, &Document::modelChanged, this, &MainWindow::showDocument);
    connect(m_document, &Document::planChanged, this, &MainWindow::showPlan);
    connect(m_layerModel, &LayerTableModel::pruneRatioEdited, this, &MainWindow::editPruneRatio);
    connect(m_layerModel, &LayerTableModel::bitsEdited, this, &MainWindow::editBits);
    updateTitle();
}

MainWindow::~MainWindow() = default;

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

bool MainWindow::isLoading() const
{
    return m_loader->isBusy();
}

void MainWindow::closeEvent(QCloseEvent* event)
{
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

    m_loadRecipeAction = new QAction(this);
    connect(m_loadRecipeAction, &QAction::triggered, this, &MainWindow::chooseRecipeToLoad);
    m_saveRecipeAction = new QAction(this);
    m_saveRecipeAction->setShortcut(QKeySequence::Save);
    connect(m_saveRecipeAction, &QAction::triggered, this, &MainWindow::chooseRecipeToSave);

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
    m_fileMenu->addSeparator();
    m_fileMenu->addAction(m_loadRecipeAction);
    m_fileMenu->addAction(m_saveRecipeAction);
    m_fileMenu->addSeparator();
    m_fileMenu->addAction(m_quitAction);

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

    m_central = new QStackedWidget(this);
    m_central->addWidget(m_emptyHint);
    m_central->addWidget(m_layerTable);
    setCentralWidget(m_central);
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
    restoreState(settings.value(stateKey).toByteArray());
    m_layerTable->horizontalHeader()->restoreState(settings.value(layerHeaderKey).toByteArray());
}

void MainWindow::writeSettings() const
{
    QSettings settings;
    settings.setValue(geometryKey, saveGeometry());
    settings.setValue(stateKey, saveState());
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
    m_document->setContents(result);
    const auto layers = static_cast<qint64>(result.cost->layers().size());
    statusBar()->showMessage(tr("Loaded %1 (layers: %2, parameters: %3)")
                                 .arg(result.displayName, format::count(layers),
                                      format::count(result.cost->totals().params)),
                             statusTimeoutMs);
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
        m_layerTable->resizeColumnsToContents();
    }
    m_central->setCurrentWidget(m_document->isEmpty() ? static_cast<QWidget*>(m_emptyHint) : m_layerTable);
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
    proposePlan(recipe->plan);
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
}

void MainWindow::editPruneRatio(int layer, double ratio)
{
    if (m_document->isEmpty() || !m_document->groups())
        return;
    const PruneSpec spec = ratio > 0.0 ? PruneSpec { PruneGranularity::Filter, Criterion::L1, PruneMode::Ratio, ratio }
                                       : PruneSpec {};
    proposePlan(withLayerPrune(m_document->plan(), m_document->cost()->layers(), *m_document->groups(), layer, spec));
}

void MainWindow::editBits(int layer, int bits)
{
    if (m_document->isEmpty())
        return;
    const auto& name = m_document->cost()->layers()[static_cast<size_t>(layer)].name;
    const QuantSpec spec = bits == 32 ? QuantSpec {} : QuantSpec { QuantScheme::Uniform, bits, true, true };
    proposePlan(m_document->plan().withQuant(name, spec));
}

void MainWindow::proposePlan(const Plan& plan)
{
    const auto problems = validatePlan(plan, *m_document->model(), m_document->cost()->layers(), m_document->groups().get());
    if (!problems.empty()) {
        statusBar()->showMessage(tr("Not possible: %1").arg(QString::fromStdString(problems.front().message)),
                                 statusTimeoutMs);
        return;
    }
    m_document->setPlan(plan);
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
        setWindowTitle(tr("%1 — Topiary").arg(m_document->displayName()));
}

QStringList MainWindow::onnxFiles(const QMimeData* mime)
{
    QStringList files;
    if (!mime || !mime->hasUrls())
        return files;
    const QList<QUrl> urls = mime->urls();
    for (const QUrl& url : urls) {
        const QString path = url.toLocalFile();
        if (!path.isEmpty() && path.endsWith(QStringLiteral(".onnx"), Qt::CaseInsensitive))
            files.append(path);
    }
    return files;
}

} // namespace topiary
