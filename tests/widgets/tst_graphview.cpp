// GraphView driven as a user drives it: real mouse clicks and drags on the viewport,
// wheel and Ctrl+plus/minus, and what the app sets (values, selection, highlights,
// tooltips, badges) checked on the items and on the rendered pixels.
#include "widgets/GraphView.h"

#include "ModelBuilder.h"

#include "widgets/ColorLegend.h"
#include "widgets/GraphEdgeItem.h"
#include "widgets/GraphNodeItem.h"

#include "core/analysis/GraphLayout.h"
#include "core/model/Layer.h"
#include "core/model/Model.h"

#include <QScrollBar>
#include <QSignalSpy>
#include <QTest>

#include <cmath>
#include <memory>

using namespace Qt::StringLiterals;
using topiary::GraphNodeItem;
using topiary::GraphView;

class TestGraphView : public QObject {
    Q_OBJECT

private slots:
    void initTestCase();
    void init();
    void cleanup();
    void drawsOneItemPerBoxAndArrow();
    void clickSelectsLayer();
    void dragPansWithoutSelecting();
    void nodeValuesColourBoxes();
    void findLayerCentresAndSelects();
    void highlightsAndBadgesAppear();
    void toolTipsTellWhatIsThere();
    void wheelAndKeysZoom();
    void stateSurvivesRelayout();

private:
    int layerNamed(const std::string& name) const;
    QPoint viewportPoint(const GraphNodeItem* item, QPointF inBox) const;
    QColor pixelAt(QPoint p) const;

    std::unique_ptr<topiary::Model> m_model;
    std::vector<topiary::Layer> m_layers;
    topiary::GraphLayout m_layout;
    std::unique_ptr<GraphView> m_view;
};

void TestGraphView::initTestCase()
{
    auto model = topiary::Model::fromProto(topiary::test::makeSmallCnn(), {});
    QVERIFY2(model.has_value(), model ? "" : model.error().message.c_str());
    m_model = std::make_unique<topiary::Model>(std::move(*model));
    m_layers = topiary::findLayers(*m_model);
    QCOMPARE(m_layers.size(), size_t{6});
}

void TestGraphView::init()
{
    m_view = std::make_unique<GraphView>();
    m_view->resize(700, 500);
    m_view->show();
    QVERIFY(QTest::qWaitForWindowExposed(m_view.get()));
    auto layout = topiary::layoutGraph(*m_model, m_layers, m_view->layoutOptions(true));
    QVERIFY2(layout.has_value(), layout ? "" : layout.error().message.c_str());
    m_layout = std::move(*layout);
    m_view->setGraph(m_layout);
}

void TestGraphView::cleanup()
{
    m_view.reset();
}

int TestGraphView::layerNamed(const std::string& name) const
{
    for (size_t i = 0; i < m_layers.size(); ++i)
        if (m_layers[i].name == name)
            return static_cast<int>(i);
    return -1;
}

QPoint TestGraphView::viewportPoint(const GraphNodeItem* item, QPointF inBox) const
{
    return m_view->mapFromScene(item->mapToScene(inBox));
}

QColor TestGraphView::pixelAt(QPoint p) const
{
    const QImage image = m_view->viewport()->grab().toImage();
    const qreal dpr = image.devicePixelRatio();
    return image.pixelColor(QPoint(qRound(p.x() * dpr), qRound(p.y() * dpr)));
}

