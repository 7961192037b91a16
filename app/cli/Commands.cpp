#include "app/cli/Commands.h"
#include "app/cli/BenchCommand.h"
#include "app/cli/EvalCommand.h"

#include <algorithm>
#include <cstring>
#include <iostream>

namespace topiary::cli {

namespace {

void printUsage(std::ostream& out)
{
    out << "Usage: topiary-cli COMMAND [OPTIONS]\n\n"
           "Topiary compresses neural networks by hand. Commands:\n";
    for (const Command& c : commands())
        out << "  " << c.name << std::string(std::max<size_t>(13 - std::strlen(c.name), 1), ' ') << c.summary << '\n';
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
         "Usage: topiary-cli importance MODEL --layer NAME [--criterion C] [--data PATH] [--json]\n\n"
         "Scores every filter (output channel) of layer NAME; higher means more important.\n"
         "Criteria: l1 and l2 (norm of the filter's weights, the default is l1), fpgm (sum of\n"
         "Euclidean distances to the layer's other filters; small = near the geometric median =\n"
         "redundant), bn_scale (|gamma| of the BatchNorm after the layer), apoz (1 - the fraction of\n"
         "zeros after the layer's ReLU over --data images; --limit N of them, 256 by default),\n"
         "taylor (sum over the filter of |w * dL/dw|, the cross-entropy's gradient on --data\n"
         "labelled images, --limit N of them, 512 by default; computed by topiary-train, cached),\n"
         "random (a baseline).\n\n"
         "Options:\n"
         "  --layer NAME      the layer (as 'topiary-cli info' lists it)\n"
         "  --criterion C     l1 | l2 | fpgm | bn_scale | apoz | taylor | random\n"
         "  --data PATH       images for apoz and taylor (and --labels, --limit, --preprocess as for eval)\n"
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
         "  --prune GRAN:CRITERION:RATIO  GRAN filter|element, CRITERION l1|l2|fpgm|bn_scale|apoz|taylor|random\n"
         "                                (apoz and taylor need --data PATH, as for eval),\n"
         "                                RATIO in [0, 1): e.g. --prune filter:l1:0.3\n"
         "  --bits B                      uniform symmetric per-channel B-bit weights (2..16)\n"
         "  --quant SCHEME[:B]            float16 | uniform:B | codebook:B | binary | ternary\n"
         "  --skip-first-last             leave the first and last layers alone\n"
         "  --round-channels[=N]          keep a multiple of N (default 8) channels per group\n"
         "The compact flags reach every layer with weights: Conv, ConvTranspose, Gemm and MatMul\n"
         "with a constant operand. Filter pruning removes a filter with its bias and BatchNorm\n"
         "channel, and the matching inputs of every layer that reads it, through its dependency\n"
         "group (coupled layers, e.g. around a residual Add, lose the same channels). A layer\n"
         "whose outputs are the model's output (the classifier: its outputs are the classes)\n"
         "keeps its filters; element pruning and quantization reach it. Every layer a flag\n"
         "leaves alone is printed on stderr with the reason.\n"
         "  --json                        print the numbers as JSON\n\n"
         "Exit status: 0 on success, 1 if the model or plan is invalid, 2 on a usage error.\n",
         statsCommand},
        {"apply", "write the compressed model",
         "Usage: topiary-cli apply MODEL [PLAN OPTIONS] -o OUT.onnx [--shrink] [--int8-qdq] [--float16]\n"
         "                         [--json]\n\n"
         "Applies the plan and writes OUT.onnx atomically (a temporary file renamed into place:\n"
         "an interrupted export leaves no partial file). OUT may not be MODEL itself. Without\n"
         "--shrink, pruned weights are zeros of the original shapes (masked); with --shrink the\n"
         "pruned channels are removed through every coupled layer. Quantized weights are stored\n"
         "as their dequantized float values, or with --int8-qdq, 8-bit uniform layers as int8\n"
         "tensors with DequantizeLinear (the QDQ format ONNX Runtime runs), and with --float16,\n"
         "float16 layers as float16 tensors widened by Cast. --float16 with no float16 layer in\n"
         "the plan (e.g. --float16 alone) stores every layer the plan does not quantize another\n"
         "way as float16, and says so; with every layer quantized another way (--bits 8\n"
         "--float16) it is refused, as is --int8-qdq with no 8-bit layer: a storage flag never\n"
         "writes a larger file in silence. A written file larger than its source is warned about.\n"
         "The written model passes the ONNX checker.\n\n"
         "Plan options (either a recipe file or the compact flags, applied in order):\n"
         "  --recipe PLAN.json            the plan as a recipe (see README)\n"
         "  --prune GRAN:CRITERION:RATIO  GRAN filter|element, CRITERION l1|l2|fpgm|bn_scale|apoz|taylor|random\n"
         "                                (apoz and taylor need --data PATH, as for eval),\n"
         "                                RATIO in [0, 1): e.g. --prune filter:l1:0.3\n"
         "  --bits B                      uniform symmetric per-channel B-bit weights (2..16)\n"
         "  --quant SCHEME[:B]            float16 | uniform:B | codebook:B | binary | ternary\n"
         "  --skip-first-last             leave the first and last layers alone\n"
         "  --round-channels[=N]          keep a multiple of N (default 8) channels per group\n"
         "The compact flags reach every layer with weights: Conv, ConvTranspose, Gemm and MatMul\n"
         "with a constant operand. Filter pruning removes a filter with its bias and BatchNorm\n"
         "channel, and the matching inputs of every layer that reads it, through its dependency\n"
         "group (coupled layers, e.g. around a residual Add, lose the same channels). A layer\n"
         "whose outputs are the model's output (the classifier: its outputs are the classes)\n"
         "keeps its filters; element pruning and quantization reach it. Every layer a flag\n"
         "leaves alone is printed on stderr with the reason.\n"
         "  --act-bits 8[:symmetric]      8-bit input activations (uint8, or int8 symmetric) of\n"
         "                                every layer, written as QuantizeLinear/DequantizeLinear\n"
         "                                pairs placed for ONNX Runtime's integer kernels; with\n"
         "                                --bits 8 --int8-qdq the file runs as QLinearConv etc.\n"
         "  --calib N                     calibration images (default 256) from --calib-data or --data\n"
         "  --calib-method M              minmax | percentile | mse | entropy (default mse)\n"
         "  --calib-percentile P          for percentile (default 99.99); ranges go in the recipe\n"
         "  -o, --output OUT.onnx         where to write\n"
         "  --shrink                      remove pruned channels\n"
         "  --int8-qdq                    int8 weights with DequantizeLinear\n"
         "  --float16                     float16 weights with Cast (OpenCV 4.6 cannot read them)\n"
         "  --json                        print what was written as JSON\n\n"
         "Exit status: 0 on success, 1 if the model, plan or export fails, 2 on a usage error.\n",
         applyCommand},
        {"eval", "accuracy and latency of a model on a dataset",
         "Usage: topiary-cli eval MODEL --data PATH [--labels FILE] [--limit N] [--batch B]\n"
         "                        [--preprocess FILE.json] [--in-order] [--json]\n\n"
         "Runs MODEL with OpenCV dnn over the images of PATH and prints top-1 and top-5 accuracy\n"
         "with 95% confidence intervals (Wilson score), accuracy per class, the confusion matrix\n"
         "and the forward latency per image. PATH is one of:\n"
         "  - an image folder with one sub-folder per class (as torchvision's ImageFolder:\n"
         "    classes sorted by name), or a folder of unlabelled images;\n"
         "  - a .csv/.tsv list of 'path,label' lines (paths relative to the list; a label is a\n"
         "    class index or a class name from the preprocessing's \"classes\");\n"
         "  - an IDX images file of the MNIST family, gzipped or not; its labels file is found by\n"
         "    name (...-images-idx3-ubyte -> ...-labels-idx1-ubyte) or given with --labels.\n"
         "Images OpenCV cannot read are skipped and listed. Images are visited in a fixed\n"
         "shuffled order, so --limit N evaluates a random sample of N.\n\n"
         "Preprocessing, the first found: --preprocess FILE.json; the recipe's; preprocess.json next\n"
         "to MODEL; the model's metadata_props (\"topiary.preprocess\": a whole FILE.json, or\n"
         "\"mean\" and \"std\" / \"image_mean\" and \"image_std\": \"[0.286]\" or \"0.485,0.456,0.406\",\n"
         "on the 0..1 scale, or in pixels when any value is above 1); preprocess.json beside the\n"
         "data; else defaults from the model's input shape (3 channels: ImageNet mean/std, shorter\n"
         "side to 256/224 of the input, centre crop; 1 channel: x/255), with a note. When the\n"
         "original model's top-1 is near chance (its 95% interval covers less than 15% of the way\n"
         "from 1/classes to 100%), a warning names the preprocessing as the likely cause.\n"
         "FILE.json: {\"channels\": 3, \"height\": 224, \"width\": 224, \"resize\": 256,\n"
         "\"scale\": 0.00392156862745098, \"mean\": [...], \"std\": [...], \"color_order\": \"rgb\",\n"
         "\"classes\": [...]}.\n\n"
         "Options:\n"
         "  --data PATH             the dataset (required)\n"
         "  --labels FILE           IDX labels file, when not named like the images file\n"
         "  --limit N               evaluate at most N images\n"
         "  --batch B               images per forward pass when the model's batch is symbolic (32)\n"
         "  --preprocess FILE.json  resize, crop, scale, mean/std, channel order, class names\n"
         "  --in-order              visit images in dataset order instead of shuffled\n"
         "  --json                  print the numbers as JSON (with each image's predicted class)\n\n"
         "With a plan (--recipe or the compact flags of 'apply'), the compressed model is evaluated\n"
         "too, from the cut before its first changed layer. 8-bit activations (--act-bits 8, or a\n"
         "recipe's \"act\") are calibrated first (--calib N, --calib-method M, as for 'apply'; a\n"
         "recipe's ranges are used as they are) and simulated in OpenCV as ONNX Runtime computes\n"
         "the exported QuantizeLinear/DequantizeLinear pairs (round half to even, clamp).\n\n"
         "Exit status: 0 on success, 1 if the model, data or evaluation fails, 2 on a usage error.\n",
         evalCommand},
        {"sensitivity", "accuracy of each layer pruned or quantized alone",
         "Usage: topiary-cli sensitivity MODEL --data PATH [--ratios R,...] [--bits B,...]\n"
         "                               [--granularity element|filter|none] [--criterion C]\n"
         "                               [--layers NAME,...] [--csv OUT.csv] [--json]\n"
         "                               [--exact | --tolerance POINTS] [EVAL OPTIONS]\n"
         "                               [--act-bits 8[:symmetric] [--calib N] [--calib-method M]]\n\n"
         "For every layer (or those of --layers) and every ratio (default 0,0.1,...,0.9), prunes only\n"
         "that layer and evaluates the model; with --bits also quantizes only that layer to each\n"
         "width (uniform, symmetric, per channel). Each point also has a data-free estimate: the\n"
         "relative weight energy ||W - W'||^2 / ||W||^2 the change removes.\n\n"
         "With --granularity filter a row prunes the layer's whole dependency group: every layer\n"
         "whose channels are coupled to it (e.g. a residual stage's convs around their Adds) loses\n"
         "the same filters, each with its bias and BatchNorm channel. The row is named by the\n"
         "group's first layer and lists all of them (the table says so before its rows, the CSV\n"
         "has a members column). Layers that cannot be swept (a classifier, whose outputs are the\n"
         "model's output) are skipped and listed on stderr and in the CSV's header.\n\n"
         "The CSV: '# skipped LAYER: REASON' lines first, then one line per point:\n"
         "layer,members,kind,value,energy_removed,top1,top1_low,top1_high,agreement,correct,images\n"
         "(members separated by ';').\n\n"
         "With --act-bits 8[:symmetric] each layer also gets an 'act' row: only its input\n"
         "activations 8-bit, everything else float, on ranges calibrated once for all the swept\n"
         "layers (--calib N, --calib-data PATH, --calib-method M, --calib-percentile P as for\n"
         "'apply'); in --json they are \"activation_points\", in the CSV rows of kind 'act'.\n\n"
         "Sequential stopping (the default): every point runs on the baseline's images in the same\n"
         "shuffled order, and stops once its loss is shown, with 99 % confidence over the order, to be\n"
         "under or over the tolerance (--tolerance POINTS, default 1 top-1 point). A stopped point's\n"
         "top-1 is paired: the baseline's top-1 minus the loss on the images it ran ('images' says how\n"
         "many). --exact runs every point on every image (as does --in-order, which the rule cannot use).\n\n"
         "Eval options as for 'eval': --labels, --limit N, --batch B, --preprocess FILE, --in-order.\n\n"
         "Exit status: 0 on success, 1 if the model, data or a run fails, 2 on a usage error.\n",
         sensitivityCommand},
        {"fit", "a plan that meets a MACs, params or size budget",
         "Usage: topiary-cli fit MODEL --data PATH (--target-macs F | --target-params F | --target-size F)\n"
         "                       -o PLAN.json [--max-loss POINTS] [--rounds N] [--ratios R,...]\n"
         "                       [--granularity element|filter] [--criterion C] [--layers NAME,...]\n"
         "                       [--recover bn,bias,lsq [--calib N] [--calib-data PATH] [--recovered-sweep]]\n"
         "                       [--json] [EVAL OPTIONS]\n\n"
         "Measures each layer's sensitivity (as 'sensitivity' does), then picks per-layer pruning\n"
         "ratios that meet the target with the least measured accuracy loss (greedy, as AIMET's\n"
         "compression-ratio selection: one allowed loss for all layers, each layer takes its largest\n"
         "ratio within it, the smallest allowed loss that meets the target wins). F is a fraction of\n"
         "the original: MACs (dense MACs skipping pruned weights; filter pruning by default), non-zero\n"
         "params, or encoded size. The plan is then evaluated: its predicted loss (the sum of its\n"
         "layers' sweep losses) and measured loss (top-1 points lost; 1 - agreement without labels)\n"
         "are printed.\n\n"
         "--max-loss POINTS (the GUI's allowed loss) bounds the measured loss. When the plan loses\n"
         "more, the layers (groups) whose sweep lost most at their ratio go down to their next lower\n"
         "measured ratio (never to rise again); a plan within the loss that misses the target moves\n"
         "the cut to the layer whose next ratio costs least sweep loss per budget saved; each plan\n"
         "is measured again, for at most --rounds N rounds (6): the result is the plan that meets\n"
         "the target within the loss, else the most compressed within it. If that misses the target (or no\n"
         "plan tried is within the loss) the fit fails with exit status 1; the best plan it found\n"
         "is written all the same. Without --max-loss a fitted plan whose accuracy is near chance\n"
         "is warned about.\n\n"
         "--recover bn,bias,lsq measures every plan after recovery (as 'apply --recover' would\n"
         "export it, on --calib N images of --calib-data, else of --data) and prints its loss before\n"
         "and after; the written plan carries the recovery section. With --recovered-sweep the\n"
         "proposal itself comes from a sweep measured after recovery ('sensitivity --recover'):\n"
         "each layer's loss as recovery leaves it, so the fit cuts where recovery repairs best.\n\n"
         "Options:\n"
         "  --target-macs F | --target-params F | --target-size F   the budget, a fraction in (0, 1]\n"
         "  -o, --output PLAN.json    where to write the recipe\n"
         "  --max-loss POINTS         top-1 points the plan may lose, measured (e.g. 2)\n"
         "  --rounds N                adjustment rounds at most (0..50, default 6)\n"
         "  --recover M, --calib N, --calib-data PATH   recovery before each measurement\n"
         "  --ratios, --granularity, --criterion, --layers   the sweep, as for 'sensitivity'\n"
         "  --json                    print the numbers, every plan tried, as JSON\n\n"
         "Exit status: 0 when the target is met (within --max-loss), 1 when it is not or a run fails,\n"
         "2 on a usage error.\n",
         fitCommand},
        {"finetune", "fine-tune or distil a model under a plan (topiary-train)",
         "Usage: topiary-cli finetune MODEL --data TRAIN [--val VAL] [PLAN OPTIONS] -o OUT.onnx\n"
         "                            [--epochs N] [--kd T,ALPHA] [--iterative ROUNDS] [TRAINING OPTIONS] [--json]\n\n"
         "Trains the model under the plan and writes the result as 'apply' would (masked, or with\n"
         "--shrink, --int8-qdq, --float16): pruned weights stay zero, quantized layers train through\n"
         "fake quantization at their bits (straight-through gradients), BatchNorm in training mode.\n"
         "The loss is cross-entropy on the labels, or with --kd T,ALPHA also distillation from the\n"
         "original model: ALPHA x T^2 x KL(softmax(teacher/T) || softmax(student/T)) + (1 - ALPHA) x CE\n"
         "(the KL summed over classes and averaged over the batch; ALPHA may be left out: 0.5). The\n"
         "teacher runs in eval mode on the student's batches; without --augment-pad or --flip its\n"
         "outputs are computed once, before the first step.\n"
         "Validation on VAL after each epoch and a checkpoint OUT.epochN.onnx per epoch. The recipe\n"
         "and the training options are stored in the file's metadata. Data as for 'eval' (IDX, image\n"
         "folders, lists); preprocessing as 'eval' chooses it, or --preprocess FILE.json.\n\n"
         "Training runs in a separate process, topiary-train (PyTorch's C++ library): it is found\n"
         "beside topiary-cli, or named by the environment variable TOPIARY_TRAIN.\n\n"
         "Plan options: --recipe PLAN.json, or --prune, --bits, --quant, --skip-first-last,\n"
         "--round-channels as for 'apply'.\n"
         "Training options:\n"
         "  --epochs N            passes over the training images (1), per round\n"
         "  --recover METHODS     start from the weights recovery repairs (bn,bias,lsq, as for 'apply';\n"
         "                        or the recipe's recovery section) instead of the plan's bare cut; the\n"
         "                        --kd teacher stays the original. --calib N (256) images from\n"
         "                        --calib-data PATH, else from TRAIN (never VAL); one round only\n"
         "  --iterative ROUNDS    gradual pruning (Zhu & Gupta): round r of ROUNDS prunes the plan's ratios\n"
         "                        times 1-(1-r/ROUNDS)^3, ranked on the weights trained so far, then\n"
         "                        fine-tunes; the accuracy after each round is reported (1)\n"
         "  --batch B             images per step (64); the last partial batch is dropped\n"
         "  --lr X                learning rate (0.01), cosine down to 0 unless --schedule constant\n"
         "  --optimizer sgd|adam  SGD with --momentum M (0.9), or Adam\n"
         "  --weight-decay W      (0)\n"
         "  --limit N             train on a seeded random N of the training images\n"
         "  --val-limit N         validate on a seeded random N of VAL\n"
         "  --augment-pad P       random shifts of up to P pixels; --flip random horizontal flips\n"
         "  --seed S, --threads N (1, 1): the same seed and threads give the same result\n"
         "  --checkpoints DIR     where the per-epoch checkpoints go (beside OUT)\n"
         "  --resume CKPT.onnx    continue an interrupted run from one of its checkpoints (the .state\n"
         "                        file beside it holds the float weights and the optimizer); the same\n"
         "                        options, --epochs may grow: the result equals an uninterrupted run's\n"
         "  --json                the trainer's events as JSON lines; the last is the result\n\n"
         "Exit status: 0 when the model was written, 1 if training or writing fails, 2 on a usage error.\n",
         finetuneCommand},
        {"bench", "latency of a model file in ONNX Runtime or OpenCV",
         "Usage: topiary-cli bench MODEL [--runtime ort|opencv] [--batch B] [--threads N] [--runs R]\n"
         "                         [--warmup W] [--json]\n\n"
         "Times MODEL on random input at batch 1 and, when its batch is not fixed, at batch B\n"
         "(default 32, the evaluation batch): W warm-up runs (default 3), then the median of R\n"
         "runs (default 20), with N threads (default 1), reported per image and per batch.\n"
         "--runtime ort (the default) runs ONNX Runtime (CPU, all graph optimizations, one\n"
         "inter-op thread) through node and tests/ort/bench.js of the source tree, which needs\n"
         "'npm install' in tests/ort (--ort-script PATH for another copy); --runtime opencv runs\n"
         "OpenCV dnn in this process, as eval does.\n\n"
         "Options:\n"
         "  --json    print {model, runtime, threads, runs, warmup, results} as JSON\n\n"
         "Exit status: 0 on success, 1 if the model or a run fails, 2 on a usage error.\n",
         benchCommand},
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
