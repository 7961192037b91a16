// The window's training commands with the real trainer process (topiary-train, named by
// TOPIARY_TRAIN): Analyze > Taylor Importance fills the Document's scorer (and answers
// from the cache the second time), Analyze > Fine-tune… runs a tiny fine-tuning of the
// sample under a pruning plan with the live plot, records the result on the Pareto plot
// and in the history and opens it as the working model (the dialog fits a 1366 x 768 screen;
// TOPIARY_SCREENSHOT_DIR=folder saves a PNG of it), and closing the window while the
// trainer works asks first; with Recover on, the dialog says training starts from the
// recovered weights.
#include "Document.h"
#include "FinetuneDialog.h"
#include "MainWindow.h"
#include "TrainingPane.h"

#include "core/compress/TaylorScores.h"
#include "core/model/CostModel.h"
#include "core/model/Layer.h"

#include <qcustomplot.h>

#include <QLabel>
#include <QPushButton>
#include <QSignalSpy>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QTest>
#include <QUndoStack>

using namespace topiary;
using namespace Qt::StringLiterals;

namespace {

const QString kSample = QStringLiteral(TOPIARY_SOURCE_DIR "/resources/sample");
const QString kModel = kSample + u"/fashion_cnn.onnx"_s;
const QString kImages = kSample + u"/fashion-mnist-test-1000-images-idx3-ubyte"_s;

} // namespace

class TestTraining : public QObject {
    Q_OBJECT

private slots:
    void initTestCase()
    {
        QStandardPaths::setTestModeEnabled(true);
        QVERIFY(m_dir.isValid());
        qputenv("TOPIARY_CACHE_DIR", m_dir.filePath(u"cache"_s).toUtf8());
        QVERIFY2(!qEnvironmentVariableIsEmpty("TOPIARY_TRAIN"), "the test needs TOPIARY_TRAIN=.../topiary-train");
        m_window.setShowErrorDialogs(false);
        QSignalSpy loaded(&m_window, &MainWindow::loadFinished);
        m_window.openFile(kModel);
        QVERIFY(loaded.wait(30000));
        QVERIFY(m_window.openDataset(kImages));
        Document* doc = m_window.document();
        const auto& layers = doc->cost()->layers();
        for (size_t i = 0; i < layers.size(); ++i)
            if (layers[i].name == "/pw2/conv/Conv")
                m_layer = static_cast<int>(i);
        QVERIFY(m_layer >= 0);
        Plan plan;
        plan.setPrune("/pw2/conv/Conv", PruneSpec { PruneGranularity::Filter, Criterion::L1, PruneMode::Ratio, 0.5 });
        QVERIFY(doc->editPlan(plan, u"prune pw2"_s));
    }

    void taylorImportanceComesFromTheTrainer()
    {
        TaylorRunner* runner = m_window.training()->taylorRunner();
        QSignalSpy finished(runner, &TaylorRunner::finished);
        QVERIFY(runner->run(64));
        QVERIFY(finished.wait(120000));
        QVERIFY2(finished.first().at(0).toBool(), qPrintable(finished.first().at(1).toString()));
        Document* doc = m_window.document();
        QVERIFY(doc->taylorScores());
        QCOMPARE(doc->taylorScores()->images, 64);
        // The Document's scorer now ranks by Taylor, with the trainer's numbers.
        auto scores = doc->scorer()(m_layer, Criterion::Taylor);
        QVERIFY(scores.has_value());
        QCOMPARE(*scores, doc->taylorScores()->layers.at("/pw2/conv/Conv"));
        QVERIFY(std::any_of(scores->begin(), scores->end(), [](float v) { return v > 0.0f; }));

        // The same request again: from the cache, at once.
        QTRY_VERIFY_WITH_TIMEOUT(!runner->isRunning(), 30000); // the trainer exits after its answer
        doc->setTaylorScores(nullptr);
        finished.clear();
        QVERIFY(runner->run(64));
        QCOMPARE(finished.count(), 1);
        QVERIFY(finished.first().at(1).toString().contains(u"cache"_s));
        QVERIFY(doc->taylorScores());
    }

    void dialogSaysWhenTrainingStartsFromRecoveredWeights()
    {
        TrainingPane* training = m_window.training();
        Document* doc = m_window.document();
        Plan plan = doc->plan();
        RecoverySpec recovery;
        recovery.batchNorm = recovery.bias = recovery.leastSquares = true;
        recovery.calibrationImages = 64;
        plan.setRecovery(recovery);
        QVERIFY(doc->editPlan(plan, u"recover"_s));
        training->showDialog();
        auto* status = training->dialog()->findChild<QLabel*>(u"trainingStatus"_s);
        QVERIFY(status);
        QVERIFY2(status->text().contains(u"recovered weights"_s) && status->text().contains(u"bn,bias,lsq on 64"_s),
            qPrintable(status->text()));
        if (const QByteArray dir = qgetenv("TOPIARY_SCREENSHOT_DIR"); !dir.isEmpty())
            QVERIFY(training->dialog()->grab().save(QString::fromLocal8Bit(dir) + u"/finetune-dialog-recover.png"_s));
        // Recover off again: the note goes.
        training->dialog()->close();
        plan.setRecovery({});
        QVERIFY(doc->editPlan(plan, u"no recovery"_s));
        training->showDialog();
        QVERIFY2(status->text().isEmpty(), qPrintable(status->text()));
        training->dialog()->close();
    }

