// After File > Export the window times the written file beside the original in OpenCV
// (issue 17, item 4): at batch 1 and at the evaluation batch when the model's batch is
// free, the threads and runs stated; a file OpenCV cannot run is said so, with the command
// that times it in ONNX Runtime.
#include "Document.h"
#include "ExportTiming.h"
#include "MainWindow.h"
#include "SessionFiles.h"

#include "ModelBuilder.h"

#include "core/model/Model.h"

#include <QFile>
#include <QRegularExpression>
#include <QSignalSpy>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QTest>

#include <fstream>

using namespace Qt::StringLiterals;
using namespace topiary;

namespace {

bool writeProto(const onnx::ModelProto& proto, const QString& path)
{
    std::ofstream out(path.toStdString(), std::ios::binary);
    return proto.SerializeToOstream(&out);
}

} // namespace

class TestExportTiming : public QObject {
    Q_OBJECT

private slots:
    void initTestCase()
    {
        QStandardPaths::setTestModeEnabled(true);
        QVERIFY(m_dir.isValid());
        m_model = m_dir.filePath(u"small_cnn.onnx"_s);
        QVERIFY(writeProto(test::makeSmallCnn(true), m_model));
    }

    void theExportIsTimedBesideTheOriginal()
    {
        MainWindow window;
        window.setShowErrorDialogs(false);
        QSignalSpy loaded(&window, &MainWindow::loadFinished);
        window.openFile(m_model);
        QVERIFY(loaded.wait(20000));
        QVERIFY(loaded.first().at(0).toBool());
        Document* doc = window.document();
        QVERIFY(doc->editPlan(doc->plan().withPrune("pw",
                                  PruneSpec { PruneGranularity::Filter, Criterion::L1, PruneMode::Ratio, 0.5 }),
            u"prune pw"_s));

        QSignalSpy exported(&window, &MainWindow::exportFinished);
        QSignalSpy timed(window.sessionFiles(), &SessionFiles::exportTimed);
        const QString out = m_dir.filePath(u"shrunk.onnx"_s);
        ApplyOptions options;
        options.shrink = true;
        window.exportModel(out, options);
        QVERIFY(exported.wait(20000));
        QVERIFY2(exported.first().at(0).toBool(), qPrintable(exported.first().at(1).toString()));
        QVERIFY(timed.wait(60000));
        const QString text = timed.first().at(1).toString();
        QVERIFY2(timed.first().at(0).toBool(), qPrintable(text));
        QVERIFY2(text.contains(u"shrunk.onnx in OpenCV dnn"_s), qPrintable(text));
        QVERIFY2(text.contains(QRegularExpression(u"\\d+ threads?, median of 10 runs"_s)), qPrintable(text));
        // Batch 1 and the evaluation batch (the model's batch is free), each "a → b ms per image (r×)".
        const QRegularExpression batch(u"batch (\\d+): ([0-9.]+) \u2192 ([0-9.]+) ms per image \\(([0-9.]+)\u00d7\\)"_s);
        QList<int> batches;
        for (auto it = batch.globalMatch(text); it.hasNext();) {
            const auto m = it.next();
            batches << m.captured(1).toInt();
            const double before = m.captured(2).toDouble();
            const double after = m.captured(3).toDouble();
            QVERIFY(before > 0.0 && after > 0.0);
            QVERIFY(std::abs(m.captured(4).toDouble() - after / before) <= 0.02 + 0.01 * after / before);
        }
        QCOMPARE(batches, (QList<int> { 1, 32 }));
    }

    void aFileOpenCvCannotRunIsSaidSo()
    {
        auto original = Model::fromProto(test::makeSmallCnn(false), {});
        QVERIFY(original.has_value());
        auto shared = std::make_shared<const Model>(std::move(*original));

        test::ModelBuilder b;
        b.input("input", { 1, 1, 28, 28 });
        b.node("NoSuchOperator", { "input" }, { "output" }, "odd");
        b.output("output", { 1, 1, 28, 28 });
        const QString odd = m_dir.filePath(u"odd.onnx"_s);
        QVERIFY(writeProto(b.build(), odd));

        ExportTiming timing;
        QSignalSpy finished(&timing, &ExportTiming::finished);
        timing.time(shared, odd);
        QVERIFY(finished.wait(30000));
        QVERIFY(!finished.first().at(0).toBool());
        const QString text = finished.first().at(1).toString();
        QVERIFY2(text.startsWith(u"OpenCV cannot run odd.onnx"_s), qPrintable(text));
        QVERIFY2(text.contains(u"topiary-cli bench odd.onnx"_s), qPrintable(text));

        // A file that is not there (deleted after the export) is the file's failure too.
        finished.clear();
        timing.time(shared, m_dir.filePath(u"gone.onnx"_s));
        QVERIFY(finished.wait(30000));
        QVERIFY(!finished.first().at(0).toBool());
        QVERIFY(finished.first().at(1).toString().startsWith(u"OpenCV cannot run gone.onnx"_s));
    }

private:
    QTemporaryDir m_dir;
    QString m_model;
};

QTEST_MAIN(TestExportTiming)
#include "tst_exporttiming.moc"
