// Which BLAS library this process's libtorch computes with. libtorch calls the system's
// libblas.so.3, which Debian's alternatives point at the reference BLAS or OpenBLAS; the
// two round differently, so the same seed trains to different weights under each. The
// trainer records the library with its results so a run can be reproduced.
#pragma once

#include <string>

namespace topiary::train {

// The resolved path of the shared library that provides dgemm_ (the symlinks of the
// alternatives system followed), or "" when no loaded library provides it.
std::string blasLibrary();

} // namespace topiary::train
