// The window's commands reach what they name from anywhere (issue 15): a menu command
// that opens a panel shows it and brings it to the front, and Ctrl+Z / Ctrl+Shift+Z undo
// and redo the plan whatever has the focus, a number box just typed into included; the
// Edit menu's channel rounding is an undoable plan edit.
#include "Document.h"
#include "GraphPane.h"
#include "MainWindow.h"

#include "ModelBuilder.h"

#include "widgets/GraphNodeItem.h"
#include "widgets/GraphView.h"
#include "widgets/LayerControls.h"
#include "widgets/LayerInspector.h"

#include "core/model/CostModel.h"
#include "core/model/Model.h"

#include <QAction>
#include <QComboBox>
#include <QDockWidget>
#include <QDoubleSpinBox>
#include <QFile>
#include <QGraphicsItem>
#include <QSettings>
#include <QSignalSpy>
#include <QStandardPaths>
#include <QTabBar>
#include <QTabWidget>
#include <QTableView>
#include <QTemporaryDir>
#include <QTest>
#include <QUndoStack>

using namespace Qt::StringLiterals;
using topiary::MainWindow;

namespace {

bool waitForLoad(QSignalSpy& finished)
{
    if (finished.isEmpty() && !finished.wait(20000))
        return false;
    return finished.takeFirst().at(0).toBool();
}

// The window at 1366x768, shown, with `path` loaded (error dialogs off).
bool openAt1366x768(MainWindow& window, const QString& path)
{
    window.setShowErrorDialogs(false);
    window.resize(1366, 768);
    window.show();
    if (!QTest::qWaitForWindowExposed(&window))
        return false;
    QSignalSpy finished(&window, &MainWindow::loadFinished);
    window.openFile(path);
    return waitForLoad(finished);
}

// The front tab of the dock tab bar that has a tab titled `title` ("" without one).
QString frontTab(const QMainWindow& window, const QString& title)
{
    for (const QTabBar* bar : window.findChildren<QTabBar*>())
        for (int i = 0; i < bar->count(); ++i)
            if (bar->tabText(i) == title && bar->isVisible())
                return bar->tabText(bar->currentIndex());
    return {};
}

// DenseNet-sized: 4 dense blocks of 12 layers, each conv reading the concatenation of
// the block's input and every layer before it, with 1 x 1 transitions between blocks.
onnx::ModelProto makeDenseNet()
{
    using topiary::test::setAttr;
    topiary::test::ModelBuilder b;
    b.input("input", { 1, 3, 16, 16 });
    b.conv("stem", "input", "x0", 3, 16, 3);
    std::string x = "x0";
    int64_t channels = 16;
    for (int block = 0; block < 4; ++block) {
        std::vector<std::string> features { x };
        int64_t total = channels;
        for (int layer = 0; layer < 12; ++layer) {
            const std::string name = "block" + std::to_string(block) + ".layer" + std::to_string(layer);
            std::string in = features.front();
            if (features.size() > 1) {
                in = name + ".cat";
                setAttr(b.node("Concat", features, { in }, name + ".concat"), "axis", int64_t { 1 });
            }
            b.conv(name + ".conv", in, name + ".out", total, 8, 3);
            b.node("Relu", { name + ".out" }, { name + ".relu" }, name + ".relu");
            features.push_back(name + ".relu");
            total += 8;
        }
        const std::string name = "transition" + std::to_string(block);
        setAttr(b.node("Concat", features, { name + ".cat" }, name + ".concat"), "axis", int64_t { 1 });
        b.conv(name + ".conv", name + ".cat", name + ".out", total, 16, 1);
        x = name + ".out";
        channels = 16;
    }
    b.node("GlobalAveragePool", { x }, { "gap" }, "gap");
    setAttr(b.node("Flatten", { "gap" }, { "flat" }, "flatten"), "axis", int64_t { 1 });
    b.weight("fc.weight", { 10, 16 });
    b.weight("fc.bias", { 10 });
    setAttr(b.node("Gemm", { "flat", "fc.weight", "fc.bias" }, { "logits" }, "fc"), "transB", int64_t { 1 });
    b.output("logits", { 1, 10 });
    return b.build();
}

} // namespace

