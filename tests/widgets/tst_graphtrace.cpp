// GraphView's filter-removal animation: frames built from a core trace land on the right
// boxes (folded steps on the box they fold into), frozen times mark boxes hop by hop in
// order, the clock plays it by itself, Esc or a click clears it, and on a graph small
// enough to fill the view the caption strip moves out of the way of the hop's boxes. With
// TOPIARY_REFERENCE_DIR set, the trace from resnet18's layer1.0.conv2 is checked on the
// real graph; TOPIARY_TRACE_SHOTS saves frozen frames as PNGs to look at.
#include "widgets/GraphView.h"

#include "ModelBuilder.h"

#include "widgets/GraphNodeItem.h"
#include "widgets/GraphTraceAnimation.h"
#include "widgets/TraceFrame.h"

#include "core/model/DependencyGroups.h"
#include "core/analysis/FilterTrace.h"
#include "core/analysis/GraphLayout.h"
#include "core/model/Layer.h"
#include "core/model/Model.h"

#include <QLabel>
#include <QSignalSpy>
#include <QTest>

#include <algorithm>
#include <filesystem>
#include <memory>
#include <utility>

using namespace topiary;
namespace fs = std::filesystem;

namespace {

struct Loaded {
    explicit Loaded(Model m)
        : model(std::move(m))
        , layers(findLayers(model))
        , groups(findDependencyGroups(model, layers))
    {
    }
    Model model;
    std::vector<Layer> layers;
    std::vector<DependencyGroup> groups;

    int layer(const std::string& nameContains) const
    {
        for (size_t i = 0; i < layers.size(); ++i)
            if (layers[i].name.find(nameContains) != std::string::npos)
                return static_cast<int>(i);
        return -1;
    }
};

const GraphNodeItem* boxItem(const GraphView& view, int node)
{
    for (auto* item : view.scene()->items())
        if (item->type() == GraphNodeItem::Type && static_cast<GraphNodeItem*>(item)->index() == node)
            return static_cast<GraphNodeItem*>(item);
    return nullptr;
}

int markedCount(const GraphView& view)
{
    int n = 0;
    for (auto* item : view.scene()->items())
        if (item->type() == GraphNodeItem::Type && static_cast<GraphNodeItem*>(item)->isTraceMarked())
            ++n;
    return n;
}

// x → Conv c1 → Relu → Conv c2 → y: five boxes in a column, fitted to the view top to bottom.
Model tinyChain()
{
    test::ModelBuilder b;
    b.input("x", { 1, 3, 8, 8 });
    b.conv("c1", "x", "a", 3, 4, 3);
    b.node("Relu", { "a" }, { "r" }, "relu");
    b.conv("c2", "r", "y", 4, 2, 3);
    b.output("y", { 1, 2, 8, 8 });
    auto m = Model::fromProto(b.build(), {});
    if (!m)
        qFatal("tiny chain: %s", m.error().message.c_str());
    return std::move(*m);
}

// Where a box, its outline and its tag are drawn, in the view's coordinates (those of the
// caption label, a child of the view).
QRect onScreen(const GraphView& view, const GraphNodeItem* item)
{
    return view.mapFromScene(item->sceneBoundingRect()).boundingRect().translated(view.viewport()->pos());
}

void saveShot(GraphView& view, const QString& name)
{
    const QString shots = qEnvironmentVariable("TOPIARY_TRACE_SHOTS");
    if (!shots.isEmpty())
        QVERIFY(view.grab().save(shots + QLatin1Char('/') + name));
}

} // namespace

class TestGraphTrace : public QObject {
    Q_OBJECT

private slots:
    void initTestCase();
    void init();
    void cleanup();
    void framesFallOnTheBoxesStepsFoldInto();
    void frozenTimesMarkBoxesInHopOrder();
    void playsToTheEndAndKeepsTheMarks();
    void escapeClearsTheTrace();
    void clickClearsTheTraceWithoutSelecting();
    void newGraphClearsTheTrace();
    void viewFollowsTheFront();
    void captionNeverHidesTheHop();
    void sampleModelTrace();
    void resnet18ResidualTrace();

private:
    GraphLayout layout(const Loaded& m, bool compact) const;

