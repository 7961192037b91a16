// MainWindow's Compare Criteria dock (Analyze > Compare Criteria…): the selected layer's
// filters ranked by L1, L2, FPGM, APoZ and BN scale with the current plan as base, and on
// request the accuracy of pruning it by each on the open dataset. The work runs in a
// CriteriaComparisonRunner; this file only wires the dock to the document and the runner.
#include "MainWindow.h"

#include "CriteriaComparisonRunner.h"
#include "LiveEvaluation.h"

#include "widgets/CriteriaComparisonView.h"

#include "core/model/CostModel.h"
#include "core/model/Model.h"

#include <QAction>
#include <QDockWidget>
#include <QEvent>
#include <QMenu>
#include <QStatusBar>

#include <cmath>
#include <functional>

namespace topiary {

namespace {

constexpr int statusTimeoutMs = 5000;

// A dock that renames itself when the language changes, so the window's own
// retranslation need not know about it.
class CompareDock : public QDockWidget {
public:
    CompareDock(QWidget* parent, std::function<void()> retranslate)
        : QDockWidget(parent)
        , m_retranslate(std::move(retranslate))
    {
    }

protected:
    void changeEvent(QEvent* event) override
    {
        if (event->type() == QEvent::LanguageChange && m_retranslate)
            m_retranslate();
        QDockWidget::changeEvent(event);
    }

private:
    std::function<void()> m_retranslate;
};

} // namespace

void MainWindow::createCompareDock()
{
    m_compareRunner = new CriteriaComparisonRunner(this);
    m_compareView = new CriteriaComparisonView(this);
    m_compareView->setObjectName(QStringLiteral("criteriaComparison"));
    m_compareAction = new QAction(this);
    auto retranslate = [this] {
        m_compareDock->setWindowTitle(tr("Compare Criteria"));
        m_compareAction->setText(tr("&Compare Criteria…"));
        m_compareAction->setStatusTip(
            tr("Rank the selected layer's filters by every criterion and measure the accuracy each choice keeps"));
    };
    m_compareDock = new CompareDock(this, retranslate);
    m_compareDock->setObjectName(QStringLiteral("compareDock"));
    m_compareDock->setWidget(m_compareView);
    addDockWidget(Qt::RightDockWidgetArea, m_compareDock);
    tabifyDockWidget(m_explainDock, m_compareDock);
    m_inspectorDock->raise();
    m_compareDock->hide(); // shown when asked for: the inspector keeps the room
    retranslate();
    m_analyzeMenu->addAction(m_compareAction);
    m_viewMenu->addAction(m_compareDock->toggleViewAction());

    connect(m_compareAction, &QAction::triggered, this, [this] {
        m_compareDock->show();
        m_compareDock->raise();
        refreshComparison();
    });
    connect(m_compareDock, &QDockWidget::visibilityChanged, this, [this](bool visible) {
        if (visible)
            refreshComparison();
    });
    connect(m_compareView, &CriteriaComparisonView::fractionChanged, this, [this] { refreshComparison(); });
    connect(m_compareView, &CriteriaComparisonView::measureRequested, this, [this] { measureCriteriaComparison(); });
    connect(m_compareView, &CriteriaComparisonView::stopRequested, m_compareRunner, &CriteriaComparisonRunner::cancel);
    connect(m_compareRunner, &CriteriaComparisonRunner::compared, m_compareView, &CriteriaComparisonView::setComparison);
    connect(m_compareRunner, &CriteriaComparisonRunner::measured, m_compareView,
        [this](const CriteriaMeasurement& soFar) { m_compareView->setMeasurement(soFar); });
    connect(m_compareRunner, &CriteriaComparisonRunner::finished, this, [this](bool completed) {
        m_compareView->setMeasuring(false);
        statusBar()->showMessage(completed ? tr("Criteria measured")
                                           : tr("Criteria measurement stopped; the measured criteria are kept"),
            statusTimeoutMs);
    });
    connect(m_compareRunner, &CriteriaComparisonRunner::failed, this, [this](const QString& message) {
        m_compareView->setError(message);
        m_compareView->setMeasuring(m_compareRunner->isMeasuring());
    });
    connect(m_document, &Document::modelChanged, this, [this] {
        m_compareRunner->reset();
        m_compareView->setMeasuring(false);
        m_compareView->clearComparison(QString());
        refreshComparison();
    });
    connect(m_document, &Document::planChanged, this, [this] {
        // The bars were (or are being) measured against the previous plan.
        if (m_compareRunner->isMeasuring()) {
            m_compareRunner->reset(); // stops it and drops what it would still report
            m_compareView->setMeasuring(false);
        }
        m_compareView->clearMeasurement();
        refreshComparison();
    });
}

void MainWindow::refreshComparison()
{
    if (!m_compareDock || !m_compareDock->isVisible())
        return;
    // On a model change this runs before the selection is reset: the index may be the old model's.
    if (m_document->isEmpty() || m_selectedLayer < 0
        || static_cast<size_t>(m_selectedLayer) >= m_document->cost()->layers().size()) {
        m_compareView->clearComparison(tr("Select a layer to compare its pruning criteria."));
        return;
    }
    const auto& name = m_document->cost()->layers()[static_cast<size_t>(m_selectedLayer)].name;
    // A measurement of another layer or fraction is no longer what the dock shows.
    const CriteriaMeasurement& running = m_compareRunner->measurement();
    if (m_compareRunner->isMeasuring() && m_compareRunner->hasMeasurement()
        && (running.layer != name || std::abs(running.fraction - m_compareView->fraction()) > 1e-9))
        m_compareRunner->cancel();
    // The window's scorer (APoZ once a dataset's activations are counted) refers to the
    // model and its layers: the worker keeps both alive.
    FilterScorer scorer = [inner = m_scorer, cost = m_document->cost()](int layer, Criterion criterion) {
        return inner(layer, criterion);
    };
    m_compareRunner->compare(m_document->model(), name, m_compareView->fraction(), m_document->plan(), std::move(scorer));
}

bool MainWindow::measureCriteriaComparison(int64_t imageLimit)
{
    if (m_document->isEmpty() || m_selectedLayer < 0) {
        m_compareView->setError(tr("Select a layer first."));
        return false;
    }
    if (!m_evaluation->dataset()) {
        m_compareView->setError(tr("Open a dataset first (File → Open Dataset): accuracy is measured on images."));
        return false;
    }
    const auto& name = m_document->cost()->layers()[static_cast<size_t>(m_selectedLayer)].name;
    FilterScorer scorer = [inner = m_scorer, cost = m_document->cost()](int layer, Criterion criterion) {
        return inner(layer, criterion);
    };
    if (!m_compareRunner->measure(m_document->model(), name, m_compareView->fraction(), m_document->plan(),
            std::move(scorer), *m_evaluation->dataset(), m_evaluation->spec(), imageLimit))
        return false;
    m_compareDock->show();
    m_compareDock->raise();
    m_compareView->clearMeasurement();
    m_compareView->setMeasuring(true);
    return true;
}

} // namespace topiary
