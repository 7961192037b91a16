#include "train/TrainingSetup.h"

#include "core/base/AtomicFile.h"
#include "core/compress/Importance.h"
#include "core/data/Dataset.h"
#include "core/data/Preprocessor.h"
#include "core/export/Apply.h"
#include "core/model/DependencyGroups.h"
#include "core/plan/Recipe.h"
#include "core/recover/ActivationCalibration.h"
#include "core/recover/CalibrationImages.h"
#include "core/recover/Recovery.h"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <numeric>
#include <random>

namespace topiary::train {

Result<ImageSet> loadImages(const std::filesystem::path& path, const PreprocessSpec& spec, int64_t limit, uint64_t seed)
{
    DatasetOptions datasetOptions;
    datasetOptions.classNames = spec.classes;
    auto dataset = Dataset::open(path, datasetOptions);
    if (!dataset)
        return std::unexpected(dataset.error());
    if (!dataset->hasLabels())
        return fail(path.string() + " has no labels; training needs labelled images");
    auto preprocessor = Preprocessor::create(spec);
    if (!preprocessor)
        return std::unexpected(preprocessor.error());
    std::vector<size_t> order(dataset->size());
    std::iota(order.begin(), order.end(), size_t { 0 });
    if (limit > 0 && static_cast<size_t>(limit) < order.size()) {
        std::mt19937_64 rng(seed);
        std::shuffle(order.begin(), order.end(), rng);
        order.resize(static_cast<size_t>(limit));
        std::sort(order.begin(), order.end());
    }
    ImageSet set;
    set.channels = spec.channels;
    set.height = spec.height;
    set.width = spec.width;
    const size_t per = preprocessor->floatsPerImage();
    constexpr size_t kMaxFloats = size_t { 1 } << 30; // 4 GB: beyond that, ask for --limit
    if (order.size() * per > kMaxFloats)
        return fail(path.string() + ": " + std::to_string(order.size()) + " images do not fit in memory at "
            + std::to_string(per) + " floats each; train on a subset (train_limit)");
    set.pixels.resize(order.size() * per);
    for (size_t i : order) {
        const int label = dataset->label(i);
        auto image = dataset->image(i);
        if (label < 0 || !image) {
            ++set.skipped;
            continue;
        }
        if (auto r = preprocessor->write(*image, set.pixels.data() + static_cast<size_t>(set.count) * per); !r) {
            ++set.skipped;
            continue;
        }
        set.labels.push_back(label);
        ++set.count;
    }
    set.pixels.resize(static_cast<size_t>(set.count) * per);
    if (set.count == 0)
        return fail(path.string() + ": no labelled image could be read");
    set.description = dataset->description();
    return set;
}

TrainingSetup::TrainingSetup(TrainOptions options, Model original)
    : m_options(std::move(options))
    , m_original(std::move(original))
{
}

int64_t TrainingSetup::maskedWeights() const
{
    int64_t n = 0;
    for (const auto& [_, m] : m_masks)
        n += std::count(m.keep.begin(), m.keep.end(), uint8_t { 0 });
    return n;
}

Result<TrainingSetup> TrainingSetup::prepare(
    const TrainOptions& options, const std::function<void(const std::string&)>& progress)
{
    progress("loading " + options.model);
    auto model = Model::load(options.model);
    if (!model)
        return std::unexpected(model.error().withContext(options.model));
    TrainingSetup s(options, std::move(*model));
    const Model& original = s.m_original;
    s.m_layers = findLayers(original);
    s.m_groups = findDependencyGroups(original, s.m_layers);
    if (options.recipe)
        s.m_finalPlan = options.recipe->plan;
    if (auto problems = validatePlan(s.m_finalPlan, original, s.m_layers, &s.m_groups); !problems.empty())
        return fail(
            "the plan does not fit " + options.model + ": " + problems.front().layer + ": " + problems.front().message);
    for (const auto& [name, spec] : s.m_finalPlan.layers()) {
        if (spec.lowRank.rank > 0)
            return fail("layer " + name
                + ": the trainer cannot fine-tune low-rank factors yet; "
                  "fine-tune before factoring, or leave the layer at full rank");
        if (spec.prune.granularity == PruneGranularity::Filter
            && (spec.prune.criterion == Criterion::Apoz || spec.prune.criterion == Criterion::Taylor))
            return fail("layer " + name + ": the trainer cannot select filters by " + criterionName(spec.prune.criterion)
                + " while fine-tuning; use l1, l2, fpgm or bn_scale");
        if (options.rounds > 1 && spec.prune.granularity != PruneGranularity::None
            && spec.prune.mode != PruneMode::Ratio)
            return fail("layer " + name + ": iterative pruning grows ratios; give this layer a ratio, not a threshold");
    }
    PreprocessSearch search;
    search.dataset = options.trainData;
    search.modelFile = options.model;
    if (options.preprocess) {
        search.recorded = options.preprocess;
        search.recordedFrom = "the training options";
    } else if (options.recipe && options.recipe->preprocess) {
        search.recorded = options.recipe->preprocess;
        search.recordedFrom = "the recipe";
    }
    auto chosen = choosePreprocess(original, search);
    if (!chosen)
        return std::unexpected(chosen.error());
    if (!chosen->warning.empty())
        progress("note: " + chosen->warning);
    s.m_preprocess = chosen->spec;
    // A resumed run takes its weights from the checkpoint: recovering first would be undone.
    if (s.m_finalPlan.recovery().any() && options.resume.empty())
        if (auto r = s.recoverBeforeTraining(progress); !r)
            return std::unexpected(r.error());
    if (auto r = s.startRound(1, {}); !r)
        return std::unexpected(r.error());
    progress("reading training images from " + options.trainData);
    auto train = loadImages(options.trainData, chosen->spec, options.trainLimit, options.seed);
    if (!train)
        return std::unexpected(train.error().withContext("training data"));
    s.m_train = std::move(*train);
    if (!options.valData.empty()) {
        progress("reading validation images from " + options.valData);
        auto val = loadImages(options.valData, chosen->spec, options.valLimit, options.seed);
        if (!val)
            return std::unexpected(val.error().withContext("validation data"));
        s.m_val = std::move(*val);
    }
    return s;
}

Result<void> TrainingSetup::recoverBeforeTraining(const std::function<void(const std::string&)>& progress)
{
    const RecoverySpec& spec = m_finalPlan.recovery();
    if (m_options.rounds > 1)
        return fail("recovery before fine-tuning repairs the final plan, so it needs a single round "
                    "(iterative pruning changes the plan every round): leave out the recovery or the rounds");
    // Calibration images: the recovery's own source, else the training images (never the
    // validation images, which judge the result).
    const std::string source = spec.source.empty() ? m_options.trainData : spec.source;
    progress("recovering (" + recoveryMethodsText(spec) + ") on " + std::to_string(spec.calibrationImages)
        + " images of " + source + " before training");
    auto dataset = Dataset::open(source);
    if (!dataset)
        return std::unexpected(dataset.error().withContext("calibration data"));
    auto images = loadCalibrationImages(m_original, *dataset, m_preprocess, spec.calibrationImages, spec.seed);
    if (!images)
        return std::unexpected(images.error().withContext("calibration data"));
    auto selection = selectPruned(m_original, m_layers, m_groups, m_finalPlan, weightScorer(m_original, m_layers));
    if (!selection)
        return std::unexpected(selection.error());
    // As applyRecovered: 8-bit activations are not repaired.
    const Plan plan = quantizesActivations(m_finalPlan) ? withFloatActivations(m_finalPlan) : m_finalPlan;
    auto result = recover(m_original, plan, *images, *selection);
    if (!result)
        return std::unexpected(result.error().withContext("recovery before training"));
    const auto refitted = std::count_if(
        result->layers.begin(), result->layers.end(), [](const LayerRecovery& l) { return l.refitted; });
    progress("recovered " + std::to_string(result->layers.size()) + " layers (" + std::to_string(refitted)
        + " refitted) on " + std::to_string(result->images) + " images");
    m_recovered = std::move(result->values);
    return {};
}

Plan roundPlan(const Plan& plan, int round, int rounds)
{
    // Zhu & Gupta's gradual pruning: the ratio after round r of R is
    // final · (1 - (1 - r/R)³), fast at first while there are redundant weights, then slower.
    const double t = static_cast<double>(round) / static_cast<double>(rounds);
    const double fraction = 1.0 - std::pow(1.0 - t, 3.0);
    Plan out = plan;
    for (const auto& [name, spec] : plan.layers())
        if (spec.prune.granularity != PruneGranularity::None) {
            PruneSpec prune = spec.prune;
            prune.value *= fraction;
            out.setPrune(name, prune);
        }
    return out;
}

Result<void> TrainingSetup::startRound(int round, const std::map<std::string, FloatTensor>& trained)
{
    m_round = round;
    m_plan = roundPlan(m_finalPlan, round, m_options.rounds);
    auto weights = withTrained(trained);
    if (!weights)
        return std::unexpected(weights.error());
    const Model& current = *weights;
    // Filters are ranked on the weights as they are now: what the last round learned counts.
    auto selection = selectPruned(current, m_layers, m_groups, m_plan, weightScorer(current, m_layers));
    if (!selection)
        return std::unexpected(selection.error());
    m_selection = std::move(*selection);
    Plan pruneOnly = m_plan;
    for (const auto& [name, spec] : m_plan.layers())
        pruneOnly.setQuant(name, QuantSpec {});
    // Round 1 starts from the recovered weights when the plan asked for recovery.
    ApplyOptions start;
    if (trained.empty() && !m_recovered.empty())
        start.values = &m_recovered;
    auto masked = apply(current, pruneOnly, start, &m_selection);
    if (!masked)
        return std::unexpected(masked.error().withContext("applying the plan"));
    m_student = std::move(masked->proto);

    // What the plan zeroed: entries that are zero now and were not before.
    auto maskedModel = Model::fromProto(m_student, m_original.baseDir());
    if (!maskedModel)
        return std::unexpected(maskedModel.error());
    m_masks.clear();
    for (const auto& t : m_student.graph().initializer()) {
        const Constant* after = maskedModel->constant(t.name());
        // Against the original: weights an earlier round pruned are zero in `current` too.
        const Constant* before = m_original.constant(t.name());
        if (!after || !before || after->floats.size() != before->floats.size() || after->floats.empty())
            continue;
        WeightMask mask { after->info.shape, std::vector<uint8_t>(after->floats.size(), 1) };
        bool any = false;
        for (size_t i = 0; i < after->floats.size(); ++i)
            if (after->floats[i] == 0.0f && before->floats[i] != 0.0f) {
                mask.keep[i] = 0;
                any = true;
            }
        if (any)
            m_masks.emplace(t.name(), std::move(mask));
    }
    m_quantized.clear();
    for (const Layer& layer : m_layers) {
        const QuantSpec& q = m_plan.spec(layer.name).quant;
        if (q.scheme != QuantScheme::Float32)
            m_quantized.emplace(layer.weight, QuantizedWeight { layer.weightShape, outputChannelAxis(layer), q });
    }
    return {};
}

Result<Model> TrainingSetup::withTrained(
    const std::map<std::string, FloatTensor>& tensors, std::vector<std::string>* lost) const
{
    onnx::ModelProto proto = m_original.proto();
    std::map<std::string, onnx::TensorProto*> byName;
    for (auto& t : *proto.mutable_graph()->mutable_initializer())
        byName.emplace(t.name(), &t);
    for (const auto& [name, value] : tensors) {
        auto it = byName.find(name);
        const Constant* c = m_original.constant(name);
        if (it == byName.end() || !c || c->floats.size() != value.values.size()
            || it->second->data_type() != onnx::TensorProto_DataType_FLOAT) {
            if (lost)
                lost->push_back(name);
            continue;
        }
        onnx::TensorProto& t = *it->second;
        t.clear_float_data();
        t.set_raw_data(
            std::string(reinterpret_cast<const char*>(value.values.data()), value.values.size() * sizeof(float)));
    }
    auto trained = Model::fromProto(std::move(proto), m_original.baseDir());
    if (!trained)
        return std::unexpected(trained.error().withContext("the trained model"));
    return trained;
}

Result<std::vector<std::string>> TrainingSetup::exportTrained(const std::map<std::string, FloatTensor>& tensors,
    const nlohmann::json& training, const std::filesystem::path& target) const
{
    if (auto r = checkWriteTarget(target); !r)
        return std::unexpected(r.error());
    std::vector<std::string> lost;
    auto trained = withTrained(tensors, &lost);
    if (!trained)
        return std::unexpected(trained.error());
    ApplyOptions applyOptions;
    applyOptions.shrink = m_options.shrink;
    applyOptions.int8Qdq = m_options.int8Qdq;
    applyOptions.float16 = m_options.float16;
    auto applied = apply(*trained, m_plan, applyOptions, &m_selection);
    if (!applied)
        return std::unexpected(applied.error().withContext("applying the plan to the trained weights"));
    auto* meta = applied->proto.add_metadata_props();
    meta->set_key("topiary.training");
    meta->set_value(training.dump());
    // The weights are only right for the preprocessing they were trained with: record it,
    // so that evaluating the file away from its preprocess.json does not fall back to
    // defaults. A preprocessing the original carries in its metadata is kept as it is.
    auto original = preprocessFromMetadata(m_original);
    if (!original || !*original) {
        auto* pre = applied->proto.add_metadata_props();
        pre->set_key("topiary.preprocess");
        pre->set_value(preprocessToJson(m_preprocess).dump());
    }
    std::string bytes;
    if (!applied->proto.SerializeToString(&bytes))
        return fail("could not serialize the trained model");
    if (auto r = writeFileAtomically(target, bytes); !r)
        return std::unexpected(r.error());
    return lost;
}

} // namespace topiary::train
