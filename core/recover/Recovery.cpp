#include "core/recover/Recovery.h"

#include "core/compress/PruneSelection.h"
#include "core/model/DependencyGroups.h"
#include "core/model/Layer.h"
#include "core/model/Model.h"
#include "core/model/GraphEdit.h"
#include "core/plan/Plan.h"
#include "core/recover/ActivationCalibration.h"
#include "core/recover/ChannelMoments.h"
#include "core/recover/CutActivations.h"
#include "core/recover/LayerRows.h"
#include "core/recover/NormalEquations.h"
#include "core/eval/SubModel.h"
#include "core/recover/TensorTaps.h"

#include <algorithm>
#include <cmath>
#include <functional>
#include <map>
#include <optional>
#include <random>
#include <set>

namespace topiary {

namespace {

// A constant's values as recovery currently holds them: replaced, or as stored.
class Constants {
public:
    explicit Constants(const Model& model)
        : m_model(model)
    {
    }

    // Only tensors one node reads are replaced: a shared one would change other layers too.
    bool editable(const std::string& name) const
    {
        const Constant* c = m_model.constant(name);
        return c && !c->floats.empty() && m_model.consumers(name).size() == 1 && !m_model.isGraphOutput(name);
    }
    const std::vector<float>& get(const std::string& name)
    {
        auto it = m_values.find(name);
        if (it == m_values.end()) {
            const Constant* c = m_model.constant(name);
            it = m_values.emplace(name, std::vector<float>(c->floats.begin(), c->floats.end())).first;
        }
        return it->second;
    }
    std::vector<float>& edit(const std::string& name)
    {
        get(name);
        return m_values[name];
    }
    const ConstantValues& values() const { return m_values; }
    ConstantValues take() { return std::move(m_values); }

private:
    const Model& m_model;
    ConstantValues m_values;
};

struct BatchNormParams {
    std::string scale, shift, mean, var;
    double epsilon = 1e-5;
};

BatchNormParams batchNormParams(const Model& model, int node)
{
    BatchNormParams p;
    const Node& n = model.node(node);
    if (n.inputs.size() >= 5) {
        p.scale = model.resolveConstantName(n.inputs[1]);
        p.shift = model.resolveConstantName(n.inputs[2]);
        p.mean = model.resolveConstantName(n.inputs[3]);
        p.var = model.resolveConstantName(n.inputs[4]);
    }
    for (const auto& a : model.nodeProto(node).attribute())
        if (a.name() == "epsilon")
            p.epsilon = a.f();
    return p;
}

// The float values of an initializer of an applied proto, or empty.
std::vector<float> initializerValues(const onnx::ModelProto& proto, const std::string& name)
{
    for (const auto& t : proto.graph().initializer())
        if (t.name() == name)
            if (auto v = readFloats(t))
                return *v;
    return {};
}

// The plan's pruning alone: which weights each layer keeps, whatever quantization does.
Plan pruningOnly(const Plan& plan)
{
    Plan out = plan;
    for (const auto& [name, spec] : plan.layers()) {
        out.setQuant(name, QuantSpec {});
        out.setLowRank(name, LowRankSpec {});
    }
    out.setRecovery(RecoverySpec {});
    return out;
}

struct Context {
    const Model& model;
    const Plan& plan;
    const CalibrationImages& images;
    const PruneSelection& selection;
    const RecoveryOptions& options;
    const std::vector<Layer>& layers;
    const std::vector<DependencyGroup>& groups;
    const onnx::ModelProto& prunedOnly; // apply(model, pruningOnly(plan)): the kept weights
    Constants& constants;
    CutActivations& compressedCut; // the compressed model as repaired so far, at the cut
    CutActivations& originalCut; // the original at the same cut (advanced for lsq only)
    std::stop_token stop;

