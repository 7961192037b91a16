#include "widgets/PlotExport.h"

#include <QCoreApplication>
#include <QDir>
#include <QFileDialog>
#include <QFileInfo>
#include <QMessageBox>
#include <QSvgGenerator>
#include <qcustomplot.h>

namespace topiary {

bool savePlotImage(QCustomPlot* plot, const QString& path)
{
    const QString suffix = QFileInfo(path).suffix().toLower();
    // A plot that was never laid out (its window not shown yet) has a placeholder size.
    const bool laidOut = plot->width() >= 50 && plot->height() >= 50;
    const int width = laidOut ? plot->width() : 800;
    const int height = laidOut ? plot->height() : 500;
    if (suffix == QLatin1String("png"))
        return plot->savePng(path, width, height);
    if (suffix == QLatin1String("pdf"))
        return plot->savePdf(path, width, height);
    if (suffix != QLatin1String("svg"))
        return false;
    QSvgGenerator generator;
    generator.setFileName(path);
    generator.setSize(QSize(width, height));
    generator.setViewBox(QRect(0, 0, width, height));
    generator.setTitle(plot->windowTitle());
    QCPPainter painter;
    if (!painter.begin(&generator))
        return false;
    plot->toPainter(&painter, width, height);
    painter.end();
    // QSvgGenerator reports no write errors; an empty or missing file is the failure.
    return QFileInfo(path).size() > 0;
}

void savePlotImageInteractively(QCustomPlot* plot, QWidget* parent, const QString& suggestedName)
{
    const QString png = QCoreApplication::translate("topiary::PlotExport", "PNG image (*.png)");
    const QString svg = QCoreApplication::translate("topiary::PlotExport", "SVG drawing (*.svg)");
    const QString pdf = QCoreApplication::translate("topiary::PlotExport", "PDF document (*.pdf)");
    QString filter = png;
    QString path = QFileDialog::getSaveFileName(parent, QCoreApplication::translate("topiary::PlotExport", "Save Plot As"), suggestedName,
                                                png + QLatin1String(";;") + svg + QLatin1String(";;") + pdf, &filter);
    if (path.isEmpty())
        return;
    if (QFileInfo(path).suffix().isEmpty())
        path += filter == svg ? QLatin1String(".svg") : filter == pdf ? QLatin1String(".pdf") : QLatin1String(".png");
    if (!savePlotImage(plot, path))
        QMessageBox::warning(parent, QCoreApplication::translate("topiary::PlotExport", "Save Plot As"),
                             QCoreApplication::translate("topiary::PlotExport", "Could not write %1. Use a .png, .svg or .pdf file in a folder you can write to.")
                                 .arg(QDir::toNativeSeparators(path)));
}

} // namespace topiary
