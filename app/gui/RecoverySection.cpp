#include "RecoverySection.h"

#include "Document.h"
#include "LiveEvaluation.h"
#include "RecoveryRunner.h"

#include "widgets/NumberFormat.h"
#include "widgets/RecoveryControls.h"

#include <QWidget>

namespace topiary {

RecoverySection::RecoverySection(Document* document, LiveEvaluation* evaluation, QWidget* parent)
    : QObject(parent)
    , m_document(document)
    , m_evaluation(evaluation)
    , m_controls(new RecoveryControls(parent))
    , m_runner(new RecoveryRunner(this))
{
    connect(m_controls, &RecoveryControls::specEdited, this, [this](const RecoverySpec& spec) {
        if (m_document->isEmpty())
            return;
        m_document->editPlan(m_document->plan().withRecovery(spec),
            spec.any() ? tr("Recover without training") : tr("No recovery"));
    });
    connect(m_controls, &RecoveryControls::cancelRequested, m_runner, &RecoveryRunner::cancel);
    connect(m_document, &Document::modelChanged, this, [this] {
        m_runner->setModel(m_document->model());
        m_controls->setSpec(m_document->plan().recovery());
        m_runner->setPlan(m_document->plan());
        showAccuracy();
    });
    connect(m_document, &Document::datasetChanged, this,
        [this] { m_runner->setDataset(m_document->dataset(), m_document->preprocess()); });
    connect(m_document, &Document::planChanged, this, [this] {
        m_controls->setSpec(m_document->plan().recovery());
        m_runner->setPlan(m_document->plan());
        if (!m_document->plan().recovery().any())
            m_controls->setIdle();
        else if (m_document->plan().empty())
            m_controls->setIdle(tr("Nothing is compressed: nothing to recover."));
        showAccuracy();
    });
    connect(m_evaluation, &LiveEvaluation::updated, this, &RecoverySection::showAccuracy);
    connect(m_runner, &RecoveryRunner::progress, m_controls, &RecoveryControls::setProgress);
    connect(m_runner, &RecoveryRunner::stopped, this, [this] {
        m_controls->setIdle(m_document->plan().recovery().any() ? tr("Recovery cancelled.") : QString());
        showAccuracy();
    });
    connect(m_runner, &RecoveryRunner::failed, this, [this](const QString& text) {
        m_controls->setIdle(tr("Recovery failed: %1").arg(text));
        emit message(tr("Recovery failed: %1").arg(text), 5000);
    });
    connect(m_runner, &RecoveryRunner::finished, this, [this](const Plan& plan, const EvaluationMetrics& metrics) {
        const RecoveryResult* r = m_runner->result();
        int refitted = 0, bn = 0, bias = 0;
        for (const auto& l : r->layers) {
            refitted += l.refitted;
            bn += l.batchNorm;
            bias += !l.biasShift.empty();
        }
        m_controls->setIdle(tr("On %1 calibration images: layers refitted %2, BatchNorms re-estimated %3, "
                               "biases corrected %4.")
                                .arg(format::count(r->images))
                                .arg(refitted)
                                .arg(bn)
                                .arg(bias));
        showAccuracy();
        m_document->recordEvaluation(plan, metrics);
    });
}

void RecoverySection::showAccuracy()
{
    const bool current = m_runner->recovered() && m_runner->plan() == m_document->plan();
    m_controls->setAccuracy(m_evaluation->current(), current ? m_runner->recovered() : nullptr);
}

} // namespace topiary
