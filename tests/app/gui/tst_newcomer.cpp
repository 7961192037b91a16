// The workbench as a newcomer meets it (issue 15), on the real window offscreen: the
// Dataset dialog reached from File > Open Dataset and from the totals' accuracy row, a
// near-chance accuracy said plainly next to the number, the user's preprocessing kept
// with the project and the recipe, each model getting its own preprocessing, and no path
// that drops an edited plan without asking (a recovered session counts as unsaved).
#include "AutoSaver.h"
#include "DatasetDialog.h"
#include "LiveEvaluation.h"
#include "MainWindow.h"
#include "SessionFiles.h"

#include "ModelBuilder.h"

#include "widgets/PreprocessForm.h"
#include "widgets/TotalsPanel.h"

#include "core/data/Dataset.h"
#include "core/model/CostModel.h"
#include "core/model/Layer.h"
#include "core/model/Model.h"
#include "core/plan/Project.h"
#include "core/plan/Recipe.h"

#include <QAbstractButton>
#include <QAction>
#include <QApplication>
#include <QDir>
#include <QDragEnterEvent>
#include <QFile>
#include <QLabel>
#include <QMessageBox>
#include <QMimeData>
#include <QSettings>
#include <QSignalSpy>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QTest>
#include <QTimer>
#include <QUndoStack>

#include <opencv2/imgcodecs.hpp>

#include <filesystem>

using namespace Qt::StringLiterals;
using namespace topiary;

namespace {

const QString kSample = QStringLiteral(TOPIARY_SOURCE_DIR "/resources/sample");
constexpr int kWaitMs = 60000;

bool waitForLoad(QSignalSpy& finished)
{
    if (finished.isEmpty() && !finished.wait(20000))
        return false;
    return finished.takeFirst().at(0).toBool();
}

// The evaluation of the original (and of the plan) has finished.
bool waitForEvaluation(MainWindow& window)
{
    LiveEvaluation* evaluation = window.liveEvaluation();
    return QTest::qWaitFor(
        [&] { return evaluation->isIdle() && evaluation->original() && evaluation->original()->finished(); }, kWaitMs);
}

// Answers the next message box with `button`, and records its text.
void answerNextMessageBox(QMessageBox::StandardButton button, QString* text = nullptr)
{
    auto* poll = new QTimer(qApp);
    QObject::connect(poll, &QTimer::timeout, poll, [poll, button, text] {
        auto* box = qobject_cast<QMessageBox*>(QApplication::activeModalWidget());
        if (!box)
            return;
        poll->stop();
        poll->deleteLater();
        if (text)
            *text = box->text();
        if (QAbstractButton* answer = box->button(button))
            answer->click();
        else
            box->reject(); // not the question expected: the test fails on what follows, it does not hang
    });
    poll->start(20);
}

QString dataNote(const MainWindow& window)
{
    return window.findChild<TotalsPanel*>()->dataNoteText();
}

// A classifier of 3 x 32 x 32 images: another input shape than the 1 x 28 x 28 sample.
onnx::ModelProto makeColourModel()
{
    topiary::test::ModelBuilder b;
    b.input("input", { 1, 3, 32, 32 });
    b.conv("stem", "input", "stem_out", 3, 8, 3);
    b.node("Relu", { "stem_out" }, { "a0" }, "relu");
    b.node("GlobalAveragePool", { "a0" }, { "gap" }, "gap");
    auto& flatten = b.node("Flatten", { "gap" }, { "flat" }, "flatten");
    topiary::test::setAttr(flatten, "axis", int64_t { 1 });
    b.weight("fc.weight", { 10, 8 });
    b.weight("fc.bias", { 10 });
    auto& fc = b.node("Gemm", { "flat", "fc.weight", "fc.bias" }, { "logits" }, "fc");
    topiary::test::setAttr(fc, "transB", int64_t { 1 });
    b.output("logits", { 1, 10 });
    return b.build();
}

bool copy(const QString& from, const QString& to)
{
    QFile::remove(to);
    return QFile::copy(from, to);
}

} // namespace

