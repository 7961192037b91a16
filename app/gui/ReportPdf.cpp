#include "ReportPdf.h"

#include <QAbstractTextDocumentLayout>
#include <QFileInfo>
#include <QPainter>
#include <QPageLayout>
#include <QPageSize>
#include <QPrinter>
#include <QRegularExpression>
#include <QSaveFile>
#include <QSvgRenderer>
#include <QTemporaryDir>
#include <QTextBlock>
#include <QTextCursor>
#include <QTextDocument>
#include <QTextFragment>
#include <QTextObjectInterface>
#include <QTextOption>

#include <filesystem>
#include <memory>
#include <system_error>
#include <vector>

namespace topiary {

namespace {

constexpr int kSvgObject = QTextFormat::UserObject + 1;
constexpr int kFigureIndex = QTextFormat::UserProperty + 1;
const QString kFigureScheme = QStringLiteral("topiary-figure:");

// Draws figure N of the report with QSvgRenderer, as wide as the page allows.
class SvgObject : public QObject, public QTextObjectInterface {
    Q_OBJECT
    Q_INTERFACES(QTextObjectInterface)

public:
    explicit SvgObject(std::vector<std::unique_ptr<QSvgRenderer>>* figures, QObject* parent)
        : QObject(parent)
        , m_figures(figures)
    {
    }

    QSizeF intrinsicSize(QTextDocument* document, int, const QTextFormat& format) override
    {
        QSvgRenderer* svg = figure(format);
        if (!svg)
            return {};
        // SVG sizes are CSS pixels (96 per inch); the printer lays the page out at its own DPI.
        QSizeF size = svg->defaultSize();
        if (const QPaintDevice* device = document->documentLayout()->paintDevice())
            size *= device->logicalDpiX() / 96.0;
        const qreal room = document->textWidth() > 0 ? document->textWidth() * 0.95 : size.width();
        if (size.width() > room)
            size *= room / size.width();
        return size;
    }

