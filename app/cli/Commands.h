// The subcommands of topiary-cli and their dispatcher. Each command is a function over
// parsed arguments that returns the process exit code.
#pragma once

#include <string>
#include <vector>

namespace topiary::cli {

struct Command {
    const char* name;
    const char* summary;
    const char* help;  // full --help text
    int (*run)(const std::vector<std::string>& args);
};

const std::vector<Command>& commands();
int run(int argc, char** argv);

int infoCommand(const std::vector<std::string>& args);
int importanceCommand(const std::vector<std::string>& args);
int statsCommand(const std::vector<std::string>& args);
int applyCommand(const std::vector<std::string>& args);
int sensitivityCommand(const std::vector<std::string>& args);
int fitCommand(const std::vector<std::string>& args);
int finetuneCommand(const std::vector<std::string>& args);

} // namespace topiary::cli
