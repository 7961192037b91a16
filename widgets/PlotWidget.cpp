#include "widgets/PlotWidget.h"

#include "widgets/PlotExport.h"
#include "widgets/PlotStyle.h"

#include <QMenu>
#include <qcustomplot.h>

namespace topiary {

PlotWidget::PlotWidget(QWidget* parent)
    : QWidget(parent)
{
}

QCustomPlot* PlotWidget::createPlot(bool saveable)
{
    auto* plot = new QCustomPlot(this);
    plotstyle::follow(plot);
    plot->setInteractions({});
    plot->setMouseTracking(true);
    if (saveable) {
        plot->setContextMenuPolicy(Qt::CustomContextMenu);
        connect(plot, &QWidget::customContextMenuRequested, this,
            [this, plot](const QPoint& pos) { showContextMenu(plot, pos); });
    }
    return plot;
}

void PlotWidget::addActionsBeforeSave(QMenu&, QCustomPlot*, const QPoint&)
{
}

void PlotWidget::addActionsAfterSave(QMenu&, QCustomPlot*, const QPoint&)
{
}

QString PlotWidget::saveName(QCustomPlot*) const
{
    return QStringLiteral("plot.png");
}

QString PlotWidget::saveTip(QCustomPlot*) const
{
    return tr("Save this plot as a PNG, SVG or PDF file.");
}

void PlotWidget::showContextMenu(QCustomPlot* plot, const QPoint& pos)
{
    QMenu menu(this);
    addActionsBeforeSave(menu, plot, pos);
    QAction* save = menu.addAction(tr("Save as…"));
    save->setToolTip(saveTip(plot));
    addActionsAfterSave(menu, plot, pos);
    if (menu.exec(plot->mapToGlobal(pos)) == save)
        savePlotImageInteractively(plot, this, saveName(plot));
}

} // namespace topiary