    std::unique_ptr<Loaded> m_cnn;
    GraphLayout m_layout; // compact layout of the small CNN
    std::unique_ptr<GraphView> m_view;
};

void TestGraphTrace::initTestCase()
{
    auto model = Model::fromProto(test::makeSmallCnn(), {});
    QVERIFY(model.has_value());
    m_cnn = std::make_unique<Loaded>(std::move(*model));
}

GraphLayout TestGraphTrace::layout(const Loaded& m, bool compact) const
{
    auto l = layoutGraph(m.model, m.layers, m_view->layoutOptions(compact));
    if (!l)
        qFatal("layout failed: %s", l.error().message.c_str());
    return std::move(*l);
}

void TestGraphTrace::init()
{
    m_view = std::make_unique<GraphView>();
    m_view->resize(700, 600);
    m_view->show();
    QVERIFY(QTest::qWaitForWindowExposed(m_view.get()));
    m_layout = layout(*m_cnn, true);
    m_view->setGraph(m_layout);
}

void TestGraphTrace::cleanup()
{
    m_view.reset();
}

void TestGraphTrace::framesFallOnTheBoxesStepsFoldInto()
{
    const int stem = m_cnn->layer("stem");
    auto trace = traceFilter(m_cnn->model, m_cnn->layers, m_cnn->groups, stem, 5);
    QVERIFY(trace.has_value());
    const auto frames = traceFrames(m_cnn->model, *trace, m_layout);
    // Every step has a box: in compact mode stem_bn and stem_relu are drawn in stem's.
    QCOMPARE(frames.size(), trace->steps.size());
    const int stemBox = m_layout.nodeOfLayer(stem);
    QCOMPARE(frames[0].node, stemBox);
    QCOMPARE(frames[0].hop, 0);
    QCOMPARE(frames[0].tag, QStringLiteral("−filter 5"));
    int onStem = 0;
    for (size_t i = 0; i < frames.size(); ++i) {
        const std::string& name = m_cnn->model.node(trace->steps[i].node).name;
        if (name == "stem_bn" || name == "stem_relu") {
            QCOMPARE(frames[i].node, stemBox);
            ++onStem;
        }
        if (name == "stem_bn")
            QVERIFY(frames[i].caption.contains(QStringLiteral("BatchNormalization stem_bn: channel 5")));
        if (name == "block1.conv1") {
            QCOMPARE(frames[i].node, m_layout.nodeOfLayer(m_cnn->layer("block1.conv1")));
            QCOMPARE(frames[i].tag, QStringLiteral("−in 5"));
        }
    }
    QCOMPARE(onStem, 2);

    // Traced from the residual partner block1.conv2, the stem's box holds the stem (a
    // partner), its BN and its Relu; the Relu is reached first, the tag is the stem's.
    auto partner = traceFilter(m_cnn->model, m_cnn->layers, m_cnn->groups, m_cnn->layer("block1.conv2"), 4);
    QVERIFY(partner.has_value());
    // The dot reaches the stem's box from the Add's (the channel arrives through the
    // Add's second input), not from the Conv below the stem that merely reads it.
    const int addBox = m_layout.nodeOfModelNode(m_cnn->model.findNode("block1.add"));
    QVERIFY(addBox >= 0 && addBox != stemBox);
    int stemFrames = 0;
    for (const auto& f : traceFrames(m_cnn->model, *partner, m_layout))
        if (f.node == stemBox) {
            QCOMPARE(f.tag, QStringLiteral("−filter 4"));
            QCOMPARE(f.from, addBox);
            ++stemFrames;
        }
    QCOMPARE(stemFrames, 3);
}

