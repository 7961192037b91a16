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
        {"importance", "print the importance of each filter of a layer",
         "Usage: topiary-cli importance MODEL --layer NAME [--criterion C] [--json]\n\n"
         "Scores every filter (output channel) of layer NAME; higher means more important.\n"
         "Criteria: l1 and l2 (norm of the filter's weights, the default is l1), fpgm (sum of\n"
         "Euclidean distances to the layer's other filters; small = near the geometric median =\n"
         "redundant), bn_scale (|gamma| of the BatchNorm after the layer), random (a baseline).\n\n"
         "Options:\n"
         "  --layer NAME      the layer (as 'topiary-cli info' lists it)\n"
         "  --criterion C     l1 | l2 | fpgm | bn_scale | random\n"
         "  --json            print {layer, criterion, scores, rank} as JSON\n\n"
         "Exit status: 0 on success, 1 if the model or layer cannot be read, 2 on a usage error.\n",
         importanceCommand},
        {"stats", "what a plan does to size, MACs and memory",
         "Usage: topiary-cli stats MODEL [PLAN OPTIONS] [--json]\n\n"
         "Computes, without writing anything, the model under the plan: per changed layer its\n"
         "channels, params, MACs, sparsity, bits and the smallest storage encoding (dense,\n"
         "bitmask or CSR sparse, Huffman-coded codebook indices); totals before and after; and\n"
         "the sizes of the ONNX files 'apply' would write (masked, shrunk, shrunk + int8 QDQ).\n\n"
         "Plan options (either a recipe file or the compact flags, applied in order):\n"
         "  --recipe PLAN.json            the plan as a recipe (see README)\n"
         "  --prune GRAN:CRITERION:RATIO  GRAN filter|element, CRITERION l1|l2|fpgm|bn_scale|random,\n"
         "                                RATIO in [0, 1): e.g. --prune filter:l1:0.3\n"
         "  --bits B                      uniform symmetric per-channel B-bit weights (2..16)\n"
         "  --quant SCHEME[:B]            float16 | uniform:B | codebook:B | binary | ternary\n"
         "  --skip-first-last             leave the first and last layers alone\n"
         "  --round-channels[=N]          keep a multiple of N (default 8) channels per group\n"
         "  --json                        print the numbers as JSON\n\n"
         "Exit status: 0 on success, 1 if the model or plan is invalid, 2 on a usage error.\n",
         statsCommand},
        {"apply", "write the compressed model",
         "Usage: topiary-cli apply MODEL [PLAN OPTIONS] -o OUT.onnx [--shrink] [--int8-qdq] [--json]\n\n"
         "Applies the plan and writes OUT.onnx atomically (a temporary file renamed into place:\n"
         "an interrupted export leaves no partial file). OUT may not be MODEL itself. Without\n"
         "--shrink, pruned weights are zeros of the original shapes (masked); with --shrink the\n"
         "pruned channels are removed through every coupled layer. Quantized weights are stored\n"
         "as their dequantized float values, or with --int8-qdq, 8-bit uniform layers as int8\n"
         "tensors with DequantizeLinear (the QDQ format ONNX Runtime runs). The written model\n"
         "passes the ONNX checker.\n\n"
         "Plan options (either a recipe file or the compact flags, applied in order):\n"
         "  --recipe PLAN.json            the plan as a recipe (see README)\n"
         "  --prune GRAN:CRITERION:RATIO  GRAN filter|element, CRITERION l1|l2|fpgm|bn_scale|random,\n"
         "                                RATIO in [0, 1): e.g. --prune filter:l1:0.3\n"
         "  --bits B                      uniform symmetric per-channel B-bit weights (2..16)\n"
         "  --quant SCHEME[:B]            float16 | uniform:B | codebook:B | binary | ternary\n"
         "  --skip-first-last             leave the first and last layers alone\n"
         "  --round-channels[=N]          keep a multiple of N (default 8) channels per group\n"
         "  -o, --output OUT.onnx         where to write\n"
         "  --shrink                      remove pruned channels\n"
         "  --int8-qdq                    int8 weights with DequantizeLinear\n"
         "  --json                        print what was written as JSON\n\n"
         "Exit status: 0 on success, 1 if the model, plan or export fails, 2 on a usage error.\n",
         applyCommand},
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
