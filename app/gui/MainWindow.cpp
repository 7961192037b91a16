#include "MainWindow.h"

#include "ActivationBitsAction.h"
#include "ChannelRoundingAction.h"
#include "DockScrollArea.h"
#include "DroppedFiles.h"
#include "GraphPane.h"
#include "Language.h"
#include "LayerTablePane.h"
#include "LiveEvaluation.h"
#include "LoadStatus.h"
#include "MessageButtons.h"
#include "PreferencesDialog.h"
#include "RatioStepper.h"
#include "RecentFiles.h"
#include "ThemeMenu.h"
#include "UndoActions.h"
#include "UndoKeys.h"
#include "RecoverySection.h"
#include "TotalsPane.h"

#include "widgets/ExplainPanel.h"
#include "widgets/NetworkOverviewMap.h"
#include "widgets/ParetoPlot.h"
#include "widgets/TotalsPanel.h"

#include "core/model/CostModel.h"
#include "core/model/Model.h"

#include <QAction>
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
#include <QScrollArea>
#include <QSettings>
#include <QStackedWidget>
#include <QStatusBar>
#include <QTabWidget>
#include <QTimer>
#include <QUndoStack>
#include <QUndoView>

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
    new UndoKeys(this); // Ctrl+Z reaches the plan from a number box too
    createPanes();
    createActions();
    createMenus();
    createCentralWidget();
    createDocks();
    retranslateUi();
    readSettings();

    connect(m_loader, &ModelLoader::loaded, this, &MainWindow::onLoaded);
    connect(m_loader, &ModelLoader::failed, this, &MainWindow::onLoadFailed);
    connect(m_loader, &ModelLoader::canceled, this, [this] { emit loadFinished(false); });
    // After the window's own handlers: its message is the last word on the load.
    m_loadStatus = new LoadStatus(m_loader, statusBar(), this, [this] { return m_showErrorDialogs; });
    connect(m_document, &Document::modelChanged, this, &MainWindow::showDocument);
    connect(m_document, &Document::selectionChanged, this, &MainWindow::showSelection);
    connect(m_document, &Document::planRefused, this,
        [this](const QString& reason) { showMessage(tr("Not possible: %1").arg(reason), statusTimeoutMs); });
    connect(m_document->undoStack(), &QUndoStack::cleanChanged, this, &MainWindow::updateTitle);
    updateTitle();
}

MainWindow::~MainWindow()
{
    // The autosave snapshot reads the document, which as a child would go first.
    delete m_session;
}

QString MainWindow::sampleResourcePath()
{
    return QStringLiteral(":/sample/fashion_cnn.onnx");
}

void MainWindow::createPanes()
{
    m_graph = new GraphPane(m_document, this);
    m_totals = new TotalsPane(m_document, this);
    m_evaluation = m_totals->evaluation();
    m_layerTable = new LayerTablePane(m_document, this);
    m_inspector = new InspectorPane(m_document, this);
    m_analysis = new AnalysisPane(m_document, this);
    m_compare = new ComparePane(m_document, this);
    m_session = new SessionFiles(m_document, m_evaluation, m_graph, this, [this] { return m_showErrorDialogs; });
    m_inspector->setRecoveryRunner(m_totals->recovery()->runner());
    m_inspector->ratioStepper()->setReady([this] { return !m_evaluation->hasDataset() || m_evaluation->isIdle(); });
    connect(m_graph, &GraphPane::layerSelected, this, &MainWindow::selectLayer);
    connect(m_inspector, &InspectorPane::traceRequested, this, &MainWindow::traceFilter);
    connect(m_analysis, &AnalysisPane::sensitivityLossChanged, m_graph, &GraphPane::setSensitivity);
    connect(m_analysis, &AnalysisPane::showRequested, this, &MainWindow::showDock);
    connect(m_compare, &ComparePane::showRequested, this, [this] { showDock(m_compare, true); });
    connect(m_session, &SessionFiles::openModelRequested, this, &MainWindow::openFile);
    m_session->setSensitivityRunner(m_analysis->sensitivityRunner());
    connect(m_session, &SessionFiles::projectPathChanged, this, &MainWindow::updateTitle);
    connect(m_session, &SessionFiles::loadFailed, this, &MainWindow::loadFailed);
    connect(m_session, &SessionFiles::exportFinished, this, &MainWindow::exportFinished);
    connect(m_totals, &TotalsPane::message, this, &MainWindow::showMessage);
    connect(m_totals, &TotalsPane::datasetRequested, m_session, &SessionFiles::chooseDataset);
    connect(m_inspector, &InspectorPane::message, this, &MainWindow::showMessage);
    connect(m_analysis, &AnalysisPane::message, this, &MainWindow::showMessage);
    connect(m_compare, &ComparePane::message, this, &MainWindow::showMessage);
    connect(m_session, &SessionFiles::message, this, &MainWindow::showMessage);
    m_training = new TrainingPane(m_document, this);
    connect(m_training, &TrainingPane::message, this, &MainWindow::showMessage);
    connect(m_training, &TrainingPane::openRequested, this, &MainWindow::openFile);
}