void TestGraphTrace::frozenTimesMarkBoxesInHopOrder()
{
    // Four boxes by hand: hops 0, 2, 2, 5 become stages 0, 1, 1, 2.
    const int a = m_layout.nodeOfLayer(m_cnn->layer("stem"));
    const int b = m_layout.nodeOfLayer(m_cnn->layer("block1.conv1"));
    const int c = m_layout.nodeOfLayer(m_cnn->layer("block1.conv2"));
    const int d = m_layout.nodeOfLayer(m_cnn->layer("pw"));
    QVERIFY(a >= 0 && b >= 0 && c >= 0 && d >= 0);
    const std::vector<TraceFrame> frames { { a, 0, QStringLiteral("A: filter 1"), QStringLiteral("−filter 1"),
                                               Qt::red },
        { b, 2, QStringLiteral("B: input 1"), QStringLiteral("−in 1"), Qt::darkYellow },
        { c, 2, QStringLiteral("C: filter 1"), QStringLiteral("−filter 1"), Qt::red },
        { d, 5, QStringLiteral("D: input 1"), QStringLiteral("−in 1"), Qt::darkYellow } };
    m_view->playTrace(frames);
    m_view->setTraceTime(0);
    QVERIFY(m_view->isTracing());
    QCOMPARE(m_view->tracedNodes(), std::vector<int> { a });
    QVERIFY(boxItem(*m_view, a)->isTraceMarked());
    QVERIFY(!boxItem(*m_view, b)->isTraceMarked());
    QVERIFY(m_view->traceCaption().contains(QStringLiteral("A: filter 1")));

    // The dot is on its way: nothing new yet.
    m_view->setTraceTime(m_view->traceStageTime(1) - 0.05);
    QCOMPARE(m_view->tracedNodes(), std::vector<int> { a });
    QCOMPARE(markedCount(*m_view), 1);

    m_view->setTraceTime(m_view->traceStageTime(1));
    QCOMPARE(m_view->tracedNodes(), (std::vector<int> { a, b, c }));
    QCOMPARE(boxItem(*m_view, b)->traceTag(), QStringLiteral("−in 1"));
    QVERIFY(m_view->traceCaption().contains(QStringLiteral("Hop 1 of 2")));
    QVERIFY(m_view->traceCaption().contains(QStringLiteral("B: input 1")));
    QVERIFY(m_view->traceCaption().contains(QStringLiteral("C: filter 1")));
    QVERIFY(!m_view->traceCaption().contains(QStringLiteral("D: input 1")));

    m_view->setTraceTime(m_view->traceStageTime(2));
    QCOMPARE(m_view->tracedNodes(), (std::vector<int> { a, b, c, d }));
    QVERIFY(m_view->traceCaption().contains(QStringLiteral("Hop 2 of 2: D: input 1")));
    QCOMPARE(markedCount(*m_view), 4);

    // Back in time unmarks; the end says how many places lost the channel.
    m_view->setTraceTime(0.1);
    QCOMPARE(markedCount(*m_view), 1);
    m_view->setTraceTime(m_view->traceDuration());
    QCOMPARE(markedCount(*m_view), 4);
    QVERIFY(m_view->traceCaption().contains(QStringLiteral("Boxes that lose this channel: 4.")));

    // The reached box is drawn with a red outline just outside its edge.
    const GraphNodeItem* item = boxItem(*m_view, d);
    const QPointF edge = item->mapToScene(QPointF(item->box().center().x(), item->box().bottom() + 1.0));
    const QImage image = m_view->viewport()->grab().toImage();
    const QColor pixel = image.pixelColor(m_view->mapFromScene(edge));
    QVERIFY2(pixel.red() > 150 && pixel.green() < 110 && pixel.blue() < 110, qPrintable(pixel.name()));
}

void TestGraphTrace::playsToTheEndAndKeepsTheMarks()
{
    const int stem = m_cnn->layer("stem");
    auto trace = traceFilter(m_cnn->model, m_cnn->layers, m_cnn->groups, stem, 2);
    QVERIFY(trace.has_value());
    const auto frames = traceFrames(m_cnn->model, *trace, m_layout);
    m_view->playTrace(frames);
    QVERIFY(m_view->traceDuration() > 1.0);
    QTRY_VERIFY_WITH_TIMEOUT(m_view->traceTime() > 0.3, 3000); // the clock moves by itself
    std::vector<int> boxes;
    for (const auto& f : frames)
        if (std::find(boxes.begin(), boxes.end(), f.node) == boxes.end())
            boxes.push_back(f.node);
    QTRY_COMPARE_WITH_TIMEOUT(
        m_view->tracedNodes().size(), boxes.size(), static_cast<int>(m_view->traceDuration() * 1000) + 3000);
    QTRY_VERIFY_WITH_TIMEOUT(m_view->traceTime() >= m_view->traceDuration() - 1e-6, 3000);
    QVERIFY(m_view->isTracing());
    QCOMPARE(markedCount(*m_view), static_cast<int>(boxes.size()));
}

