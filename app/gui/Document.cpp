#include "Document.h"

#include "core/CostModel.h"
#include "core/Model.h"

namespace topiary {

Document::Document(QObject* parent)
    : QObject(parent)
{
}

Document::~Document() = default;

void Document::setContents(LoadedModel contents)
{
    m_contents = std::move(contents);
    emit modelChanged();
}

} // namespace topiary
