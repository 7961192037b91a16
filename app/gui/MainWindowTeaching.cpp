// MainWindow's teaching aids: presentation mode (full screen, larger text and lines for a
// room), the Step animation of a layer's pruning ratio (every view and the accuracy move
// together, one step at a time), and the Preferences dialog (language and theme).
#include "MainWindow.h"

#include "Language.h"
#include "LiveEvaluation.h"
#include "PreferencesDialog.h"
#include "RatioStepper.h"
#include "Theme.h"

#include "widgets/GraphView.h"
#include "widgets/LayerControls.h"
#include "widgets/LayerInspector.h"
#include "widgets/NumberFormat.h"
#include "widgets/PlotStyle.h"

#include "GraphPane.h"

#include "core/model/CostModel.h"
#include "core/compress/PruneSelection.h"

#include <QAction>
#include <QApplication>
#include <QDockWidget>
#include <QMenu>
#include <QSettings>
#include <QStatusBar>

namespace topiary {

namespace {
// Presentation mode: text this much larger, lines and markers this much thicker.
constexpr double kPresentationFont = 1.3;
constexpr double kPresentationLines = 2.0;
// The Step animation's edits merge into one undo step per layer.
constexpr int kStepKey = 3 << 20;
const QString themeKey = QStringLiteral("appearance/theme");
} // namespace

void MainWindow::createTeaching()
{
    m_presentationAction = new QAction(this);
    m_presentationAction->setObjectName(QStringLiteral("presentationAction"));
    m_presentationAction->setCheckable(true);
    m_presentationAction->setShortcut(QKeySequence(Qt::Key_F5));
    connect(m_presentationAction, &QAction::toggled, this, &MainWindow::setPresentationMode);
    m_viewMenu->addSeparator();
    m_viewMenu->addAction(m_presentationAction);
    // Esc leaves presentation mode too, but only then: elsewhere Esc belongs to the widgets.
    m_leavePresentationAction = new QAction(this);
    m_leavePresentationAction->setShortcut(QKeySequence(Qt::Key_Escape));
    m_leavePresentationAction->setEnabled(false);
    connect(m_leavePresentationAction, &QAction::triggered, this, [this] { setPresentationMode(false); });
    addAction(m_leavePresentationAction);

    m_preferencesAction = new QAction(this);
    m_preferencesAction->setObjectName(QStringLiteral("preferencesAction"));
    m_preferencesAction->setShortcut(QKeySequence::Preferences);
    m_preferencesAction->setMenuRole(QAction::PreferencesRole);
    connect(m_preferencesAction, &QAction::triggered, this, &MainWindow::showPreferences);
    m_editMenu->addSeparator();
    m_editMenu->addAction(m_preferencesAction);

    // Step: the ratio walks up from 0, waiting at each step until the accuracy is measured.
    m_stepper = new RatioStepper(this);
    m_stepper->setReady([this] { return !m_evaluation->hasDataset() || m_evaluation->isIdle(); });
    LayerControls* controls = m_inspector->controls();
    connect(controls, &LayerControls::stepRequested, this, [this](const PruneSpec& target) {
        if (m_selectedLayer < 0 || m_document->isEmpty())
            return;
        m_stepper->start(m_selectedLayer, target); // stops a running one first (finished(false))
        m_inspector->controls()->setStepping(m_stepper->isRunning());
    });
    connect(controls, &LayerControls::stepStopRequested, m_stepper, &RatioStepper::stop);
    connect(m_stepper, &RatioStepper::step, this, [this](int layer, const PruneSpec& spec, bool last) {
        if (m_document->isEmpty())
            return;
        const auto& name = QString::fromStdString(m_document->cost()->layers()[static_cast<size_t>(layer)].name);
        m_applyingStep = true;
        proposePlan(withLayerPrune(m_document->plan(), m_document->cost()->layers(), *m_document->groups(), layer, spec),
            tr("Step %1 to %2").arg(name, format::percent(spec.value)), kStepKey + layer, !last);
        m_applyingStep = false;
        statusBar()->showMessage(tr("Step: %1 at %2").arg(name, format::percent(spec.value)));
    });
    connect(m_stepper, &RatioStepper::finished, this, [this](bool completed) {
        m_inspector->controls()->setStepping(false);
        const int layer = m_stepper->layer();
        if (completed || m_document->isEmpty() || static_cast<size_t>(layer) >= m_document->cost()->layers().size())
            return;
        // Close the animation's undo step where it stopped, so a later Step is a step of its own.
        const auto& name = QString::fromStdString(m_document->cost()->layers()[static_cast<size_t>(layer)].name);
        const double ratio = m_document->plan().spec(name.toStdString()).prune.value;
        m_applyingStep = true;
        m_document->editPlan(m_document->plan(), tr("Step %1 to %2").arg(name, format::percent(ratio)), kStepKey + layer, false);
        m_applyingStep = false;
        statusBar()->showMessage(tr("Step stopped"), 3000);
    });
    // Any other change of the plan (an undo, a table edit, a loaded recipe) ends the animation.
    connect(m_document, &Document::planChanged, this, [this] {
        if (!m_applyingStep)
            m_stepper->stop();
    });
    connect(m_document, &Document::modelChanged, m_stepper, &RatioStepper::stop);
}

void MainWindow::retranslateTeaching()
{
    m_presentationAction->setText(tr("&Presentation Mode"));
    m_presentationAction->setStatusTip(tr("Full screen with larger text and thicker lines, for showing to a room"));
    m_preferencesAction->setText(tr("&Preferences…"));
    m_preferencesAction->setStatusTip(tr("Choose the language and the theme"));
}

// Two zoom steps (1.25² ≈ 1.56) about the middle of what is shown, not the mouse.
void MainWindow::zoomGraphKeepingCentre(bool in)
{
    GraphView* view = m_graph->view();
    const QPointF centre = view->mapToScene(view->viewport()->rect().center());
    for (int i = 0; i < 2; ++i)
        in ? view->zoomIn() : view->zoomOut();
    view->centerOn(centre);
}

void MainWindow::setPresentationMode(bool on)
{
    if (on == m_presenting)
        return;
    m_presenting = on;
    {
        const QSignalBlocker block(m_presentationAction);
        m_presentationAction->setChecked(on);
    }
    m_leavePresentationAction->setEnabled(on);
    if (on) {
        m_normalFont = QApplication::font();
        m_normalWindowState = windowState();
        m_normalDocks = saveState();
        m_normalGeometry = saveGeometry();
        QFont large = m_normalFont;
        if (large.pointSizeF() > 0)
            large.setPointSizeF(large.pointSizeF() * kPresentationFont);
        else
            large.setPixelSize(qRound(large.pixelSize() * kPresentationFont));
        // The graph's boxes were laid out for the normal font: it keeps that font and is
        // zoomed instead, so its labels grow without outgrowing their boxes.
        QFont pinned = m_normalFont; // explicit size and family, or the view would still inherit
        pinned.setFamilies(m_normalFont.families());
        if (m_normalFont.pointSizeF() > 0)
            pinned.setPointSizeF(m_normalFont.pointSizeF());
        else
            pinned.setPixelSize(m_normalFont.pixelSize());
        m_graph->view()->setFont(pinned);
        QApplication::setFont(large);
        plotstyle::setLineScale(kPresentationLines);
        zoomGraphKeepingCentre(true);
        // The room sees the graph, the totals and the inspector; the other docks wait.
        for (QDockWidget* dock : { m_paretoDock, m_sensitivityDock, m_fitDock, m_historyDock })
            dock->hide();
        m_totalsDock->raise();
        showFullScreen();
        const int side = width() * 2 / 5;
        resizeDocks({ m_totalsDock, m_inspectorDock }, { side, side }, Qt::Horizontal);
        const int totals = m_totalsDock->sizeHint().height();
        resizeDocks({ m_totalsDock, m_inspectorDock }, { totals, height() - totals }, Qt::Vertical);
        statusBar()->showMessage(tr("Presentation mode: F5 or Esc to leave"), 5000);
    } else {
        QApplication::setFont(m_normalFont);
        m_graph->view()->setFont(QFont()); // follows the application's font again
        plotstyle::setLineScale(1.0);
        zoomGraphKeepingCentre(false);
        setWindowState(m_normalWindowState & ~Qt::WindowFullScreen);
        if (!(m_normalWindowState & (Qt::WindowMaximized | Qt::WindowFullScreen)))
            showNormal();
        restoreState(m_normalDocks);
    }
}

void MainWindow::showPreferences()
{
    if (!m_preferences) {
        m_preferences = new PreferencesDialog(this);
        connect(m_preferences, &PreferencesDialog::languageChosen, this, [](const QString& code) {
            applyLanguage(code);
            saveLanguage(code);
        });
        connect(m_preferences, &PreferencesDialog::themeChosen, this, [this](Theme theme) {
            m_themeActions[static_cast<int>(theme)]->trigger(); // applies, saves and checks the menu
        });
    }
    m_preferences->setChoices(currentLanguage(), themeFromName(QSettings().value(themeKey).toString()));
    m_preferences->show();
    m_preferences->raise();
    m_preferences->activateWindow();
}

} // namespace topiary