    void finetuneRunsShowsAndRecordsTheResult()
    {
        TrainingPane* training = m_window.training();
        training->showDialog();
        FinetuneDialog* dialog = training->dialog();
        QVERIFY(dialog->isVisible());
        FinetuneSettings s = dialog->settings();
        QCOMPARE(s.valData, kImages); // the document's images validate by default
        s.trainData = kImages;
        s.trainLimit = 128;
        s.batchSize = 32;
        s.epochs = 1;
        s.valData = kImages;
        s.output = m_dir.filePath(u"tuned.onnx"_s);
        dialog->setSettings(s);
        Document* doc = m_window.document();
        const size_t paretoBefore = doc->paretoSet().points().size();
        const int historyBefore = doc->undoStack()->count();

        QSignalSpy finished(training->finetuneRunner(), &FinetuneRunner::finished);
        QVERIFY(dialog->start());
        QVERIFY(!dialog->findChild<QPushButton*>(u"startButton"_s)->isEnabled());
        QVERIFY(dialog->findChild<QPushButton*>(u"stopButton"_s)->isEnabled());
        QVERIFY(finished.wait(180000));
        QVERIFY2(finished.first().at(0).toBool(), qPrintable(finished.first().at(1).toString()));
        QVERIFY(QFileInfo::exists(s.output));
        QVERIFY(QFileInfo::exists(m_dir.filePath(u"tuned.epoch1.onnx"_s)));

        // The live plot: the loss over the epoch, validation before and after it.
        QVERIFY(dialog->plot()->graph(0)->dataCount() >= 1);
        QCOMPARE(dialog->plot()->graph(1)->dataCount(), 2);
        // A Pareto point labelled as fine-tuned, and a step in the history.
        // (The live evaluation may add the plan's own point meanwhile: look for the label.)
        QVERIFY(doc->paretoSet().points().size() > paretoBefore);
        const auto& points = doc->paretoSet().points();
        const auto tuned = std::find_if(points.begin(), points.end(),
            [](const ParetoPoint& p) { return QString::fromStdString(p.label).startsWith(u"fine-tuned"_s); });
        QVERIFY(tuned != points.end());
        QCOMPARE(doc->undoStack()->count(), historyBefore + 1);
        QVERIFY(doc->undoStack()->text(historyBefore).startsWith(u"Fine-tuned"_s));
        const double accuracy = tuned->accuracy.value;
        QVERIFY(accuracy > 0.1 && accuracy <= 1.0);

        // The dialog, with its plot filled, fits a 1366 x 768 screen (frame and taskbar included).
        QVERIFY(dialog->minimumSizeHint().width() <= 1300 && dialog->minimumSizeHint().height() <= 700);
        QVERIFY(dialog->width() <= 1300 && dialog->height() <= 700);

        // Open as the working model.
        auto* open = dialog->findChild<QPushButton*>(u"openButton"_s);
        QTRY_VERIFY_WITH_TIMEOUT(open->isEnabled(), 30000); // once the trainer has exited
        if (const QByteArray dir = qgetenv("TOPIARY_SCREENSHOT_DIR"); !dir.isEmpty())
            QVERIFY(dialog->grab().save(QString::fromLocal8Bit(dir) + u"/finetune-dialog.png"_s));
        QSignalSpy loaded(&m_window, &MainWindow::loadFinished);
        open->click();
        QVERIFY(loaded.wait(30000));
        QCOMPARE(QFileInfo(doc->path()).fileName(), u"tuned.onnx"_s);
        dialog->close();
    }

    void closingWhileTrainingAsksFirst()
    {
        TrainingPane* training = m_window.training();
        FinetuneRunner* runner = training->finetuneRunner();
        FinetuneSettings s;
        s.trainData = kImages;
        s.epochs = 50; // long enough to be running when the window closes
        s.batchSize = 32;
        s.output = m_dir.filePath(u"long.onnx"_s);
        QSignalSpy finished(runner, &FinetuneRunner::finished);
        QTRY_VERIFY_WITH_TIMEOUT(!runner->isRunning(), 30000); // the last run's trainer has exited
        QVERIFY(runner->start(s));
        QTRY_VERIFY_WITH_TIMEOUT(!runner->lossX().isEmpty(), 60000); // training steps are running
        int asked = 0;
        training->setCloseQuestion([&] { return ++asked > 1; }); // "no", then "yes"
        m_window.show();
        QVERIFY(!m_window.close());
        QCOMPARE(asked, 1);
        QVERIFY(runner->isRunning());
        QVERIFY(m_window.close());
        QCOMPARE(asked, 2);
        QVERIFY(finished.wait(30000)); // stopped cleanly after the current step
        QVERIFY(!runner->isRunning());
        QVERIFY(!finished.first().at(0).toBool());
        QVERIFY(!QFileInfo::exists(s.output));
    }

private:
    QTemporaryDir m_dir;
    MainWindow m_window;
    int m_layer = -1;
};

QTEST_MAIN(TestTraining)
#include "tst_training.moc"
