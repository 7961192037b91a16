// The session report as a PDF, for people who print or mail it: the HTML page from
// core/report/HtmlReport laid out by QTextDocument and printed by QPrinter (Qt WebEngine
// is not available). QTextDocument draws no inline SVG, so each <svg> figure becomes a
// text object that QSvgRenderer paints straight into the PDF: the plots stay vectors.
#pragma once

#include <QString>

namespace topiary {

// html: htmlReport()'s page. The file is written atomically (a failed print leaves no
// half file). Returns "" on success, else the reason.
QString writeReportPdf(const QString& html, const QString& pdfPath);

// How many figures of `html` would be drawn as vectors (for tests).
int reportPdfFigureCount(const QString& html);

} // namespace topiary
