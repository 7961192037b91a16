// What several topiary-cli commands read the same way: the plan (a recipe file or the
// compact flags) and the evaluation inputs (model, dataset, preprocessing, limits).
// Each reader prints its own error and returns the exit code to use, or nullopt.
#pragma once

#include "app/cli/Args.h"

#include "core/data/Dataset.h"
#include "core/model/DependencyGroups.h"
#include "core/eval/Evaluator.h"
#include "core/model/Layer.h"
#include "core/model/Model.h"
#include "core/plan/Plan.h"
#include "core/data/Preprocess.h"
#include "core/compress/PruneSelection.h"

#include <optional>
#include <set>
#include <string>
#include <vector>

namespace topiary::cli {

// Splits the compact plan flags (--prune, --bits, --quant, --skip-first-last,
// --round-channels) from a command's own arguments; "-o" becomes "--output".
struct SplitArgs {
    std::vector<std::string> own;
    std::vector<std::string> compact;
};
SplitArgs splitCompactFlags(const std::vector<std::string>& argv);

// The plan from --recipe FILE or the compact flags (empty plan when neither), checked
// against the model.
std::optional<int> readPlan(const char* command, const Model& model, const std::vector<Layer>& layers,
    const std::vector<DependencyGroup>& groups, const Args& args, const std::vector<std::string>& compact, Plan& plan);

// Value options the evaluation readers take, for Args::parse.
inline const std::set<std::string> kEvalValueOptions { "data", "labels", "limit", "batch", "preprocess" };
inline const std::set<std::string> kEvalFlags { "in-order" };

// Where --preprocess, a recipe's recorded preprocessing, and the files beside the data and
// the model are looked for (choosePreprocess decides among them).
PreprocessSearch preprocessSearch(const Model& model, const Args& args, const std::string& dataPath);

struct EvalInputs {
    PreprocessSpec spec;
    std::string specSource; // the file, or "defaults from the model's input shape"
    std::optional<Dataset> dataset;
    EvaluationOptions options;
};
// Reads --data (required), --labels, --limit, --batch, --preprocess, --in-order.
std::optional<int> readEvalInputs(const char* command, const Model& model, const Args& args, EvalInputs& inputs);

std::string describePreprocess(const PreprocessSpec& spec);

// When the original model's accuracy is near chance (ChanceLevel.h), a warning on stderr
// that names the preprocessing as the likely cause and where it came from. True if warned.
bool warnIfOriginalNearChance(const char* command, const EvaluationMetrics& original, const EvalInputs& inputs);

// Filter scores for a plan or a criterion: from the weights, for APoZ from one pass of
// the model over --data (--limit images, 256 by default), for Taylor from the trainer's
// gradients on --data (--limit images, 512 by default; cached). A data criterion without
// --data is an error that says what to add.
std::optional<int> readScorer(const char* command, const Model& model, const std::vector<Layer>& layers,
    const Args& args, const std::set<Criterion>& used, FilterScorer& scorer);
// The criteria a plan's filter pruning ranks by.
std::set<Criterion> planCriteria(const Plan& plan);

} // namespace topiary::cli
