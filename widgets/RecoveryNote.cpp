#include "widgets/RecoveryNote.h"

#include "widgets/NumberFormat.h"

#include "core/analysis/RecoveryExplanation.h"

namespace topiary {

RecoveryNote::RecoveryNote(QWidget* parent)
    : QLabel(parent)
{
    setObjectName(QStringLiteral("recoveryNote"));
    setWordWrap(true);
    setTextFormat(Qt::RichText);
    setTextInteractionFlags(Qt::TextSelectableByMouse);
    setContentsMargins(6, 4, 6, 4);
    hide();
}

void RecoveryNote::setExplanation(const RecoveryExplanation& e, int images)
{
    auto num = [](double v) { return format::fixed(v, 4); };
    QStringList lines;
    lines << tr("<b>Recovery of %1</b> (%2 calibration images)")
                 .arg(QString::fromStdString(e.layer).toHtmlEscaped(), format::count(images));
    if (e.refitted)
        lines << tr("Least squares: output error against the original %1 % before the refit, %2 % after "
                    "(Σ(y − ŷ)² / Σy² on the sampled positions).")
                     .arg(format::fixed(100.0 * e.residualBefore, 2), format::fixed(100.0 * e.residualAfter, 2));
    if (e.batchNorm)
        lines << tr("BatchNorm: running means of %1 channels moved by %2 on average (at most %3); running "
                    "variances scaled by %4 to %5.")
                     .arg(e.channels)
                     .arg(num(e.meanShift), num(e.maxMeanShift), format::fixed(e.varianceRatioLow, 3),
                         format::fixed(e.varianceRatioHigh, 3));
    if (e.biasCorrected)
        lines << tr("Bias correction: %1 channels shifted by %2 on average (at most %3), so their mean output "
                    "equals the original's.")
                     .arg(e.shiftedChannels)
                     .arg(num(e.biasShift), num(e.maxBiasShift));
    for (const auto& note : e.notes)
        lines << QString::fromStdString(note).toHtmlEscaped();
    if (lines.size() == 1)
        lines << tr("Nothing changed on this layer.");
    setText(lines.join(QStringLiteral("<br>")));
    show();
}

void RecoveryNote::clearExplanation()
{
    clear();
    hide();
}

} // namespace topiary