void TestGraphView::drawsOneItemPerBoxAndArrow()
{
    int nodes = 0, edges = 0;
    for (QGraphicsItem* item : m_view->scene()->items()) {
        nodes += item->type() == GraphNodeItem::Type;
        edges += item->type() == topiary::GraphEdgeItem::Type;
    }
    QCOMPARE(nodes, static_cast<int>(m_layout.nodes.size()));
    QCOMPARE(edges, static_cast<int>(m_layout.edges.size()));
    for (size_t l = 0; l < m_layers.size(); ++l) {
        const GraphNodeItem* item = m_view->layerItem(static_cast<int>(l));
        QVERIFY(item);
        QCOMPARE(item->name(), QString::fromStdString(m_layers[l].name));
    }
    // Weighted layers are drawn larger than plain ops.
    const GraphNodeItem* conv = m_view->layerItem(layerNamed("block1.conv1"));
    const GraphNodeItem* flatten = nullptr;
    for (QGraphicsItem* item : m_view->scene()->items())
        if (item->type() == GraphNodeItem::Type && static_cast<GraphNodeItem*>(item)->name() == u"flatten"_s)
            flatten = static_cast<GraphNodeItem*>(item);
    QVERIFY(flatten);
    QVERIFY(conv->box().height() > flatten->box().height());
    QCOMPARE(conv->lines(), QStringList({u"Conv + BN + Relu"_s, u"block1.conv1"_s, u"3×3"_s, u"8→8 ch"_s}));
}

void TestGraphView::clickSelectsLayer()
{
    QSignalSpy spy(m_view.get(), &GraphView::layerSelected);
    for (const std::string name : {"pw", "stem", "fc"}) {
        const int layer = layerNamed(name);
        const GraphNodeItem* item = m_view->layerItem(layer);
        m_view->centerOn(item);
        QTest::mouseClick(m_view->viewport(), Qt::LeftButton, {}, viewportPoint(item, item->box().center()));
        QCOMPARE(spy.count(), 1);
        QCOMPARE(spy.takeFirst().at(0).toInt(), layer);
        QCOMPARE(m_view->selectedLayer(), layer);
        QVERIFY(item->isCurrent());
    }
    // Only one box is the current one.
    int current = 0;
    for (size_t l = 0; l < m_layers.size(); ++l)
        current += m_view->layerItem(static_cast<int>(l))->isCurrent();
    QCOMPARE(current, 1);

    // A click on empty canvas selects nothing.
    const GraphNodeItem* stem = m_view->layerItem(layerNamed("stem"));
    QTest::mouseClick(m_view->viewport(), Qt::LeftButton, {}, viewportPoint(stem, stem->box().topLeft() - QPointF(30, 0)));
    QCOMPARE(spy.count(), 0);
}

void TestGraphView::dragPansWithoutSelecting()
{
    m_view->resetTransform();
    m_view->scale(2, 2);
    const GraphNodeItem* item = m_view->layerItem(layerNamed("dw"));
    m_view->centerOn(item);
    QSignalSpy spy(m_view.get(), &GraphView::layerSelected);
    const int before = m_view->verticalScrollBar()->value();
    const QPoint start = viewportPoint(item, item->box().center());
    QTest::mousePress(m_view->viewport(), Qt::LeftButton, {}, start);
    for (int step = 1; step <= 5; ++step) {
        QMouseEvent move(QEvent::MouseMove, start + QPoint(0, -20 * step), m_view->viewport()->mapToGlobal(start + QPoint(0, -20 * step)),
                         Qt::NoButton, Qt::LeftButton, Qt::NoModifier);
        QCoreApplication::sendEvent(m_view->viewport(), &move);
    }
    QTest::mouseRelease(m_view->viewport(), Qt::LeftButton, {}, start + QPoint(0, -100));
    // Dragging up moves the drawing up: the view now shows what was below.
    QCOMPARE(m_view->verticalScrollBar()->value(), before + 100);
    QCOMPARE(spy.count(), 0);
}