class TestNewcomer : public QObject {
    Q_OBJECT

private slots:
    void initTestCase()
    {
        QStandardPaths::setTestModeEnabled(true);
        QCoreApplication::setOrganizationName(u"TopiaryTests"_s);
        QCoreApplication::setApplicationName(u"tst_newcomer"_s);
        QLocale::setDefault(QLocale(QLocale::English, QLocale::UnitedStates));
        QSettings().clear();
        QVERIFY(m_dir.isValid());
        const QDir dir(m_dir.path());
        // The sample model alone in a folder: no preprocess.json beside it, so the window
        // can only guess (pixels / 255), which scores near chance on Fashion-MNIST.
        QVERIFY(dir.mkpath(u"bare"_s) && dir.mkpath(u"described"_s) && dir.mkpath(u"data"_s));
        m_bare = dir.filePath(u"bare/fashion.onnx"_s);
        QVERIFY(copy(kSample + u"/fashion_cnn.onnx"_s, m_bare));
        // The same model with its preprocess.json beside it.
        m_described = dir.filePath(u"described/fashion.onnx"_s);
        QVERIFY(copy(kSample + u"/fashion_cnn.onnx"_s, m_described));
        QVERIFY(copy(kSample + u"/preprocess.json"_s, dir.filePath(u"described/preprocess.json"_s)));
        // The sample's images without its preprocess.json.
        m_idx = dir.filePath(u"data/fashion-mnist-test-1000-images-idx3-ubyte"_s);
        QVERIFY(copy(kSample + u"/fashion-mnist-test-1000-images-idx3-ubyte"_s, m_idx));
        QVERIFY(copy(kSample + u"/fashion-mnist-test-1000-labels-idx1-ubyte"_s,
            dir.filePath(u"data/fashion-mnist-test-1000-labels-idx1-ubyte"_s)));
        // An ImageFolder tree of a few of them: c0..c9 sort in label order.
        auto idx = Dataset::open(m_idx.toStdString());
        QVERIFY(idx.has_value());
        m_folder = dir.filePath(u"folder"_s);
        int written[10] = {};
        for (size_t i = 0; i < idx->size(); ++i) {
            const int label = idx->label(i);
            if (written[label] == 4)
                continue;
            const auto sub = std::filesystem::path(m_folder.toStdString()) / ("c" + std::to_string(label));
            std::filesystem::create_directories(sub);
            auto image = idx->image(i);
            QVERIFY(image.has_value());
            QVERIFY(cv::imwrite((sub / (std::to_string(i) + ".png")).string(), *image));
            ++written[label];
        }
        // A model of another input shape (3 x 32 x 32).
        m_otherShape = dir.filePath(u"colour_cnn.onnx"_s);
        std::string bytes;
        makeColourModel().SerializeToString(&bytes);
        QFile file(m_otherShape);
        QVERIFY(file.open(QIODevice::WriteOnly));
        QCOMPARE(file.write(bytes.data(), static_cast<qint64>(bytes.size())), static_cast<qint64>(bytes.size()));
        auto spec = loadPreprocess((kSample + u"/preprocess.json"_s).toStdString());
        QVERIFY(spec.has_value());
        m_right = *spec;
    }
    void init() { QSettings().clear(); }

    void nearChanceSaysSoAndTheDialogFixesIt();
    void openDatasetOffersAFolder();
    void eachModelGetsItsOwnPreprocessing();
    void everyPathThatDropsAnEditedPlanAsks();
    void aRecoveredSessionIsUnsaved();

private:
    QTemporaryDir m_dir;
    QString m_bare;
    QString m_described;
    QString m_idx;
    QString m_folder;
    QString m_otherShape;
    PreprocessSpec m_right;
};

