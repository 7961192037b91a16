// The real MainWindow, offscreen: opening a file, a corrupt file (the previous model must
// survive), stale and cancelled loads, drag and drop, and the recent-files list.
#include "LiveEvaluation.h"
#include "MainWindow.h"
#include "ModelLoader.h"

#include "ModelBuilder.h"
#include "CriteriaComparisonRunner.h"
#include "widgets/CriteriaComparisonView.h"
#include "core/eval/ActivationStats.h"
#include "core/analysis/CriteriaComparison.h"
#include "core/eval/Evaluator.h"

#include "GraphPane.h"

#include "widgets/GraphNodeItem.h"
#include "widgets/GraphView.h"
#include "widgets/ImportanceHeatmap.h"
#include "widgets/LayerControls.h"
#include "widgets/LayerInspector.h"
#include "widgets/LayerTableModel.h"
#include "widgets/NetworkOverviewMap.h"
#include "widgets/WeightHistogramPlot.h"
#include "widgets/TotalsPanel.h"

#include "ExportDialog.h"
#include "widgets/NumberFormat.h"

#include "core/export/Apply.h"
#include "core/model/CostModel.h"
#include "core/model/DependencyGroups.h"
#include "core/model/ModelWriter.h"
#include "core/model/Layer.h"
#include "core/model/Model.h"

#include <QContextMenuEvent>
#include <QDragEnterEvent>
#include <QDropEvent>
#include <QAction>
#include <QCheckBox>
#include <QLabel>
#include <QApplication>
#include <QFile>
#include <QFileInfo>
#include <QMenu>
#include <QMimeData>
#include <QPointer>
#include <QRadioButton>
#include <QSettings>
#include <QStatusBar>
#include <QSignalSpy>
#include <QStandardPaths>
#include <QTabWidget>
#include <QTableView>
#include <QTimer>
#include <QTemporaryDir>
#include <QTest>
#include <QToolButton>
#include <QComboBox>
#include <QSlider>
#include <QStyleOptionSlider>
#include <QUndoStack>
#include <qcustomplot.h>
#include <QUrl>

#include <algorithm>
#include <string>

using namespace Qt::StringLiterals;
using topiary::MainWindow;
using topiary::TotalsPanel;

namespace {

constexpr int loadTimeoutMs = 20000;

bool writeFile(const QString& path, const std::string& bytes)
{
    QFile file(path);
    return file.open(QIODevice::WriteOnly)
        && file.write(bytes.data(), static_cast<qint64>(bytes.size())) == static_cast<qint64>(bytes.size());
}

std::string smallCnnBytes()
{
    std::string bytes;
    topiary::test::makeSmallCnn().SerializeToString(&bytes);
    return bytes;
}

int tableRows(const MainWindow& window)
{
    auto* table = window.findChild<QTableView*>(u"layerTable"_s);
    return table ? table->model()->rowCount() : -1;
}

QString totalParams(const MainWindow& window)
{
    auto* totals = window.findChild<TotalsPanel*>();
    return totals ? totals->valueText(TotalsPanel::Params) : QString();
}

// Waits for the window's current load to end; returns its outcome.
bool waitForLoad(QSignalSpy& finished)
{
    if (finished.isEmpty() && !finished.wait(loadTimeoutMs))
        return false;
    return finished.takeFirst().at(0).toBool();
}

} // namespace

class TestMainWindow : public QObject {
    Q_OBJECT

private slots:
    void initTestCase();
    void init();
    void opensFile();
    void corruptFileKeepsPreviousModel();
    void newerLoadMakesOlderStale();
    void cancelDropsResult();
    void dropsOnnxFile();
    void ignoresOtherDrops();
    void remembersRecentFiles();
    void loaderParsesBytesInMemory();
    void editingTheTableChangesTheTotals();
    void undoRestoresEveryEdit();
    void aDragIsOneUndoStep();
    void sampleShowsTheAccuracyEstimate();
    void exportWritesWhatTheStatsPredict();
    void exportNeverOverwritesTheSource();
    void exportDialogOffersTheStoragesThePlanUses();
    void anInt8ExportOpensWithItsLayers();
    void exportDialogRemembersTheLastChoices();
    void projectRestoresPlanAndHistory();
    void everyViewFollowsTheGesturesAndUndo();
    void comparesCriteriaOnTheSelectedLayer();
    void heatmapMenuTracesAFilterOnTheGraph();
    void overviewFollowsThePlan();

private:
    QTemporaryDir m_dir;
    QString m_smallCnn;
    QString m_copy;
    QString m_corrupt;
};

void TestMainWindow::initTestCase()
{
    QStandardPaths::setTestModeEnabled(true);
    QCoreApplication::setOrganizationName(u"TopiaryTests"_s);
    QCoreApplication::setApplicationName(u"tst_mainwindow"_s);
    QLocale::setDefault(QLocale(QLocale::English, QLocale::UnitedStates));
    QVERIFY(m_dir.isValid());
    m_smallCnn = m_dir.filePath(u"small_cnn.onnx"_s);
    m_copy = m_dir.filePath(u"dropped_cnn.onnx"_s);
    m_corrupt = m_dir.filePath(u"corrupt.onnx"_s);
    QVERIFY(writeFile(m_smallCnn, smallCnnBytes()));
    QVERIFY(writeFile(m_copy, smallCnnBytes()));
    QVERIFY(writeFile(m_corrupt, std::string("\x08\x07\x12\xff\xff\xff not a protobuf at all", 32)));
}