void TestGraphView::nodeValuesColourBoxes()
{
    const GraphNodeItem* first = m_view->layerItem(0);
    const GraphNodeItem* second = m_view->layerItem(1);
    QCOMPARE(first->fill(), GraphNodeItem::defaultFill(topiary::GraphNodeKind::Layer));
    const QPoint inFirst = viewportPoint(first, first->box().topLeft() + QPointF(8, 3));
    m_view->centerOn(first);
    const QPoint inFirstCentred = viewportPoint(first, first->box().topLeft() + QPointF(8, 3));
    QCOMPARE(pixelAt(inFirstCentred), GraphNodeItem::defaultFill(topiary::GraphNodeKind::Layer));
    Q_UNUSED(inFirst);

    std::vector<double> values(m_layers.size(), 0.5);
    values[0] = 0.0;
    values[1] = std::nan("");
    values[5] = 2.0;
    m_view->setNodeValues(values, u"L1 norm"_s, 0.0, 2.0);
    const QColor low = topiary::ColorLegend::colorAt(0.0, 0.0, 2.0);
    QCOMPARE(first->fill(), low);
    QCOMPARE(m_view->layerItem(5)->fill(), topiary::ColorLegend::colorAt(2.0, 0.0, 2.0));
    QVERIFY(m_view->layerItem(5)->fill() != low);
    QVERIFY(second->fill() != GraphNodeItem::defaultFill(topiary::GraphNodeKind::Layer));  // no value: grey
    QCOMPARE(pixelAt(inFirstCentred), low);

    QVERIFY(m_view->legend()->isVisible());
    QCOMPARE(m_view->legend()->metricName(), u"L1 norm"_s);
    QCOMPARE(m_view->legend()->maximum(), 2.0);
    // The legend stays in the viewport's corner while the drawing pans.
    const QPoint legendPos = m_view->legend()->pos();
    m_view->verticalScrollBar()->setValue(m_view->verticalScrollBar()->value() + 50);
    QCOMPARE(m_view->legend()->pos(), legendPos);
    QVERIFY(m_view->viewport()->geometry().contains(m_view->legend()->geometry()));

    m_view->clearNodeValues();
    QCOMPARE(first->fill(), GraphNodeItem::defaultFill(topiary::GraphNodeKind::Layer));
    QVERIFY(!m_view->legend()->isVisible());
}

void TestGraphView::findLayerCentresAndSelects()
{
    // Zoomed in so far that the drawing can scroll both ways around any box.
    m_view->resetTransform();
    m_view->scale(4, 4);
    m_view->centerOn(m_view->layerItem(0));
    QSignalSpy spy(m_view.get(), &GraphView::layerSelected);
    QVERIFY(m_view->findLayer(u"pw"_s));
    const int pw = layerNamed("pw");
    QCOMPARE(spy.count(), 1);
    QCOMPARE(spy.at(0).at(0).toInt(), pw);
    QCOMPARE(m_view->selectedLayer(), pw);
    const GraphNodeItem* item = m_view->layerItem(pw);
    const QPoint centre = viewportPoint(item, item->box().center());
    const QPoint viewportCentre = m_view->viewport()->rect().center();
    QVERIFY2((centre - viewportCentre).manhattanLength() <= 3,
             qPrintable(u"box at %1,%2, viewport centre %3,%4"_s.arg(centre.x()).arg(centre.y()).arg(viewportCentre.x()).arg(viewportCentre.y())));

    // Part of a name, any case.
    QVERIFY(m_view->findLayer(u"CONV2"_s));
    QCOMPARE(m_view->selectedLayer(), layerNamed("block1.conv2"));
    QVERIFY(!m_view->findLayer(u"no such layer"_s));
    QCOMPARE(m_view->selectedLayer(), layerNamed("block1.conv2"));
}

void TestGraphView::highlightsAndBadgesAppear()
{
    m_view->fitToView();
    const GraphNodeItem* conv1 = m_view->layerItem(layerNamed("block1.conv1"));
    const GraphNodeItem* conv2 = m_view->layerItem(layerNamed("block1.conv2"));
    const QImage before = m_view->viewport()->grab().toImage();
    m_view->setHighlightedLayers({layerNamed("block1.conv1"), layerNamed("stem")});
    QVERIFY(conv1->isHighlighted());
    QVERIFY(!conv2->isHighlighted());
    QVERIFY(m_view->viewport()->grab().toImage() != before);
    m_view->setHighlightedLayers({layerNamed("block1.conv2")});
    QVERIFY(!conv1->isHighlighted());
    QVERIFY(conv2->isHighlighted());

    const QRectF plain = conv1->boundingRect();
    m_view->setNodeBadges({{layerNamed("block1.conv1"), u"8→6 ch · 8 bit · −30% MACs"_s}});
    QCOMPARE(conv1->badge(), u"8→6 ch · 8 bit · −30% MACs"_s);
    QVERIFY(conv1->boundingRect().bottom() > plain.bottom() + 5);
    QVERIFY(conv2->badge().isEmpty());
    m_view->clearBadges();
    QVERIFY(conv1->badge().isEmpty());
    QCOMPARE(conv1->boundingRect(), plain);
}