// The bare model on its images with guessed preprocessing scores near chance: the totals
// say so next to the number and link to the Dataset dialog; the sample's real
// preprocessing chosen there lifts the accuracy, and the choice travels with the project
// and the recipe.
void TestNewcomer::nearChanceSaysSoAndTheDialogFixesIt()
{
    MainWindow window;
    window.setShowErrorDialogs(false);
    window.resize(1366, 768);
    window.show();
    QSignalSpy finished(&window, &MainWindow::loadFinished);
    window.openFile(m_bare);
    QVERIFY(waitForLoad(finished));
    QVERIFY(dataNote(window).contains(u"Open a dataset"_s)); // before any data: the way to it
    QVERIFY(window.openDataset(m_idx));
    QVERIFY(waitForEvaluation(window));
    const double guessed = window.liveEvaluation()->original()->top1().value;
    QVERIFY2(guessed < 0.3, qPrintable(QString::number(guessed)));
    QVERIFY2(dataNote(window).contains(u"Near chance"_s), qPrintable(dataNote(window)));
    QVERIFY(dataNote(window).contains(u"preprocessing"_s));
    QVERIFY(dataNote(window).contains(u"fashion-mnist-test-1000-images-idx3-ubyte"_s)); // which data
    QVERIFY(dataNote(window).contains(u"guesses from the model's input shape"_s)); // which preprocessing
    if (const QByteArray dir = qgetenv("TOPIARY_SCREENSHOT_DIR"); !dir.isEmpty()) {
        QTest::qWait(200); // the dock lays the longer note out
        window.grab().save(QString::fromLocal8Bit(dir) + u"/totals-near-chance.png"_s);
    }

    // The note's link opens the Dataset dialog on the data and preprocessing in use.
    auto* note = window.findChild<QLabel*>(u"accuracyDataNote"_s);
    QVERIFY(note && note->isVisible());
    emit note->linkActivated(u"dataset"_s);
    DatasetDialog* dialog = nullptr;
    QTRY_VERIFY((dialog = window.findChild<DatasetDialog*>()) && dialog->isVisible());
    QCOMPARE(QFileInfo(dialog->datasetPath()), QFileInfo(m_idx));
    QCOMPARE(dialog->source(), DatasetSource::Idx);
    QSignalSpy checked(dialog, &DatasetDialog::checkFinished);
    QVERIFY(checked.wait(kWaitMs));
    QVERIFY(dialog->lastCheck() && dialog->lastCheck()->nearChance);
    // The user types the normalisation the model was trained with.
    std::vector<std::pair<std::string, std::string>> sources;
    dialog->form()->setSpec(m_right, sources);
    dialog->accept();
    QTRY_VERIFY(!window.findChild<DatasetDialog*>());
    QCOMPARE(window.document()->preprocess(), m_right);
    QVERIFY(waitForEvaluation(window));
    const double chosen = window.liveEvaluation()->original()->top1().value;
    QVERIFY2(chosen > 0.7, qPrintable(QString::number(chosen)));
    QVERIFY2(!dataNote(window).contains(u"Near chance"_s), qPrintable(dataNote(window)));
    QVERIFY(dataNote(window).contains(u"your choice in the Dataset dialog"_s));

    // Saved with the project and the recipe.
    Plan plan = window.document()->plan();
    plan.setQuant(window.document()->cost()->layers()[0].name, QuantSpec { .scheme = QuantScheme::Uniform, .bits = 8 });
    QVERIFY(window.document()->editPlan(plan, u"8 bits"_s));
    const QString project = m_dir.filePath(u"chosen.topiary"_s);
    QVERIFY(window.saveProject(project));
    const QString recipePath = m_dir.filePath(u"chosen.json"_s);
    QVERIFY(window.saveRecipe(recipePath));
    QFile recipeFile(recipePath);
    QVERIFY(recipeFile.open(QIODevice::ReadOnly));
    auto recipe = parseRecipe(recipeFile.readAll().toStdString());
    QVERIFY(recipe.has_value());
    QVERIFY(recipe->preprocess.has_value());
    QCOMPARE(*recipe->preprocess, m_right);

    // The report: figures drawn as vectors from the numbers, no screenshot of the graph.
    QVERIFY(QTest::qWaitFor([&] { return window.liveEvaluation()->isIdle() && window.liveEvaluation()->currentDone(); }, kWaitMs));
    const QString html = m_dir.filePath(u"report.html"_s);
    QVERIFY(window.exportReport(html));
    QFile page(html);
    QVERIFY(page.open(QIODevice::ReadOnly));
    const QString text = QString::fromUtf8(page.readAll());
    QVERIFY2(text.count(u"<svg"_s) >= 2, "the accuracy and the edited layer's histogram"); // at least
    QVERIFY(!text.contains(u"data:image/png"_s));
    const QString pdf = m_dir.filePath(u"report.pdf"_s);
    QVERIFY(window.sessionFiles()->exportReportPdf(pdf));
    QVERIFY(QFileInfo(pdf).size() > 1000);
    if (const QByteArray dir = qgetenv("TOPIARY_SCREENSHOT_DIR"); !dir.isEmpty()) {
        QFile::copy(html, QString::fromLocal8Bit(dir) + u"/report.html"_s);
        QFile::copy(pdf, QString::fromLocal8Bit(dir) + u"/report.pdf"_s);
    }

    MainWindow reopened;
    reopened.setShowErrorDialogs(false);
    QSignalSpy reloaded(&reopened, &MainWindow::loadFinished);
    QVERIFY(reopened.openProject(project));
    QVERIFY(waitForLoad(reloaded));
    QCOMPARE(reopened.document()->preprocess(), m_right);
    QCOMPARE(QFileInfo(reopened.document()->datasetPath()), QFileInfo(m_idx));
}