void TestGraphTrace::escapeClearsTheTrace()
{
    auto trace = traceFilter(m_cnn->model, m_cnn->layers, m_cnn->groups, m_cnn->layer("pw"), 3);
    QVERIFY(trace.has_value());
    m_view->playTrace(traceFrames(m_cnn->model, *trace, m_layout));
    m_view->setTraceTime(m_view->traceDuration());
    QVERIFY(markedCount(*m_view) > 1);
    QSignalSpy stopped(m_view.get(), &GraphView::traceStopped);
    QTest::keyClick(m_view.get(), Qt::Key_Escape);
    QCOMPARE(stopped.count(), 1);
    QVERIFY(!m_view->isTracing());
    QCOMPARE(markedCount(*m_view), 0);
    QVERIFY(m_view->traceCaption().isEmpty());
}

void TestGraphTrace::clickClearsTheTraceWithoutSelecting()
{
    const int pw = m_cnn->layer("pw");
    auto trace = traceFilter(m_cnn->model, m_cnn->layers, m_cnn->groups, pw, 3);
    QVERIFY(trace.has_value());
    m_view->playTrace(traceFrames(m_cnn->model, *trace, m_layout));
    QSignalSpy selected(m_view.get(), &GraphView::layerSelected);
    const GraphNodeItem* box = m_view->layerItem(pw);
    const QPoint at = m_view->mapFromScene(box->mapToScene(box->box().center()));
    QTest::mouseClick(m_view->viewport(), Qt::LeftButton, {}, at);
    QVERIFY(!m_view->isTracing());
    QCOMPARE(markedCount(*m_view), 0);
    QCOMPARE(selected.count(), 0);
    // The next click selects as usual.
    QTest::mouseClick(m_view->viewport(), Qt::LeftButton, {}, at);
    QCOMPARE(selected.count(), 1);
}

void TestGraphTrace::newGraphClearsTheTrace()
{
    auto trace = traceFilter(m_cnn->model, m_cnn->layers, m_cnn->groups, m_cnn->layer("stem"), 0);
    QVERIFY(trace.has_value());
    m_view->playTrace(traceFrames(m_cnn->model, *trace, m_layout));
    QSignalSpy stopped(m_view.get(), &GraphView::traceStopped);
    m_view->setGraph(layout(*m_cnn, false));
    QCOMPARE(stopped.count(), 1);
    QVERIFY(!m_view->isTracing());
    QCOMPARE(markedCount(*m_view), 0);
}

void TestGraphTrace::viewFollowsTheFront()
{
    // A view too small for the graph at 1:1: the last boxes reached start out of sight.
    m_view->resize(320, 220);
    m_view->setGraph(layout(*m_cnn, false));
    m_view->resetTransform();
    auto trace = traceFilter(m_cnn->model, m_cnn->layers, m_cnn->groups, m_cnn->layer("stem"), 1);
    QVERIFY(trace.has_value());
    const GraphLayout full = layout(*m_cnn, false);
    m_view->playTrace(traceFrames(m_cnn->model, *trace, full));
    const int pwBox = full.nodeOfLayer(m_cnn->layer("pw"));
    const GraphNodeItem* pw = boxItem(*m_view, pwBox);
    auto inSight = [&] {
        return m_view->mapToScene(m_view->viewport()->rect()).boundingRect().contains(pw->sceneBoundingRect().center());
    };
    m_view->setTraceTime(0);
    QVERIFY(!inSight());
    // Step through time as the clock would; when pw is reached it is on screen.
    for (double t = 0; t <= m_view->traceDuration(); t += 0.05) {
        m_view->setTraceTime(t);
        if (pw->isTraceMarked())
            break;
    }
    QVERIFY(pw->isTraceMarked());
    QVERIFY(inSight());
}