void TestGraphView::toolTipsTellWhatIsThere()
{
    const int fc = layerNamed("fc");
    const GraphNodeItem* item = m_view->layerItem(fc);
    QVERIFY(item->toolTip().contains(u"16→10 features"_s));
    m_view->setNodeToolTip(fc, u"Its outputs are a model output: cannot be pruned."_s);
    QVERIFY(item->toolTip().contains(u"cannot be pruned"_s));
    m_view->setNodeToolTip(fc, QString());
    QVERIFY(!item->toolTip().contains(u"cannot be pruned"_s));

    // Arrows name their tensor and its shape.
    bool found = false;
    for (QGraphicsItem* i : m_view->scene()->items())
        if (i->type() == topiary::GraphEdgeItem::Type && i->toolTip().startsWith(u"a0\n"_s)) {
            QCOMPARE(i->toolTip(), u"a0\n1×8×28×28"_s);
            found = true;
        }
    QVERIFY(found);
}

void TestGraphView::wheelAndKeysZoom()
{
    m_view->resetTransform();
    const QPoint centre = m_view->viewport()->rect().center();
    QWheelEvent wheel(centre, m_view->viewport()->mapToGlobal(centre), {}, QPoint(0, 120), Qt::NoButton, Qt::NoModifier,
                      Qt::NoScrollPhase, false);
    QCoreApplication::sendEvent(m_view->viewport(), &wheel);
    QCOMPARE(m_view->transform().m11(), 1.2);

    m_view->setFocus();
    QTest::keyClick(m_view.get(), Qt::Key_Plus, Qt::ControlModifier);
    QCOMPARE(m_view->transform().m11(), 1.2 * 1.25);
    QTest::keyClick(m_view.get(), Qt::Key_Minus, Qt::ControlModifier);
    QTest::keyClick(m_view.get(), Qt::Key_Minus, Qt::ControlModifier);
    QVERIFY(std::abs(m_view->transform().m11() - 1.2 / 1.25) < 1e-9);

    // Fitting shows the whole drawing.
    m_view->fitToView();
    const QRectF visible = m_view->mapToScene(m_view->viewport()->rect()).boundingRect();
    QVERIFY(visible.adjusted(-1, -1, 1, 1).contains(m_view->scene()->sceneRect()));
}

void TestGraphView::stateSurvivesRelayout()
{
    const int conv2 = layerNamed("block1.conv2");
    m_view->setSelectedLayer(conv2);
    m_view->setHighlightedLayers({layerNamed("stem")});
    std::vector<double> values(m_layers.size(), 1.0);
    m_view->setNodeValues(values, u"sparsity"_s, 0.0, 1.0);

    auto plain = topiary::layoutGraph(*m_model, m_layers, m_view->layoutOptions(false));
    QVERIFY(plain.has_value());
    m_view->setGraph(*plain);
    QVERIFY(m_view->layerItem(conv2)->isCurrent());
    QVERIFY(m_view->layerItem(layerNamed("stem"))->isHighlighted());
    QCOMPARE(m_view->layerItem(0)->fill(), topiary::ColorLegend::colorAt(1.0, 0.0, 1.0));
    // Not compact: the BN has its own box, plain-coloured.
    QCOMPARE(m_view->layerItem(conv2)->lines().front(), u"Conv"_s);
}

QTEST_MAIN(TestGraphView)
#include "tst_graphview.moc"