void MainWindow::showMessage(const QString& text, int timeoutMs)
{
    statusBar()->showMessage(text, timeoutMs);
}

void MainWindow::showDock(QWidget* content, bool raise)
{
    for (QDockWidget* dock : findChildren<QDockWidget*>()) {
        const auto* scroll = qobject_cast<const QScrollArea*>(dock->widget());
        if ((scroll ? scroll->widget() : dock->widget()) != content)
            continue;
        if (dock->isHidden())
            dock->show();
        if (raise)
            dock->raise();
    }
}

// Teaching: where one filter's removal goes, animated on the graph tab.
void MainWindow::traceFilter(int layer, int filter)
{
    if (layer < 0 || m_document->isEmpty())
        return;
    m_tabs->setCurrentWidget(m_graph);
    if (auto traced = m_graph->traceFilter(layer, filter); !traced)
        showMessage(QString::fromStdString(traced.error().message), statusTimeoutMs);
}

void MainWindow::showPreferences()
{
    if (!m_preferences) {
        m_preferences = new PreferencesDialog(this);
        connect(m_preferences, &PreferencesDialog::languageChosen, this, [](const QString& code) {
            applyLanguage(code);
            saveLanguage(code);
        });
        connect(m_preferences, &PreferencesDialog::themeChosen, m_themeMenu, &ThemeMenu::choose);
    }
    m_preferences->setChoices(currentLanguage(), ThemeMenu::saved());
    m_preferences->show();
    m_preferences->raise();
    m_preferences->activateWindow();
}

void MainWindow::closeEvent(QCloseEvent* event)
{
    if (!m_training->confirmClose() || !m_session->maybeSave()) {
        event->ignore();
        return;
    }
    m_session->discardAutosave();
    writeSettings();
    QMainWindow::closeEvent(event);
}

void MainWindow::dragEnterEvent(QDragEnterEvent* event)
{
    if (!droppedFiles(event->mimeData()).isEmpty())
        event->acceptProposedAction();
}

void MainWindow::dropEvent(QDropEvent* event)
{
    const QStringList files = droppedFiles(event->mimeData());
    if (files.isEmpty())
        return;
    event->acceptProposedAction();
    // One document at a time: the first file wins. After the drop has ended, so that the
    // unsaved-changes question does not hold the drag source.
    QTimer::singleShot(0, this, [this, path = files.first()] { replaceDocument(path); });
}

void MainWindow::replaceDocument(const QString& path)
{
    if (!m_session->maybeSave())
        return;
    if (path.endsWith(QStringLiteral(".topiary"), Qt::CaseInsensitive))
        openProject(path);
    else if (path.isEmpty())
        openSample();
    else
        openFile(path);
}

void MainWindow::changeEvent(QEvent* event)
{
    if (event->type() == QEvent::LanguageChange)
        retranslateUi();
    QMainWindow::changeEvent(event);
}

void MainWindow::createActions()
{
    auto action = [this](QKeySequence shortcut, auto slot) {
        auto* a = new QAction(this);
        if (!shortcut.isEmpty())
            a->setShortcut(shortcut);
        connect(a, &QAction::triggered, this, slot);
        return a;
    };
    m_openAction = action(QKeySequence::Open, &MainWindow::chooseFile);
    m_openSampleAction = action({}, [this] { replaceDocument(QString()); });

    m_undoActions = new UndoActions(m_document->undoStack(), this); // named in the window's language
    m_undoAction = m_undoActions->undo();
    m_redoAction = m_undoActions->redo();
    m_channelRounding = new ChannelRoundingAction(m_document, this);
    m_activationBits = new ActivationBitsAction(m_document, this);
    m_preferencesAction = action(QKeySequence::Preferences, &MainWindow::showPreferences);
    m_preferencesAction->setObjectName(QStringLiteral("preferencesAction"));
    m_preferencesAction->setMenuRole(QAction::PreferencesRole);

    m_quitAction = action(QKeySequence::Quit, &QWidget::close);
    m_quitAction->setMenuRole(QAction::QuitRole);
    m_compareAction = action({}, [this] {
        showDock(m_compare, true);
        m_compare->refresh();
    });
    // Commands that open a panel show it, raised, however it was (never a toggle that hides it).
    m_fitAction = action({}, [this] { showDock(m_analysis->fitWidget(), true); });
    m_explainAction = action(QKeySequence(Qt::Key_F1 | Qt::SHIFT), [this] { showDock(m_inspector->explainPanel(), true); });
    m_traceAction = action({}, [this] { m_inspector->traceLeastImportantFilter(); });
    m_traceAction->setObjectName(QStringLiteral("traceFilterAction"));
    m_aboutAction = action({}, &MainWindow::showAbout);
    m_aboutAction->setMenuRole(QAction::AboutRole);
}

