// The Explain panel renders the numbers of the Explanation the core computed for a layer:
// the filters L1 and FPGM would prune and their Jaccard overlap, the quantization scale,
// levels and SQNR, Huffman bits per weight, low-rank energy and parameters; and it shows
// only the topics the layer's spec uses. With TOPIARY_EXPLAIN_SHOTS=<dir> and
// TOPIARY_REFERENCE_DIR holding the torchvision models, it also saves a screenshot of a
// resnet18 conv with 4-bit quantization and 30 % filter pruning, for a person to look at.
#include "widgets/ExplainPanel.h"
#include "widgets/NumberFormat.h"

#include "ModelBuilder.h"

#include "core/model/CostModel.h"
#include "core/model/DependencyGroups.h"
#include "core/analysis/Explanation.h"
#include "core/analysis/LayerInspection.h"
#include "core/model/Layer.h"
#include "core/model/Model.h"
#include "core/plan/Plan.h"
#include "core/compress/PruneSelection.h"
#include "core/analysis/Stats.h"

#include <QScrollBar>
#include <QTest>

#include <cmath>
#include <filesystem>
#include <memory>

using namespace topiary;
namespace fs = std::filesystem;

namespace {

struct Loaded {
    Model model;
    std::vector<Layer> layers;
    std::vector<DependencyGroup> groups;
    CostModel cost;

    explicit Loaded(Model m)
        : model(std::move(m))
        , layers(findLayers(model))
        , groups(findDependencyGroups(model, layers))
        , cost(model)
    {
    }

    int index(const std::string& name) const
    {
        for (size_t i = 0; i < layers.size(); ++i)
            if (layers[i].name == name)
                return static_cast<int>(i);
        return -1;
    }

    // The explanation as the window computes it: inspection, stats, then explainLayer.
    Explanation explain(int layer, const Plan& plan) const
    {
        const auto& name = layers[static_cast<size_t>(layer)].name;
        auto in = inspectLayer(model, layers, groups, layer, plan, weightScorer(model, layers));
        if (!in)
            qFatal("inspectLayer: %s", in.error().message.c_str());
        const auto stats = StatsModel(model, cost, groups).compute(plan);
        auto e = explainLayer(model, layers, layer, plan.spec(name), *in, &stats.layers[static_cast<size_t>(layer)]);
        if (!e)
            qFatal("explainLayer: %s", e.error().message.c_str());
        return *e;
    }
};

// conv "c": 16 filters of 8x3x3 ramp weights, then a consumer so its group is prunable.
std::unique_ptr<Loaded> smallConv()
{
    test::ModelBuilder b;
    b.input("x", {1, 8, 6, 6});
    b.conv("c", "x", "y", 8, 16, 3);
    b.node("Relu", {"y"}, {"r"}, "relu");
    b.conv("next", "r", "out", 16, 4, 1);
    b.output("out");
    auto model = Model::fromProto(b.build(), {});
    if (!model)
        qFatal("model: %s", model.error().message.c_str());
    return std::make_unique<Loaded>(std::move(*model));
}

QString num(double v)
{
    return format::significant(v, 3);
}

QString joined(const std::vector<int64_t>& filters)
{
    QStringList parts;
    for (size_t i = 0; i < filters.size() && i < 16; ++i)
        parts << QString::number(filters[i]);
    return parts.join(QStringLiteral(", "));
}

} // namespace

class TestExplainPanel : public QObject {
    Q_OBJECT

private slots:
    void showsPruningAndUniformQuantizationNumbers();
    void showsHuffmanBitsForACodebook();
    void showsLowRankEnergyAndParameters();
    void keepsScrollOnAPlanEditOfTheSameLayer();
    void clearShowsAHint();
    void showsWhatApozMeasured();
    void showsWhatRecoveryChanged();
    void screenshotOfAResnet18Conv();
};