// File > Open Dataset opens the dialog, whose Image folder source takes a folder tree.
void TestNewcomer::openDatasetOffersAFolder()
{
    MainWindow window;
    window.setShowErrorDialogs(false);
    window.show();
    QSignalSpy finished(&window, &MainWindow::loadFinished);
    window.openFile(m_described);
    QVERIFY(waitForLoad(finished));
    window.sessionFiles()->actions().openDataset->trigger();
    DatasetDialog* dialog = nullptr;
    QTRY_VERIFY((dialog = window.findChild<DatasetDialog*>()) && dialog->isVisible());
    QSignalSpy checked(dialog, &DatasetDialog::checkFinished);
    dialog->setDatasetPath(m_folder);
    QCOMPARE(dialog->source(), DatasetSource::Folder);
    QVERIFY(checked.wait(kWaitMs));
    QCOMPARE(dialog->lastSummary()->images, int64_t { 40 });
    dialog->accept();
    QTRY_COMPARE(window.document()->datasetPath(), QFileInfo(m_folder).absoluteFilePath());
    QVERIFY(window.document()->dataset()->hasLabels());
    QCOMPARE(window.document()->preprocess(), m_right); // found beside the model, kept as chosen
    QVERIFY(waitForEvaluation(window));
    QVERIFY(window.liveEvaluation()->original()->top1().value > 0.6);
}

// Another model opened after the first keeps the images but never the first model's
// preprocessing: its own preprocess.json wins, and a model of another input shape gets
// its own size.
void TestNewcomer::eachModelGetsItsOwnPreprocessing()
{
    MainWindow window;
    window.setShowErrorDialogs(false);
    QSignalSpy finished(&window, &MainWindow::loadFinished);
    window.openFile(m_bare);
    QVERIFY(waitForLoad(finished));
    QVERIFY(window.openDataset(m_idx));
    const PreprocessSpec guessed = window.document()->preprocess();
    QVERIFY(!(guessed == m_right));

    window.openFile(m_described);
    QVERIFY(waitForLoad(finished));
    QCOMPARE(QFileInfo(window.document()->datasetPath()), QFileInfo(m_idx)); // the images stay
    QCOMPARE(window.document()->preprocess(), m_right);
    QVERIFY2(window.document()->preprocessFrom().contains(u"preprocess.json"_s),
        qPrintable(window.document()->preprocessFrom()));

    window.openFile(m_otherShape);
    QVERIFY(waitForLoad(finished));
    // The grey images still feed it (as colour), at its own size, never at 1 x 28 x 28.
    QVERIFY(window.document()->dataset());
    QCOMPARE(window.document()->preprocess().channels, 3);
    QCOMPARE(window.document()->preprocess().height, 32);
    QCOMPARE(window.document()->preprocess().width, 32);
    QVERIFY(dataNote(window).contains(u"3\u00d732\u00d732"_s));
}

