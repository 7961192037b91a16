// The layer's spec editor driven as a user drives it: showing a spec never emits, a
// slider drag emits stillDragging = true while the handle moves and false once at
// release, typing a value emits once, and the encoding and rank controls follow the
// layer's limits.
#include "widgets/LayerControls.h"

#include <QCheckBox>
#include <QComboBox>
#include <QDoubleSpinBox>
#include <QSignalSpy>
#include <QSlider>
#include <QSpinBox>
#include <QStandardItemModel>
#include <QStyle>
#include <QStyleOptionSlider>
#include <QTest>
#include <QToolButton>

using namespace topiary;

namespace {

LayerLimits limits()
{
    LayerLimits l;
    l.filters = 64;
    l.elements = 64 * 32 * 9;
    l.maxRank = 64;
    l.filterPrunable = true;
    l.maxMagnitude = 0.5;
    l.maxScore = {10.0, 2.0, 300.0, 1.0, 0.0};
    l.criterionReason[4] = "APoZ needs a dataset";
    return l;
}

LayerSpec elementRatio(double ratio)
{
    LayerSpec spec;
    spec.prune = {PruneGranularity::Element, Criterion::L1, PruneMode::Ratio, ratio};
    return spec;
}

QPoint handleCentre(QSlider* slider)
{
    QStyleOptionSlider option;
    option.initFrom(slider);
    option.orientation = slider->orientation();
    option.minimum = slider->minimum();
    option.maximum = slider->maximum();
    option.sliderPosition = slider->sliderPosition();
    option.sliderValue = slider->value();
    option.subControls = QStyle::SC_All;
    return slider->style()->subControlRect(QStyle::CC_Slider, &option, QStyle::SC_SliderHandle, slider).center();
}

bool itemEnabled(QComboBox* box, int index)
{
    return qobject_cast<QStandardItemModel*>(box->model())->item(index)->isEnabled();
}

} // namespace

class TestLayerControls : public QObject {
    Q_OBJECT

private slots:
    void setSpecNeverEmits();
    void sliderDragEmitsWhileDraggingThenOnceAtRelease();
    void typedValueEmitsOnce();
    void encodingControls();
    void weightRangeAndActivationControls();
    void rankFollowsTheLayer();
    void filterPruningNeedsAPrunableGroup();
    void stepAsksForTheShownRatioThenBecomesStop();
};

void TestLayerControls::setSpecNeverEmits()
{
    LayerControls controls;
    QSignalSpy prune(&controls, &LayerControls::pruneEdited);
    QSignalSpy quant(&controls, &LayerControls::quantEdited);
    QSignalSpy rank(&controls, &LayerControls::lowRankEdited);
    LayerSpec spec = elementRatio(0.3);
    controls.setSpec(spec, limits());
    spec.prune = {PruneGranularity::Filter, Criterion::Fpgm, PruneMode::Threshold, 120.0};
    spec.quant = {QuantScheme::Uniform, 4, false, true};
    spec.lowRank = {16};
    controls.setSpec(spec, limits());
    controls.setSpec(LayerSpec{}, limits());
    controls.setSpec(spec, limits());
    QCOMPARE(prune.count(), 0);
    QCOMPARE(quant.count(), 0);
    QCOMPARE(rank.count(), 0);
    // ...and shows what it was given.
    QCOMPARE(controls.pruneSpec(), spec.prune);
    QCOMPARE(controls.quantSpec(), spec.quant);
    QCOMPARE(controls.lowRankSpec(), spec.lowRank);
    // A threshold slider spans the criterion's scores: 120 of FPGM's 300.
    QCOMPARE(controls.valueSlider()->value(), LayerControls::kSliderSteps * 120 / 300);
}