void MainWindow::createMenus()
{
    m_fileMenu = menuBar()->addMenu(QString());
    m_fileMenu->addAction(m_openAction);
    m_recentMenu = m_fileMenu->addMenu(QString());
    m_recentFiles = new RecentFiles(m_recentMenu, this);
    connect(m_recentFiles, &RecentFiles::openRequested, this, &MainWindow::replaceDocument);
    const SessionFiles::Actions& files = m_session->actions();
    m_fileMenu->addActions({ m_openSampleAction, files.openDataset });
    m_fileMenu->addSeparator();
    m_fileMenu->addActions({ files.openProject, files.saveProject, files.saveProjectAs });
    m_fileMenu->addSeparator();
    m_fileMenu->addActions({ files.loadRecipe, files.saveRecipe });
    m_fileMenu->addSeparator();
    m_fileMenu->addActions({ files.exportModel, files.report, files.reportPdf });
    m_fileMenu->addSeparator();
    m_fileMenu->addAction(m_quitAction);

    m_editMenu = menuBar()->addMenu(QString());
    m_editMenu->addActions({ m_undoAction, m_redoAction });
    m_editMenu->addSeparator();
    m_editMenu->addAction(m_channelRounding->action());
    m_editMenu->addAction(m_activationBits->action());
    m_editMenu->addSeparator();
    m_editMenu->addAction(m_preferencesAction);
    m_viewMenu = menuBar()->addMenu(QString());
    m_analyzeMenu = menuBar()->addMenu(QString());
    m_analyzeMenu->addActions({ m_analysis->sensitivityAction(), m_analysis->cancelSensitivityAction() });
    m_analyzeMenu->addSeparator();
    m_helpMenu = menuBar()->addMenu(QString());
}

void MainWindow::createCentralWidget()
{
    m_emptyHint = new QLabel(this);
    m_emptyHint->setAlignment(Qt::AlignCenter);
    m_emptyHint->setWordWrap(true);
    m_emptyHint->setEnabled(false);  // drawn in the disabled colour, like a placeholder text

    m_tabs = new QTabWidget(this);
    m_tabs->setObjectName(QStringLiteral("views"));
    m_tabs->setDocumentMode(true);
    m_tabs->addTab(m_graph, QString());
    m_tabs->addTab(m_layerTable, QString());
    m_tabs->addTab(m_analysis->overview(), QString());
    connect(m_tabs, &QTabWidget::currentChanged, this,
        [this] { m_analysis->setOverviewShown(m_tabs->currentWidget() == m_analysis->overview()); });

    m_central = new QStackedWidget(this);
    m_central->addWidget(m_emptyHint);
    m_central->addWidget(m_tabs);
    setCentralWidget(m_central);
}

// Each dock's content scrolls when the dock is smaller than the content wants: without
// it the docks' minimum sizes add up past a 1366x768 screen and push the window off it.
QDockWidget* MainWindow::addDock(const char* name, QWidget* content, Qt::DockWidgetArea area)
{
    auto* dock = new QDockWidget(this);
    dock->setObjectName(QLatin1String(name));
    auto* scroll = new DockScrollArea(dock);
    scroll->setObjectName(QLatin1String(name) + QLatin1String("Scroll"));
    scroll->setWidget(content);
    dock->setWidget(scroll);
    addDockWidget(area, dock);
    return dock;
}

