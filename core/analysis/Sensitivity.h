// Sensitivity analysis: how much accuracy each layer loses when only that layer is pruned
// (at a list of ratios) or quantized (at a list of bit widths), everything else left as
// is. Before any data runs, every point gets a data-free estimate (the relative weight
// energy the change removes, ||W - W'||² / ||W||²); the evaluation then measures top-1
// and agreement with the original on the evaluator's images. Progress is reported after
// each point, and a cancelled analysis returns the points done so far.
#pragma once

#include "core/plan/CompressionSpec.h"
#include "core/base/Error.h"
#include "core/eval/EvaluationResult.h"

#include <cstdint>
#include <functional>
#include <stop_token>
#include <string>
#include <vector>

namespace topiary {

class Evaluator;
class Model;
class PlanEvaluation;
struct Layer;
struct PlanEvaluationOptions;

// Sequential stopping (off in SensitivityOptions by default: the exact mode evaluates every
// point on every image; `topiary-cli sensitivity` and the window turn it on). Every point
// runs on the same images in the same shuffled order as the baseline (paired), so after
// each batch the point's loss is known against the baseline on the same images. The run's
// N labelled images are the population the exact result is computed on; the first k of a
// random order are a sample of them drawn without replacement. After at least minImages,
// at each of the at most m batch ends before the last ("looks"), a point stops when:
//  - below: an exact hypergeometric test rejects "at least tolerance x N of the N images
//    change their top-1" at level (1 - confidence) / m. The exact loss cannot exceed the
//    rate of changed images, so it is then under the tolerance (in absolute value);
//  - above: the paired loss minus z standard errors (finite-population corrected, the
//    variance bounded by changed rate - loss²; z for one-sided (1 - confidence) / m, a
//    normal approximation) is over the tolerance.
// Summed over the looks (Bonferroni), a point stops on the wrong side of the tolerance with
// probability at most 1 - confidence over the shuffle, whatever its true loss. A stopped
// point's top-1 is reported paired: the baseline's top-1 on all N images minus the loss on
// the images it ran, as a count over those images rounded toward its reading, so its
// curve reads on the side the rule decided; a below-stopped point's loss and its exact
// loss then both lie within (-tolerance, tolerance). Its other metrics (agreement, per
// class, top-k) are those of the images it ran. Needs every image labelled and a shuffled
// order (with EvaluationOptions::shuffle off the first images are no random sample).
struct SequentialStop {
    bool enabled = false;
    double tolerance = 0.01;
    double confidence = 0.99; // per point, over all its looks
    int64_t minImages = 200;
};

enum class SequentialReading { Undecided, BelowTolerance, AboveTolerance };

struct SensitivityOptions {
    std::vector<double> ratios { 0.0, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9 };
    PruneGranularity granularity = PruneGranularity::Element;
    Criterion criterion = Criterion::L1;
    std::vector<int> bits; // uniform symmetric per-channel widths to sweep; empty = none
    // Empty = every layer. Filter granularity sweeps each prunable dependency group once,
    // named by its first producer, with all its producers pruned together.
    std::vector<std::string> layers;
    // Activations cached per cut (each layer's points run only the layers downstream of it).
    int64_t cacheBytes = int64_t { 256 } << 20;
    SequentialStop sequential;
};

enum class SweepKind { Prune, Bits };

struct SensitivityPoint {
    std::string layer;
    SweepKind kind = SweepKind::Prune;
    double value = 0.0; // ratio, or bits
    double energyRemoved = 0.0; // data-free estimate: ||W - W'||² / ||W||² of the layer
    bool evaluated = false;
    bool stoppedEarly = false; // by the sequential rule: metrics cover fewer images
    SequentialReading reading = SequentialReading::Undecided; // why it stopped
    EvaluationMetrics metrics; // when evaluated
    // The layers the point changes, in graph order: `layer` alone, or for a filter sweep
    // every producer of its dependency group (a residual stage's convs all lose the same
    // channels), so a row is read as the group it cuts, not as one layer.
    std::vector<std::string> members;
};

struct SensitivityResult {
    EvaluationMetrics baseline; // the original model
    std::vector<SensitivityPoint> points; // by layer, then kind, then value
    bool cancelled = false;
    std::vector<std::string> skipped; // "layer: reason" (e.g. its group is not prunable)
};

// How the sequential rule reads a point now: `point` after some batches (its total, labelled
// and batch size give N, k and the looks), the baseline's top-1 correct count on the same
// labelled images. Undecided: it runs on.
SequentialReading sequentialReading(const SequentialStop& rule, const EvaluationMetrics& point, int64_t baselineCorrect);
// The number of looks the rule takes on a run of `total` images in batches of `batch`.
int64_t sequentialLooks(const SequentialStop& rule, int64_t total, int batch);
// A stopped point's paired top-1 count over its k labelled images (see SequentialStop).
int64_t pairedTop1Correct(const EvaluationMetrics& point, int64_t baselineCorrectOnItsImages,
    const EvaluationMetrics& baseline, SequentialReading reading);

// The data-free estimates alone (instant): every point with energyRemoved, none evaluated.
Result<SensitivityResult> estimateSensitivity(const Model& model, const SensitivityOptions& options);

using SensitivityProgress = std::function<void(const SensitivityResult& soFar, size_t done, size_t total)>;

// Estimates, then evaluates every point with the evaluator (whose options set the images and
// the batch size). Each point runs downstream of its layer only, in a net built once per
// layer whose weights are swapped between ratios; a point whose weights equal the
// original's (ratio 0) takes the baseline's numbers, which a run would reproduce exactly.
Result<SensitivityResult> analyseSensitivity(const Model& model, const Evaluator& evaluator,
    const SensitivityOptions& options, const SensitivityProgress& progress = {}, std::stop_token stop = {});
// The same on an evaluation the caller keeps (fit evaluates its plan on it afterwards, with
// the baseline already run); best made with sweepEvaluationOptions(options).
Result<SensitivityResult> analyseSensitivity(PlanEvaluation& evaluation, const SensitivityOptions& options,
    const SensitivityProgress& progress = {}, std::stop_token stop = {});
PlanEvaluationOptions sweepEvaluationOptions(const SensitivityOptions& options);

// Top-1 each layer loses when it alone is pruned at `ratio` (baseline minus measured, at
// least 0), in layer order; NaN where no evaluated Prune point at that ratio exists or the
// baseline has no labelled images. Points are matched to layers by name, so a dependency
// group swept at filter granularity (named by its first producer) colours that producer only.
std::vector<double> lossAtRatio(const SensitivityResult& result, const std::vector<Layer>& layers, double ratio);

// CSV: comment lines ("# ...") first: the layers skipped and why, and what a row of a
// group means; then layer,members,kind,value,energy_removed,top1,top1_low,top1_high,
// agreement,correct,images, one line per point (members separated by ';').
std::string sensitivityCsv(const SensitivityResult& result);

} // namespace topiary
