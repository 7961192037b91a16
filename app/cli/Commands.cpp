#include "app/cli/Commands.h"

#include <cstring>
#include <iostream>

namespace topiary::cli {

namespace {

void printUsage(std::ostream& out)
{
    out << "Usage: topiary-cli COMMAND [OPTIONS]\n\n"
           "Topiary compresses neural networks by hand. Commands:\n";
    for (const Command& c : commands())
        out << "  " << c.name << std::string(12 - std::strlen(c.name), ' ') << c.summary << '\n';
    out << "\nRun 'topiary-cli COMMAND --help' for the options of a command.\n";
}

} // namespace

const std::vector<Command>& commands()
{
    static const std::vector<Command> list = {
        {"info", "print the per-layer table and totals of a model",
         "Usage: topiary-cli info MODEL [--json]\n\n"
         "Loads MODEL (.onnx), validates it and prints one row per layer (Conv, ConvTranspose,\n"
         "Gemm, MatMul with a constant operand): name, op, weight shape, params, MACs, output\n"
         "shape and weight bytes, then the totals.\n\n"
         "Definitions: MACs are multiply-accumulates at batch 1 (symbolic dims count as 1).\n"
         "\"conv+linear\" counts Conv/ConvTranspose/Gemm/MatMul layers only; \"all ops\" adds\n"
         "pooling, elementwise ops, BatchNorm and activation-by-activation MatMuls.\n"
         "Params are the weight and bias elements of layers plus BatchNorm scale and shift.\n"
         "MB means 10^6 bytes.\n\n"
         "Options:\n"
         "  --json    print a JSON document instead of the table\n"
         "  --help    show this help\n\n"
         "Exit status: 0 on success, 1 if the model cannot be loaded, 2 on a usage error.\n",
         infoCommand},
    };
    return list;
}

int run(int argc, char** argv)
{
    std::vector<std::string> args(argv + 1, argv + argc);
    if (args.empty() || args[0] == "--help" || args[0] == "-h" || args[0] == "help") {
        printUsage(args.empty() ? std::cerr : std::cout);
        return args.empty() ? 2 : 0;
    }
    if (args[0] == "--version") {
        std::cout << "topiary-cli " << TOPIARY_VERSION << '\n';
        return 0;
    }
    for (const Command& c : commands()) {
        if (args[0] != c.name)
            continue;
        std::vector<std::string> rest(args.begin() + 1, args.end());
        for (const auto& a : rest)
            if (a == "--help" || a == "-h") {
                std::cout << c.help;
                return 0;
            }
        return c.run(rest);
    }
    std::cerr << "topiary-cli: unknown command '" << args[0] << "'\n\n";
    printUsage(std::cerr);
    return 2;
}

} // namespace topiary::cli