void TestMainWindow::init()
{
    QSettings().clear();
}

void TestMainWindow::opensFile()
{
    MainWindow window;
    window.setShowErrorDialogs(false);
    window.show();
    QSignalSpy finished(&window, &MainWindow::loadFinished);
    window.openFile(m_smallCnn);
    QVERIFY(window.isLoading());
    QVERIFY(waitForLoad(finished));
    QVERIFY(!window.isLoading());
    QCOMPARE(tableRows(window), 6);
    // 1,594 layer params (weights + fc bias) + 96 BN scale/shift (2 x 48 channels).
    QCOMPARE(totalParams(window), u"1,690"_s);
    QCOMPARE(window.findChild<TotalsPanel*>()->valueText(TotalsPanel::Layers), u"6"_s);
    QCOMPARE(window.findChild<TotalsPanel*>()->valueText(TotalsPanel::Opset), u"13"_s);
    QVERIFY(window.windowTitle().contains(u"small_cnn.onnx"_s));
}

void TestMainWindow::corruptFileKeepsPreviousModel()
{
    MainWindow window;
    window.setShowErrorDialogs(false);
    QSignalSpy finished(&window, &MainWindow::loadFinished);
    QSignalSpy failed(&window, &MainWindow::loadFailed);
    window.openFile(m_smallCnn);
    QVERIFY(waitForLoad(finished));

    window.openFile(m_corrupt);
    QVERIFY(!waitForLoad(finished));
    QCOMPARE(failed.size(), 1);
    QVERIFY(!failed.first().at(0).toString().isEmpty());
    QCOMPARE(tableRows(window), 6);
    QCOMPARE(totalParams(window), u"1,690"_s);
    QVERIFY(window.windowTitle().contains(u"small_cnn.onnx"_s));

    window.openFile(m_dir.filePath(u"does_not_exist.onnx"_s));
    QVERIFY(!waitForLoad(finished));
    QCOMPARE(failed.size(), 2);
    QCOMPARE(tableRows(window), 6);
}

void TestMainWindow::newerLoadMakesOlderStale()
{
    MainWindow window;
    window.setShowErrorDialogs(false);
    QSignalSpy finished(&window, &MainWindow::loadFinished);
    QSignalSpy failed(&window, &MainWindow::loadFailed);
    // Both start before either can report: only the newer one may arrive.
    window.openFile(m_corrupt);
    window.openFile(m_smallCnn);
    QVERIFY(waitForLoad(finished));
    QTest::qWait(200);
    QCOMPARE(finished.size(), 0);
    QCOMPARE(failed.size(), 0);
    QCOMPARE(tableRows(window), 6);
}

void TestMainWindow::cancelDropsResult()
{
    MainWindow window;
    window.setShowErrorDialogs(false);
    window.show();
    QSignalSpy finished(&window, &MainWindow::loadFinished);
    window.openFile(m_smallCnn);
    auto* cancel = window.findChild<QToolButton*>(u"cancelLoadButton"_s);
    QVERIFY(cancel);
    QVERIFY(cancel->isVisible());
    cancel->click();
    QVERIFY(!waitForLoad(finished));
    QVERIFY(!window.isLoading());
    QVERIFY(!cancel->isVisible());
    QTest::qWait(200);
    QCOMPARE(finished.size(), 0);
    QCOMPARE(tableRows(window), 0);
    QVERIFY(window.document()->isEmpty());
}

void TestMainWindow::dropsOnnxFile()
{
    MainWindow window;
    window.setShowErrorDialogs(false);
    window.show();
    QVERIFY(QTest::qWaitForWindowExposed(&window));
    QSignalSpy finished(&window, &MainWindow::loadFinished);

    QMimeData mime;
    mime.setUrls({QUrl::fromLocalFile(m_copy)});
    const QPointF pos(window.width() / 2.0, window.height() / 2.0);
    QDragEnterEvent enter(pos.toPoint(), Qt::CopyAction, &mime, Qt::LeftButton, Qt::NoModifier);
    QCoreApplication::sendEvent(&window, &enter);
    QVERIFY(enter.isAccepted());
    QDropEvent drop(pos, Qt::CopyAction, &mime, Qt::LeftButton, Qt::NoModifier);
    QCoreApplication::sendEvent(&window, &drop);
    QVERIFY(drop.isAccepted());

    QVERIFY(waitForLoad(finished));
    QCOMPARE(tableRows(window), 6);
    QVERIFY(window.windowTitle().contains(u"dropped_cnn.onnx"_s));
}

void TestMainWindow::ignoresOtherDrops()
{
    MainWindow window;
    QMimeData mime;
    mime.setUrls({QUrl::fromLocalFile(m_dir.filePath(u"notes.txt"_s))});
    QDragEnterEvent enter(QPoint(10, 10), Qt::CopyAction, &mime, Qt::LeftButton, Qt::NoModifier);
    enter.ignore();
    QCoreApplication::sendEvent(&window, &enter);
    QVERIFY(!enter.isAccepted());
    QVERIFY(!window.isLoading());
}