void TestGraphTrace::captionNeverHidesTheHop()
{
    const Loaded m(tinyChain());
    const GraphLayout l = layout(m, false);
    QCOMPARE(l.nodes.size(), size_t { 5 });
    m_view->resize(520, 300);
    m_view->setGraph(l);
    // Every box in turn, top to bottom: the input box, hidden under a caption at the top
    // of the view, then down to the output box at the bottom.
    std::vector<int> order(l.nodes.size());
    for (size_t i = 0; i < order.size(); ++i)
        order[i] = static_cast<int>(i);
    std::sort(order.begin(), order.end(), [&](int a, int b) { return l.nodes[a].y < l.nodes[b].y; });
    std::vector<TraceFrame> everyBox;
    for (size_t i = 0; i < order.size(); ++i)
        everyBox.push_back({ order[i], static_cast<int>(i), QStringLiteral("Box %1").arg(i), QStringLiteral("−ch 1"),
            Qt::red });
    auto trace = traceFilter(m.model, m.layers, m.groups, m.layer("c1"), 2);
    QVERIFY(trace.has_value());
    const auto c1Frames = traceFrames(m.model, *trace, l);
    QVERIFY(c1Frames.size() >= 2);

    int shot = 0;
    for (const std::vector<TraceFrame>* frames : { &std::as_const(everyBox), &c1Frames }) {
        m_view->playTrace(*frames);
        QCOMPARE(m_view->findChildren<QLabel*>().size(), 1); // the caption strip
        const QLabel* caption = m_view->findChild<QLabel*>();
        // The last hop lingers kLinger before the end.
        const double lastHop = m_view->traceDuration() - GraphTraceAnimation::kLinger + 1e-9;
        for (int stage = 0; m_view->traceStageTime(stage) <= lastHop; ++stage) {
            m_view->setTraceTime(m_view->traceStageTime(stage));
            QVERIFY(caption && caption->isVisible());
            const QRect strip = caption->geometry();
            // The boxes this hop reaches: marked now, not a moment before.
            const auto now = m_view->tracedNodes();
            std::vector<int> before;
            if (stage > 0) {
                m_view->setTraceTime(m_view->traceStageTime(stage) - 0.01);
                before = m_view->tracedNodes();
                m_view->setTraceTime(m_view->traceStageTime(stage));
                QCOMPARE(caption->geometry(), strip);
            }
            QVERIFY(now.size() > before.size());
            for (int node : now) {
                if (std::find(before.begin(), before.end(), node) != before.end())
                    continue;
                const QRect box = onScreen(*m_view, boxItem(*m_view, node));
                QVERIFY2(!strip.intersects(box),
                    qPrintable(QStringLiteral("hop %1: caption %2,%3 %4×%5 over box %6 at %7,%8 %9×%10")
                                   .arg(stage)
                                   .arg(strip.x())
                                   .arg(strip.y())
                                   .arg(strip.width())
                                   .arg(strip.height())
                                   .arg(node)
                                   .arg(box.x())
                                   .arg(box.y())
                                   .arg(box.width())
                                   .arg(box.height())));
            }
            saveShot(*m_view, QStringLiteral("trace-tiny-%1.png").arg(shot++));
        }
        m_view->stopTrace();
    }
}

void TestGraphTrace::sampleModelTrace()
{
    auto model = Model::load(fs::path(TOPIARY_SOURCE_DIR) / "resources" / "sample" / "fashion_cnn.onnx");
    QVERIFY2(model.has_value(), model ? "" : model.error().message.c_str());
    const Loaded m(std::move(*model));
    QVERIFY(!m.layers.empty());
    const int first = 0; // the first conv
    auto trace = traceFilter(m.model, m.layers, m.groups, first, 3);
    QVERIFY2(trace.has_value(), trace ? "" : trace.error().message.c_str());
    for (const bool compact : { false, true }) {
        const GraphLayout l = layout(m, compact);
        m_view->setGraph(l);
        const auto frames = traceFrames(m.model, *trace, l);
        m_view->playTrace(frames);
        m_view->setTraceTime(m_view->traceStageTime(1) - 0.3); // the dot halfway to hop 1
        saveShot(*m_view,
            compact ? QStringLiteral("trace-sample-compact-travel.png")
                    : QStringLiteral("trace-sample-full-travel.png"));
        m_view->setTraceTime(m_view->traceDuration());
        saveShot(*m_view,
            compact ? QStringLiteral("trace-sample-compact-end.png") : QStringLiteral("trace-sample-full-end.png"));
        // Every consumer layer of the channel is marked at the end.
        const auto marked = m_view->tracedNodes();
        for (const auto& s : trace->steps)
            if (s.role == TraceRole::Consumer)
                QVERIFY(std::find(marked.begin(), marked.end(), l.nodeOfLayer(s.layer)) != marked.end());
        m_view->stopTrace();
    }
}

