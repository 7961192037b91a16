// topiary-cli eval: runs a model with OpenCV dnn over a dataset (an IDX file, an image
// folder or a .csv/.tsv list) and prints top-1/top-5 with confidence intervals, per-class
// accuracy and latency. Declared here until Commands.h lists it with the other commands.
#pragma once

#include <string>
#include <vector>

namespace topiary::cli {

int evalCommand(const std::vector<std::string>& args);

} // namespace topiary::cli