// With an edited plan, Open Sample, a recent file and a drop ask first; Cancel keeps the
// document, Discard replaces it.
void TestNewcomer::everyPathThatDropsAnEditedPlanAsks()
{
    MainWindow window;
    window.setShowErrorDialogs(true); // the question is what is tested
    window.show();
    QSignalSpy finished(&window, &MainWindow::loadFinished);
    window.openFile(m_described);
    QVERIFY(waitForLoad(finished));
    Plan plan;
    plan.setQuant(window.document()->cost()->layers()[0].name, QuantSpec { .scheme = QuantScheme::Uniform, .bits = 4 });
    QVERIFY(window.document()->editPlan(plan, u"4 bits"_s));
    QVERIFY(window.windowTitle().contains(u"*"_s));

    auto actionNamed = [&window](const QString& text) -> QAction* {
        for (QAction* action : window.findChildren<QAction*>())
            if (action->text() == text)
                return action;
        return nullptr;
    };
    QAction* sample = actionNamed(u"Open &Sample Model"_s);
    QVERIFY(sample);
    QString asked;
    answerNextMessageBox(QMessageBox::Cancel, &asked);
    sample->trigger();
    QVERIFY2(asked.contains(u"has changed"_s), qPrintable(asked));
    QTest::qWait(100);
    QCOMPARE(window.document()->path(), m_described);
    QVERIFY(window.document()->isModified());

    // A dropped file asks too (after the drop has ended).
    QMimeData mime;
    mime.setUrls({ QUrl::fromLocalFile(m_otherShape) });
    const QPoint at(window.width() / 2, window.height() / 2);
    QDragEnterEvent enter(at, Qt::CopyAction, &mime, Qt::LeftButton, Qt::NoModifier);
    QCoreApplication::sendEvent(&window, &enter);
    QVERIFY(enter.isAccepted());
    QDropEvent drop(QPointF(at), Qt::CopyAction, &mime, Qt::LeftButton, Qt::NoModifier);
    asked.clear();
    answerNextMessageBox(QMessageBox::Cancel, &asked);
    QCoreApplication::sendEvent(&window, &drop);
    QTRY_VERIFY(!asked.isEmpty());
    QTest::qWait(100);
    QCOMPARE(window.document()->path(), m_described);

    // Discard: the document goes.
    asked.clear();
    answerNextMessageBox(QMessageBox::Discard, &asked);
    QDragEnterEvent again(at, Qt::CopyAction, &mime, Qt::LeftButton, Qt::NoModifier);
    QCoreApplication::sendEvent(&window, &again);
    QDropEvent dropAgain(QPointF(at), Qt::CopyAction, &mime, Qt::LeftButton, Qt::NoModifier);
    QCoreApplication::sendEvent(&window, &dropAgain);
    QVERIFY(waitForLoad(finished));
    QVERIFY(!asked.isEmpty());
    QCOMPARE(window.document()->path(), m_otherShape);
    QVERIFY(!window.document()->isModified());
}

// Accepting crash recovery gives a session that is saved nowhere: `*` in the title, the
// question at Quit, and an autosave until it is saved.
void TestNewcomer::aRecoveredSessionIsUnsaved()
{
    Project crashed;
    crashed.modelPath = m_described.toStdString();
    Plan plan;
    {
        auto model = Model::load(m_described.toStdString());
        QVERIFY(model.has_value());
        const std::vector<Layer> layers = findLayers(*model);
        plan.setQuant(layers[0].name, QuantSpec { .scheme = QuantScheme::Uniform, .bits = 4 });
        crashed.modelFingerprint = fingerprintFile(m_described.toStdString()).value();
    }
    crashed.plan = plan;
    crashed.history.push_back({ plan, "4 bits", std::nullopt });
    crashed.current = 0;
    const QString folder = AutoSaver::defaultFolder();
    QDir(folder).removeRecursively(); // what the other tests' windows left
    QVERIFY(QDir().mkpath(folder));
    const QString autosave = QDir(folder).filePath(u"session-crashed.topiary"_s);
    QVERIFY(writeProject(autosave.toStdString(), crashed).has_value());
    QVERIFY(AutoSaver::recoverable().contains(autosave));

    auto* window = new MainWindow;
    window->setShowErrorDialogs(true);
    window->show();
    QSignalSpy finished(window, &MainWindow::loadFinished);
    answerNextMessageBox(QMessageBox::Yes);
    window->offerRecovery();
    QVERIFY(waitForLoad(finished));
    QTRY_VERIFY(window->document()->plan() == plan);
    QVERIFY(window->document()->isModified());
    QVERIFY2(window->windowTitle().contains(u"*"_s), qPrintable(window->windowTitle()));
    // The session's own autosave holds it now; the crashed one is gone.
    QTRY_VERIFY(!QFile::exists(autosave));
    QStringList own = QDir(folder).entryList({ u"session-*.topiary"_s }, QDir::Files);
    QCOMPARE(own.size(), 1);

    // Quit asks; Cancel keeps the window open.
    QString asked;
    answerNextMessageBox(QMessageBox::Cancel, &asked);
    QVERIFY(!window->close());
    QVERIFY2(asked.contains(u"has changed"_s), qPrintable(asked));
    QVERIFY(window->isVisible());
    answerNextMessageBox(QMessageBox::Discard);
    QVERIFY(window->close());
    delete window;
    QVERIFY(QDir(folder).entryList({ u"session-*.topiary"_s }, QDir::Files).isEmpty());
}

QTEST_MAIN(TestNewcomer)
#include "tst_newcomer.moc"