void TestLayerControls::sliderDragEmitsWhileDraggingThenOnceAtRelease()
{
    LayerControls controls;
    controls.resize(360, 420);
    controls.show();
    QVERIFY(QTest::qWaitForWindowExposed(&controls));
    controls.setSpec(elementRatio(0.2), limits());
    QSignalSpy prune(&controls, &LayerControls::pruneEdited);

    QSlider* slider = controls.valueSlider();
    const QPoint start = handleCentre(slider);
    QTest::mousePress(slider, Qt::LeftButton, {}, start);
    for (int dx : {10, 25, 40})
        QTest::mouseMove(slider, start + QPoint(dx, 0));
    QTest::mouseRelease(slider, Qt::LeftButton, {}, start + QPoint(40, 0));

    QVERIFY2(prune.count() >= 2, qPrintable(QString::number(prune.count())));
    double previous = 0.2;
    for (int i = 0; i < prune.count() - 1; ++i) {
        QCOMPARE(prune.at(i).at(1).toBool(), true);
        const auto spec = prune.at(i).at(0).value<PruneSpec>();
        QCOMPARE(spec.granularity, PruneGranularity::Element);
        QVERIFY(spec.value > previous);
        previous = spec.value;
    }
    const auto last = prune.at(prune.count() - 1);
    QCOMPARE(last.at(1).toBool(), false);
    QCOMPARE(last.at(0).value<PruneSpec>().value, previous);
    QCOMPARE(last.at(0).value<PruneSpec>().value,
             static_cast<double>(slider->value()) / LayerControls::kSliderSteps);
}

void TestLayerControls::typedValueEmitsOnce()
{
    LayerControls controls;
    controls.show();
    QVERIFY(QTest::qWaitForWindowExposed(&controls));
    controls.setSpec(elementRatio(0.2), limits());
    QSignalSpy prune(&controls, &LayerControls::pruneEdited);
    auto* spin = controls.findChild<QDoubleSpinBox*>(QStringLiteral("pruneValue"));
    spin->setFocus();
    spin->selectAll();
    QTest::keyClicks(spin, QStringLiteral("0.45"));
    QCOMPARE(prune.count(), 0);  // not per keystroke
    QTest::keyClick(spin, Qt::Key_Return);
    QCOMPARE(prune.count(), 1);
    QCOMPARE(prune.at(0).at(0).value<PruneSpec>().value, 0.45);
    QCOMPARE(prune.at(0).at(1).toBool(), false);
    QCOMPARE(controls.valueSlider()->value(), 450);
}

void TestLayerControls::encodingControls()
{
    LayerControls controls;
    controls.show();
    QVERIFY(QTest::qWaitForWindowExposed(&controls));
    controls.setSpec(LayerSpec{}, limits());
    QSignalSpy quant(&controls, &LayerControls::quantEdited);
    auto* scheme = controls.findChild<QComboBox*>(QStringLiteral("quantScheme"));
    auto* bits = controls.findChild<QSpinBox*>(QStringLiteral("quantBits"));
    auto* perChannel = controls.findChild<QCheckBox*>(QStringLiteral("quantPerChannel"));
    QVERIFY(!bits->isEnabled());
    // Float32 -> Float16 -> Uniform with the keyboard: uniform starts at 8 bits.
    scheme->setFocus();
    QTest::keyClick(scheme, Qt::Key_Down);
    QTest::keyClick(scheme, Qt::Key_Down);
    QCOMPARE(quant.count(), 2);
    QCOMPARE(quant.at(0).at(0).value<QuantSpec>().scheme, QuantScheme::Float16);
    QCOMPARE(quant.at(0).at(0).value<QuantSpec>().bits, 16);
    const auto uniform = quant.at(1).at(0).value<QuantSpec>();
    QCOMPARE(uniform.scheme, QuantScheme::Uniform);
    QCOMPARE(uniform.bits, 8);
    QVERIFY(bits->isEnabled());
    QTest::mouseClick(perChannel, Qt::LeftButton);
    QCOMPARE(quant.count(), 3);
    QVERIFY(quant.at(2).at(0).value<QuantSpec>().perChannel);
    // Binary has its one bit whatever the spin box said.
    controls.setSpec(LayerSpec{{}, {QuantScheme::Binary, 1, true, false}, {}, {}}, limits());
    QCOMPARE(controls.quantSpec().bits, 1);
    QVERIFY(!bits->isEnabled());
}