class TestWindowCommands : public QObject {
    Q_OBJECT

private slots:
    void initTestCase()
    {
        QStandardPaths::setTestModeEnabled(true);
        QCoreApplication::setOrganizationName(u"TopiaryTests"_s);
        QCoreApplication::setApplicationName(u"tst_windowcommands"_s);
        QLocale::setDefault(QLocale(QLocale::English, QLocale::UnitedStates));
        QSettings().clear();
        QVERIFY(m_dir.isValid());
        m_smallCnn = m_dir.filePath(u"small_cnn.onnx"_s);
        std::string bytes;
        topiary::test::makeSmallCnn().SerializeToString(&bytes);
        QFile file(m_smallCnn);
        QVERIFY(file.open(QIODevice::WriteOnly));
        QCOMPARE(file.write(bytes.data(), static_cast<qint64>(bytes.size())), static_cast<qint64>(bytes.size()));
    }
    void menuCommandsShowTheirPanels();
    void undoFromAnyFocus();
    void everyDockOpenFitsA1366x768Screen();
    void aLargeGraphOpensOnItsInput();
    void channelRoundingIsAnUndoablePlanEdit();

private:
    QTemporaryDir m_dir;
    QString m_smallCnn;
};
// Analyze > Fit to Budget and Help > Explain show their dock, in front of the others
// in its place, however it was before: hidden, shown, or behind another tab.
void TestWindowCommands::menuCommandsShowTheirPanels()
{
    MainWindow window;
    QVERIFY(openAt1366x768(window, m_smallCnn));
    auto actionNamed = [&window](const QString& text) -> QAction* {
        for (QAction* action : window.findChildren<QAction*>())
            if (action->text() == text)
                return action;
        return nullptr;
    };
    QAction* fit = actionNamed(u"&Fit to Budget\u2026"_s);
    QAction* explain = actionNamed(u"&Explain"_s);
    QVERIFY(fit && explain);
    auto* fitDock = window.findChild<QDockWidget*>(u"fitDock"_s);
    auto* sensitivityDock = window.findChild<QDockWidget*>(u"sensitivityDock"_s);
    auto* explainDock = window.findChild<QDockWidget*>(u"explainDock"_s);
    auto* inspectorDock = window.findChild<QDockWidget*>(u"inspectorDock"_s);
    QVERIFY(fitDock && sensitivityDock && explainDock && inspectorDock);

    QVERIFY(!fitDock->isVisible());
    fit->trigger();
    QTRY_VERIFY(fitDock->isVisible());
    fit->trigger(); // asked again: still shown, not toggled away
    QTest::qWait(50);
    QVERIFY(fitDock->isVisible());
    // Behind another tab (Qt keeps such docks "visible"): brought to the front.
    sensitivityDock->show();
    window.tabifyDockWidget(fitDock, sensitivityDock);
    sensitivityDock->raise();
    QTRY_COMPARE(frontTab(window, u"Fit to Budget"_s), u"Sensitivity"_s);
    fit->trigger();
    QTRY_COMPARE(frontTab(window, u"Fit to Budget"_s), u"Fit to Budget"_s);
    QVERIFY(fitDock->isVisible());

    QCOMPARE(frontTab(window, u"Explain"_s), u"Inspector"_s); // at first
    explain->trigger();
    QTRY_COMPARE(frontTab(window, u"Explain"_s), u"Explain"_s);
    explain->trigger();
    QTest::qWait(50);
    QVERIFY(explainDock->isVisible());
    QCOMPARE(frontTab(window, u"Explain"_s), u"Explain"_s);
    inspectorDock->raise();
    QTRY_COMPARE(frontTab(window, u"Explain"_s), u"Inspector"_s);
    explain->trigger();
    QTRY_COMPARE(frontTab(window, u"Explain"_s), u"Explain"_s);
}

