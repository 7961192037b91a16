// topiary-cli: the command line over core/. Thin: parse arguments, call core, print.
#include "app/cli/Commands.h"

int main(int argc, char** argv) { return topiary::cli::run(argc, argv); }