void MainWindow::createDocks()
{
    m_totalsDock = addDock("totalsDock", m_totals->widget(), Qt::RightDockWidgetArea);
    m_totalsDock->setAllowedAreas(Qt::LeftDockWidgetArea | Qt::RightDockWidgetArea);
    m_historyView = new QUndoView(m_document->undoStack(), this);
    m_historyView->setObjectName(QStringLiteral("historyView"));
    m_historyDock = addDock("historyDock", m_historyView, Qt::RightDockWidgetArea);
    tabifyDockWidget(m_totalsDock, m_historyDock);
    m_totalsDock->raise();
    m_viewMenu->addActions({ m_totalsDock->toggleViewAction(), m_historyDock->toggleViewAction() });

    m_themeMenu = new ThemeMenu(this);
    m_viewMenu->addMenu(m_themeMenu);

    // At the bottom, shown when used (Analyze menu, an evaluated plan): the graph gets the room first.
    m_sensitivityDock = addDock("sensitivityDock", m_analysis->sensitivityWidget(), Qt::BottomDockWidgetArea);
    m_paretoDock = addDock("paretoDock", m_analysis->paretoPlot(), Qt::BottomDockWidgetArea);
    tabifyDockWidget(m_sensitivityDock, m_paretoDock);
    m_fitDock = addDock("fitDock", m_analysis->fitWidget(), Qt::BottomDockWidgetArea);
    tabifyDockWidget(m_paretoDock, m_fitDock);
    for (QDockWidget* dock : { m_sensitivityDock, m_paretoDock, m_fitDock })
        dock->hide();
    m_analyzeMenu->addAction(m_fitAction);
    m_viewMenu->addActions({ m_sensitivityDock->toggleViewAction(), m_paretoDock->toggleViewAction() });

    m_inspectorDock = addDock("inspectorDock", m_inspector, Qt::RightDockWidgetArea);
    m_viewMenu->addAction(m_inspectorDock->toggleViewAction());
    // Help > Explain: the selected layer's numbers in plain words, beside the inspector.
    m_explainDock = addDock("explainDock", m_inspector->explainPanel(), Qt::RightDockWidgetArea);
    tabifyDockWidget(m_inspectorDock, m_explainDock);
    m_helpMenu->addActions({ m_explainAction, m_traceAction, m_aboutAction });
    connect(m_explainDock, &QDockWidget::visibilityChanged, m_inspector, &InspectorPane::setExplainShown);

    m_presentation = new PresentationMode(this, m_graph->view(), { m_paretoDock, m_sensitivityDock, m_fitDock, m_historyDock },
        m_totalsDock, m_inspectorDock);
    connect(m_presentation, &PresentationMode::message, this, &MainWindow::showMessage);
    m_viewMenu->addSeparator();
    m_viewMenu->addAction(m_presentation->action());

    m_compareDock = addDock("compareDock", m_compare, Qt::RightDockWidgetArea);
    tabifyDockWidget(m_explainDock, m_compareDock);
    m_inspectorDock->raise();
    m_compareDock->hide(); // shown when asked for: the inspector keeps the room
    m_analyzeMenu->addAction(m_compareAction);
    m_analyzeMenu->addSeparator();
    m_analyzeMenu->addActions({ m_training->taylorAction(), m_training->finetuneAction() });
    m_viewMenu->addAction(m_compareDock->toggleViewAction());
    connect(m_compareDock, &QDockWidget::visibilityChanged, this, [this](bool visible) {
        if (visible)
            m_compare->refresh();
    });
}