void TestExplainPanel::showsPruningAndUniformQuantizationNumbers()
{
    const auto m = smallConv();
    const int c = m->index("c");
    Plan plan = withLayerPrune(Plan{}, m->layers, m->groups, c,
                               {PruneGranularity::Filter, Criterion::Fpgm, PruneMode::Ratio, 0.25})
                    .withQuant("c", {QuantScheme::Uniform, 4, true, false});
    const Explanation e = m->explain(c, plan);
    QVERIFY(e.pruning && e.pruning->l1Pruned && e.pruning->fpgmPruned);
    QVERIFY(e.quant);

    ExplainPanel panel;
    panel.setExplanation(e, QStringLiteral("c"));
    const QString text = panel.toPlainText();
    QVERIFY(text.contains(QStringLiteral("FPGM would prune filters ") + joined(*e.pruning->fpgmPruned)));
    QVERIFY(text.contains(QStringLiteral("L1 would prune filters ") + joined(*e.pruning->l1Pruned)));
    QVERIFY(text.contains(QStringLiteral("they agree on %1 of %2").arg(e.pruning->overlap).arg(e.pruning->l1Pruned->size())));
    QVERIFY(text.contains(format::fixed(e.pruning->jaccard, 2)));
    QVERIFY(text.contains(QStringLiteral("The plan removes %1 of the 16 filters by FPGM: %2")
                              .arg(e.pruning->planPruned.size())
                              .arg(joined(e.pruning->planPruned))));
    QVERIFY(text.contains(QStringLiteral("s = ") + num(e.quant->scale)));
    QVERIFY(text.contains(QStringLiteral("15 levels (q from -7 to 7)")));
    QVERIFY(text.contains(QStringLiteral("[%1, %2]").arg(num(e.quant->clipLow), num(e.quant->clipHigh))));
    QVERIFY(text.contains(format::fixed(e.quant->sqnrDb, 1) + QStringLiteral(" dB")));
    // Tiny errors are written as a power of ten (superscripts come out as plain digits).
    QString mse = num(e.quant->mse);
    if (e.quant->mse < 1e-3) {
        const int exponent = static_cast<int>(std::floor(std::log10(e.quant->mse)));
        mse = format::fixed(e.quant->mse / std::pow(10.0, exponent), 2) + QStringLiteral("·10−")
            + QString::number(-exponent);
    }
    QVERIFY2(text.contains(QStringLiteral("MSE = mean (w − ŵ)2 = ") + mse), qPrintable(mse));
    // Only the topics of this spec.
    QVERIFY(!text.contains(QStringLiteral("Huffman")));
    QVERIFY(!text.contains(QStringLiteral("Low rank")));
}

void TestExplainPanel::showsHuffmanBitsForACodebook()
{
    const auto m = smallConv();
    const int c = m->index("c");
    const Plan plan = Plan{}.withQuant("c", {QuantScheme::Codebook, 3, true, false});
    const Explanation e = m->explain(c, plan);
    QVERIFY(e.huffman && e.quant);
    QVERIFY(e.huffman->statsBytes > 0);

    ExplainPanel panel;
    panel.setExplanation(e, QStringLiteral("c"));
    const QString text = panel.toPlainText();
    QVERIFY(text.contains(QStringLiteral("Codebook (k-means) quantization, 3 bits")));
    QVERIFY(text.contains(QStringLiteral("%1 centroids").arg(e.quant->levels)));
    QVERIFY(text.contains(format::fixed(e.huffman->bitsPerWeight, 2) + QStringLiteral(" bits per weight instead of 3")));
    QVERIFY(text.contains(QStringLiteral("%1 of 8 centroids occur").arg(e.huffman->usedSymbols)));
    QVERIFY(text.contains(format::count(e.huffman->codedBits) + QStringLiteral(" bits for the layer's 1,152 weights")));
    QVERIFY(text.contains(format::bytes(e.huffman->statsBytes)));
    QVERIFY(!text.contains(QStringLiteral("Uniform")));
}

void TestExplainPanel::showsLowRankEnergyAndParameters()
{
    const auto m = smallConv();
    const int c = m->index("c");
    const Plan plan = Plan{}.withLowRank("c", {4});
    const Explanation e = m->explain(c, plan);
    QVERIFY(e.lowRank);

    ExplainPanel panel;
    panel.setExplanation(e, QStringLiteral("c"));
    const QString text = panel.toPlainText();
    QVERIFY(text.contains(QStringLiteral("Low rank r = 4")));
    QVERIFY(text.contains(QStringLiteral("W is 16 × 72")));
    QVERIFY(text.contains(QStringLiteral("keeps ") + format::percent(e.lowRank->explainedVariance) + QStringLiteral(" of the energy")));
    QVERIFY(text.contains(QStringLiteral("m·n = 1,168 to r·(m + n) = 368")));  // 16·72 + 16 bias; 4·88 + 16
    QVERIFY(!text.contains(QStringLiteral("SQNR")));
}

