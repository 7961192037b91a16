// File > Export's dialog asks before writing over a file that exists (as every desktop
// application does), keeps refusing the model's own file, and does not ask for a new file.
#include "ExportDialog.h"

#include "core/analysis/Stats.h"
#include "core/model/CostModel.h"
#include "core/model/DependencyGroups.h"
#include "core/model/Layer.h"
#include "core/model/Model.h"
#include "core/plan/Plan.h"

#include <QFile>
#include <QLabel>
#include <QTemporaryDir>
#include <QTest>

using namespace topiary;
using namespace Qt::StringLiterals;

namespace {

const QString kModel = QStringLiteral(TOPIARY_SOURCE_DIR "/resources/sample/fashion_cnn.onnx");

ModelStats sampleStats()
{
    auto model = Model::load(kModel.toStdString());
    if (!model)
        qFatal("cannot load the sample");
    const auto layers = findLayers(*model);
    const auto groups = findDependencyGroups(*model, layers);
    const CostModel cost(*model);
    return StatsModel(*model, cost, groups).compute(Plan {});
}

bool writeFile(const QString& path, const QByteArray& bytes)
{
    QFile file(path);
    return file.open(QIODevice::WriteOnly) && file.write(bytes) == bytes.size();
}

} // namespace

class TestExportDialog : public QObject {
    Q_OBJECT

private slots:
    void initTestCase()
    {
        QVERIFY(m_dir.isValid());
        m_stats = sampleStats();
    }

    void newFileIsNotAsked()
    {
        ExportDialog dialog(m_stats, kModel, m_dir.filePath(u"new.onnx"_s));
        int asked = 0;
        dialog.setOverwriteQuestion([&](const QString&) { return ++asked, false; });
        dialog.accept();
        QCOMPARE(asked, 0);
        QCOMPARE(dialog.result(), int(QDialog::Accepted));
    }

    void existingFileIsAskedAbout()
    {
        const QString existing = m_dir.filePath(u"existing.onnx"_s);
        QVERIFY(writeFile(existing, "keep me"));
        ExportDialog dialog(m_stats, kModel, existing);
        QStringList asked;
        bool answer = false;
        dialog.setOverwriteQuestion([&](const QString& path) { return asked << path, answer; });

        dialog.accept(); // No: the dialog stays, the file is kept and the user told so
        QCOMPARE(asked, QStringList { existing });
        QCOMPARE(dialog.result(), int(QDialog::Rejected));
        bool told = false;
        for (const QLabel* label : dialog.findChildren<QLabel*>())
            told = told || label->text().contains(u"was kept"_s);
        QVERIFY(told);

        answer = true; // Yes: accepted
        dialog.accept();
        QCOMPARE(asked.size(), 2);
        QCOMPARE(dialog.result(), int(QDialog::Accepted));
        QFile file(existing);
        QVERIFY(file.open(QIODevice::ReadOnly));
        QCOMPARE(file.readAll(), QByteArray("keep me")); // the dialog only asks; nothing written yet
    }

    void sourceIsRefusedWithoutAsking()
    {
        ExportDialog dialog(m_stats, kModel, kModel);
        int asked = 0;
        dialog.setOverwriteQuestion([&](const QString&) { return ++asked, true; });
        dialog.accept();
        QCOMPARE(asked, 0);
        QCOMPARE(dialog.result(), int(QDialog::Rejected));
    }

private:
    QTemporaryDir m_dir;
    ModelStats m_stats;
};

QTEST_MAIN(TestExportDialog)
#include "tst_exportdialog.moc"
