#include "train/BlasLibrary.h"

#include <dlfcn.h>

#include <filesystem>
#include <system_error>

namespace topiary::train {

std::string blasLibrary()
{
    void* symbol = dlsym(RTLD_DEFAULT, "dgemm_");
    if (!symbol)
        return {};
    Dl_info info {};
    if (dladdr(symbol, &info) == 0 || !info.dli_fname)
        return {};
    std::error_code ec;
    auto resolved = std::filesystem::canonical(info.dli_fname, ec);
    return ec ? std::string(info.dli_fname) : resolved.string();
}

} // namespace topiary::train