    Result<onnx::ModelProto> compressed() const
    {
        ApplyOptions o;
        o.values = &constants.values();
        auto a = apply(model, plan, o, &selection);
        if (!a)
            return std::unexpected(a.error());
        return std::move(a->proto);
    }
};

// The compressed model with the constants as repaired so far, the caches moved to the cut
// before the layer; built on first use, so a layer no method touches costs nothing.
using Prepared = std::function<Result<const onnx::ModelProto*>()>;

// The original's mean output per channel at each site (BN output, or the layer's output).
Result<std::vector<std::vector<double>>> originalMeans(const Context& ctx, const std::vector<std::string>& sites)
{
    auto taps = TensorTaps::create(ctx.model, ctx.model.proto(), ctx.images.inputName, sites);
    if (!taps)
        return std::unexpected(taps.error());
    std::vector<ChannelMoments> moments(sites.size());
    auto r = taps->run(ctx.images, ctx.options.batchSize,
        [&](int64_t, int count, const std::vector<cv::Mat>& t) -> Result<void> {
            for (size_t i = 0; i < t.size(); ++i)
                moments[i].add(t[i], count);
            return {};
        },
        ctx.stop);
    if (!r)
        return std::unexpected(r.error());
    std::vector<std::vector<double>> out;
    for (const auto& m : moments)
        out.push_back(m.mean());
    return out;
}

// Whether a tensor is the model's output up to operators that keep each sample's arg-max
// (shape changes, softmax): the logits. Bias correction leaves such a layer alone.
bool isLogits(const Model& model, std::string tensor)
{
    static const std::set<std::string> argMaxKeeping { "Flatten", "Reshape", "Identity", "Squeeze", "Unsqueeze",
        "Softmax", "LogSoftmax" };
    for (int hop = 0; hop < 16; ++hop) {
        if (model.isGraphOutput(tensor))
            return true;
        const auto consumers = model.consumers(tensor);
        if (consumers.size() != 1)
            return false;
        const Node& n = model.node(consumers[0]);
        if (!argMaxKeeping.contains(n.opType) || n.inputs.empty() || n.inputs[0] != tensor || n.outputs.empty())
            return false;
        tensor = n.outputs[0];
    }
    return false;
}

// The tensor whose mean per channel bias correction matches: the BN's output, or the layer's.
std::string biasSite(const Model& model, const Layer& l)
{
    return l.batchNorm >= 0 && !model.node(l.batchNorm).outputs.empty() ? model.node(l.batchNorm).outputs[0] : l.output;
}

// lsq: refits the kept weights of one layer against the original's output.
Result<void> refit(const Context& ctx, int li, const Prepared& prepared, LayerRecovery& rec)
{
    const Layer& layer = ctx.layers[static_cast<size_t>(li)];
    auto rows = LayerRows::create(ctx.model, layer);
    if (!rows) {
        rec.notes.push_back("lsq: " + rows.error().message);
        return {};
    }
    if (!ctx.constants.editable(layer.weight)) {
        rec.notes.push_back("lsq: its weight is shared with other nodes");
        return {};
    }
    const bool hasBias = !layer.bias.empty() && ctx.constants.editable(layer.bias);
    BatchNormParams bn;
    if (layer.batchNorm >= 0)
        bn = batchNormParams(ctx.model, layer.batchNorm);
    const bool bnIntercept = !hasBias && layer.bias.empty() && layer.batchNorm >= 0 && ctx.constants.editable(bn.mean);
    const bool intercept = hasBias || bnIntercept;

    const int g = rows->groups(), k = rows->rowLength(), per = rows->outputsPerGroup();
    const std::vector<float> kept = initializerValues(ctx.prunedOnly, layer.weight);
    const auto total = static_cast<size_t>(rows->weightIndex(per * g - 1, k - 1) + 1);
    if (kept.size() < total) {
        rec.notes.push_back("lsq: its weight is not in the compressed model under its own name");
        return {};
    }
    const auto pruned = ctx.selection.prunedFilters(ctx.groups, li);
    const std::set<int64_t> prunedSet(pruned.begin(), pruned.end());
    // Each output's kept row entries, and their union: the Gram matrix is formed on the
    // union only (a layer whose producer lost 30 % of its filters: half the products).
    std::vector<std::vector<int>> keeps(static_cast<size_t>(per * g));
    std::vector<char> usedMask(static_cast<size_t>(k), 0);
    for (int o = 0; o < per * g; ++o) {
        if (prunedSet.contains(o))
            continue;
        for (int j = 0; j < k; ++j)
            if (kept[static_cast<size_t>(rows->weightIndex(o, j))] != 0.0f) {
                keeps[static_cast<size_t>(o)].push_back(j);
                usedMask[static_cast<size_t>(j)] = 1;
            }
    }
    std::vector<int> used, column(static_cast<size_t>(k), -1); // column: row entry -> union index
    for (int j = 0; j < k; ++j)
        if (usedMask[static_cast<size_t>(j)]) {
            column[static_cast<size_t>(j)] = static_cast<int>(used.size());
            used.push_back(j);
        }
    const int ku = static_cast<int>(used.size());
    // Fewer rows than twice the unknowns would fit the calibration images, not the layer.
    // The unknowns are an output's kept weights (and intercept), not the full row: a
    // classifier whose input lost most of its channels is well determined by fewer images.
    int unknowns = intercept ? 1 : 0;
    for (const auto& keep : keeps)
        unknowns = std::max(unknowns, static_cast<int>(keep.size()) + (intercept ? 1 : 0));

    const int64_t equationBytes = int64_t { g } * ((ku + 1) * int64_t { ku + 1 } + int64_t { ku + 1 } * per) * 8;
    if (equationBytes > ctx.options.memoryBudget) {
        rec.notes.push_back("lsq: its normal equations (" + std::to_string(equationBytes >> 20)
            + " MB) exceed the memory budget");
        return {};
    }
    auto proto = prepared();
    if (!proto)
        return std::unexpected(proto.error());
    const onnx::ModelProto& compressed = **proto;
    // Inputs: the compressed model as repaired so far; targets: the original's output.
    const std::string input = ctx.model.node(layer.node).inputs[0];
    auto passC = ctx.compressedCut.pass(compressed, { input });
    if (!passC)
        return std::unexpected(passC.error());
    auto passO = ctx.originalCut.pass(ctx.model.proto(), { layer.output });
    if (!passO)
        return std::unexpected(passO.error());

    std::vector<NormalEquations> equations;
    for (int gi = 0; gi < g; ++gi)
        equations.emplace_back(ku, per);
    std::mt19937_64 rng(ctx.plan.recovery().seed + static_cast<uint64_t>(li));
    const int batch = ctx.compressedCut.batchSize();
    // One batch of rows (x, y and the float copies) stays within half the budget.
    const int64_t rowBytes = int64_t { k + per + 1 } * 4 * 3;
    const int64_t maxRows = std::max<int64_t>(1, (ctx.options.memoryBudget - equationBytes) / 2 / rowBytes);
    const int64_t positions = std::max<int64_t>(1, std::min(ctx.options.positionsPerImage, maxRows / batch));
    for (size_t b = 0; b < ctx.compressedCut.batches(); ++b) {
        if (ctx.stop.stop_requested())
            return fail("cancelled");
        const int count = ctx.compressedCut.count(b);
        auto x = passC->forward(b);
        if (!x)
            return std::unexpected(x.error());
        auto y = passO->forward(b);
        if (!y)
            return std::unexpected(y.error());
        std::vector<std::vector<int>> picked(static_cast<size_t>(count));
        for (auto& p : picked)
            p = samplePositions(LayerRows::positionsOf((*y)[0]), positions, rng);
        for (int gi = 0; gi < g; ++gi) {
            cv::Mat xr, yr;
            if (auto r = rows->rows((*x)[0], (*y)[0], count, picked, gi, xr, yr); !r)
                return std::unexpected(r.error().withContext(layer.name));
            if (ku < k) {
                cv::Mat xs(xr.rows, ku, CV_32F);
                for (int r = 0; r < xr.rows; ++r) {
                    const float* src = xr.ptr<float>(r);
                    float* dst = xs.ptr<float>(r);
                    for (int j = 0; j < ku; ++j)
                        dst[j] = src[used[static_cast<size_t>(j)]];
                }
                xr = xs;
            }
            equations[static_cast<size_t>(gi)].add(xr, yr);
        }
    }

    const std::vector<float> current = initializerValues(compressed, layer.weight);
    const std::vector<float> currentBias = hasBias ? initializerValues(compressed, layer.bias) : std::vector<float>();
    if (current.size() < total) {
        rec.notes.push_back("lsq: its weight is not in the compressed model under its own name");
        return {};
    }
    if (equations[0].rows() < 2 * int64_t { unknowns }) {
        rec.notes.push_back("lsq: " + std::to_string(equations[0].rows()) + " calibration rows are too few for "
            + std::to_string(unknowns) + " unknowns per output (give more images)");
        return {};
    }
    std::vector<float> weights = ctx.constants.get(layer.weight);
    std::vector<float> bias = hasBias ? ctx.constants.get(layer.bias) : std::vector<float>();
    std::vector<float> bnMean = bnIntercept ? ctx.constants.get(bn.mean) : std::vector<float>();
    // Outputs of one group that keep the same entries share their Gram block: one
    // factorization, all right-hand sides together. Different masks (unstructured
    // pruning) each get their own system.
    std::map<std::pair<int, std::vector<int>>, std::vector<int>> systems; // (group, kept union indices) -> outputs
    for (int o = 0; o < per * g; ++o) {
        if (prunedSet.contains(o))
            continue;
        std::vector<int> local;
        for (int j : keeps[static_cast<size_t>(o)])
            local.push_back(column[static_cast<size_t>(j)]);
        for (int j = 0; j < k; ++j)
            if (kept[static_cast<size_t>(rows->weightIndex(o, j))] == 0.0f)
                weights[static_cast<size_t>(rows->weightIndex(o, j))] = 0.0f; // pruned: what apply() writes anyway
        const int gi = o / per;
        if (ctx.options.shareFactorization)
            systems[{ gi, std::move(local) }].push_back(o);
        else
            systems[{ o, std::move(local) }].push_back(o); // one system per output
    }
    double before = 0.0, after = 0.0, energy = 0.0;
    for (const auto& [key, outputs] : systems) {
        if (ctx.stop.stop_requested())
            return fail("cancelled");
        const std::vector<int>& keep = key.second;
        const NormalEquations& eq = equations[static_cast<size_t>(outputs[0] / per)];
        const int n = static_cast<int>(keep.size());
        const int m = static_cast<int>(outputs.size());
        std::vector<int> locals;
        cv::Mat w0(n + 1, m, CV_64F);
        for (int i = 0; i < m; ++i) {
            const int o = outputs[static_cast<size_t>(i)];
            locals.push_back(o % per);
            for (int j = 0; j < n; ++j)
                w0.at<double>(j, i) = current[static_cast<size_t>(rows->weightIndex(o, used[static_cast<size_t>(keep[static_cast<size_t>(j)])]))];
            w0.at<double>(n, i) = hasBias && static_cast<size_t>(o) < currentBias.size() ? currentBias[static_cast<size_t>(o)] : 0.0;
        }
        cv::Mat fit;
        if (m == 1) {
            auto one = eq.solve(locals[0], keep, intercept, ctx.options.ridge);
            if (!one)
                return std::unexpected(one.error().withContext(layer.name + ", output " + std::to_string(outputs[0])));
            fit = cv::Mat::zeros(n + 1, 1, CV_64F);
            for (int j = 0; j < n; ++j)
                fit.at<double>(j) = one->weights[static_cast<size_t>(j)];
            fit.at<double>(n) = one->bias;
        } else {
            auto shared = eq.solveShared(locals, keep, intercept, ctx.options.ridge);
            if (!shared)
                return std::unexpected(shared.error().withContext(layer.name));
            fit = std::move(*shared);
        }
        // The target y includes the original's bias; with a BN, the conv has none, and the
        // fitted intercept moves into the BN's running mean (BN(y + b) with mean - b).
        const auto r0 = eq.residuals(locals, keep, w0);
        const auto r1 = eq.residuals(locals, keep, fit);
        for (int i = 0; i < m; ++i) {
            const int o = outputs[static_cast<size_t>(i)];
            before += r0[static_cast<size_t>(i)];
            after += r1[static_cast<size_t>(i)];
            energy += eq.targetEnergy(locals[static_cast<size_t>(i)]);
            for (int j = 0; j < n; ++j)
                weights[static_cast<size_t>(rows->weightIndex(o, used[static_cast<size_t>(keep[static_cast<size_t>(j)])]))]
                    = static_cast<float>(fit.at<double>(j, i));
            if (hasBias)
                bias[static_cast<size_t>(o)] = static_cast<float>(fit.at<double>(n, i));
            else if (bnIntercept)
                bnMean[static_cast<size_t>(o)] -= static_cast<float>(fit.at<double>(n, i));
        }
    }
    ctx.constants.edit(layer.weight) = std::move(weights);
    if (hasBias)
        ctx.constants.edit(layer.bias) = std::move(bias);
    if (bnIntercept)
        ctx.constants.edit(bn.mean) = std::move(bnMean);
    rec.refitted = true;
    rec.residualBefore = energy > 0 ? before / energy : 0.0;
    rec.residualAfter = energy > 0 ? after / energy : 0.0;
    return {};
}

// bn and bias: the layer's output statistics in the compressed model as repaired so far.
Result<void> recalibrate(const Context& ctx, int li, const std::vector<double>* originalMean,
    const Prepared& prepared, LayerRecovery& rec)
{
    const RecoverySpec& spec = ctx.plan.recovery();
    const Layer& layer = ctx.layers[static_cast<size_t>(li)];
    const bool hasBn = layer.batchNorm >= 0;
    BatchNormParams bn;
    if (hasBn)
        bn = batchNormParams(ctx.model, layer.batchNorm);
    const bool bnEditable = hasBn && ctx.constants.editable(bn.mean) && ctx.constants.editable(bn.var)
        && ctx.constants.editable(bn.scale) && ctx.constants.editable(bn.shift);
    const bool doBn = spec.batchNorm && bnEditable;
    if (spec.batchNorm && hasBn && !bnEditable)
        rec.notes.push_back("bn: its BatchNorm's parameters are shared with other nodes");
    const bool biasTarget = hasBn ? bnEditable : (!layer.bias.empty() && ctx.constants.editable(layer.bias));
    // Matching each class's mean logit is not what the arg-max needs: it moves decision
    // boundaries by the average of errors that differ from image to image (on the sample,
    // 80 % of /pw2's filters: 81.4 % compressed, 58.9 % with the classifier's bias
    // corrected). Least squares, fitting every image's logits, owns that bias instead.
    const bool logits = isLogits(ctx.model, biasSite(ctx.model, layer));
    const bool doBias = spec.bias && originalMean && biasTarget && !logits;
    if (spec.bias && logits)
        rec.notes.push_back("bias: its output is the model's output (logits); a shift to the original's mean "
                            "logit per class would move the arg-max, so only least squares fits its bias");
    else if (spec.bias && !biasTarget)
        rec.notes.push_back(hasBn ? "bias: its BatchNorm's parameters are shared with other nodes"
                                  : layer.bias.empty() ? "bias: it has no bias to shift" : "bias: its bias is shared");
    if (!doBn && !doBias)
        return {};

    auto current = prepared();
    if (!current)
        return std::unexpected(current.error());
    auto pass = ctx.compressedCut.pass(**current, { layer.output });
    if (!pass)
        return std::unexpected(pass.error());
    ChannelMoments moments;
    for (size_t b = 0; b < ctx.compressedCut.batches(); ++b) {
        if (ctx.stop.stop_requested())
            return fail("cancelled");
        auto t = pass->forward(b);
        if (!t)
            return std::unexpected(t.error());
        if (!moments.add((*t)[0], ctx.compressedCut.count(b)))
            return fail("the output of " + layer.name + " changed shape between batches");
    }
    const auto pruned = ctx.selection.prunedFilters(ctx.groups, li);
    const std::set<int64_t> prunedSet(pruned.begin(), pruned.end());
    const std::vector<double>& mean = moments.mean();
    const auto channels = static_cast<size_t>(moments.channels());
    const std::vector<double> var = moments.unbiasedVariance();

    if (doBn) {
        auto& m = ctx.constants.edit(bn.mean);
        auto& v = ctx.constants.edit(bn.var);
        if (m.size() != channels || v.size() != channels)
            return fail(layer.name + ": its BatchNorm does not have one statistic per output channel");
        rec.meanBefore.assign(m.begin(), m.end());
        rec.varBefore.assign(v.begin(), v.end());
        for (size_t c = 0; c < channels; ++c)
            if (!prunedSet.contains(static_cast<int64_t>(c))) {
                m[c] = static_cast<float>(mean[c]);
                v[c] = static_cast<float>(var[c]);
            }
        rec.meanAfter.assign(m.begin(), m.end());
        rec.varAfter.assign(v.begin(), v.end());
        rec.batchNorm = true;
    }
    if (doBias) {
        if (originalMean->size() != channels)
            return fail(layer.name + ": the original and compressed outputs have different channel counts");
        rec.biasShift.assign(channels, 0.0);
        // The mean output after the BN is an affine function of the mean input.
        std::vector<double> outMean = mean;
        if (hasBn) {
            const auto& g = ctx.constants.get(bn.scale);
            const auto& b = ctx.constants.get(bn.shift);
            const auto& m = ctx.constants.get(bn.mean);
            const auto& v = ctx.constants.get(bn.var);
            for (size_t c = 0; c < channels; ++c)
                outMean[c] = g[c] * (mean[c] - m[c]) / std::sqrt(static_cast<double>(v[c]) + bn.epsilon) + b[c];
        }
        auto& target = ctx.constants.edit(hasBn ? bn.shift : layer.bias);
        if (target.size() != channels)
            return fail(layer.name + ": its bias does not have one value per output channel");
        for (size_t c = 0; c < channels; ++c) {
            if (prunedSet.contains(static_cast<int64_t>(c)))
                continue;
            const double shift = (*originalMean)[c] - outMean[c];
            target[c] = static_cast<float>(target[c] + shift);
            rec.biasShift[c] = shift;
        }
    }
    return {};
}

// Whether the plan changes what this layer's weights see or hold (lsq's candidates).
bool compressedLayer(const Context& ctx, int li)
{
    const Layer& layer = ctx.layers[static_cast<size_t>(li)];
    if (ctx.plan.contains(layer.name))
        return true;
    const Constant* c = ctx.model.constant(layer.weight);
    const std::vector<float> kept = initializerValues(ctx.prunedOnly, layer.weight);
    if (!c || kept.size() != c->floats.size())
        return false;
    for (size_t i = 0; i < kept.size(); ++i)
        if (kept[i] == 0.0f && c->floats[i] != 0.0f)
            return true;
    return false;
}

} // namespace

const LayerRecovery* RecoveryResult::find(const std::string& layer) const
{
    for (const auto& l : layers)
        if (l.name == layer)
            return &l;
    return nullptr;
}

Result<RecoveryResult> recover(const Model& model, const Plan& plan, const CalibrationImages& images,
    const PruneSelection& selection, const RecoveryOptions& options, const RecoveryProgress& progress,
    std::stop_token stop)
{
    const RecoverySpec& spec = plan.recovery();
    RecoveryResult result;
    result.images = images.count();
    if (!spec.any())
        return result;
    if (images.count() < 1)
        return fail("recovery needs calibration images");
    const std::vector<Layer> layers = findLayers(model);
    const std::vector<DependencyGroup> groups = findDependencyGroups(model, layers);
    const int first = firstChangedLayer(Plan {}, plan, layers, groups);
    if (first < 0)
        return result;
    auto prunedOnly = apply(model, pruningOnly(plan), {}, &selection);
    if (!prunedOnly)
        return std::unexpected(prunedOnly.error());
    Constants constants(model);
    auto compressedCut = CutActivations::create(model, images, options.batchSize);
    if (!compressedCut)
        return std::unexpected(compressedCut.error());
    auto originalCut = CutActivations::create(model, images, options.batchSize);
    if (!originalCut)
        return std::unexpected(originalCut.error());
    const Context ctx { model, plan, images, selection, options, layers, groups, prunedOnly->proto, constants,
        *compressedCut, *originalCut, stop };

    // bias: the original's mean output per channel, once for every layer visited.
    std::vector<std::string> sites;
    for (size_t i = static_cast<size_t>(first); i < layers.size(); ++i)
        sites.push_back(biasSite(model, layers[i]));
    std::vector<std::vector<double>> means;
    if (spec.bias) {
        auto m = originalMeans(ctx, sites);
        if (!m)
            return std::unexpected(m.error());
        means = std::move(*m);
    }

    const int total = static_cast<int>(layers.size()) - first;
    for (int li = first; li < static_cast<int>(layers.size()); ++li) {
        if (stop.stop_requested())
            return fail("cancelled");
        LayerRecovery rec;
        rec.layer = li;
        rec.name = layers[static_cast<size_t>(li)].name;
        if (plan.spec(rec.name).lowRank.rank > 0) {
            rec.notes.push_back("factored layers are not repaired");
        } else {
            const bool lsq = spec.leastSquares && compressedLayer(ctx, li);
            // apply() of the whole plan is the larger part of recovery's cost on a deep
            // model: once per layer a method works on, again only after a refit.
            std::optional<onnx::ModelProto> proto;
            bool advanced = false;
            const Prepared prepared = [&]() -> Result<const onnx::ModelProto*> {
                if (!proto || rec.refitted) {
                    auto p = ctx.compressed();
                    if (!p)
                        return std::unexpected(p.error());
                    proto = std::move(*p);
                }
                // Move the caches to just before this layer: every layer upstream is repaired.
                if (!advanced) {
                    advanced = true;
                    if (auto cut = cutBeforeLayer(model, layers, li)) {
                        if (auto a = compressedCut->advance(*proto, *cut, options.activationBudget / 2, stop); !a)
                            return std::unexpected(a.error());
                        if (lsq)
                            if (auto a = originalCut->advance(model.proto(), *cut, options.activationBudget / 2, stop); !a)
                                return std::unexpected(a.error());
                    }
                }
                return &*proto;
            };
            if (lsq)
                if (auto r = refit(ctx, li, prepared, rec); !r)
                    return std::unexpected(r.error());
            const auto* mean = spec.bias ? &means[static_cast<size_t>(li - first)] : nullptr;
            if (auto r = recalibrate(ctx, li, mean, prepared, rec); !r)
                return std::unexpected(r.error());
        }
        result.layers.push_back(std::move(rec));
        if (progress)
            progress(li - first + 1, total);
    }
    result.values = constants.take();
    return result;
}

Result<RecoveredModel> applyRecovered(const Model& model, const Plan& plan, const CalibrationImages& images,
    ApplyOptions options, const PruneSelection* selection, const RecoveryOptions& recovery,
    const RecoveryProgress& progress, std::stop_token stop)
{
    PruneSelection computed;
    if (!selection) {
        const auto layers = findLayers(model);
        const auto groups = findDependencyGroups(model, layers);
        auto s = selectPruned(model, layers, groups, plan, weightScorer(model, layers));
        if (!s)
            return std::unexpected(s.error());
        computed = std::move(*s);
        selection = &computed;
    }
    RecoveredModel out;
    // 8-bit activations are not repaired: recovery runs on the float-activation plan (as
    // calibration does), and the export quantizes the repaired model's activations on the
    // plan's ranges. Repairing through them would also meet the graph apply() rewrites for
    // them (a Conv's BatchNormalization folded away, whose tensors recovery taps).
    auto r = recover(model, quantizesActivations(plan) ? withFloatActivations(plan) : plan, images, *selection,
        recovery, progress, stop);
    if (!r)
        return std::unexpected(r.error());
    out.recovery = std::move(*r);
    options.values = &out.recovery.values;
    auto applied = apply(model, plan, options, selection);
    if (!applied)
        return std::unexpected(applied.error());
    out.applied = std::move(*applied);
    options.values = nullptr;
    return out;
}

} // namespace topiary
