// An image folder as torchvision's ImageFolder reads it: one sub-folder per class, classes
// sorted by name (so label i is the i-th folder name, the order a model trained with
// torchvision expects), the image files under each class folder at any depth, sorted by
// folder then name. A folder whose sub-folders hold no images but which holds images
// itself is an unlabelled set (label -1). Image files OpenCV does not recognise are
// skipped and listed; other files are ignored and counted.
#pragma once

#include "core/base/Error.h"
#include "core/data/ImageFiles.h"

#include <filesystem>

namespace topiary {

Result<ImageSamples> scanImageFolder(const std::filesystem::path& folder);

} // namespace topiary