void TestExplainPanel::keepsScrollOnAPlanEditOfTheSameLayer()
{
    const auto m = smallConv();
    const int c = m->index("c");
    const Plan plan = Plan{}.withQuant("c", {QuantScheme::Codebook, 3, true, false});
    ExplainPanel panel;
    panel.resize(260, 200);
    panel.show();
    QVERIFY(QTest::qWaitForWindowExposed(&panel));
    panel.setExplanation(m->explain(c, plan), QStringLiteral("c"));
    QScrollBar* bar = panel.verticalScrollBar();
    QVERIFY(bar->maximum() > 0);
    bar->setValue(bar->maximum() / 2);
    const int kept = bar->value();
    QVERIFY(kept > 0);
    panel.setExplanation(m->explain(c, plan.withQuant("c", {QuantScheme::Codebook, 4, true, false})), QStringLiteral("c"));
    QCOMPARE(bar->value(), kept);
    // Another layer starts at the top.
    panel.setExplanation(m->explain(m->index("next"), plan), QStringLiteral("next"));
    QCOMPARE(bar->value(), 0);
}

void TestExplainPanel::showsWhatApozMeasured()
{
    Explanation e;
    e.layer = 0;
    ApozExplanation apoz;
    apoz.defined = true;
    apoz.tensor = "/stem/relu/Relu_output_0";
    apoz.samples = 200;
    apoz.valuesPerChannel = 200 * 196;
    apoz.channels = 24;
    apoz.meanApoz = 0.4;
    apoz.mostlyZero = 3;
    apoz.highest = { { 7, 0.97 }, { 2, 0.95 }, { 11, 0.5 } };
    e.apoz = apoz;

    ExplainPanel panel;
    panel.setExplanation(e, QStringLiteral("stem"));
    const QString text = panel.toPlainText();
    QVERIFY(text.contains(QStringLiteral("What APoZ measured")));
    QVERIFY(text.contains(QStringLiteral("on 200 images (39,200 activations per channel at /stem/relu/Relu_output_0)")));
    QVERIFY(text.contains(QStringLiteral("the mean APoZ of the 24 channels is %1").arg(format::percent(0.4))));
    QVERIFY(text.contains(QStringLiteral("3 of them are zero in at least 90 %")));
    QVERIFY(text.contains(QStringLiteral("channel 7 (%1), channel 2 (%2), channel 11 (%3)")
                              .arg(format::percent(0.97), format::percent(0.95), format::percent(0.5))));

    apoz.defined = false;
    apoz.reason = "its output goes to Add";
    e.apoz = apoz;
    panel.setExplanation(e, QStringLiteral("stem"));
    QVERIFY(panel.toPlainText().contains(QStringLiteral("Not defined for this layer: its output goes to Add.")));
    QVERIFY(!panel.toPlainText().contains(QStringLiteral("channel 7")));
}

