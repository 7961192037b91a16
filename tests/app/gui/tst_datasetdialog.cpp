// The Dataset dialog driven as a user would: an image folder chosen, its preprocessing
// found beside the model, the preview's labels and predictions, the counts, a field
// edited into a near-chance accuracy and the plain warning that follows, and the size
// on a 1366 x 768 screen. TOPIARY_SCREENSHOT_DIR=folder saves a PNG of it there.
#include "DatasetDialog.h"

#include "widgets/DatasetPreview.h"
#include "widgets/PreprocessForm.h"

#include "core/data/Dataset.h"
#include "core/model/Model.h"

#include <QLineEdit>
#include <QSpinBox>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>

#include <opencv2/imgcodecs.hpp>

#include <filesystem>

using namespace topiary;
using namespace Qt::StringLiterals;

namespace {

const QString kSample = QStringLiteral(TOPIARY_SOURCE_DIR "/resources/sample");
constexpr int kPerClass = 6;

} // namespace

class TestDatasetDialog : public QObject {
    Q_OBJECT

private slots:
    void initTestCase()
    {
        QVERIFY(m_dir.isValid());
        // An ImageFolder of the sample's first images: folders c0..c9 sort in label order.
        auto idx = Dataset::open((kSample + u"/fashion-mnist-test-1000-images-idx3-ubyte"_s).toStdString());
        QVERIFY(idx.has_value());
        m_folder = m_dir.filePath(u"fashion"_s);
        int written[10] = {};
        for (size_t i = 0; i < idx->size(); ++i) {
            const int label = idx->label(i);
            if (written[label] == kPerClass)
                continue;
            const auto folder = std::filesystem::path(m_folder.toStdString()) / ("c" + std::to_string(label));
            std::filesystem::create_directories(folder);
            auto image = idx->image(i);
            QVERIFY(image.has_value());
            QVERIFY(cv::imwrite((folder / (std::to_string(i) + ".png")).string(), *image));
            ++written[label];
        }
        auto model = Model::load((kSample + u"/fashion_cnn.onnx"_s).toStdString());
        QVERIFY(model.has_value());
        m_model = std::make_shared<const Model>(std::move(*model));
    }

    void folderChosenPreviewAndCounts()
    {
        auto defaults = defaultPreprocess(*m_model);
        QVERIFY(defaults.has_value());
        DatasetDialog dialog(m_model, QString(), *defaults);
        QSignalSpy finished(&dialog, &DatasetDialog::checkFinished);
        dialog.setDatasetPath(m_folder);
        QCOMPARE(dialog.source(), DatasetSource::Folder);
        // The sample's preprocess.json beside the model replaces the input-shape defaults.
        QVERIFY2(dialog.form()->sourceText(u"mean"_s).contains(u"preprocess.json"_s),
            qPrintable(dialog.form()->sourceText(u"mean"_s)));
        auto spec = dialog.spec();
        QVERIFY(spec.has_value());
        QCOMPARE(spec->mean, std::vector<double> { 0.286 });
        QCOMPARE(spec->classes.size(), size_t { 10 });

        QVERIFY(finished.wait(30000));
        QVERIFY2(dialog.problemText().isEmpty(), qPrintable(dialog.problemText()));
        QVERIFY(dialog.lastSummary().has_value());
        QCOMPARE(dialog.lastSummary()->images, int64_t { 10 * kPerClass });
        QCOMPARE(dialog.lastSummary()->perClass.size(), size_t { 10 });
        for (const ClassCount& c : dialog.lastSummary()->perClass)
            QCOMPARE(c.images, int64_t { kPerClass });
        // Named by the preprocessing's classes, not the folder names.
        QCOMPARE(dialog.lastSummary()->perClass[1].name, std::string("Trouser"));

        QVERIFY(dialog.lastCheck().has_value());
        QCOMPARE(dialog.lastCheck()->metrics.labelled, int64_t { 10 * kPerClass });
        QVERIFY(!dialog.lastCheck()->nearChance);
        QVERIFY(dialog.lastCheck()->metrics.top1().value > 0.7);
        QCOMPARE(dialog.preview()->sampleCount(), 8);
        int correct = 0;
        for (int i = 0; i < dialog.preview()->sampleCount(); ++i) {
            const PreviewSample& s = dialog.lastCheck()->previews[static_cast<size_t>(i)];
            // The label is the folder's: c<label>/<index>.png.
            QVERIFY(QString::fromStdString(s.name).contains(u"/c%1/"_s.arg(s.label)));
            QVERIFY(dialog.preview()->captionText(i).startsWith(
                QString::fromStdString(spec->classes[static_cast<size_t>(s.label)]) + u"\n→ "_s));
            correct += dialog.preview()->isCorrect(i);
        }
        QVERIFY(correct >= 5);
        QVERIFY(dialog.verdictText().contains(u"The unmodified model gets"_s));
        QVERIFY(!dialog.verdictText().contains(u"near chance"_s));

        // It fits a 1366 x 768 screen, window frame and taskbar included.
        dialog.show();
        QVERIFY(dialog.minimumSizeHint().width() <= 1300 && dialog.minimumSizeHint().height() <= 700);
        QVERIFY(dialog.width() <= 1300 && dialog.height() <= 700);
        if (const QByteArray dir = qgetenv("TOPIARY_SCREENSHOT_DIR"); !dir.isEmpty())
            QVERIFY(dialog.grab().save(QString::fromLocal8Bit(dir) + u"/dataset-dialog.png"_s));
    }