void TestMainWindow::remembersRecentFiles()
{
    const QString gone = m_dir.filePath(u"gone.onnx"_s);
    QVERIFY(writeFile(gone, smallCnnBytes()));
    {
        MainWindow window;
        QSignalSpy finished(&window, &MainWindow::loadFinished);
        window.openFile(gone);
        QVERIFY(waitForLoad(finished));
        window.openFile(m_smallCnn);
        QVERIFY(waitForLoad(finished));
    }
    QCOMPARE(QSettings().value(u"recentFiles"_s).toStringList(), (QStringList{m_smallCnn, gone}));

    // A file deleted since is left out of the menu.
    QVERIFY(QFile::remove(gone));
    MainWindow window;
    QStringList shown;
    const QList<QMenu*> menus = window.findChildren<QMenu*>();
    for (QMenu* m : menus) {
        if (m->title() != u"Open &Recent"_s)
            continue;
        emit m->aboutToShow();
        for (QAction* action : m->actions())
            if (!action->isSeparator() && !action->statusTip().isEmpty())
                shown << action->statusTip();
    }
    QCOMPARE(shown, QStringList{m_smallCnn});
}

// The path openSample() takes (bytes read with QFile, then Model::fromBytes), on a plain
// file because the test binary embeds no resources.
void TestMainWindow::loaderParsesBytesInMemory()
{
    topiary::ModelLoader loader;
    QSignalSpy loaded(&loader, &topiary::ModelLoader::loaded);
    QSignalSpy failed(&loader, &topiary::ModelLoader::failed);
    loader.loadResource(m_smallCnn);
    QVERIFY(loader.isBusy());
    QVERIFY(loaded.wait(loadTimeoutMs));
    QVERIFY(!loader.isBusy());
    QCOMPARE(failed.size(), 0);
    const auto result = loaded.first().at(0).value<topiary::LoadedModel>();
    QVERIFY(result.model && result.cost);
    QCOMPARE(result.cost->layers().size(), size_t{6});
    QCOMPARE(result.fileBytes, QFileInfo(m_smallCnn).size());
    QCOMPARE(result.displayName, u"small_cnn.onnx"_s);

    loader.loadResource(u":/no/such/resource.onnx"_s);
    QVERIFY(failed.wait(loadTimeoutMs));
    QVERIFY(failed.first().at(1).toString().contains(u":/no/such/resource.onnx"_s));
}


void TestMainWindow::editingTheTableChangesTheTotals()
{
    MainWindow window;
    window.setShowErrorDialogs(false);
    QSignalSpy finished(&window, &MainWindow::loadFinished);
    window.openFile(m_smallCnn);
    QVERIFY(waitForLoad(finished));
    auto* table = window.findChild<QTableView*>(u"layerTable"_s);
    QVERIFY(table);
    QAbstractItemModel* model = table->model();
    // Row 4 is pw (unsorted: graph order); prune half of its filters.
    QVERIFY(model->setData(model->index(4, topiary::LayerTableModel::Pruned), 50));
    const QString params = totalParams(window);
    QVERIFY2(params.contains(QChar(0x2192)), qPrintable(params));
    // pw 128 -> 64, its BN 32 -> 16, fc 170 -> 90: 1,690 -> 1,530.
    QVERIFY2(params.contains(u"1,530"_s), qPrintable(params));
    QCOMPARE(model->data(model->index(4, topiary::LayerTableModel::Pruned)).toString(), u"50 %"_s);
    // Back to 0: the totals are the model's again.
    QVERIFY(model->setData(model->index(4, topiary::LayerTableModel::Pruned), 0));
    QCOMPARE(totalParams(window), u"1,690"_s);
}

void TestMainWindow::undoRestoresEveryEdit()
{
    MainWindow window;
    window.setShowErrorDialogs(false);
    QSignalSpy finished(&window, &MainWindow::loadFinished);
    window.openFile(m_smallCnn);
    QVERIFY(waitForLoad(finished));
    QAbstractItemModel* model = window.findChild<QTableView*>(u"layerTable"_s)->model();
    QUndoStack* undo = window.document()->undoStack();
    QVERIFY(model->setData(model->index(4, topiary::LayerTableModel::Pruned), 50));
    QVERIFY(model->setData(model->index(4, topiary::LayerTableModel::Bits), 8));
    QCOMPARE(undo->count(), 2);
    QVERIFY(totalParams(window).contains(u"1,530"_s));
    undo->undo(); // the bit width goes, the pruning stays
    QVERIFY(totalParams(window).contains(u"1,530"_s));
    QCOMPARE(model->data(model->index(4, topiary::LayerTableModel::Bits)).toString(), u"32 (float)"_s);
    undo->undo();
    QCOMPARE(totalParams(window), u"1,690"_s);
    QVERIFY(window.document()->plan().empty());
    QCOMPARE(model->data(model->index(4, topiary::LayerTableModel::Pruned)).toString(), QString(QChar(0x2014)));
    undo->redo();
    QVERIFY(totalParams(window).contains(u"1,530"_s));
    QCOMPARE(model->data(model->index(4, topiary::LayerTableModel::Pruned)).toString(), u"50 %"_s);
}

void TestMainWindow::aDragIsOneUndoStep()
{
    MainWindow window;
    window.setShowErrorDialogs(false);
    QSignalSpy finished(&window, &MainWindow::loadFinished);
    window.openFile(m_smallCnn);
    QVERIFY(waitForLoad(finished));
    topiary::Document* document = window.document();
    const std::string pw = window.document()->cost()->layers()[4].name;
    auto pruned = [&](double ratio) {
        return document->plan().withPrune(
            pw, { topiary::PruneGranularity::Element, topiary::Criterion::L1, topiary::PruneMode::Ratio, ratio });
    };
    constexpr int slider = 7;
    for (double ratio : { 0.1, 0.2, 0.3, 0.4 })
        document->editPlan(pruned(ratio), u"drag"_s, slider, true);
    document->editPlan(pruned(0.4), u"drag"_s, slider, false); // release where the last move was
    QCOMPARE(document->undoStack()->count(), 1);
    // The next drag of the same slider is a step of its own.
    document->editPlan(pruned(0.5), u"drag"_s, slider, true);
    document->editPlan(pruned(0.6), u"drag"_s, slider, false);
    QCOMPARE(document->undoStack()->count(), 2);
    document->undoStack()->undo();
    QCOMPARE(document->plan().spec(pw).prune.value, 0.4);
    document->undoStack()->undo();
    QVERIFY(document->plan().empty());
}

