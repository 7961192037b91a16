// Evaluates compressed models over a dataset without recomputing what they share with the
// original: the activations at a cut (see SubModel.h) before the first changed layer.
// Filter and element pruning, quantization and low-rank factoring of layers at or after
// the cut leave everything upstream of it as it was, so the evaluator keeps the cut
// activations of the evaluation samples (as many as a memory budget holds) and runs only
// the downstream sub-model of each compressed model on them. Samples beyond the budget
// go through the original's upstream sub-model and then the same downstream one, so the
// predictions never depend on the budget and equal those of a full run.
//
// The first run() fills the cache as it goes; later runs (other plans with the same cut)
// read it. Samples, batches, metrics and progress are those of Evaluator (same order,
// same options), so the result is an EvaluationResult like a full run's. An evaluator is
// not thread-safe (it owns OpenCV nets and the cache): one per worker thread.
#pragma once

#include "core/data/Dataset.h"
#include "core/base/Error.h"
#include "core/eval/EvaluationResult.h"
#include "core/eval/Evaluator.h"
#include "core/data/Preprocess.h"
#include "core/eval/SubModel.h"

#include <onnx/onnx_pb.h>

#include <cstdint>
#include <memory>
#include <stop_token>
#include <vector>

namespace topiary {

class Model;

struct IncrementalOptions {
    int64_t memoryBudget = int64_t{256} << 20; // bytes of cached activations at most
    // Before each run, check that the compressed model computes the cut exactly as the
    // original does (same nodes and weights upstream), so a plan that changes a layer
    // before the cut is an error rather than silently wrong numbers.
    bool verifyUpstream = true;
};

class IncrementalEvaluator {
public:
    // Reads what it needs from `original` (the upstream sub-model, tensor types); the model
    // need not outlive the evaluator. Errors: preprocessing that does not fit the model,
    // a cut that reads a graph input other than the image, a sub-model that fails to extract.
    static Result<IncrementalEvaluator> create(const Model& original, Cut cut, Dataset dataset, PreprocessSpec spec,
        EvaluationOptions evaluation = {}, IncrementalOptions options = {});

    IncrementalEvaluator(IncrementalEvaluator&&) noexcept;
    IncrementalEvaluator& operator=(IncrementalEvaluator&&) noexcept;
    ~IncrementalEvaluator();

    const Cut& cut() const;
    const Dataset& dataset() const;
    const PreprocessSpec& spec() const;
    const EvaluationOptions& evaluationOptions() const;
    std::vector<int32_t> order() const; // as Evaluator::order()

    // The cache. bytesPerSample is the size of one image's cut activations (float32),
    // 0 until known when the index leaves a non-batch dim open (then after the first batch).
    int64_t memoryBudget() const;
    int64_t bytesPerSample() const;
    int64_t capacity() const; // samples the budget holds (0 while bytesPerSample is unknown)
    int64_t cachedSamples() const; // images whose activations are held now
    int64_t bytesUsed() const; // cachedSamples() * bytesPerSample()
    void clearCache();
    // Downstream nets built so far: plans that only change weights reuse the last one.
    int64_t netsBuilt() const;

    // Fills the empty cache from `earlier`'s: an evaluator of the same model, dataset,
    // order and options at an earlier cut, whose tensors separate this cut's from the
    // images. Only the nodes between the two cuts run, on its cached rows, instead of
    // every node upstream running on decoded images; the values are the same (the same
    // OpenCV layers on the same inputs). Returns the samples seeded: 0 when it does not
    // apply (a cache already filled, an earlier cache that is empty, a cut that reads the
    // image itself or is not separated by the earlier one, a fixed batch).
    Result<int64_t> seedFrom(const IncrementalEvaluator& earlier);

    // Runs `compressed` (apply(original, plan).proto, a plan whose first changed layer is
    // at or after the cut: Cut::validFor) as Evaluator::run would, computing only the
    // downstream part for cached samples. Errors as Evaluator's, plus a compressed model
    // that differs from the original before the cut (when verifyUpstream).
    Result<EvaluationResult> run(
        const onnx::ModelProto& compressed, const Evaluator::Progress& progress = {}, std::stop_token stop = {});

    struct Impl; // public for the batch source in the .cpp

private:
    explicit IncrementalEvaluator(std::unique_ptr<Impl> impl);
    std::unique_ptr<Impl> m_impl;
};

} // namespace topiary
