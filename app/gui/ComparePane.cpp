#include "ComparePane.h"

#include "CriteriaComparisonRunner.h"
#include "Document.h"

#include "widgets/CriteriaComparisonView.h"

#include "core/model/CostModel.h"
#include "core/model/Model.h"

#include <QVBoxLayout>

#include <cmath>

namespace topiary {

namespace {
constexpr int statusTimeoutMs = 5000;
} // namespace

ComparePane::ComparePane(Document* document, QWidget* parent)
    : QWidget(parent)
    , m_document(document)
    , m_runner(new CriteriaComparisonRunner(this))
    , m_view(new CriteriaComparisonView(this))
{
    m_view->setObjectName(QStringLiteral("criteriaComparison"));
    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addWidget(m_view);

    connect(m_view, &CriteriaComparisonView::fractionChanged, this, &ComparePane::refresh);
    connect(m_view, &CriteriaComparisonView::measureRequested, this, [this] { measure(); });
    connect(m_view, &CriteriaComparisonView::stopRequested, m_runner, &CriteriaComparisonRunner::cancel);
    connect(m_runner, &CriteriaComparisonRunner::compared, m_view, &CriteriaComparisonView::setComparison);
    connect(m_runner, &CriteriaComparisonRunner::measured, m_view,
        [this](const CriteriaMeasurement& soFar) { m_view->setMeasurement(soFar); });
    connect(m_runner, &CriteriaComparisonRunner::finished, this, [this](bool completed) {
        m_view->setMeasuring(false);
        emit message(completed ? tr("Criteria measured") : tr("Criteria measurement stopped; the measured criteria are kept"),
            statusTimeoutMs);
    });
    connect(m_runner, &CriteriaComparisonRunner::failed, this, [this](const QString& message) {
        m_view->setError(message);
        m_view->setMeasuring(m_runner->isMeasuring());
    });
    connect(m_document, &Document::modelChanged, this, [this] {
        m_runner->reset();
        m_view->setMeasuring(false);
        m_view->clearComparison(QString());
        refresh();
    });
    connect(m_document, &Document::planChanged, this, [this] {
        // The bars were (or are being) measured against the previous plan.
        if (m_runner->isMeasuring()) {
            m_runner->reset(); // stops it and drops what it would still report
            m_view->setMeasuring(false);
        }
        m_view->clearMeasurement();
        refresh();
    });
    connect(m_document, &Document::selectionChanged, this, &ComparePane::refresh);
    // APoZ joins the rankings once the dataset's activations are counted.
    connect(m_document, &Document::activationStatsChanged, this, &ComparePane::refresh);
    connect(m_document, &Document::taylorScoresChanged, this, &ComparePane::refresh);
}

void ComparePane::refresh()
{
    if (!isVisible())
        return;
    const int selected = m_document->selectedLayer();
    // On a model change this runs before the selection is reset: the index may be the old model's.
    if (m_document->isEmpty() || selected < 0 || static_cast<size_t>(selected) >= m_document->cost()->layers().size()) {
        m_view->clearComparison(tr("Select a layer to compare its pruning criteria."));
        return;
    }
    const auto& name = m_document->cost()->layers()[static_cast<size_t>(selected)].name;
    // A measurement of another layer or fraction is no longer what the dock shows.
    const CriteriaMeasurement& running = m_runner->measurement();
    if (m_runner->isMeasuring() && m_runner->hasMeasurement()
        && (running.layer != name || std::abs(running.fraction - m_view->fraction()) > 1e-9))
        m_runner->cancel();
    // The Document's scorer (APoZ once a dataset's activations are counted) refers to the
    // model and its layers: the worker keeps both alive.
    FilterScorer scorer = [inner = m_document->scorer(), cost = m_document->cost()](int layer, Criterion criterion) {
        return inner(layer, criterion);
    };
    m_runner->compare(m_document->model(), name, m_view->fraction(), m_document->plan(), std::move(scorer));
}

bool ComparePane::measure(int64_t imageLimit)
{
    const int selected = m_document->selectedLayer();
    if (m_document->isEmpty() || selected < 0) {
        m_view->setError(tr("Select a layer first."));
        return false;
    }
    if (!m_document->dataset()) {
        m_view->setError(tr("Open a dataset first (File → Open Dataset): accuracy is measured on images."));
        return false;
    }
    const auto& name = m_document->cost()->layers()[static_cast<size_t>(selected)].name;
    FilterScorer scorer = [inner = m_document->scorer(), cost = m_document->cost()](int layer, Criterion criterion) {
        return inner(layer, criterion);
    };
    if (!m_runner->measure(m_document->model(), name, m_view->fraction(), m_document->plan(), std::move(scorer),
            *m_document->dataset(), m_document->preprocess(), imageLimit))
        return false;
    emit showRequested();
    m_view->clearMeasurement();
    m_view->setMeasuring(true);
    return true;
}

} // namespace topiary
