// What the window accepts by drag and drop: local .onnx models and .topiary projects.
#pragma once

#include <QStringList>

class QMimeData;

namespace topiary {

// The dropped local files the window can open, in the order dropped (empty: none).
QStringList droppedFiles(const QMimeData* mime);

} // namespace topiary
