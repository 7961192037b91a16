#include "DroppedFiles.h"

#include <QMimeData>
#include <QUrl>

namespace topiary {

QStringList droppedFiles(const QMimeData* mime)
{
    QStringList files;
    if (!mime || !mime->hasUrls())
        return files;
    const QList<QUrl> urls = mime->urls();
    for (const QUrl& url : urls) {
        const QString path = url.toLocalFile();
        if (!path.isEmpty()
            && (path.endsWith(QStringLiteral(".onnx"), Qt::CaseInsensitive)
                || path.endsWith(QStringLiteral(".topiary"), Qt::CaseInsensitive)))
            files.append(path);
    }
    return files;
}

} // namespace topiary
