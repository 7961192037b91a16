// Writes a file so that it is either the old file or the complete new one, never half of
// each: bytes go to a temporary file in the target's folder, are flushed to disk, and
// the temporary is renamed over the target. Exports, projects and reports share it.
#pragma once

#include "core/base/Error.h"

#include <filesystem>
#include <string_view>

namespace topiary {

// The checks writeFileAtomically() starts with (a name, an existing folder, not a folder
// as target), for callers that want to fail before expensive work.
Result<void> checkWriteTarget(const std::filesystem::path& target);

// An existing target keeps its permissions; a new file gets 0666 & ~umask. Errors name
// the target and say why: a missing folder, a folder as target, permission denied, a
// read-only file system, a full disk.
Result<void> writeFileAtomically(const std::filesystem::path& target, std::string_view bytes);

} // namespace topiary