void MainWindow::retranslateUi()
{
    m_fileMenu->setTitle(tr("&File"));
    m_editMenu->setTitle(tr("&Edit"));
    m_viewMenu->setTitle(tr("&View"));
    m_analyzeMenu->setTitle(tr("&Analyze"));
    m_helpMenu->setTitle(tr("&Help"));
    m_training->retranslateUi();
    const struct {
        QAction* action;
        QString text;
        QString tip;
    } actions[] = {
        { m_openAction, tr("&Open…"), tr("Open an ONNX model") },
        { m_openSampleAction, tr("Open &Sample Model"), tr("Open the small Fashion-MNIST CNN that comes with Topiary") },
        { m_preferencesAction, tr("&Preferences…"), tr("Choose the language and the theme") },
        { m_explainAction, tr("&Explain"), tr("Say in plain words, with formulas, what the selected layer's numbers mean") },
        { m_traceAction, tr("&Trace Filter Removal"),
            tr("Animate on the graph where the selected layer's least important filter goes when pruned") },
        { m_compareAction, tr("&Compare Criteria…"),
            tr("Rank the selected layer's filters by every criterion and measure the accuracy each choice keeps") },
    };
    for (const auto& a : actions) {
        a.action->setText(a.text);
        a.action->setStatusTip(a.tip);
    }
    m_traceAction->setToolTip(m_traceAction->statusTip());
    m_quitAction->setText(tr("&Quit"));
    m_aboutAction->setText(tr("&About Topiary"));
    m_totalsDock->setWindowTitle(tr("Totals"));
    m_historyDock->setWindowTitle(tr("History"));
    m_inspectorDock->setWindowTitle(tr("Inspector"));
    m_explainDock->setWindowTitle(tr("Explain"));
    m_compareDock->setWindowTitle(tr("Compare Criteria"));
    m_sensitivityDock->setWindowTitle(tr("Sensitivity"));
    m_paretoDock->setWindowTitle(tr("Pareto"));
    m_fitDock->setWindowTitle(tr("Fit to Budget"));
    m_fitAction->setText(tr("&Fit to Budget…"));
    m_tabs->setTabText(0, tr("Graph"));
    m_tabs->setTabToolTip(0, tr("The network as a graph of its operations; click a layer to inspect it."));
    m_tabs->setTabText(1, tr("Layers"));
    m_tabs->setTabToolTip(1, tr("Every layer with its size and cost; edit Pruned and Bits in place."));
    m_tabs->setTabText(2, tr("Overview"));
    m_tabs->setTabToolTip(2, tr("Every layer's filters ranked by importance; the ones the plan removes in red."));
    m_historyView->setEmptyLabel(tr("Model as loaded"));
    m_historyView->setToolTip(tr("Every edit of the plan; click a step to go back to it."));
    m_recentFiles->retranslateUi();
    m_undoActions->retranslateUi();
    m_channelRounding->retranslateUi();
    m_activationBits->retranslateUi();
    m_analysis->retranslateUi();
    m_session->retranslateUi();
    m_presentation->retranslateUi();
    m_emptyHint->setText(tr("Open an ONNX model with File → Open, or drop an .onnx file here."));
    if (m_loadStatus)
        m_loadStatus->retranslateUi();
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
    const bool presenting = m_presentation->isOn();
    settings.setValue(geometryKey, presenting ? m_presentation->normalGeometry() : saveGeometry());
    settings.setValue(stateKey, presenting ? m_presentation->normalState() : saveState());
    settings.setValue(layerHeaderKey, m_layerTable->horizontalHeader()->saveState());
}

void MainWindow::chooseFile()
{
    if (!m_session->maybeSave())
        return;
    QSettings settings;
    const QString path = QFileDialog::getOpenFileName(
        this, tr("Open Model"), settings.value(lastDirectoryKey, QDir::homePath()).toString(),
        tr("ONNX models (*.onnx);;All files (*)"));
    if (path.isEmpty())
        return;
    settings.setValue(lastDirectoryKey, QFileInfo(path).absolutePath());
    openFile(path); // asked above, before the file dialog
}

void MainWindow::showAbout()
{
    QMessageBox box(QMessageBox::NoIcon, tr("About Topiary"),
        tr("<h3>Topiary %1</h3><p>A workbench for compressing neural networks by hand.</p>")
            .arg(QApplication::applicationVersion()),
        QMessageBox::Ok, this);
    box.setIconPixmap(windowIcon().pixmap(64, 64));
    nameButtons(&box); // OK in the window's language, not Qt's
    box.exec();
}

void MainWindow::onLoaded(const LoadedModel& result)
{
    if (!result.path.startsWith(QLatin1Char(':')))
        m_recentFiles->add(result.path);
    m_document->setContents(result);
    m_session->modelLoaded(result.path); // a project waiting for this model gets its history back
    emit loadFinished(true);
}

void MainWindow::onLoadFailed(const QString& path, const QString& message)
{
    if (!path.startsWith(QLatin1Char(':')) && !QFileInfo::exists(path))
        m_recentFiles->remove(path);
    emit loadFailed(message);
    emit loadFinished(false);
}

void MainWindow::showDocument()
{
    if (!m_document->isEmpty() && m_document->path() == sampleResourcePath())
        m_session->attachSampleDataset();
    if (!m_document->isEmpty() && !m_document->cost()->layers().empty())
        selectLayer(0); // the inspector always shows a layer
    m_central->setCurrentWidget(m_document->isEmpty() ? static_cast<QWidget*>(m_emptyHint) : m_tabs);
    updateTitle();
}

void MainWindow::showSelection(int layer)
{
    m_graph->setSelectedLayer(layer);
    if (layer >= 0)
        showMessage(QString::fromStdString(m_document->cost()->layers()[static_cast<size_t>(layer)].name), statusTimeoutMs);
}

void MainWindow::updateTitle()
{
    const QString project = m_session->projectPath();
    if (m_document->isEmpty())
        setWindowTitle(tr("Topiary"));
    else
        setWindowTitle(tr("%1%2 — Topiary")
                           .arg(project.isEmpty() ? m_document->displayName() : QFileInfo(project).fileName(),
                               m_document->isModified() ? QStringLiteral(" *") : QString()));
}

} // namespace topiary