// The weight grid's range (min/max or MSE) and the input activations (float, uint8, int8)
// with the plan's calibration method: shown from the spec without a signal, each change
// one signal carrying the whole new value.
void TestLayerControls::weightRangeAndActivationControls()
{
    LayerControls controls;
    QSignalSpy quant(&controls, &LayerControls::quantEdited);
    QSignalSpy act(&controls, &LayerControls::activationEdited);
    QSignalSpy method(&controls, &LayerControls::calibrationMethodEdited);
    auto* range = controls.findChild<QComboBox*>(QStringLiteral("quantRange"));
    auto* bits = controls.findChild<QComboBox*>(QStringLiteral("activationBits"));
    auto* calibration = controls.findChild<QComboBox*>(QStringLiteral("calibrationMethod"));
    QVERIFY(range && bits && calibration);
    QVERIFY(!bits->isEnabled()); // no layer

    LayerSpec spec;
    spec.quant = {QuantScheme::Uniform, 4, true, true, QuantRange::Mse};
    spec.act = {8, true};
    controls.setSpec(spec, limits());
    controls.setCalibrationMethod(CalibrationMethod::Entropy);
    QCOMPARE(quant.size() + act.size() + method.size(), 0);
    QCOMPARE(controls.quantSpec(), spec.quant);
    QCOMPARE(controls.activationSpec(), spec.act);
    QCOMPARE(controls.calibrationMethod(), CalibrationMethod::Entropy);
    QVERIFY(range->isEnabled() && bits->isEnabled() && calibration->isEnabled());

    range->setCurrentIndex(range->findData(static_cast<int>(QuantRange::MinMax)));
    QCOMPARE(quant.size(), 1);
    const QuantSpec minMax = quant.takeFirst().at(0).value<QuantSpec>();
    QCOMPARE(minMax.range, QuantRange::MinMax);
    QCOMPARE(minMax.bits, 4);

    bits->setCurrentIndex(1);
    QCOMPARE(act.size(), 1);
    QCOMPARE(act.takeFirst().at(0).value<ActivationSpec>(), (ActivationSpec{8, false}));
    bits->setCurrentIndex(0);
    QCOMPARE(act.takeFirst().at(0).value<ActivationSpec>(), ActivationSpec{});
    QVERIFY(!calibration->isEnabled()); // float inputs have nothing to calibrate

    bits->setCurrentIndex(2);
    act.clear();
    calibration->setCurrentIndex(calibration->findData(static_cast<int>(CalibrationMethod::Percentile)));
    QCOMPARE(method.size(), 1);
    QCOMPARE(method.takeFirst().at(0).value<CalibrationMethod>(), CalibrationMethod::Percentile);
    QCOMPARE(act.size(), 0);

    // Float weights: the range does not apply.
    spec.quant = {};
    controls.setSpec(spec, limits());
    QVERIFY(!range->isEnabled());

    // The calibration status, with Cancel while running.
    controls.setCalibrationStatus(QStringLiteral("calibrating"), true);
    QVERIFY(controls.cancelCalibrationButton()->isVisibleTo(&controls));
    QSignalSpy cancel(&controls, &LayerControls::calibrationCancelRequested);
    controls.cancelCalibrationButton()->click();
    QCOMPARE(cancel.size(), 1);
    controls.setCalibrationStatus(QString(), false);
    QVERIFY(!controls.cancelCalibrationButton()->isVisibleTo(&controls));
}

