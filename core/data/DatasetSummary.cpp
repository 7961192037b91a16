#include "core/data/DatasetSummary.h"

namespace topiary {

DatasetSummary summarizeDataset(const Dataset& dataset, const std::vector<std::string>& classNames)
{
    DatasetSummary out;
    out.images = static_cast<int64_t>(dataset.size());
    out.skipped = dataset.skipped();
    out.ignoredFiles = dataset.ignoredFiles();
    const std::vector<std::string>& names = classNames.empty() ? dataset.classNames() : classNames;
    const int classes = dataset.maxLabel() + 1;
    for (int label = 0; label < classes; ++label)
        out.perClass.push_back(
            { label, static_cast<size_t>(label) < names.size() ? names[static_cast<size_t>(label)] : std::string(), 0 });
    for (size_t i = 0; i < dataset.size(); ++i) {
        const int label = dataset.label(i);
        if (label < 0)
            ++out.unlabelled;
        else
            ++out.perClass[static_cast<size_t>(label)].images;
    }
    return out;
}

} // namespace topiary
