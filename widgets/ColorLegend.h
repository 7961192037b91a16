// The colour scale of a per-layer metric and its key: a colour bar with the metric's
// name and range. Views that colour things by a value (the layer graph) use colorAt()
// so the colours and the key always agree.
#pragma once

#include <QWidget>

namespace topiary {

class ColorLegend : public QWidget {
    Q_OBJECT

public:
    explicit ColorLegend(QWidget* parent = nullptr);

    // Shows "name" above a bar running from min to max.
    void setScale(const QString& metricName, double min, double max);
    QString metricName() const { return m_name; }
    double minimum() const { return m_min; }
    double maximum() const { return m_max; }

    // Colour of value on the scale min..max (clamped); a perceptually even ramp from dark
    // blue through green to yellow (viridis, widgets/ColorScale.h), readable by colour-blind users.
    static QColor colorAt(double value, double min, double max);
    // Text colour that stays readable on background.
    static QColor textColorOn(const QColor& background);

    QSize sizeHint() const override;

protected:
    void paintEvent(QPaintEvent* event) override;

private:
    QString m_name;
    double m_min = 0;
    double m_max = 1;
};

} // namespace topiary
