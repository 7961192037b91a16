#include "widgets/DatasetPreview.h"

#include <QEvent>
#include <QFileInfo>
#include <QGridLayout>
#include <QImage>
#include <QLabel>
#include <QPixmap>

namespace topiary {

namespace {

constexpr int kColumns = 4;
constexpr int kSide = 84; // pixels per image: 28 x 28 at 3x, a 224 crop at 3/8

QImage toImage(const cv::Mat& mat)
{
    if (mat.empty() || mat.depth() != CV_8U)
        return {};
    if (mat.channels() == 1)
        return QImage(mat.data, mat.cols, mat.rows, static_cast<qsizetype>(mat.step), QImage::Format_Grayscale8).copy();
    if (mat.channels() == 3) // OpenCV's BGR as QImage's BGR888
        return QImage(mat.data, mat.cols, mat.rows, static_cast<qsizetype>(mat.step), QImage::Format_BGR888).copy();
    return {};
}

} // namespace

DatasetPreview::DatasetPreview(QWidget* parent)
    : QWidget(parent)
{
    m_grid = new QGridLayout(this);
    m_grid->setContentsMargins(0, 0, 0, 0);
    m_grid->setHorizontalSpacing(8);
    m_grid->setVerticalSpacing(2);
}

void DatasetPreview::clear()
{
    for (QLabel* label : m_images)
        delete label;
    for (QLabel* label : m_captions)
        delete label;
    m_images.clear();
    m_captions.clear();
    m_samples.clear();
}

void DatasetPreview::setSamples(const std::vector<PreviewSample>& samples, const std::vector<std::string>& classNames)
{
    clear();
    m_samples = samples;
    m_classNames = classNames;
    for (size_t i = 0; i < m_samples.size(); ++i) {
        const PreviewSample& s = m_samples[i];
        auto* image = new QLabel(this);
        image->setFixedSize(kSide, kSide);
        image->setAlignment(Qt::AlignCenter);
        image->setFrameShape(QFrame::Box);
        const QImage pixels = toImage(s.image);
        if (!pixels.isNull())
            image->setPixmap(QPixmap::fromImage(pixels.scaled(kSide - 2, kSide - 2, Qt::KeepAspectRatio,
                pixels.width() < kSide / 2 ? Qt::FastTransformation : Qt::SmoothTransformation)));
        image->setToolTip(QString::fromStdString(s.name));
        // Two lines, label then prediction, each elided to the cell: a wrapped caption
        // cut long class names ("Ankle boot →") where the row ran out of height.
        auto* caption = new QLabel(this);
        caption->setFixedWidth(kSide + 36);
        caption->setMinimumHeight(caption->fontMetrics().lineSpacing() * 2 + 4);
        caption->setAlignment(Qt::AlignHCenter | Qt::AlignTop);
        const int row = static_cast<int>(i) / kColumns * 2;
        const int column = static_cast<int>(i) % kColumns;
        m_grid->addWidget(image, row, column, Qt::AlignHCenter);
        m_grid->addWidget(caption, row + 1, column, Qt::AlignHCenter | Qt::AlignTop);
        m_images.push_back(image);
        m_captions.push_back(caption);
    }
    retranslateUi();
}

QString DatasetPreview::className(int label) const
{
    if (label < 0)
        return tr("unlabelled");
    if (static_cast<size_t>(label) < m_classNames.size() && !m_classNames[static_cast<size_t>(label)].empty())
        return QString::fromStdString(m_classNames[static_cast<size_t>(label)]);
    return QString::number(label);
}

bool DatasetPreview::isCorrect(int i) const
{
    const PreviewSample& s = m_samples.at(static_cast<size_t>(i));
    return s.label >= 0 && s.predicted == s.label;
}

QString DatasetPreview::captionText(int i) const
{
    return m_captions.at(static_cast<size_t>(i))->text();
}

void DatasetPreview::changeEvent(QEvent* event)
{
    if (event->type() == QEvent::LanguageChange)
        retranslateUi();
    QWidget::changeEvent(event);
}

void DatasetPreview::retranslateUi()
{
    for (size_t i = 0; i < m_samples.size(); ++i) {
        const PreviewSample& s = m_samples[i];
        QLabel* caption = m_captions[i];
        const QString predicted = s.predicted >= 0 ? className(s.predicted) : tr("not run");
        const QFontMetrics metrics = caption->fontMetrics();
        const int room = caption->width() - 4;
        caption->setText(metrics.elidedText(className(s.label), Qt::ElideRight, room) + QLatin1Char('\n')
            + metrics.elidedText(tr("→ %1").arg(predicted), Qt::ElideRight, room));
        caption->setToolTip(tr("Label: %1\nThe model predicts: %2\n%3")
                                .arg(className(s.label), predicted, QFileInfo(QString::fromStdString(s.name)).fileName()));
        if (s.label >= 0 && s.predicted >= 0)
            caption->setStyleSheet(s.predicted == s.label ? QStringLiteral("color: #1b7a3a;")
                                                          : QStringLiteral("color: #b3261e;"));
        else
            caption->setStyleSheet(QString());
    }
}

} // namespace topiary