void TestGraphTrace::resnet18ResidualTrace()
{
    const QString reference = qEnvironmentVariable("TOPIARY_REFERENCE_DIR");
    if (reference.isEmpty())
        QSKIP("set TOPIARY_REFERENCE_DIR to the torchvision fixtures to trace resnet18");
    auto model = Model::load(fs::path(reference.toStdString()) / "resnet18_bn.onnx");
    QVERIFY2(model.has_value(), model ? "" : model.error().message.c_str());
    const Loaded m(std::move(*model));
    const int conv2 = m.layer("layer1.0/conv2");
    QVERIFY(conv2 >= 0);
    auto trace = traceFilter(m.model, m.layers, m.groups, conv2, 17);
    QVERIFY(trace.has_value());
    // The channel of layer1's residual stream: conv2's BN, the Add, the other producers
    // (the stem conv and layer1.1.conv2) and the convs that read the stream.
    auto stepOf = [&](const std::string& name, TraceRole role) -> const TraceStep* {
        for (const auto& s : trace->steps)
            if (m.model.node(s.node).name.find(name) != std::string::npos && s.role == role)
                return &s;
        return nullptr;
    };
    QVERIFY(stepOf("layer1.0/bn2", TraceRole::Norm));
    QVERIFY(stepOf("layer1.0/Add", TraceRole::PassThrough));
    QVERIFY(stepOf("/conv1/Conv", TraceRole::Partner)); // the stem
    QVERIFY(stepOf("layer1.1/conv2", TraceRole::Partner));
    QVERIFY(stepOf("layer1.1/conv1", TraceRole::Consumer));
    QVERIFY(stepOf("layer2.0/conv1", TraceRole::Consumer));
    QVERIFY(stepOf("layer2.0/downsample", TraceRole::Consumer));

    for (const bool compact : { true, false }) {
        const GraphLayout l = layout(m, compact);
        m_view->resize(900, 700);
        m_view->setGraph(l);
        const auto frames = traceFrames(m.model, *trace, l);
        m_view->playTrace(frames);
        const int stages = [&] {
            int s = 0;
            while (m_view->traceStageTime(s + 1) < m_view->traceDuration())
                ++s;
            return s + 1;
        }();
        const QString mode = compact ? QStringLiteral("compact") : QStringLiteral("full");
        m_view->setTraceTime(m_view->traceStageTime(stages / 2) - 0.3);
        saveShot(*m_view, QStringLiteral("trace-resnet18-%1-middle.png").arg(mode));
        m_view->setTraceTime(m_view->traceDuration());
        saveShot(*m_view, QStringLiteral("trace-resnet18-%1-end.png").arg(mode));
        const auto marked = m_view->tracedNodes();
        for (const auto* s : { stepOf("layer1.0/bn2", TraceRole::Norm), stepOf("/conv1/Conv", TraceRole::Partner),
                 stepOf("layer2.0/conv1", TraceRole::Consumer) })
            QVERIFY(std::find(marked.begin(), marked.end(), l.nodeOfModelNode(s->node)) != marked.end());
        // The partner upstream is reached after the conv's own BN (or its box in compact mode).
        const auto pos = [&](int node) { return std::find(marked.begin(), marked.end(), node) - marked.begin(); };
        QVERIFY(pos(l.nodeOfModelNode(stepOf("layer1.0/bn2", TraceRole::Norm)->node))
            <= pos(l.nodeOfModelNode(stepOf("/conv1/Conv", TraceRole::Partner)->node)));
        m_view->stopTrace();
    }
}

QTEST_MAIN(TestGraphTrace)
#include "tst_graphtrace.moc"
