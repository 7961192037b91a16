// The non-modal "fit to budget" form: the user picks a metric (MACs, params, size), a target
// (a percentage of the original, or an absolute amount) and the accuracy loss they accept,
// and asks for a proposal; the application fits and measures the plan off the GUI thread
// (showing its progress here, with Cancel) and shows the result: the predicted and the
// measured loss (before and after recovery when the plan recovers), and plainly whether
// the target is out of reach at that loss. The user accepts it or discards it.
// The panel holds no model logic: it only turns the form into a request and a proposal
// into text.
#pragma once

#include "core/analysis/BudgetFit.h"

#include <QString>
#include <QWidget>

#include <cstdint>
#include <optional>

class QCheckBox;
class QComboBox;
class QDoubleSpinBox;
class QFormLayout;
class QLabel;
class QProgressBar;
class QPushButton;

namespace topiary {

struct BudgetRequest {
    BudgetMetric metric = BudgetMetric::Macs;
    bool relative = true; // value is a percentage of the original; otherwise an absolute amount
    double value = 50.0; // percent, or MACs / params / bytes
    double maxLoss = 0.01; // accuracy loss accepted, as a fraction (0.01 = one point of top-1)
    // With recovery on: propose from the sweep measured again after recovery (each point's
    // single-layer plan repaired), which prefers the layers recovery repairs best.
    bool recoveredSweep = false;

    // The core's target for a model whose metric is `original` (MACs, params or bytes).
    BudgetTarget target(double original) const
    {
        return { metric, relative ? value / 100.0 : (original > 0.0 ? value / original : 1.0) };
    }
};

struct BudgetProposal {
    QString summary; // e.g. "Prunes 14 layers; 2 of them by more than half"
    double achieved = 1.0; // the metric's fraction of the original under the proposed plan
    double predictedLoss = 0.0; // accuracy loss the sensitivity predicts, as a fraction
    bool met = false; // whether the plan reaches the target
    // Measured on images (absent: only predicted).
    std::optional<double> measuredLoss; // after recovery when recovered
    std::optional<double> unrecoveredLoss; // with recovery: the same plan measured without it
    bool withinLoss = true; // the measured loss is within the allowed loss
    int plansTried = 1; // the greedy proposal and its adjustments
};

class BudgetFitPanel : public QWidget {
    Q_OBJECT

public:
    explicit BudgetFitPanel(QWidget* parent = nullptr);

    // The original model's totals, shown beside the target and used for absolute targets.
    void setOriginal(int64_t macs, int64_t params, int64_t bytes);
    BudgetRequest request() const;
    void setRequest(const BudgetRequest& request);

    // Whether the plan recovers: the choice of the sweep after recovery is offered only then.
    void setRecoveryOn(bool on);
    // While the application fits: the form is locked and says so.
    void setBusy(bool busy);
    // While busy: step of steps (0 of 0: no measure yet) and what is being done.
    void setProgress(int step, int steps, const QString& what);
    void setProposal(const BudgetProposal& proposal);
    void setError(const QString& message);
    // Back to the form without a proposal (also after Accept or Discard).
    void clearProposal();
    bool hasProposal() const { return m_hasProposal; }

    // For tests: the controls.
    QComboBox* metricBox() const { return m_metric; }
    QComboBox* modeBox() const { return m_mode; }
    QDoubleSpinBox* valueBox() const { return m_value; }
    QDoubleSpinBox* lossBox() const { return m_loss; }
    QCheckBox* recoveredSweepBox() const { return m_recoveredSweep; }
    QPushButton* proposeButton() const { return m_propose; }
    QPushButton* acceptButton() const { return m_accept; }
    QPushButton* discardButton() const { return m_discard; }
    QPushButton* cancelButton() const { return m_cancel; }
    QProgressBar* progressBar() const { return m_progress; }
    QString statusText() const;
    QString proposalText() const;

signals:
    void proposeRequested(const topiary::BudgetRequest& request);
    void accepted();
    void discarded();
    // Stop the fit being computed.
    void cancelRequested();

protected:
    void changeEvent(QEvent* event) override;

private:
    void retranslateUi();
    void updateValueBox();
    void updateButtons();
    int64_t originalOf(BudgetMetric metric) const;
    QString amountText(BudgetMetric metric, double amount) const;

    QFormLayout* m_form = nullptr;
    QComboBox* m_metric = nullptr;
    QComboBox* m_mode = nullptr;
    QDoubleSpinBox* m_value = nullptr;
    QLabel* m_original = nullptr;
    QDoubleSpinBox* m_loss = nullptr;
    QCheckBox* m_recoveredSweep = nullptr;
    QPushButton* m_propose = nullptr;
    QLabel* m_status = nullptr;
    QProgressBar* m_progress = nullptr;
    QPushButton* m_cancel = nullptr;
    QLabel* m_proposal = nullptr;
    QPushButton* m_accept = nullptr;
    QPushButton* m_discard = nullptr;

    int64_t m_macs = 0;
    int64_t m_params = 0;
    int64_t m_bytes = 0;
    bool m_busy = false;
    bool m_recoveryOn = false;
    bool m_hasProposal = false;
    BudgetProposal m_last;
    BudgetRequest m_lastRequest;
    QString m_error;
};

} // namespace topiary

Q_DECLARE_METATYPE(topiary::BudgetRequest)