void TestMainWindow::sampleShowsTheAccuracyEstimate()
{
    MainWindow window;
    window.setShowErrorDialogs(false);
    QSignalSpy finished(&window, &MainWindow::loadFinished);
    window.openSample();
    QVERIFY(waitForLoad(finished));
    topiary::LiveEvaluation* evaluation = window.liveEvaluation();
    QVERIFY(evaluation->hasDataset());
    auto accuracy = [&] { return window.findChild<TotalsPanel*>()->valueText(TotalsPanel::Accuracy); };
    QTRY_VERIFY_WITH_TIMEOUT(evaluation->original() && evaluation->original()->finished(), 60000);
    // PyTorch classifies 929 of the 1000 bundled images correctly (resources/sample/TRAINING.md).
    QCOMPARE(evaluation->original()->top1Correct, 929);
    QVERIFY2(accuracy().startsWith(u"92.9 %"_s), qPrintable(accuracy()));

    // Pruning the last conv's filters changes the estimate, which the panel shows beside the original.
    QAbstractItemModel* model = window.findChild<QTableView*>(u"layerTable"_s)->model();
    const int last = model->rowCount() - 2;
    QVERIFY(model->setData(model->index(last, topiary::LayerTableModel::Pruned), 90));
    QTRY_VERIFY_WITH_TIMEOUT(evaluation->currentDone(), 60000);
    QVERIFY(evaluation->current());
    QCOMPARE(evaluation->current()->processed, 1000);
    QVERIFY2(accuracy().contains(QChar(0x2192)), qPrintable(accuracy()));
    QVERIFY(evaluation->current()->top1Correct != 929 || evaluation->current()->agreed < 1000);
}

void TestMainWindow::exportWritesWhatTheStatsPredict()
{
    MainWindow window;
    window.setShowErrorDialogs(false);
    QSignalSpy finished(&window, &MainWindow::loadFinished);
    window.openFile(m_smallCnn);
    QVERIFY(waitForLoad(finished));
    QAbstractItemModel* model = window.findChild<QTableView*>(u"layerTable"_s)->model();
    QVERIFY(model->setData(model->index(4, topiary::LayerTableModel::Pruned), 50));
    const auto predicted = window.document()->currentStats();

    QSignalSpy exported(&window, &MainWindow::exportFinished);
    const QString out = m_dir.filePath(u"exported.onnx"_s);
    topiary::ApplyOptions options;
    options.shrink = true;
    window.exportModel(out, options);
    QVERIFY(exported.wait(20000));
    QVERIFY2(exported.first().at(0).toBool(), qPrintable(exported.first().at(1).toString()));
    // Read back independently of the window: the file has the params the stats predicted.
    auto written = topiary::Model::load(out.toStdString());
    QVERIFY(written);
    QCOMPARE(topiary::CostModel(*written).totals().params, predicted.params);
    // File sizes are predicted to within 0.1 % (protobuf varint lengths are estimated).
    QVERIFY2(std::abs(QFileInfo(out).size() - predicted.shrunkFileBytes) <= predicted.shrunkFileBytes / 1000 + 8,
        qPrintable(u"%1 vs %2"_s.arg(QFileInfo(out).size()).arg(predicted.shrunkFileBytes)));
}

void TestMainWindow::exportDialogOffersTheStoragesThePlanUses()
{
    auto model = topiary::Model::load(m_smallCnn.toStdString());
    QVERIFY(model);
    const auto layers = topiary::findLayers(*model);
    const auto groups = topiary::findDependencyGroups(*model, layers);
    const topiary::CostModel cost(*model);
    const topiary::StatsModel stats(*model, cost, groups);
    const auto box = [](const topiary::ExportDialog& d, const char* name) { return d.findChild<QCheckBox*>(QString::fromLatin1(name)); };

    // Nothing quantized: neither storage has anything to store.
    topiary::ExportDialog plain(stats.compute(topiary::Plan {}), QString(), m_dir.filePath(u"a.onnx"_s));
    QVERIFY(box(plain, "int8Storage") && box(plain, "float16Storage"));
    QVERIFY(!box(plain, "int8Storage")->isEnabled());
    QVERIFY(!box(plain, "float16Storage")->isEnabled());

    // One float16 layer: float16 storage is offered, unchecked, and predicts a smaller file.
    topiary::Plan plan;
    plan.setQuant(layers.front().name, topiary::QuantSpec { topiary::QuantScheme::Float16, 16, true, false });
    const auto halfStats = stats.compute(plan);
    topiary::ExportDialog dialog(halfStats, QString(), m_dir.filePath(u"b.onnx"_s));
    QCheckBox* half = box(dialog, "float16Storage");
    QVERIFY(half->isEnabled());
    QVERIFY(!box(dialog, "int8Storage")->isEnabled());
    QVERIFY(!dialog.options().float16);
    const qint64 asFloat = dialog.predictedBytes();
    half->setChecked(true);
    QVERIFY(dialog.options().float16);
    QCOMPARE(dialog.predictedBytes(), topiary::predictedFileBytes(halfStats, dialog.options()));
    QVERIFY(dialog.predictedBytes() < asFloat);
    QCOMPARE(dialog.findChild<QLabel*>(u"predictedSize"_s)->toolTip(), topiary::format::exactBytes(dialog.predictedBytes()));
    if (const QString shots = qEnvironmentVariable("TOPIARY_EXPORT_SHOTS"); !shots.isEmpty()) {
        dialog.show();
        QVERIFY(dialog.grab().save(shots + u"/export-dialog.png"_s));
    }
}

