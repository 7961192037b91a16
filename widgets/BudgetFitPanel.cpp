#include "widgets/BudgetFitPanel.h"

#include "widgets/NumberFormat.h"

#include <QCheckBox>
#include <QComboBox>
#include <QDoubleSpinBox>
#include <QEvent>
#include <QFormLayout>
#include <QHBoxLayout>
#include <QLabel>
#include <QProgressBar>
#include <QPushButton>
#include <QSignalBlocker>
#include <QVBoxLayout>

#include <algorithm>

namespace topiary {

namespace {

// Absolute targets are typed in millions (MACs, params) or megabytes: the scale these
// models live at, and the one the totals panel shows.
constexpr double kMillion = 1e6;

} // namespace

BudgetFitPanel::BudgetFitPanel(QWidget* parent)
    : QWidget(parent)
    , m_metric(new QComboBox(this))
    , m_mode(new QComboBox(this))
    , m_value(new QDoubleSpinBox(this))
    , m_original(new QLabel(this))
    , m_loss(new QDoubleSpinBox(this))
    , m_recoveredSweep(new QCheckBox(this))
    , m_propose(new QPushButton(this))
    , m_status(new QLabel(this))
    , m_progress(new QProgressBar(this))
    , m_cancel(new QPushButton(this))
    , m_proposal(new QLabel(this))
    , m_accept(new QPushButton(this))
    , m_discard(new QPushButton(this))
{
    qRegisterMetaType<BudgetRequest>();
    auto* layout = new QVBoxLayout(this);
    m_form = new QFormLayout;
    layout->addLayout(m_form);

    for (int i = 0; i < 3; ++i)
        m_metric->addItem(QString());
    m_metric->setItemData(0, static_cast<int>(BudgetMetric::Macs));
    m_metric->setItemData(1, static_cast<int>(BudgetMetric::Params));
    m_metric->setItemData(2, static_cast<int>(BudgetMetric::Size));
    m_mode->addItem(QString());
    m_mode->addItem(QString());

    auto* targetRow = new QHBoxLayout;
    targetRow->addWidget(m_mode);
    targetRow->addWidget(m_value, 1);
    m_form->addRow(QStringLiteral("metric"), m_metric);
    m_form->addRow(QStringLiteral("target"), targetRow);
    m_form->addRow(QString(), m_original);
    m_form->addRow(QStringLiteral("loss"), m_loss);
    m_form->addRow(QString(), m_recoveredSweep);
    m_recoveredSweep->setObjectName(QStringLiteral("fitRecoveredSweep"));
    m_recoveredSweep->setEnabled(false);

    m_loss->setRange(0.0, 100.0);
    m_loss->setDecimals(1);
    m_loss->setSingleStep(0.5);
    m_loss->setValue(1.0);

    auto* proposeRow = new QHBoxLayout;
    proposeRow->addWidget(m_propose);
    proposeRow->addWidget(m_status, 1);
    layout->addLayout(proposeRow);
    auto* progressRow = new QHBoxLayout;
    progressRow->addWidget(m_progress, 1);
    progressRow->addWidget(m_cancel);
    layout->addLayout(progressRow);
    m_progress->setVisible(false);
    m_cancel->setVisible(false);
    m_cancel->setObjectName(QStringLiteral("fitCancel"));

    m_proposal->setWordWrap(true);
    m_proposal->setTextFormat(Qt::PlainText);
    m_proposal->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_proposal->setFrameShape(QFrame::StyledPanel);
    m_proposal->setMargin(6);
    layout->addWidget(m_proposal);
    auto* decide = new QHBoxLayout;
    decide->addStretch(1);
    decide->addWidget(m_discard);
    decide->addWidget(m_accept);
    layout->addLayout(decide);
    layout->addStretch(1);
    m_status->setWordWrap(true);

    m_value->setValue(50.0);
    connect(m_metric, &QComboBox::currentIndexChanged, this, [this] { updateValueBox(); });
    connect(m_mode, &QComboBox::currentIndexChanged, this, [this] { updateValueBox(); });
    connect(m_propose, &QPushButton::clicked, this, [this] {
        m_lastRequest = request();
        m_error.clear();
        emit proposeRequested(m_lastRequest);
    });
    connect(m_accept, &QPushButton::clicked, this, [this] {
        clearProposal();
        emit accepted();
    });
    connect(m_discard, &QPushButton::clicked, this, [this] {
        clearProposal();
        emit discarded();
    });
    connect(m_cancel, &QPushButton::clicked, this, &BudgetFitPanel::cancelRequested);

    retranslateUi();
    updateValueBox();
    clearProposal();
}

void BudgetFitPanel::retranslateUi()
{
    m_metric->setItemText(0, tr("MACs"));
    m_metric->setItemText(1, tr("Parameters"));
    m_metric->setItemText(2, tr("Weight size"));
    m_metric->setToolTip(tr("What the budget limits: multiply-accumulates, non-zero parameters or encoded weight bytes."));
    m_mode->setItemText(0, tr("% of the original"));
    m_mode->setItemText(1, tr("Absolute"));
    m_mode->setToolTip(tr("Give the target as a share of the original model or as an amount."));
    m_value->setToolTip(tr("The most the compressed model may have of the chosen metric."));
    m_loss->setSuffix(tr(" points"));
    m_loss->setToolTip(tr("How much top-1 accuracy (in percentage points) the proposal may give up, measured on "
                          "the sensitivity analysis's images."));
    m_recoveredSweep->setText(tr("Plan from the sweep after recovery"));
    m_recoveredSweep->setToolTip(tr("With Recover on: measure every sensitivity point again after recovering its "
                                    "single-layer plan, and propose from those losses. Slower the first time; it "
                                    "favours the layers recovery repairs best."));
    m_propose->setText(tr("&Propose"));
    m_propose->setToolTip(tr("Compute a per-layer pruning plan that meets the target from the measured sensitivity, "
                             "then measure it (after recovery when Recover is on) and adjust it until it keeps the "
                             "allowed loss."));
    m_cancel->setText(tr("Cancel"));
    m_cancel->setToolTip(tr("Stop measuring; the current plan stays as it is."));
    m_progress->setToolTip(tr("Plans measured, of at most this many"));
    m_accept->setText(tr("&Accept"));
    m_accept->setToolTip(tr("Make the proposed plan the current plan (one undo step)."));
    m_discard->setText(tr("&Discard"));
    m_discard->setToolTip(tr("Forget the proposal and keep the current plan."));
    if (auto* label = qobject_cast<QLabel*>(m_form->labelForField(m_metric)))
        label->setText(tr("Metric:"));
    if (auto* label = qobject_cast<QLabel*>(m_form->itemAt(1, QFormLayout::LabelRole)->widget()))
        label->setText(tr("Target:"));
    if (auto* label = qobject_cast<QLabel*>(m_form->labelForField(m_loss)))
        label->setText(tr("Allowed accuracy loss:"));
    setToolTip(tr("Fit the plan to a budget from the sensitivity analysis."));
    updateValueBox();
    if (m_hasProposal)
        setProposal(m_last);
    else
        clearProposal();
}

void BudgetFitPanel::changeEvent(QEvent* event)
{
    if (event->type() == QEvent::LanguageChange)
        retranslateUi();
    QWidget::changeEvent(event);
}

int64_t BudgetFitPanel::originalOf(BudgetMetric metric) const
{
    switch (metric) {
    case BudgetMetric::Macs:
        return m_macs;
    case BudgetMetric::Params:
        return m_params;
    case BudgetMetric::Size:
        return m_bytes;
    }
    return 0;
}

QString BudgetFitPanel::amountText(BudgetMetric metric, double amount) const
{
    const auto n = static_cast<qint64>(amount);
    switch (metric) {
    case BudgetMetric::Macs:
        return tr("%1 MACs").arg(format::compact(n));
    case BudgetMetric::Params:
        return tr("%1 parameters").arg(format::compact(n));
    case BudgetMetric::Size:
        return format::bytes(n);
    }
    return {};
}

void BudgetFitPanel::setOriginal(int64_t macs, int64_t params, int64_t bytes)
{
    m_macs = macs;
    m_params = params;
    m_bytes = bytes;
    updateValueBox();
}

void BudgetFitPanel::updateValueBox()
{
    const auto metric = static_cast<BudgetMetric>(m_metric->currentData().toInt());
    const bool relative = m_mode->currentIndex() == 0;
    const int64_t original = originalOf(metric);
    const QSignalBlocker block(m_value);
    if (relative) {
        const double previous = m_value->suffix() == tr(" %") ? m_value->value() : 50.0;
        m_value->setDecimals(1);
        m_value->setRange(0.1, 100.0);
        m_value->setSingleStep(5.0);
        m_value->setSuffix(tr(" %"));
        m_value->setValue(previous);
    } else {
        const double previous = m_value->suffix() == tr(" %") && original > 0
            ? m_value->value() / 100.0 * static_cast<double>(original) / kMillion
            : m_value->value();
        m_value->setDecimals(3);
        m_value->setRange(0.001, original > 0 ? static_cast<double>(original) / kMillion : 1e9);
        m_value->setSingleStep(original > 0 ? static_cast<double>(original) / kMillion / 20.0 : 1.0);
        m_value->setSuffix(metric == BudgetMetric::Size ? tr(" MB")
                : metric == BudgetMetric::Macs         ? tr(" M MACs")
                                                        : tr(" M parameters"));
        m_value->setValue(previous);
    }
    m_original->setText(original > 0
            ? tr("The original model has %1.").arg(amountText(metric, static_cast<double>(original)))
            : QString());
}

BudgetRequest BudgetFitPanel::request() const
{
    BudgetRequest r;
    r.metric = static_cast<BudgetMetric>(m_metric->currentData().toInt());
    r.relative = m_mode->currentIndex() == 0;
    r.value = r.relative ? m_value->value() : m_value->value() * kMillion;
    r.maxLoss = m_loss->value() / 100.0;
    r.recoveredSweep = m_recoveryOn && m_recoveredSweep->isChecked();
    return r;
}

void BudgetFitPanel::setRequest(const BudgetRequest& request)
{
    m_metric->setCurrentIndex(m_metric->findData(static_cast<int>(request.metric)));
    m_mode->setCurrentIndex(request.relative ? 0 : 1);
    updateValueBox();
    m_value->setValue(request.relative ? request.value : request.value / kMillion);
    m_loss->setValue(request.maxLoss * 100.0);
    m_recoveredSweep->setChecked(request.recoveredSweep);
}

void BudgetFitPanel::setRecoveryOn(bool on)
{
    m_recoveryOn = on;
    updateButtons();
}

void BudgetFitPanel::setBusy(bool busy)
{
    m_busy = busy;
    if (busy)
        m_error.clear();
    m_status->setStyleSheet(QString());
    m_status->setText(busy ? tr("Fitting the plan to the budget…") : QString());
    m_progress->setVisible(busy);
    m_cancel->setVisible(busy);
    if (busy)
        m_progress->setRange(0, 0);
    updateButtons();
}

void BudgetFitPanel::setProgress(int step, int steps, const QString& what)
{
    if (!m_busy)
        return;
    m_progress->setRange(0, std::max(steps, 0));
    m_progress->setValue(std::clamp(step, 0, std::max(steps, 0)));
    m_status->setText(steps > 0 ? tr("Fitting: %1 (%2 of at most %3 plans measured)…").arg(what).arg(step).arg(steps)
                                : tr("Fitting: %1…").arg(what));
}

QString BudgetFitPanel::statusText() const
{
    return m_status->text();
}

void BudgetFitPanel::setError(const QString& message)
{
    m_busy = false;
    m_progress->setVisible(false);
    m_cancel->setVisible(false);
    m_error = message;
    m_status->setStyleSheet(QStringLiteral("color: #c0392b"));
    m_status->setText(message);
    updateButtons();
}

void BudgetFitPanel::setProposal(const BudgetProposal& proposal)
{
    m_busy = false;
    m_progress->setVisible(false);
    m_cancel->setVisible(false);
    m_hasProposal = true;
    m_last = proposal;
    m_status->setText(QString());
    const BudgetMetric metric = m_lastRequest.metric;
    const QString metricName = m_metric->itemText(m_metric->findData(static_cast<int>(metric)));
    const int64_t original = originalOf(metric);
    QString target = m_lastRequest.relative
        ? tr("%1 %").arg(format::fixed(m_lastRequest.value, 1))
        : amountText(metric, m_lastRequest.value);
    QString achieved = tr("%1 % of the original").arg(format::fixed(100.0 * proposal.achieved, 1));
    if (original > 0)
        achieved += QStringLiteral(" (") + amountText(metric, proposal.achieved * static_cast<double>(original))
            + QLatin1Char(')');
    QStringList lines;
    if (!proposal.summary.isEmpty())
        lines << proposal.summary;
    lines << (proposal.met    ? tr("%1: %2, target %3: met.")
                 : proposal.measuredLoss ? tr("%1: %2, target %3: not reached.")
                                         : tr("%1: %2, target %3: not reached even at the largest measured pruning "
                                              "ratios."))
                 .arg(metricName, achieved, target);
    const QString predicted = format::fixed(100.0 * proposal.predictedLoss, 2);
    const QString allowed = format::fixed(100.0 * m_lastRequest.maxLoss, 1);
    auto points = [](double loss) { return format::fixed(100.0 * loss, 2); };
    if (!proposal.measuredLoss) {
        lines << (proposal.predictedLoss <= m_lastRequest.maxLoss
                ? tr("Predicted accuracy loss: %1 points (allowed %2).")
                : tr("Predicted accuracy loss: %1 points, more than the %2 allowed."))
                     .arg(predicted, allowed);
    } else {
        const QString measured = proposal.unrecoveredLoss
            ? tr("%1 points before recovery, %2 after").arg(points(*proposal.unrecoveredLoss), points(*proposal.measuredLoss))
            : tr("%1 points").arg(points(*proposal.measuredLoss));
        lines << tr("Accuracy loss predicted %1 points, measured %2 (allowed %3).").arg(predicted, measured, allowed);
        if (!proposal.withinLoss)
            lines << tr("Out of reach at this loss: none of the %n plans measured kept within %1 points; this is "
                        "the one that lost least.", nullptr, proposal.plansTried)
                         .arg(allowed);
        else if (!proposal.met)
            lines << tr("The target is out of reach at this loss: this is the most compressed of the %n plans "
                        "measured that kept within %1 points.", nullptr, proposal.plansTried)
                         .arg(allowed);
        else if (proposal.plansTried > 1)
            lines << tr("Found after measuring %n plans.", nullptr, proposal.plansTried);
    }
    // Numbers stay on one line with their unit.
    m_proposal->setText(lines.join(QLatin1Char('\n')).replace(QStringLiteral(" %"), QStringLiteral("\u00a0%")));
    m_proposal->setVisible(true);
    updateButtons();
}

void BudgetFitPanel::clearProposal()
{
    m_hasProposal = false;
    m_last = BudgetProposal {};
    m_proposal->clear();
    m_proposal->setVisible(false);
    updateButtons();
}

QString BudgetFitPanel::proposalText() const
{
    return m_proposal->text();
}

void BudgetFitPanel::updateButtons()
{
    for (QWidget* w : { static_cast<QWidget*>(m_metric), static_cast<QWidget*>(m_mode),
             static_cast<QWidget*>(m_value), static_cast<QWidget*>(m_loss) })
        w->setEnabled(!m_busy);
    m_recoveredSweep->setEnabled(!m_busy && m_recoveryOn);
    m_propose->setEnabled(!m_busy);
    m_cancel->setEnabled(m_busy);
    m_accept->setEnabled(m_hasProposal && !m_busy);
    m_discard->setEnabled(m_hasProposal && !m_busy);
}

} // namespace topiary
