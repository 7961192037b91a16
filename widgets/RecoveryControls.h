// The totals panel's Recover section: a switch for calibration-based recovery with its
// methods (BN re-estimation, bias correction, least squares), the accuracy pruned and
// recovered side by side, and the worker's progress with a Cancel button. Shows and edits
// a RecoverySpec; running recovery is the application's (RecoveryRunner).
#pragma once

#include "core/plan/RecoverySpec.h"

#include <QWidget>

class QCheckBox;
class QLabel;
class QProgressBar;
class QPushButton;

namespace topiary {

struct EvaluationMetrics;

class RecoveryControls : public QWidget {
    Q_OBJECT

public:
    explicit RecoveryControls(QWidget* parent = nullptr);

    // The plan's recovery (no signal).
    void setSpec(const RecoverySpec& spec);
    RecoverySpec spec() const;
    // Top-1 of the compressed model (as the live estimate has it) and after recovery; null:
    // not measured (yet).
    void setAccuracy(const EvaluationMetrics* pruned, const EvaluationMetrics* recovered);
    // step of steps of `what`; steps 0: busy without a count. Hidden by setIdle.
    void setProgress(int step, int steps, const QString& what);
    void setIdle(const QString& status = {});

    QString recoveredText() const;
    QString statusText() const;

signals:
    // The switch or a method changed (from the user).
    void specEdited(const topiary::RecoverySpec& spec);
    void cancelRequested();

protected:
    void changeEvent(QEvent* event) override;

private:
    void retranslateUi();
    void emitEdited();
    void updateEnabled();

    RecoverySpec m_spec;
    QCheckBox* m_enabled;
    QCheckBox* m_batchNorm;
    QCheckBox* m_bias;
    QCheckBox* m_leastSquares;
    QLabel* m_prunedCaption;
    QLabel* m_pruned;
    QLabel* m_recoveredCaption;
    QLabel* m_recovered;
    QLabel* m_status;
    QProgressBar* m_progress;
    QPushButton* m_cancel;
};

} // namespace topiary
