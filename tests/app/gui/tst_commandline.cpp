// topiary's command line: `topiary MODEL --data PATH [--preprocess FILE]` parsed and
// checked, then driven on the real window: the model opens and evaluates on that data
// with that preprocessing.
#include "CommandLine.h"
#include "LiveEvaluation.h"
#include "MainWindow.h"

#include "core/data/Preprocess.h"

#include <QFile>
#include <QSignalSpy>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QTest>

using namespace topiary;
using namespace Qt::StringLiterals;

namespace {

const QString kSample = QStringLiteral(TOPIARY_SOURCE_DIR "/resources/sample");
const QString kModel = kSample + u"/fashion_cnn.onnx"_s;
const QString kImages = kSample + u"/fashion-mnist-test-1000-images-idx3-ubyte"_s;

StartupOptions parse(const QStringList& arguments)
{
    CommandLine commandLine;
    return commandLine.options(QStringList { u"topiary"_s } + arguments);
}

bool writeFile(const QString& path, const QByteArray& bytes)
{
    QFile file(path);
    return file.open(QIODevice::WriteOnly) && file.write(bytes) == bytes.size();
}

} // namespace

class TestCommandLine : public QObject {
    Q_OBJECT

private slots:
    void initTestCase()
    {
        QStandardPaths::setTestModeEnabled(true);
        QVERIFY(m_dir.isValid());
        m_spec = m_dir.filePath(u"mine.json"_s);
        // The sample's own preprocessing except for the mean, so the test can tell whose it is.
        QVERIFY(writeFile(m_spec, R"({"channels": 1, "height": 28, "width": 28, "mean": [0.25], "std": [0.5]})"));
    }

    void parsesModelDataAndPreprocess()
    {
        const StartupOptions options = parse({ kModel, u"--data"_s, kImages, u"--preprocess"_s, m_spec });
        QVERIFY2(options.error.isEmpty(), qPrintable(options.error));
        QCOMPARE(options.model, kModel);
        QVERIFY(!options.project);
        QCOMPARE(options.data, kImages);
        QVERIFY(options.preprocess.has_value());
        QCOMPARE(options.preprocess->mean, std::vector<double> { 0.25 });
        QCOMPARE(options.preprocess->stddev, std::vector<double> { 0.5 });
        QCOMPARE(options.preprocessFile, m_spec);

        const StartupOptions dataOnly = parse({ kModel, u"--data"_s, kImages });
        QVERIFY(dataOnly.error.isEmpty());
        QVERIFY(!dataOnly.preprocess.has_value());

        const StartupOptions sample = parse({});
        QVERIFY(sample.error.isEmpty());
        QVERIFY(sample.model.isEmpty());
    }

    void refusesWhatCannotWork()
    {
        QVERIFY(parse({ kModel, u"--preprocess"_s, m_spec }).error.contains(u"--data"_s));
        QVERIFY(parse({ kModel, kModel }).error.contains(u"one model"_s));
        QVERIFY(parse({ kModel, u"--data"_s, m_dir.filePath(u"missing"_s) }).error.contains(u"missing"_s));
        QVERIFY(!parse({ u"p.topiary"_s, u"--data"_s, kImages }).error.isEmpty());
        QVERIFY(!parse({ kModel, u"--data"_s }).error.isEmpty()); // the option's value is missing

        const QString broken = m_dir.filePath(u"broken.json"_s);
        QVERIFY(writeFile(broken, R"({"channels": 2, "height": 28, "width": 28})"));
        const QString error = parse({ kModel, u"--data"_s, kImages, u"--preprocess"_s, broken }).error;
        QVERIFY2(error.contains(u"broken.json"_s) && error.contains(u"channels"_s), qPrintable(error));
    }

    void windowEvaluatesOnTheGivenData()
    {
        const StartupOptions options = parse({ kModel, u"--data"_s, kImages, u"--preprocess"_s, m_spec });
        QVERIFY(options.error.isEmpty());
        MainWindow window;
        window.setShowErrorDialogs(false);
        QSignalSpy finished(&window, &MainWindow::loadFinished);
        connectStartup(window, options);
        openStartup(window, options);
        QVERIFY(finished.wait(30000));
        QVERIFY(finished.first().at(0).toBool());
        LiveEvaluation* evaluation = window.liveEvaluation();
        QVERIFY(evaluation->hasDataset());
        QCOMPARE(QString::fromStdString(evaluation->dataset()->source().string()), kImages);
        // The --preprocess file's values, not the preprocess.json beside the sample model.
        QCOMPARE(evaluation->spec().mean, std::vector<double> { 0.25 });
        QCOMPARE(evaluation->spec().stddev, std::vector<double> { 0.5 });
    }

private:
    QTemporaryDir m_dir;
    QString m_spec;
};

QTEST_MAIN(TestCommandLine)
#include "tst_commandline.moc"
