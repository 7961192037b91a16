// The set-up every QCustomPlot widget of Topiary shares: its plots follow the presentation
// style (PlotStyle: fonts and line widths grow together in presentation mode), take no
// axis drags or zooms (each widget gives the mouse its own meaning), track the mouse, and,
// when asked, offer "Save as…" PNG, SVG or PDF (PlotExport) in their context menu,
// between the actions the widget adds for the point clicked.
#pragma once

#include <QString>
#include <QWidget>

class QAction;
class QCustomPlot;
class QMenu;
class QPoint;

namespace topiary {

class PlotWidget : public QWidget {
    Q_OBJECT

protected:
    explicit PlotWidget(QWidget* parent = nullptr);

    // A plot set up as above, a child of this widget; `saveable`: with the context menu.
    QCustomPlot* createPlot(bool saveable);
    // What the widget adds to a right click's menu at `pos` of `plot`, before and after
    // "Save as…"; nothing by default.
    virtual void addActionsBeforeSave(QMenu& menu, QCustomPlot* plot, const QPoint& pos);
    virtual void addActionsAfterSave(QMenu& menu, QCustomPlot* plot, const QPoint& pos);
    // The Save dialog's suggestion and the Save action's tooltip (translated when asked).
    virtual QString saveName(QCustomPlot* plot) const;
    virtual QString saveTip(QCustomPlot* plot) const;

private:
    void showContextMenu(QCustomPlot* plot, const QPoint& pos);
};

} // namespace topiary