void TestMainWindow::anInt8ExportOpensWithItsLayers()
{
    auto source = topiary::Model::load(m_smallCnn.toStdString());
    QVERIFY(source);
    const auto layers = topiary::findLayers(*source);
    const topiary::Plan plan = topiary::quantizeAll(topiary::Plan {}, layers, topiary::QuantSpec { topiary::QuantScheme::Uniform, 8, true, true }, false);
    auto applied = topiary::apply(*source, plan, topiary::ApplyOptions { false, true, false });
    QVERIFY(applied);
    QCOMPARE(applied->report.qdqWeights, static_cast<int>(layers.size()));
    const QString file = m_dir.filePath(u"int8.onnx"_s);
    QVERIFY(topiary::writeModel(applied->proto, file.toStdString()));

    MainWindow window;
    window.setShowErrorDialogs(false);
    QSignalSpy finished(&window, &MainWindow::loadFinished);
    window.openFile(file);
    QVERIFY(waitForLoad(finished));
    QCOMPARE(window.document()->cost()->layers().size(), layers.size());
    const QString status = window.statusBar()->currentMessage();
    QVERIFY2(status.contains(u"int8 QDQ"_s), qPrintable(status));
}

void TestMainWindow::exportDialogRemembersTheLastChoices()
{
    QSettings().remove(u"export"_s);
    MainWindow window;
    window.setShowErrorDialogs(false);
    QSignalSpy finished(&window, &MainWindow::loadFinished);
    window.openFile(m_smallCnn);
    QVERIFY(waitForLoad(finished));
    auto* action = window.findChild<QAction*>(u"exportAction"_s);
    QVERIFY(action);

    action->trigger();
    QPointer<topiary::ExportDialog> first = window.findChild<topiary::ExportDialog*>();
    QVERIFY(first);
    QVERIFY(first->options().shrink); // the first time: shrunk, float32
    QVERIFY(!first->options().float16 && !first->options().int8Qdq);
    for (auto* radio : first->findChildren<QRadioButton*>())
        if (radio->text().startsWith(u"Masked"_s))
            radio->setChecked(true);
    first->findChild<QCheckBox*>(u"float16Storage"_s)->setChecked(true);
    first->setPath(m_dir.filePath(u"remembered.onnx"_s));
    QSignalSpy exported(&window, &MainWindow::exportFinished);
    first->accept();
    QVERIFY(exported.wait(20000));
    QVERIFY2(exported.first().at(0).toBool(), qPrintable(exported.first().at(1).toString()));
    QTRY_VERIFY(first.isNull());

    action->trigger();
    auto* second = window.findChild<topiary::ExportDialog*>();
    QVERIFY(second);
    QVERIFY(!second->options().shrink);
    QVERIFY(second->options().float16);
    QVERIFY(!second->options().int8Qdq);
    second->reject();
    QSettings().remove(u"export"_s);
}

void TestMainWindow::exportNeverOverwritesTheSource()
{
    MainWindow window;
    window.setShowErrorDialogs(false);
    QSignalSpy finished(&window, &MainWindow::loadFinished);
    window.openFile(m_smallCnn);
    QVERIFY(waitForLoad(finished));
    const QByteArray before = [&] { QFile f(m_smallCnn); f.open(QIODevice::ReadOnly); return f.readAll(); }();
    QSignalSpy exported(&window, &MainWindow::exportFinished);
    window.exportModel(m_smallCnn, {});
    QVERIFY(exported.wait(20000));
    QVERIFY(!exported.first().at(0).toBool());
    QFile after(m_smallCnn);
    QVERIFY(after.open(QIODevice::ReadOnly));
    QCOMPARE(after.readAll(), before);
}

void TestMainWindow::projectRestoresPlanAndHistory()
{
    const QString project = m_dir.filePath(u"session.topiary"_s);
    topiary::Plan saved;
    {
        MainWindow window;
        window.setShowErrorDialogs(false);
        QSignalSpy finished(&window, &MainWindow::loadFinished);
        window.openFile(m_smallCnn);
        QVERIFY(waitForLoad(finished));
        QAbstractItemModel* model = window.findChild<QTableView*>(u"layerTable"_s)->model();
        QVERIFY(model->setData(model->index(4, topiary::LayerTableModel::Pruned), 50));
        QVERIFY(model->setData(model->index(2, topiary::LayerTableModel::Bits), 4));
        window.document()->undoStack()->undo(); // the project keeps the undone step for redo
        QVERIFY(window.document()->isModified());
        QVERIFY(window.saveProject(project));
        QVERIFY(!window.document()->isModified());
        saved = window.document()->plan();
    }
    MainWindow window;
    window.setShowErrorDialogs(false);
    QSignalSpy finished(&window, &MainWindow::loadFinished);
    QVERIFY(window.openProject(project));
    QVERIFY(waitForLoad(finished));
    QVERIFY(window.document()->plan() == saved);
    QVERIFY(totalParams(window).contains(u"1,530"_s));
    QCOMPARE(window.document()->undoStack()->count(), 2);
    QCOMPARE(window.document()->undoStack()->index(), 1);
    QVERIFY(!window.document()->isModified());
    window.document()->undoStack()->redo();
    QCOMPARE(window.document()->plan().layers().size(), size_t { 2 });

    // A corrupt project is refused with a message, and the open model stays.
    QVERIFY(writeFile(m_dir.filePath(u"broken.topiary"_s), "{\"format\": \"topiary-project\""));
    QSignalSpy failed(&window, &MainWindow::loadFailed);
    QVERIFY(!window.openProject(m_dir.filePath(u"broken.topiary"_s)));
    QCOMPARE(failed.count(), 1);
    QVERIFY(!window.document()->isEmpty());
}

