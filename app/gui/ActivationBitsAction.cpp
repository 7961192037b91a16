#include "ActivationBitsAction.h"

#include "Document.h"

#include "core/model/CostModel.h"

#include <QAction>
#include <QWidget>

namespace topiary {

ActivationBitsAction::ActivationBitsAction(Document* document, QWidget* window)
    : QObject(window)
    , m_document(document)
    , m_action(new QAction(window))
{
    m_action->setObjectName(QStringLiteral("activationBitsAction"));
    connect(m_action, &QAction::triggered, this, &ActivationBitsAction::quantizeAll);
    auto sync = [this] { m_action->setEnabled(!m_document->isEmpty() && m_document->cost()->layers().size() > 2); };
    connect(document, &Document::modelChanged, this, sync);
    retranslateUi();
    sync();
}

void ActivationBitsAction::retranslateUi()
{
    m_action->setText(tr("8-bit &Activations but First and Last Layer"));
    m_action->setStatusTip(tr("Quantize every layer's input activations to 8 bits (uint8, calibrated on the dataset), "
                              "except the first and the last layer"));
}

bool ActivationBitsAction::quantizeAll()
{
    if (m_document->isEmpty())
        return false;
    const Plan plan
        = quantizeAllActivations(m_document->plan(), m_document->cost()->layers(), ActivationSpec { 8, false }, true);
    if (plan == m_document->plan())
        return false;
    return m_document->editPlan(plan, tr("8-bit activations but first and last layer"));
}

} // namespace topiary