// Ctrl+Z undoes the plan edit wherever the focus is, also in the number box the edit was
// typed into, right after Enter; the Redo keys redo it.
void TestWindowCommands::undoFromAnyFocus()
{
    MainWindow window;
    window.setShowErrorDialogs(false);
    window.resize(1366, 768);
    window.show();
    window.activateWindow();
    QVERIFY(QTest::qWaitForWindowActive(&window));
    QSignalSpy finished(&window, &MainWindow::loadFinished);
    window.openFile(m_smallCnn);
    QVERIFY(waitForLoad(finished));
    auto* inspector = window.findChild<topiary::LayerInspector*>();
    QTRY_COMPARE(inspector->layer(), 0);
    auto* controls = inspector->controls();
    auto* granularity = controls->findChild<QComboBox*>(u"granularity"_s);
    granularity->setCurrentIndex(granularity->findData(static_cast<int>(topiary::PruneGranularity::Element)));
    auto* value = controls->findChild<QDoubleSpinBox*>(u"pruneValue"_s);
    QVERIFY(value && value->isEnabled());
    QUndoStack* undo = window.document()->undoStack();
    const std::string name = window.document()->cost()->layers()[0].name;
    const topiary::Plan before = window.document()->plan();
    const int index = undo->index();

    value->setFocus();
    QTRY_VERIFY(value->hasFocus());
    value->selectAll();
    QTest::keyClicks(value, u"0.25"_s);
    QTest::keyClick(value, Qt::Key_Return);
    QTRY_COMPARE(window.document()->plan().spec(name).prune.value, 0.25);
    QCOMPARE(undo->index(), index + 1);

    QTest::keyClick(value, Qt::Key_Z, Qt::ControlModifier);
    QTRY_COMPARE(undo->index(), index);
    QVERIFY(window.document()->plan() == before);
    QTest::keySequence(value, QKeySequence(QKeySequence::Redo)); // the platform's Redo keys
    QTRY_COMPARE(undo->index(), index + 1);
    QCOMPARE(window.document()->plan().spec(name).prune.value, 0.25);

    // Elsewhere too: the layer table has the focus.
    auto* table = window.findChild<QTableView*>(u"layerTable"_s);
    window.findChild<QTabWidget*>(u"views"_s)->setCurrentWidget(table);
    table->setFocus();
    QTRY_VERIFY(table->hasFocus());
    QTest::keyClick(table, Qt::Key_Z, Qt::ControlModifier);
    QTRY_COMPARE(undo->index(), index);
    QVERIFY(window.document()->plan() == before);
}

// With every dock shown (the bottom ones appear after an evaluation or a sweep), the
// window's minimum size still fits a 1366x768 screen: the docks' contents scroll.
void TestWindowCommands::everyDockOpenFitsA1366x768Screen()
{
    MainWindow window;
    QVERIFY(openAt1366x768(window, m_smallCnn));
    const auto docks = window.findChildren<QDockWidget*>();
    QVERIFY(docks.size() >= 8);
    for (QDockWidget* dock : docks)
        dock->show();
    QCoreApplication::processEvents();
    const QSize least = window.minimumSizeHint().expandedTo(window.minimumSize());
    QVERIFY2(least.width() <= 1366 && least.height() <= 768,
        qPrintable(u"minimum %1x%2"_s.arg(least.width()).arg(least.height())));
    window.resize(1366, 768);
    QCoreApplication::processEvents();
    QVERIFY2(window.height() <= 768, qPrintable(u"height %1"_s.arg(window.height())));
    if (const QByteArray dir = qgetenv("TOPIARY_SCREENSHOT_DIR"); !dir.isEmpty())
        window.grab().save(QString::fromLocal8Bit(dir) + u"/window-all-docks-1366x768.png"_s);
}