    void drawObject(QPainter* painter, const QRectF& rect, QTextDocument*, int, const QTextFormat& format) override
    {
        if (QSvgRenderer* svg = figure(format))
            svg->render(painter, rect);
    }

private:
    QSvgRenderer* figure(const QTextFormat& format) const
    {
        const int index = format.intProperty(kFigureIndex);
        return index >= 0 && index < static_cast<int>(m_figures->size()) ? (*m_figures)[static_cast<size_t>(index)].get()
                                                                        : nullptr;
    }
    std::vector<std::unique_ptr<QSvgRenderer>>* m_figures;
};

// The page with each <svg>…</svg> replaced by an image placeholder, and the SVGs.
QString splitFigures(const QString& html, QStringList* svgs)
{
    static const QRegularExpression svg(QStringLiteral("<svg\\b.*?</svg>"),
        QRegularExpression::DotMatchesEverythingOption | QRegularExpression::CaseInsensitiveOption);
    QString out;
    qsizetype last = 0;
    auto it = svg.globalMatch(html);
    while (it.hasNext()) {
        const auto match = it.next();
        out += html.mid(last, match.capturedStart() - last);
        out += QStringLiteral("<img src=\"%1%2\">").arg(kFigureScheme).arg(svgs->size());
        svgs->append(match.captured());
        last = match.capturedEnd();
    }
    out += html.mid(last);
    // QTextDocument knows no <figure>: a figure would share its line with the heading
    // before it. Paragraphs keep each figure and its caption in blocks of their own.
    out.replace(QStringLiteral("<figure class=\"plot\">"), QStringLiteral("<p>"));
    out.replace(QStringLiteral("<figure>"), QStringLiteral("<p>"));
    out.replace(QStringLiteral("</figure>"), QString());
    out.replace(QStringLiteral("<figcaption>"), QStringLiteral("<br><small>"));
    out.replace(QStringLiteral("</figcaption>"), QStringLiteral("</small></p>"));
    return out;
}

} // namespace

int reportPdfFigureCount(const QString& html)
{
    QStringList svgs;
    splitFigures(html, &svgs);
    int valid = 0;
    for (const QString& svg : svgs)
        valid += QSvgRenderer(svg.toUtf8()).isValid();
    return valid;
}

QString writeReportPdf(const QString& html, const QString& pdfPath)
{
    QStringList svgs;
    const QString page = splitFigures(html, &svgs);
    std::vector<std::unique_ptr<QSvgRenderer>> figures;
    for (const QString& svg : svgs) {
        figures.push_back(std::make_unique<QSvgRenderer>(svg.toUtf8()));
        if (!figures.back()->isValid())
            return QObject::tr("figure %1 is not a valid SVG image").arg(figures.size());
    }

    QTextDocument document;
    // QTextDocument knows no fixed table layout nor column widths: without this the layer
    // table printed narrow, its words and numbers broken letter by letter. Whole words,
    // the table across the page, a small font for its twelve columns.
    QTextOption wrap = document.defaultTextOption();
    wrap.setWrapMode(QTextOption::WordWrap);
    document.setDefaultTextOption(wrap);
    document.setDefaultStyleSheet(QStringLiteral("table.layers td, table.layers th { font-size: 6.5pt; }"
                                                 "table.totals td, table.totals th { font-size: 8.5pt; }"));
    QString laidOut = page;
    laidOut.replace(QRegularExpression(QStringLiteral("<colgroup>.*?</colgroup>")), QString());
    laidOut.replace(QStringLiteral("<table class=\"layers\">"),
        QStringLiteral("<table class=\"layers\" width=\"100%\" cellspacing=\"0\" cellpadding=\"2\">"));
    laidOut.replace(QStringLiteral("<table class=\"totals\">"),
        QStringLiteral("<table class=\"totals\" cellspacing=\"0\" cellpadding=\"3\">"));
    // The placeholders must not be fetched as files: a 1x1 transparent image stands in.
    for (int i = 0; i < svgs.size(); ++i) {
        QImage blank(1, 1, QImage::Format_ARGB32);
        blank.fill(Qt::transparent);
        document.addResource(QTextDocument::ImageResource, QUrl(kFigureScheme + QString::number(i)), blank);
    }
    document.setHtml(laidOut);
    auto* handler = new SvgObject(&figures, &document);
    document.documentLayout()->registerHandler(kSvgObject, handler);

    // Each placeholder image becomes the SVG object, in place.
    std::vector<std::pair<int, int>> spots; // position, figure
    for (QTextBlock block = document.begin(); block.isValid(); block = block.next())
        for (auto it = block.begin(); !it.atEnd(); ++it) {
            const QTextFragment fragment = it.fragment();
            const QTextCharFormat format = fragment.charFormat();
            if (!format.isImageFormat())
                continue;
            const QString name = format.toImageFormat().name();
            if (name.startsWith(kFigureScheme))
                spots.emplace_back(fragment.position(), name.mid(kFigureScheme.size()).toInt());
        }
    for (auto it = spots.rbegin(); it != spots.rend(); ++it) {
        QTextCursor cursor(&document);
        cursor.setPosition(it->first);
        cursor.setPosition(it->first + 1, QTextCursor::KeepAnchor);
        QTextCharFormat object;
        object.setObjectType(kSvgObject);
        object.setProperty(kFigureIndex, it->second);
        cursor.insertText(QString(QChar::ObjectReplacementCharacter), object);
    }

    // Printed to a temporary file beside the target, then moved over it.
    QTemporaryDir scratch(QFileInfo(pdfPath).absolutePath() + QStringLiteral("/.topiary-pdf-XXXXXX"));
    if (!scratch.isValid())
        return QObject::tr("cannot write in %1").arg(QFileInfo(pdfPath).absolutePath());
    const QString temporary = scratch.filePath(QStringLiteral("report.pdf"));
    QPrinter printer(QPrinter::HighResolution);
    printer.setOutputFormat(QPrinter::PdfFormat);
    printer.setOutputFileName(temporary);
    printer.setPageLayout(QPageLayout(QPageSize(QPageSize::A4), QPageLayout::Portrait, QMarginsF(12, 12, 12, 12),
        QPageLayout::Millimeter));
    printer.setDocName(document.metaInformation(QTextDocument::DocumentTitle));
    document.print(&printer);
    if (!QFileInfo(temporary).exists() || QFileInfo(temporary).size() == 0)
        return QObject::tr("the PDF could not be printed");
    std::error_code error; // rename() replaces the target in one step
    std::filesystem::rename(temporary.toStdString(), pdfPath.toStdString(), error);
    if (error)
        return QObject::tr("cannot write %1: %2").arg(pdfPath, QString::fromStdString(error.message()));
    return {};
}

} // namespace topiary

#include "ReportPdf.moc"