// The sample's pw2 (192 filters): click it in the graph, drag the filter-ratio slider and
// then the histogram's threshold line, as a user would; every view must agree with the
// plan, and undo must bring every view back.
void TestMainWindow::everyViewFollowsTheGesturesAndUndo()
{
    MainWindow window;
    window.setShowErrorDialogs(false);
    window.resize(1400, 1000);
    window.show();
    QSignalSpy finished(&window, &MainWindow::loadFinished);
    window.openSample();
    QVERIFY(waitForLoad(finished));
    QTRY_VERIFY_WITH_TIMEOUT(window.graphPane()->hasLayout(), 20000);
    topiary::GraphView* graph = window.graphPane()->view();
    const int pw2 = 7;
    const auto* box = graph->layerItem(pw2);
    QVERIFY(box);
    graph->centerOn(box);
    QTest::mouseClick(graph->viewport(), Qt::LeftButton, {}, graph->mapFromScene(box->sceneBoundingRect().center()));
    QCOMPARE(window.selectedLayer(), pw2);
    auto* inspector = window.findChild<topiary::LayerInspector*>();
    QTRY_COMPARE(inspector->layer(), pw2);
    const QColor unprunedFill = box->fill();
    QVERIFY(inspector->heatmap()->struckOutRows().empty());

    // 1. Filter pruning with the slider: the totals and the heatmap's strike-outs follow.
    auto* granularity = inspector->controls()->findChild<QComboBox*>(u"granularity"_s);
    granularity->setCurrentIndex(granularity->findData(static_cast<int>(topiary::PruneGranularity::Filter)));
    QSlider* slider = inspector->controls()->valueSlider();
    QTRY_VERIFY(slider->isEnabled());
    QStyleOptionSlider option;
    option.initFrom(slider);
    option.orientation = slider->orientation();
    option.minimum = slider->minimum();
    option.maximum = slider->maximum();
    option.sliderPosition = option.sliderValue = slider->value();
    const QPoint handle = slider->style()->subControlRect(QStyle::CC_Slider, &option, QStyle::SC_SliderHandle, slider).center();
    const int undoBefore = window.document()->undoStack()->count();
    QTest::mousePress(slider, Qt::LeftButton, {}, handle);
    for (int dx = 5; dx <= slider->width() / 2; dx += 5)
        QTest::mouseMove(slider, handle + QPoint(dx, 0));
    QTest::mouseRelease(slider, Qt::LeftButton, {}, handle + QPoint(slider->width() / 2, 0));
    QCOMPARE(window.document()->undoStack()->count(), undoBefore + 1); // one drag, one step
    const auto& spec = window.document()->plan().spec(window.document()->cost()->layers()[pw2].name).prune;
    QCOMPARE(spec.granularity, topiary::PruneGranularity::Filter);
    QVERIFY(spec.value > 0.2);
    const int pruned = window.document()->originalStats().layers[pw2].outChannels
        - window.document()->currentStats().layers[pw2].outChannels;
    QVERIFY(pruned > 0);
    QTRY_COMPARE(static_cast<int>(inspector->heatmap()->struckOutRows().size()), pruned);
    QVERIFY(totalParams(window).contains(QChar(0x2192)));

    // 2. Element pruning by dragging the histogram's threshold line out from zero.
    QCustomPlot* plot = inspector->histogram()->plot();
    const int y = static_cast<int>(plot->yAxis->coordToPixel((plot->yAxis->range().lower + plot->yAxis->range().upper) / 2));
    const QPoint from(static_cast<int>(plot->xAxis->coordToPixel(0.0)), y);
    const QPoint to(static_cast<int>(plot->xAxis->coordToPixel(0.6 * plot->xAxis->range().upper)), y);
    QTest::mousePress(plot, Qt::LeftButton, {}, from);
    for (int i = 1; i <= 8; ++i)
        QTest::mouseMove(plot, from + (to - from) * i / 8);
    QTest::mouseRelease(plot, Qt::LeftButton, {}, to);
    const auto& element = window.document()->plan().spec(window.document()->cost()->layers()[pw2].name).prune;
    QCOMPARE(element.granularity, topiary::PruneGranularity::Element);
    QTRY_VERIFY(inspector->histogram()->hasThreshold() && inspector->histogram()->threshold() > 0.0);
    QVERIFY(inspector->histogram()->greyBinCount() > 0);
    QVERIFY(window.document()->currentStats().layers[pw2].sparsity > 0.0);
    QVERIFY(box->fill() != unprunedFill); // coloured by sparsity

    // Undo everything: the plan, the totals, the histogram, the heatmap and the graph are back.
    window.document()->undoStack()->setIndex(0);
    QVERIFY(window.document()->plan().empty());
    QCOMPARE(totalParams(window), u"79,522"_s);
    QTRY_VERIFY(inspector->heatmap()->struckOutRows().empty());
    QVERIFY(inspector->histogram()->greyBinCount() == 0);
    QCOMPARE(box->fill(), unprunedFill);
}

