#include "Document.h"

#include "core/CostModel.h"
#include "core/DependencyGroups.h"
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
    m_plan = Plan {};
    m_original = m_contents.stats ? m_contents.stats->compute(m_plan) : ModelStats {};
    m_current = m_original;
    emit modelChanged();
}

void Document::setPlan(const Plan& plan)
{
    if (plan == m_plan || !m_contents.stats)
        return;
    m_plan = plan;
    m_current = m_contents.stats->compute(m_plan);
    emit planChanged();
}

} // namespace topiary
