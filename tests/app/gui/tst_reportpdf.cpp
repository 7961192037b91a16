// The report printed to PDF (app/gui/ReportPdf): a valid PDF whose figures are drawn as
// vectors (no raster image in the file), written only when printing worked.
#include "ReportPdf.h"

#include "core/analysis/Stats.h"
#include "core/model/CostModel.h"
#include "core/model/DependencyGroups.h"
#include "core/model/Layer.h"
#include "core/model/Model.h"
#include "core/report/HtmlReport.h"
#include "core/report/ReportFigures.h"

#include <QFile>
#include <QTemporaryDir>
#include <QTest>

using namespace topiary;
using namespace Qt::StringLiterals;

namespace {

SessionReport sampleReport()
{
    auto model = Model::load(TOPIARY_SOURCE_DIR "/resources/sample/fashion_cnn.onnx");
    if (!model)
        qFatal("cannot load the sample");
    SessionReport report;
    report.layers = findLayers(*model);
    const auto groups = findDependencyGroups(*model, report.layers);
    const CostModel cost(*model);
    const StatsModel stats(*model, cost, groups);
    report.modelName = "fashion_cnn.onnx";
    report.plan.setQuant(report.layers.front().name, { QuantScheme::Uniform, 8, true, true });
    report.original = stats.compute(Plan {});
    report.current = stats.compute(report.plan);
    report.originalTop1 = wilsonInterval(919, 1000);
    report.currentTop1 = wilsonInterval(915, 1000);
    report.exportOptions = ApplyOptions { .shrink = true, .int8Qdq = true, .float16 = false };
    SensitivityResult sweep;
    sweep.baseline.labelled = 100;
    sweep.baseline.top1Correct = 92;
    for (double ratio : { 0.0, 0.3, 0.6 }) {
        SensitivityPoint p;
        p.layer = report.layers.front().name;
        p.value = ratio;
        p.evaluated = true;
        p.metrics.labelled = 100;
        p.metrics.top1Correct = 92 - static_cast<int64_t>(ratio * 50);
        sweep.points.push_back(p);
    }
    report.figures = { sensitivityFigure(sweep), accuracyFigure(report.originalTop1, report.currentTop1) };
    return report;
}

} // namespace

class TestReportPdf : public QObject {
    Q_OBJECT

private slots:
    void printsVectorFigures()
    {
        auto html = htmlReport(sampleReport());
        QVERIFY(html.has_value());
        const QString page = QString::fromStdString(*html);
        QCOMPARE(reportPdfFigureCount(page), 2);

        QTemporaryDir dir;
        const QString pdf = dir.filePath(u"report.pdf"_s);
        const QString error = writeReportPdf(page, pdf);
        QVERIFY2(error.isEmpty(), qPrintable(error));
        QFile file(pdf);
        QVERIFY(file.open(QIODevice::ReadOnly));
        const QByteArray bytes = file.readAll();
        QVERIFY(bytes.startsWith("%PDF-"));
        QVERIFY(bytes.size() > 5000);
        // The plots are paths, not pictures: no image XObject anywhere in the file.
        QVERIFY(!bytes.contains("/Subtype /Image"));
        QVERIFY(!bytes.contains("/Subtype/Image"));
        if (const QByteArray keep = qgetenv("TOPIARY_SCREENSHOT_DIR"); !keep.isEmpty()) {
            QFile::remove(QString::fromLocal8Bit(keep) + u"/report.pdf"_s);
            QFile::copy(pdf, QString::fromLocal8Bit(keep) + u"/report.pdf"_s);
            QFile out(QString::fromLocal8Bit(keep) + u"/report.html"_s);
            QVERIFY(out.open(QIODevice::WriteOnly));
            out.write(page.toUtf8());
        }
    }

    void refusesABrokenFigureAndWritesNothing()
    {
        QTemporaryDir dir;
        const QString pdf = dir.filePath(u"broken.pdf"_s);
        const QString error = writeReportPdf(u"<html><body><svg><rect</svg></body></html>"_s, pdf);
        QVERIFY(!error.isEmpty());
        QVERIFY(!QFile::exists(pdf));
    }
};

QTEST_MAIN(TestReportPdf)
#include "tst_reportpdf.moc"