// Teaching: right-click filter 3 of the sample's stem in the importance heatmap, choose
// "Show where filter 3 goes": the graph tab comes up and, at the end of the animation,
// the stem's BatchNorm and the next conv's input are marked. Help > Trace Filter Removal
// traces the filter with the shortest bar in the heatmap's side bar.
void TestMainWindow::heatmapMenuTracesAFilterOnTheGraph()
{
    MainWindow window;
    window.setShowErrorDialogs(false);
    window.resize(1400, 1000);
    window.show();
    QSignalSpy finished(&window, &MainWindow::loadFinished);
    window.openSample();
    QVERIFY(waitForLoad(finished));
    QTRY_VERIFY_WITH_TIMEOUT(window.graphPane()->hasLayout(), 20000);
    auto* tabs = window.findChild<QTabWidget*>(u"views"_s);
    tabs->setCurrentIndex(1); // the layer table: the trace must bring the graph back
    window.selectLayer(0);
    auto* inspector = window.findChild<topiary::LayerInspector*>();
    QTRY_COMPARE(inspector->layer(), 0);
    QCustomPlot* plot = inspector->heatmap()->kernelPlot();
    QTRY_VERIFY(inspector->heatmap()->sideBarValues().size() == 24);
    plot->replot();
    const QPoint row3(plot->axisRect()->center().x(), static_cast<int>(plot->yAxis->coordToPixel(3.0)));
    QCOMPARE(inspector->heatmap()->filterAt(row3), 3);

    QString menuText;
    QTimer::singleShot(200, [&menuText] {
        auto* menu = qobject_cast<QMenu*>(QApplication::activePopupWidget());
        if (!menu)
            return;
        if (auto* action = menu->findChild<QAction*>(u"traceFilter"_s)) {
            menuText = action->text();
            action->trigger();
        }
        menu->close();
    });
    QTest::mouseClick(plot, Qt::RightButton, {}, row3);
    QContextMenuEvent rightClick(QContextMenuEvent::Mouse, row3, plot->mapToGlobal(row3)); // what the window system adds
    QApplication::sendEvent(plot, &rightClick);
    QTRY_COMPARE(menuText, u"Show where filter 3 goes"_s);
    QCOMPARE(tabs->currentWidget(), static_cast<QWidget*>(window.graphPane()));
    topiary::GraphView* graph = window.graphPane()->view();
    QVERIFY(graph->isTracing());
    if (const QString shots = qEnvironmentVariable("TOPIARY_TRACE_SHOTS"); !shots.isEmpty()) {
        graph->setTraceTime(graph->traceStageTime(1) - 0.25);
        QVERIFY(window.grab().save(shots + u"/trace-window-travel.png"_s));
    }
    graph->setTraceTime(graph->traceDuration());
    if (const QString shots = qEnvironmentVariable("TOPIARY_TRACE_SHOTS"); !shots.isEmpty())
        QVERIFY(window.grab().save(shots + u"/trace-window-end.png"_s));
    // The stem's BN (its own box, or the stem's box in the compact layout) and the next
    // conv's input channel 3.
    bool bnMarked = false;
    for (auto* item : graph->scene()->items()) {
        if (item->type() != topiary::GraphNodeItem::Type)
            continue;
        auto* node = static_cast<topiary::GraphNodeItem*>(item);
        const QString op = node->lines().value(0);
        if (node->name().contains(u"/stem/"_s) && (op == u"BatchNormalization"_s || op.contains(u"BN"_s)))
            bnMarked = node->isTraceMarked();
    }
    QVERIFY(bnMarked);
    QCOMPARE(graph->layerItem(0)->traceTag(), u"\u2212filter 3"_s);
    QCOMPARE(graph->layerItem(1)->traceTag(), u"\u2212in 3"_s);
    QVERIFY(!graph->layerItem(2)->isTraceMarked());
    QTest::keyClick(graph, Qt::Key_Escape);
    QVERIFY(!graph->isTracing());

    // Help > Trace Filter Removal: the least important filter by the side bar's criterion.
    const auto bars = inspector->heatmap()->sideBarValues();
    const int weakest = static_cast<int>(std::min_element(bars.begin(), bars.end()) - bars.begin());
    auto* action = window.findChild<QAction*>(u"traceFilterAction"_s);
    QVERIFY(action);
    action->trigger();
    QVERIFY(graph->isTracing());
    graph->setTraceTime(graph->traceDuration());
    QCOMPARE(graph->layerItem(0)->traceTag(), u"\u2212filter %1"_s.arg(weakest));
}

