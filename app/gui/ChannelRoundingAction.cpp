#include "ChannelRoundingAction.h"

#include "Document.h"

#include <QAction>
#include <QSignalBlocker>
#include <QWidget>

namespace topiary {

ChannelRoundingAction::ChannelRoundingAction(Document* document, QWidget* window)
    : QObject(window)
    , m_document(document)
    , m_action(new QAction(window))
{
    m_action->setObjectName(QStringLiteral("roundChannelsAction"));
    m_action->setCheckable(true);
    connect(m_action, &QAction::toggled, this, &ChannelRoundingAction::toggle);
    connect(document, &Document::planChanged, this, &ChannelRoundingAction::sync);
    connect(document, &Document::modelChanged, this, &ChannelRoundingAction::sync);
    retranslateUi();
    sync();
}

void ChannelRoundingAction::retranslateUi()
{
    m_action->setText(tr("Keep Channel Counts Multiples of &8"));
    m_action->setStatusTip(tr("Filter pruning keeps a multiple of 8 channels in every layer: fast kernels "
                              "need aligned widths, and an unaligned shrunk model can run slower than the original"));
}

void ChannelRoundingAction::sync()
{
    const QSignalBlocker block(m_action);
    m_action->setEnabled(m_document->model() != nullptr);
    m_action->setChecked(m_document->plan().options().roundChannels);
}

void ChannelRoundingAction::toggle(bool on)
{
    PlanOptions options = m_document->plan().options();
    if (options.roundChannels == on)
        return;
    options.roundChannels = on;
    options.channelMultiple = PlanOptions::kDefaultChannelMultiple;
    if (!m_document->editPlan(m_document->plan().withOptions(options),
            on ? tr("Keep channel counts multiples of 8") : tr("Stop rounding channel counts")))
        sync(); // refused: show the plan's state again
}

} // namespace topiary