    void editedScaleIsNearChance()
    {
        auto spec = loadPreprocess((kSample + u"/preprocess.json"_s).toStdString());
        QVERIFY(spec.has_value());
        DatasetDialog dialog(m_model, m_folder, *spec);
        QSignalSpy finished(&dialog, &DatasetDialog::checkFinished);
        QVERIFY(finished.wait(30000));
        QVERIFY(!dialog.lastCheck()->nearChance);

        // Forgetting to scale the pixels to 0..1: what a user typing 1 would do.
        QLineEdit* scale = dialog.form()->scaleEdit();
        scale->setText(u"1"_s);
        emit scale->editingFinished();
        QCOMPARE(dialog.form()->sourceText(u"scale"_s), u"edited"_s);
        QVERIFY(finished.wait(30000));
        QVERIFY(dialog.lastCheck().has_value());
        QVERIFY(dialog.lastCheck()->nearChance);
        QVERIFY2(dialog.verdictText().contains(u"near chance"_s) && dialog.verdictText().contains(u"preprocessing"_s),
            qPrintable(dialog.verdictText()));
        auto edited = dialog.spec();
        QVERIFY(edited.has_value());
        QCOMPARE(edited->scale, 1.0);
        QCOMPARE(dialog.datasetPath(), m_folder);
        if (const QByteArray dir = qgetenv("TOPIARY_SCREENSHOT_DIR"); !dir.isEmpty()) {
            dialog.show();
            QVERIFY(dialog.grab().save(QString::fromLocal8Bit(dir) + u"/dataset-dialog-near-chance.png"_s));
        }
    }

    void refusesWhatDoesNotFit()
    {
        auto spec = loadPreprocess((kSample + u"/preprocess.json"_s).toStdString());
        QVERIFY(spec.has_value());
        DatasetDialog dialog(m_model, QString(), *spec);
        // A mean list that is not numbers: named, and the dialog stays open.
        dialog.form()->meanEdit()->setText(u"0.2, x"_s);
        QVERIFY(!dialog.spec().has_value());
        dialog.accept();
        QVERIFY(!dialog.problemText().isEmpty());
        QCOMPARE(dialog.result(), int(QDialog::Rejected));
        // A 32 x 32 size for the 28 x 28 model: said before anything runs.
        dialog.setDatasetPath(m_folder); // finds the sample's preprocess.json again
        dialog.form()->heightBox()->setValue(32);
        dialog.check();
        QVERIFY2(dialog.problemText().contains(u"does not fit"_s), qPrintable(dialog.problemText()));
        QVERIFY(!dialog.isChecking());
    }

private:
    QTemporaryDir m_dir;
    QString m_folder;
    std::shared_ptr<const Model> m_model;
};

QTEST_MAIN(TestDatasetDialog)
#include "tst_datasetdialog.moc"