// A DenseNet-sized graph does not fit the view readably: it opens on its first layers,
// the input box at the top of the view, not centred on an empty stretch of canvas.
void TestWindowCommands::aLargeGraphOpensOnItsInput()
{
    const QString path = m_dir.filePath(u"densenet.onnx"_s);
    {
        std::string bytes;
        makeDenseNet().SerializeToString(&bytes);
        QFile file(path);
        QVERIFY(file.open(QIODevice::WriteOnly));
        QCOMPARE(file.write(bytes.data(), static_cast<qint64>(bytes.size())), static_cast<qint64>(bytes.size()));
    }
    MainWindow window;
    QSignalSpy laidOut(window.graphPane(), &topiary::GraphPane::layoutReady);
    QVERIFY(openAt1366x768(window, path));
    QVERIFY(laidOut.wait(30000));
    QCoreApplication::processEvents();
    topiary::GraphView* view = window.graphPane()->view();
    const QRectF visible = view->mapToScene(view->viewport()->rect()).boundingRect();
    const QRectF scene = view->sceneRect();
    QVERIFY2(scene.height() > 3 * visible.height(), "the graph is large: it does not fit readably");
    QVERIFY(view->transform().m11() >= 0.6); // readable, not fitted into a strip
    const topiary::GraphNodeItem* input = nullptr;
    const topiary::GraphNodeItem* stem = nullptr;
    for (QGraphicsItem* item : view->scene()->items()) {
        if (auto* node = dynamic_cast<const topiary::GraphNodeItem*>(item)) {
            const QString text = node->name() + node->lines().join(u' ');
            if (text.contains(u"input"_s) && (!input || node->sceneBoundingRect().top() < input->sceneBoundingRect().top()))
                input = node;
            if (text.contains(u"stem"_s))
                stem = node;
        }
    }
    QVERIFY(input && stem);
    QVERIFY2(visible.contains(input->sceneBoundingRect()),
        qPrintable(u"input %1,%2 not in view %3,%4 %5x%6"_s.arg(input->sceneBoundingRect().x())
                       .arg(input->sceneBoundingRect().y()).arg(visible.x()).arg(visible.y())
                       .arg(visible.width()).arg(visible.height())));
    QVERIFY(visible.contains(stem->sceneBoundingRect()));
    // At the top: the input's box in the upper quarter of the view.
    QVERIFY(input->sceneBoundingRect().top() - visible.top() < visible.height() / 4);
    if (const QByteArray dir = qgetenv("TOPIARY_SCREENSHOT_DIR"); !dir.isEmpty())
        window.grab().save(QString::fromLocal8Bit(dir) + u"/large-graph-opened.png"_s);
}

QTEST_MAIN(TestWindowCommands)
#include "tst_windowcommands.moc"

// Edit > Keep Channel Counts Multiples of 8 is a plan edit: 30 % of pw's 16 filters keep
// 11 (or 12) without it and 16 with it (rounded up to 8's multiple), so the plan's
// parameters grow; undo takes it back and unchecks the action; a plan that carries the
// option (a recipe, a project) checks it.
void TestWindowCommands::channelRoundingIsAnUndoablePlanEdit()
{
    MainWindow window;
    QVERIFY(openAt1366x768(window, m_smallCnn));
    auto* round = window.findChild<QAction*>(u"roundChannelsAction"_s);
    QVERIFY(round && round->isEnabled() && round->isCheckable() && !round->isChecked());
    topiary::Document* doc = window.document();
    const topiary::PruneSpec spec { topiary::PruneGranularity::Filter, topiary::Criterion::L1,
        topiary::PruneMode::Ratio, 0.3 };
    QVERIFY(doc->editPlan(doc->plan().withPrune("pw", spec), u"prune pw"_s));
    const int64_t unrounded = doc->currentStats().params;
    QVERIFY(unrounded < doc->originalStats().params);
    const int index = doc->undoStack()->index();

    round->trigger();
    QVERIFY(round->isChecked());
    QVERIFY(doc->plan().options().roundChannels);
    QCOMPARE(doc->plan().options().channelMultiple, int64_t { 8 });
    QCOMPARE(doc->undoStack()->index(), index + 1);
    QVERIFY(doc->currentStats().params > unrounded);

    doc->undoStack()->undo();
    QVERIFY(!round->isChecked());
    QVERIFY(!doc->plan().options().roundChannels);
    QCOMPARE(doc->currentStats().params, unrounded);

    topiary::Plan rounded = doc->plan();
    rounded.setOptions({ true, 8 });
    QVERIFY(doc->editPlan(rounded, u"load a rounded recipe"_s));
    QVERIFY(round->isChecked());
}
