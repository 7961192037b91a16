#include "TotalsPane.h"

#include "Document.h"
#include "LiveEvaluation.h"
#include "RecoverySection.h"

#include "widgets/RecoveryControls.h"
#include "widgets/TotalsPanel.h"

#include "core/model/CostModel.h"
#include "core/model/Model.h"

#include <QVBoxLayout>
#include <QWidget>

namespace topiary {

TotalsPane::TotalsPane(Document* document, QWidget* window)
    : QObject(window)
    , m_document(document)
    , m_widget(new QWidget(window))
    , m_panel(new TotalsPanel(m_widget))
    , m_evaluation(new LiveEvaluation(this))
{
    // Recover section: the switch, its methods and the accuracy as recovered.
    m_recovery = new RecoverySection(m_document, m_evaluation, m_widget);
    auto* layout = new QVBoxLayout(m_widget);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addWidget(m_panel);
    layout->addWidget(m_recovery->controls());
    connect(m_recovery, &RecoverySection::message, this, &TotalsPane::message);

    connect(m_document, &Document::modelChanged, this, &TotalsPane::showModel);
    connect(m_document, &Document::planChanged, this, [this] {
        m_panel->setStats(m_document->originalStats(), m_document->currentStats());
        m_evaluation->setPlan(m_document->plan().withRecovery({})); // as compressed; recovered: RecoverySection
    });
    connect(m_document, &Document::datasetChanged, this, [this] {
        m_evaluation->setDataset(m_document->dataset(), m_document->preprocess());
        m_evaluation->setPlan(m_document->plan().withRecovery({}));
    });
    connect(m_evaluation, &LiveEvaluation::updated, this, &TotalsPane::showEvaluation);
    connect(m_evaluation, &LiveEvaluation::evaluated, m_document, &Document::recordEvaluation);
    connect(m_evaluation, &LiveEvaluation::failed, this,
        [this](const QString& text) { emit message(tr("Evaluation failed: %1").arg(text), 5000); });
}

void TotalsPane::showModel()
{
    if (m_document->isEmpty()) {
        m_panel->clear();
    } else {
        m_panel->setModel(*m_document->model(), *m_document->cost(), m_document->fileBytes());
        m_panel->setStats(m_document->originalStats(), m_document->currentStats());
    }
    const auto& cost = m_document->cost();
    m_evaluation->setModel(m_document->model(),
        cost ? std::shared_ptr<const std::vector<Layer>>(cost, &cost->layers()) : nullptr, m_document->groups());
    if (m_evaluation->hasDataset())
        m_evaluation->setPlan(m_document->plan().withRecovery({}));
    showEvaluation();
}

void TotalsPane::showEvaluation()
{
    QString note;
    if (!m_evaluation->hasDataset())
        note = tr("No dataset: open one with File → Open Dataset to estimate accuracy.");
    m_panel->setEvaluation(m_evaluation->original(), m_evaluation->current(), m_evaluation->currentDone(), note);
}

} // namespace topiary