void TestMainWindow::overviewFollowsThePlan()
{
    MainWindow window;
    window.setShowErrorDialogs(false);
    QSignalSpy finished(&window, &MainWindow::loadFinished);
    window.openFile(m_smallCnn);
    QVERIFY(waitForLoad(finished));
    topiary::Document* document = window.document();
    const QString first = u"block1.conv1"_s; // 8 filters, a group of its own
    auto* overview = window.findChild<topiary::NetworkOverviewMap*>(u"networkOverview"_s);
    QVERIFY(overview);
    // The states of that layer's filters, as the map's tooltips say them.
    auto states = [&] {
        QStringList out;
        for (int row = 0; !overview->cellText(row, 0).isEmpty(); ++row) {
            if (!overview->cellText(row, 0).startsWith(first + u", "_s))
                continue;
            for (int64_t rank = 0; !overview->cellText(row, rank).isEmpty(); ++rank)
                if (const QString text = overview->cellText(row, rank); text.startsWith(first + u", "_s))
                    out << text.section(u", "_s, -1); // past its 8 filters: "has only 8 filters"
        }
        return out;
    };
    window.findChild<QTabWidget*>(u"views"_s)->setCurrentWidget(overview);
    QTRY_VERIFY_WITH_TIMEOUT(!states().isEmpty(), 20000); // computed off the GUI thread
    QCOMPARE(states().size(), 8);
    QCOMPARE(states().count(u"kept"_s), 8);

    // Two quick edits: only the newest plan shows, whichever run ends last.
    const std::string pw = first.toStdString();
    auto pruned = [&](double ratio) {
        return document->plan().withPrune(
            pw, { topiary::PruneGranularity::Filter, topiary::Criterion::L1, topiary::PruneMode::Ratio, ratio });
    };
    document->editPlan(pruned(0.25), u"prune"_s);
    document->editPlan(pruned(0.5), u"prune"_s);
    QTRY_VERIFY_WITH_TIMEOUT(states().count(u"pruned"_s) == states().size() / 2, 20000);
    document->undoStack()->undo();
    QTRY_VERIFY_WITH_TIMEOUT(states().count(u"pruned"_s) == states().size() / 4, 20000);

    // Another model replaces the map; a run still going on the previous one must not draw.
    window.openFile(m_copy);
    QVERIFY(waitForLoad(finished));
    QTRY_VERIFY_WITH_TIMEOUT(states().count(u"kept"_s) == states().size() && !states().isEmpty(), 20000);
}

QTEST_MAIN(TestMainWindow)

// Analyze > Compare Criteria on the sample: the dock follows the selected layer, and its
// measured accuracies (one bar per criterion, APoZ once the activations are counted) are
// the core's measureCriteria on the same images with the same statistics.
void TestMainWindow::comparesCriteriaOnTheSelectedLayer()
{
    MainWindow window;
    window.setShowErrorDialogs(false);
    window.resize(1400, 1000);
    window.show();
    QSignalSpy finished(&window, &MainWindow::loadFinished);
    window.openSample();
    QVERIFY(waitForLoad(finished));
    QAction* open = nullptr;
    for (QAction* action : window.findChildren<QAction*>())
        if (action->text().contains(u"Compare Criteria"_s))
            open = action;
    QVERIFY(open);
    open->trigger();
    const auto& layers = window.document()->cost()->layers();
    int pw1 = -1;
    for (size_t i = 0; i < layers.size(); ++i)
        if (layers[i].name == "/pw1/conv/Conv")
            pw1 = static_cast<int>(i);
    QVERIFY(pw1 >= 0);
    window.selectLayer(pw1);
    topiary::CriteriaComparisonView* view = window.criteriaView();
    QTRY_COMPARE_WITH_TIMEOUT(view->rankingTable()->rowCount(), 96, 20000);
    // APoZ joins once the window has counted the dataset's activations.
    QTRY_VERIFY_WITH_TIMEOUT(!view->rankingTable()->horizontalHeaderItem(3)->text().contains(u"n/a"_s), 60000);

    QVERIFY(window.measureCriteriaComparison(200));
    topiary::CriteriaComparisonRunner* runner = window.criteriaRunner();
    QTRY_VERIFY_WITH_TIMEOUT(!runner->isMeasuring(), 120000);
    QVERIFY(runner->hasMeasurement());
    const topiary::CriteriaMeasurement& shown = runner->measurement();
    QVERIFY(!shown.cancelled);
    QCOMPARE(view->bars()->data()->size(), 5);

    const topiary::Model& model = *window.document()->model();
    const topiary::LiveEvaluation* evaluation = window.liveEvaluation();
    auto stats = topiary::gatherActivationStats(model, layers, *evaluation->dataset(), evaluation->spec());
    QVERIFY(stats.has_value());
    topiary::EvaluationOptions options;
    options.limit = 200;
    const topiary::Evaluator evaluator(*evaluation->dataset(), evaluation->spec(), options);
    auto expected = topiary::measureCriteria(model, "/pw1/conv/Conv", view->fraction(), topiary::Plan {}, evaluator,
        topiary::activationScorer(*stats, topiary::weightScorer(model, layers)));
    QVERIFY(expected.has_value());
    QCOMPARE(shown.baseline.top1Correct, expected->baseline.top1Correct);
    int bar = 0;
    for (size_t i = 0; i < expected->criteria.size(); ++i) {
        if (!expected->criteria[i].available) { // Taylor: no trainer scores in this window
            QVERIFY(!shown.criteria[i].evaluated);
            continue;
        }
        QVERIFY(shown.criteria[i].evaluated);
        QCOMPARE(shown.criteria[i].metrics.top1Correct, expected->criteria[i].metrics.top1Correct);
        QCOMPARE(shown.criteria[i].metrics.labelled, 200);
        QCOMPARE(view->bars()->data()->at(bar++)->value, expected->criteria[i].metrics.top1().value * 100.0);
    }
    QCOMPARE(bar, 5);
    // For a person to look at the dock in the window: CRITERIA_SHOT_DIR=/some/dir.
    if (const QByteArray dir = qgetenv("CRITERIA_SHOT_DIR"); !dir.isEmpty())
        window.grab().save(QString::fromUtf8(dir) + u"/criteria-window.png"_s);
}

#include "tst_mainwindow.moc"
