// The editor of one layer's spec: pruning (granularity, criterion, Ratio / Threshold /
// mean+k·std, a slider with a spin box for the value), weight encoding (scheme, bits,
// symmetric, per channel, min/max or MSE range), low-rank factoring (rank, 0 = off) and
// the layer's input activations (float, or 8-bit uint8/int8 on calibrated ranges, with
// the plan's calibration method, which is one for every layer). It shows a spec and
// turns user edits into new specs; the document owns the truth and feeds it back with
// setSpec(), which never emits. A slider drag emits continuously with stillDragging = true
// and once more with false at release, so the owner can merge the drag into one undo step.
// The Step button asks the owner to animate the pruning ratio from 0 up to the value shown
// (for a class to watch every view move together); while the owner steps, it reads Stop.
#pragma once

#include "core/plan/CompressionSpec.h"
#include "core/analysis/LayerInspection.h"

#include <QWidget>

class QCheckBox;
class QComboBox;
class QDoubleSpinBox;
class QGroupBox;
class QLabel;
class QSlider;
class QSpinBox;
class QToolButton;

namespace topiary {

class LayerControls : public QWidget {
    Q_OBJECT

public:
    explicit LayerControls(QWidget* parent = nullptr);

    // Shows `spec` for a layer with these limits (rank bound, slider ranges, which
    // criteria and granularities apply). Never emits.
    void setSpec(const LayerSpec& spec, const LayerLimits& limits);
    // No layer: every control disabled.
    void clear();

    // The spec the controls show now.
    PruneSpec pruneSpec() const;
    QuantSpec quantSpec() const;
    LowRankSpec lowRankSpec() const;
    ActivationSpec activationSpec() const;
    // The plan's calibration method (one for all layers), shown beside the activations.
    void setCalibrationMethod(CalibrationMethod method);
    CalibrationMethod calibrationMethod() const;
    // Under the activation controls: what calibration is doing ("" hides it), with a
    // Cancel button while it runs.
    void setCalibrationStatus(const QString& text, bool running);
    QString calibrationStatus() const;
    QToolButton* cancelCalibrationButton() const { return m_cancelCalibration; }

    // For tests: the value slider (0..kSliderSteps).
    static constexpr int kSliderSteps = 1000;
    QSlider* valueSlider() const { return m_slider; }
    QToolButton* stepButton() const { return m_step; }

    // The owner is animating the ratio (Step pressed): the button becomes Stop and the
    // other pruning controls wait until the animation ends.
    void setStepping(bool stepping);
    bool isStepping() const { return m_stepping; }

signals:
    void pruneEdited(const topiary::PruneSpec& spec, bool stillDragging);
    void quantEdited(const topiary::QuantSpec& spec);
    void lowRankEdited(const topiary::LowRankSpec& spec);
    void activationEdited(const topiary::ActivationSpec& spec);
    void calibrationMethodEdited(topiary::CalibrationMethod method);
    void calibrationCancelRequested();
    // Step pressed: animate the ratio from 0 to target.value (a Ratio spec of this layer).
    void stepRequested(const topiary::PruneSpec& target);
    // Stop pressed while stepping.
    void stepStopRequested();

protected:
    void changeEvent(QEvent* event) override;

private:
    void retranslateUi();
    void updateEnabled();
    void updateValueRange();
    void showValue(double value);
    double sliderToValue(int position) const;
    int valueToSlider(double value) const;
    double valueMaximum() const;
    double valueMinimum() const;

    void onSliderMoved(int position);
    void onSliderReleased();
    void onSpinChanged(double value);
    void onPruneShapeChanged();
    void onQuantChanged();
    void onRankChanged();
    void onActivationChanged();
    void onStepClicked();

    QGroupBox* m_pruneBox = nullptr;
    QLabel* m_granularityLabel = nullptr;
    QComboBox* m_granularity = nullptr;
    QLabel* m_criterionLabel = nullptr;
    QComboBox* m_criterion = nullptr;
    QLabel* m_modeLabel = nullptr;
    QComboBox* m_mode = nullptr;
    QLabel* m_valueLabel = nullptr;
    QSlider* m_slider = nullptr;
    QDoubleSpinBox* m_value = nullptr;
    QToolButton* m_step = nullptr;

    QGroupBox* m_quantBox = nullptr;
    QLabel* m_schemeLabel = nullptr;
    QComboBox* m_scheme = nullptr;
    QLabel* m_bitsLabel = nullptr;
    QSpinBox* m_bits = nullptr;
    QCheckBox* m_symmetric = nullptr;
    QCheckBox* m_perChannel = nullptr;
    QLabel* m_rangeLabel = nullptr;
    QComboBox* m_range = nullptr;

    QGroupBox* m_rankBox = nullptr;
    QLabel* m_rankLabel = nullptr;
    QSpinBox* m_rank = nullptr;

    QGroupBox* m_actBox = nullptr;
    QLabel* m_actLabel = nullptr;
    QComboBox* m_act = nullptr;
    QLabel* m_methodLabel = nullptr;
    QComboBox* m_method = nullptr;
    QLabel* m_calibrationStatus = nullptr;
    QToolButton* m_cancelCalibration = nullptr;

    LayerLimits m_limits;
    QuantScheme m_shownScheme = QuantScheme::Float32;
    bool m_hasLayer = false;
    bool m_updating = false;  // setSpec is writing the controls: no signals
    bool m_stepping = false;
};

} // namespace topiary