void TestExplainPanel::showsWhatRecoveryChanged()
{
    // A layer recovery as recover() keeps it: refitted, its BN re-estimated (channel 1 was
    // pruned, so its statistics stay), two biases shifted.
    LayerRecovery r;
    r.name = "conv2";
    r.refitted = true;
    r.residualBefore = 0.25;
    r.residualAfter = 0.0125;
    r.batchNorm = true;
    r.meanBefore = { 1.0, 5.0, -2.0 };
    r.meanAfter = { 1.5, 5.0, -1.0 };
    r.varBefore = { 4.0, 1.0, 2.0 };
    r.varAfter = { 2.0, 1.0, 3.0 };
    r.biasShift = { 0.3, 0.0, -0.1 };
    Explanation e;
    e.layer = 2;
    e.recovery = explainRecovery(r);
    e.recoveryImages = 256;

    ExplainPanel panel;
    panel.setExplanation(e, QStringLiteral("conv2"));
    QString text = panel.toPlainText();
    QVERIFY2(text.contains(QStringLiteral("What recovery changed")), qPrintable(text));
    QVERIFY(text.contains(QStringLiteral("on 256 calibration images")));
    QVERIFY(text.contains(QStringLiteral("Least squares.")));
    // (toPlainText turns the no-break spaces into plain ones)
    QVERIFY2(text.contains(QStringLiteral("was 25.00 % before the refit and 1.25 % after it")), qPrintable(text));
    QVERIFY(text.contains(QStringLiteral("BatchNorm re-estimation.")));
    // Means moved by 0.5 and 1.0 (mean 0.75); variances scaled by 2/4 and 3/2.
    QVERIFY(text.contains(QStringLiteral("running means of 2 channels moved by 0.75 on average (at most 1)")));
    QVERIFY(text.contains(QStringLiteral("scaled by 0.5 to 1.5")));
    QVERIFY(text.contains(QStringLiteral("Here 2 channels shifted, by 0.2 on average (at most 0.3)")));
    QVERIFY(!text.contains(QStringLiteral("Nothing to explain")));

    // Only what ran is said; a method that left the layer alone says why.
    r.refitted = false;
    r.batchNorm = false;
    r.biasShift.clear();
    r.notes = { "lsq: its weight is shared with other nodes" };
    e.recovery = explainRecovery(r);
    panel.setExplanation(e, QStringLiteral("conv2"));
    text = panel.toPlainText();
    QVERIFY(text.contains(QStringLiteral("What recovery changed")));
    QVERIFY(!text.contains(QStringLiteral("Least squares.")));
    QVERIFY(!text.contains(QStringLiteral("Bias correction.")));
    QVERIFY(text.contains(QStringLiteral("lsq: its weight is shared with other nodes")));

    // Without recovery, no such section.
    e.recovery.reset();
    panel.setExplanation(e, QStringLiteral("conv2"));
    QVERIFY(!panel.toPlainText().contains(QStringLiteral("What recovery changed")));
}

void TestExplainPanel::clearShowsAHint()
{
    const auto m = smallConv();
    ExplainPanel panel;
    panel.setExplanation(m->explain(m->index("c"), Plan{}), QStringLiteral("c"));
    QVERIFY(panel.toPlainText().contains(QStringLiteral("FPGM")));
    panel.clearExplanation();
    QVERIFY(!panel.toPlainText().contains(QStringLiteral("FPGM")));
    QVERIFY(panel.toPlainText().contains(QStringLiteral("Select a layer")));
}

void TestExplainPanel::screenshotOfAResnet18Conv()
{
    const QString shots = qEnvironmentVariable("TOPIARY_EXPLAIN_SHOTS");
    const QString reference = qEnvironmentVariable("TOPIARY_REFERENCE_DIR");
    if (shots.isEmpty() || reference.isEmpty())
        QSKIP("set TOPIARY_EXPLAIN_SHOTS and TOPIARY_REFERENCE_DIR to save screenshots");
    const fs::path file = fs::path(reference.toStdString()) / "resnet18_bn.onnx";
    auto model = Model::load(file);
    QVERIFY2(model.has_value(), model ? "" : model.error().message.c_str());
    const Loaded m(std::move(*model));
    int layer = -1;
    for (size_t i = 0; i < m.layers.size() && layer < 0; ++i)
        if (m.layers[i].name.find("layer2") != std::string::npos && m.layers[i].kind == LayerKind::Conv)
            layer = static_cast<int>(i);
    QVERIFY(layer >= 0);
    const auto& name = m.layers[static_cast<size_t>(layer)].name;
    const Plan plan = withLayerPrune(Plan{}, m.layers, m.groups, layer,
                                     {PruneGranularity::Filter, Criterion::Fpgm, PruneMode::Ratio, 0.3})
                          .withQuant(name, {QuantScheme::Uniform, 4, true, false});
    ExplainPanel panel;
    panel.resize(420, 900);
    panel.show();
    QVERIFY(QTest::qWaitForWindowExposed(&panel));
    panel.setExplanation(m.explain(layer, plan), QString::fromStdString(name));
    QVERIFY(panel.grab().save(shots + QStringLiteral("/explain-resnet18.png")));
    const Plan codebook = plan.withQuant(name, {QuantScheme::Codebook, 4, true, false});
    panel.setExplanation(m.explain(layer, codebook), QString::fromStdString(name));
    QVERIFY(panel.grab().save(shots + QStringLiteral("/explain-resnet18-codebook.png")));
    panel.setExplanation(m.explain(layer, codebook.withLowRank(name, {32})), QString::fromStdString(name));
    QVERIFY(panel.grab().save(shots + QStringLiteral("/explain-resnet18-codebook-lowrank.png")));
}

QTEST_MAIN(TestExplainPanel)
#include "tst_explainpanel.moc"
