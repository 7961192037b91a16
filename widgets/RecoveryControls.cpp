#include "widgets/RecoveryControls.h"

#include "widgets/NumberFormat.h"

#include "core/eval/EvaluationResult.h"

#include <QCheckBox>
#include <QEvent>
#include <QGridLayout>
#include <QHBoxLayout>
#include <QLabel>
#include <QProgressBar>
#include <QPushButton>
#include <QSignalBlocker>
#include <QStyle>

#include <algorithm>

namespace topiary {

RecoveryControls::RecoveryControls(QWidget* parent)
    : QWidget(parent)
    , m_enabled(new QCheckBox(this))
    , m_batchNorm(new QCheckBox(this))
    , m_bias(new QCheckBox(this))
    , m_leastSquares(new QCheckBox(this))
    , m_prunedCaption(new QLabel(this))
    , m_pruned(new QLabel(this))
    , m_recoveredCaption(new QLabel(this))
    , m_recovered(new QLabel(this))
    , m_status(new QLabel(this))
    , m_progress(new QProgressBar(this))
    , m_cancel(new QPushButton(this))
{
    m_enabled->setObjectName(QStringLiteral("recoverSwitch"));
    m_batchNorm->setObjectName(QStringLiteral("recoverBatchNorm"));
    m_bias->setObjectName(QStringLiteral("recoverBias"));
    m_leastSquares->setObjectName(QStringLiteral("recoverLeastSquares"));
    m_pruned->setObjectName(QStringLiteral("prunedAccuracyValue"));
    m_recovered->setObjectName(QStringLiteral("recoveredAccuracyValue"));
    m_cancel->setObjectName(QStringLiteral("recoverCancel"));
    m_status->setObjectName(QStringLiteral("recoverStatus"));
    for (QLabel* v : { m_pruned, m_recovered }) {
        v->setAlignment(Qt::AlignRight | Qt::AlignVCenter);
        v->setTextInteractionFlags(Qt::TextSelectableByMouse);
    }
    m_status->setWordWrap(true);
    m_progress->setTextVisible(false);
    m_progress->setMaximumHeight(10);

    auto* layout = new QGridLayout(this);
    // Aligned with the totals below it, which keep the style's margins.
    const int margin = style()->pixelMetric(QStyle::PM_LayoutLeftMargin);
    layout->setContentsMargins(margin, margin / 2, margin, 0);
    layout->setColumnStretch(1, 1);
    layout->setHorizontalSpacing(16);
    auto* methods = new QHBoxLayout;
    methods->addWidget(m_batchNorm);
    methods->addWidget(m_bias);
    methods->addWidget(m_leastSquares);
    methods->addStretch(1);
    // The switch and its methods share a row, and the accuracy rows show only while it is
    // on: the section sits at the top of the Totals dock, which is short at 1366x768.
    layout->addWidget(m_enabled, 0, 0);
    layout->addLayout(methods, 0, 1);
    layout->addWidget(m_prunedCaption, 1, 0);
    layout->addWidget(m_pruned, 1, 1);
    layout->addWidget(m_recoveredCaption, 2, 0);
    layout->addWidget(m_recovered, 2, 1);
    auto* busy = new QHBoxLayout;
    busy->addWidget(m_progress, 1);
    busy->addWidget(m_cancel);
    layout->addLayout(busy, 3, 0, 1, 2);
    layout->addWidget(m_status, 4, 0, 1, 2);

    connect(m_enabled, &QCheckBox::toggled, this, [this](bool on) {
        // Switched on with no method chosen: all three, the usual combination.
        if (on && !m_batchNorm->isChecked() && !m_bias->isChecked() && !m_leastSquares->isChecked()) {
            const QSignalBlocker a(m_batchNorm), b(m_bias), c(m_leastSquares);
            m_batchNorm->setChecked(true);
            m_bias->setChecked(true);
            m_leastSquares->setChecked(true);
        }
        emitEdited();
    });
    for (QCheckBox* box : { m_batchNorm, m_bias, m_leastSquares })
        connect(box, &QCheckBox::toggled, this, [this] { emitEdited(); });
    connect(m_cancel, &QPushButton::clicked, this, &RecoveryControls::cancelRequested);
    retranslateUi();
    setSpec({});
    setIdle();
}

void RecoveryControls::setSpec(const RecoverySpec& spec)
{
    m_spec = spec;
    const QSignalBlocker a(m_enabled), b(m_batchNorm), c(m_bias), d(m_leastSquares);
    m_enabled->setChecked(spec.any());
    if (spec.any()) { // off keeps the boxes as they were, for switching back on
        m_batchNorm->setChecked(spec.batchNorm);
        m_bias->setChecked(spec.bias);
        m_leastSquares->setChecked(spec.leastSquares);
    }
    updateEnabled();
}

RecoverySpec RecoveryControls::spec() const
{
    return m_spec;
}

void RecoveryControls::emitEdited()
{
    RecoverySpec next = m_spec;
    const bool on = m_enabled->isChecked();
    next.batchNorm = on && m_batchNorm->isChecked();
    next.bias = on && m_bias->isChecked();
    next.leastSquares = on && m_leastSquares->isChecked();
    m_spec = next;
    updateEnabled();
    emit specEdited(next);
}

void RecoveryControls::updateEnabled()
{
    const bool on = m_enabled->isChecked();
    for (QCheckBox* box : { m_batchNorm, m_bias, m_leastSquares })
        box->setEnabled(on);
    for (QWidget* w : { static_cast<QWidget*>(m_prunedCaption), static_cast<QWidget*>(m_pruned),
             static_cast<QWidget*>(m_recoveredCaption), static_cast<QWidget*>(m_recovered) })
        w->setVisible(on);
}

void RecoveryControls::setAccuracy(const EvaluationMetrics* pruned, const EvaluationMetrics* recovered)
{
    auto text = [](const EvaluationMetrics* m) {
        if (!m || m->labelled == 0)
            return QStringLiteral("—");
        const Estimate& e = m->top1();
        return tr("%1 % [%2, %3]")
            .arg(format::fixed(100.0 * e.value, 1), format::fixed(100.0 * e.low, 1), format::fixed(100.0 * e.high, 1));
    };
    m_pruned->setText(text(pruned));
    m_recovered->setText(m_spec.any() ? text(recovered) : QStringLiteral("—"));
}

void RecoveryControls::setProgress(int step, int steps, const QString& what)
{
    m_progress->setVisible(true);
    m_cancel->setVisible(true);
    m_progress->setRange(0, std::max(0, steps));
    m_progress->setValue(std::clamp(step, 0, std::max(0, steps)));
    m_status->setText(steps > 0 ? tr("%1: %2 of %3").arg(what).arg(step).arg(steps) : what);
}

void RecoveryControls::setIdle(const QString& status)
{
    m_progress->setVisible(false);
    m_cancel->setVisible(false);
    m_status->setText(status);
    m_status->setVisible(!status.isEmpty());
}

QString RecoveryControls::recoveredText() const
{
    return m_recovered->text();
}

QString RecoveryControls::statusText() const
{
    return m_status->text();
}

void RecoveryControls::changeEvent(QEvent* event)
{
    if (event->type() == QEvent::LanguageChange)
        retranslateUi();
    QWidget::changeEvent(event);
}

void RecoveryControls::retranslateUi()
{
    m_enabled->setText(tr("Recover without training"));
    m_enabled->setToolTip(tr("Repair the compressed model's weights from calibration images of the dataset "
                             "(no labels, no training), and show its accuracy after the repair"));
    m_batchNorm->setText(tr("BN"));
    m_batchNorm->setToolTip(tr("Re-estimate BatchNorm statistics on the compressed model's own activations"));
    m_bias->setText(tr("Bias"));
    m_bias->setToolTip(tr("Shift each output channel's bias so its mean output matches the original's"));
    m_leastSquares->setText(tr("Least squares"));
    m_leastSquares->setToolTip(tr("Refit each compressed layer's kept weights so its output matches the original's"));
    m_prunedCaption->setText(tr("Top-1 compressed"));
    m_recoveredCaption->setText(tr("Top-1 recovered"));
    m_cancel->setText(tr("Cancel"));
}

} // namespace topiary