void TestLayerControls::rankFollowsTheLayer()
{
    LayerControls controls;
    controls.show();
    QVERIFY(QTest::qWaitForWindowExposed(&controls));
    auto* rank = controls.findChild<QSpinBox*>(QStringLiteral("lowRank"));
    controls.setSpec(LayerSpec{}, limits());
    QCOMPARE(rank->maximum(), 64);
    QVERIFY(rank->isEnabled());
    QSignalSpy spy(&controls, &LayerControls::lowRankEdited);
    rank->setFocus();
    QTest::keyClick(rank, Qt::Key_Up);
    QCOMPARE(spy.count(), 1);
    QCOMPARE(spy.at(0).at(0).value<LowRankSpec>().rank, 1);

    LayerLimits depthwise = limits();
    depthwise.maxRank = 0;
    depthwise.lowRankReason = "grouped convolutions cannot be factored";
    controls.setSpec(LayerSpec{}, depthwise);
    QVERIFY(!rank->isEnabled());
    QCOMPARE(rank->toolTip(), QStringLiteral("grouped convolutions cannot be factored"));
}

void TestLayerControls::filterPruningNeedsAPrunableGroup()
{
    LayerControls controls;
    LayerLimits l = limits();
    l.filterPrunable = false;
    l.filterReason = "its channels reach a graph output";
    controls.setSpec(LayerSpec{}, l);
    auto* granularity = controls.findChild<QComboBox*>(QStringLiteral("granularity"));
    QVERIFY(!itemEnabled(granularity, 2));
    QVERIFY(granularity->itemData(2, Qt::ToolTipRole).toString().contains(QStringLiteral("graph output")));
    QVERIFY(itemEnabled(granularity, 1));
    // APoZ without data cannot be chosen, and says why.
    auto* criterion = controls.findChild<QComboBox*>(QStringLiteral("pruneCriterion"));
    const int apoz = criterion->findData(static_cast<int>(Criterion::Apoz));
    QVERIFY(!itemEnabled(criterion, apoz));
    QCOMPARE(criterion->itemData(apoz, Qt::ToolTipRole).toString(), QStringLiteral("APoZ needs a dataset"));
}

QTEST_MAIN(TestLayerControls)
#include "tst_layercontrols.moc"

void TestLayerControls::stepAsksForTheShownRatioThenBecomesStop()
{
    LayerControls controls;
    QSignalSpy step(&controls, &LayerControls::stepRequested);
    QSignalSpy stop(&controls, &LayerControls::stepStopRequested);
    QSignalSpy prune(&controls, &LayerControls::pruneEdited);

    controls.setSpec(LayerSpec {}, limits());
    QVERIFY(!controls.stepButton()->isEnabled()); // nothing pruned: nothing to animate
    LayerSpec threshold = elementRatio(0.2);
    threshold.prune.mode = PruneMode::Threshold;
    controls.setSpec(threshold, limits());
    QVERIFY(!controls.stepButton()->isEnabled()); // only a ratio runs from 0 to a value

    LayerSpec filters;
    filters.prune = {PruneGranularity::Filter, Criterion::Fpgm, PruneMode::Ratio, 0.6};
    controls.setSpec(filters, limits());
    QVERIFY(controls.stepButton()->isEnabled());
    const QString stepText = controls.stepButton()->text();
    QTest::mouseClick(controls.stepButton(), Qt::LeftButton);
    QCOMPARE(step.count(), 1);
    QCOMPARE(step.at(0).at(0).value<PruneSpec>(), filters.prune);
    QCOMPARE(prune.count(), 0); // the owner animates; pressing Step edits nothing itself

    controls.setStepping(true);
    QVERIFY(controls.stepButton()->text() != stepText);
    QVERIFY(!controls.valueSlider()->isEnabled());
    QVERIFY(!controls.findChild<QComboBox*>(QStringLiteral("granularity"))->isEnabled());
    QTest::mouseClick(controls.stepButton(), Qt::LeftButton);
    QCOMPARE(stop.count(), 1);
    QCOMPARE(step.count(), 1);

    controls.setStepping(false);
    QCOMPARE(controls.stepButton()->text(), stepText);
    QVERIFY(controls.valueSlider()->isEnabled());
}
