#include "core/compress/Quantizer.h"

#include "core/compress/FilterMatrix.h"
#include "core/model/Layer.h"
#include "core/model/Model.h"
#include "core/model/TensorData.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <string>

namespace topiary {

namespace {

// The tensor seen as [outer, channels, inner]: element (o, c, i) is at (o·channels + c)·inner + i.
struct ChannelView {
    int64_t outer = 1;
    int64_t channels = 1;
    int64_t inner = 1;

    template <class F>
    void forEachBlock(F&& f) const  // f(channel, firstElement, length)
    {
        for (int64_t o = 0; o < outer; ++o)
            for (int64_t c = 0; c < channels; ++c)
                f(c, (o * channels + c) * inner, inner);
    }
};

ChannelView channelView(std::span<const int64_t> shape, int64_t axis, int64_t total)
{
    if (axis < 0)
        return {1, 1, total};
    ChannelView v;
    for (int64_t d = 0; d < axis; ++d)
        v.outer *= shape[static_cast<size_t>(d)];
    v.channels = shape[static_cast<size_t>(axis)];
    for (size_t d = static_cast<size_t>(axis) + 1; d < shape.size(); ++d)
        v.inner *= shape[d];
    return v;
}

struct ChannelStats {
    float min = std::numeric_limits<float>::infinity();
    float max = -std::numeric_limits<float>::infinity();
    double sumAbs = 0.0;
    int64_t count = 0;
};

std::vector<ChannelStats> channelStats(std::span<const float> w, const ChannelView& view)
{
    std::vector<ChannelStats> stats(static_cast<size_t>(view.channels));
    view.forEachBlock([&](int64_t c, int64_t first, int64_t len) {
        auto& s = stats[static_cast<size_t>(c)];
        for (int64_t i = first; i < first + len; ++i) {
            const float v = w[static_cast<size_t>(i)];
            s.min = std::min(s.min, v);
            s.max = std::max(s.max, v);
            s.sumAbs += std::fabs(static_cast<double>(v));
        }
        s.count += len;
    });
    return stats;
}

// Scale and zero point of a [lo, hi] range (lo <= 0 <= hi when asymmetric).
std::pair<float, int32_t> gridFor(float lo, float hi, bool symmetric, float levels)
{
    float scale = 0.0f;
    int32_t zp = 0;
    if (symmetric) {
        scale = std::max(std::fabs(lo), std::fabs(hi)) / levels;
    } else {
        lo = std::min(lo, 0.0f);
        hi = std::max(hi, 0.0f);
        scale = (hi - lo) / levels;
        if (scale > 0.0f)
            zp = static_cast<int32_t>(std::clamp(std::nearbyint(-lo / scale), 0.0f, levels));
    }
    if (!(scale > 0.0f))  // an all-zero channel: any scale gives q = zp
        scale = 1.0f;
    return { scale, zp };
}

int32_t code(float w, float inv, int32_t zp, int32_t qmin, int32_t qmax)
{
    const float r = std::nearbyint(w * inv);
    return static_cast<int32_t>(std::clamp(static_cast<int64_t>(r) + zp, int64_t{qmin}, int64_t{qmax}));
}

// QuantRange::Mse: for each channel, the range min/max shrunk by the factor in
// kMseRangeFactors with the least squared error (ties keep the wider range).
void searchMseRanges(std::span<const float> w, const ChannelView& view, const std::vector<ChannelStats>& stats,
    bool symmetric, float levels, QuantizedTensor& out)
{
    std::vector<double> best(stats.size(), std::numeric_limits<double>::infinity());
    std::vector<double> err(stats.size());
    for (int k = 0; k < kMseRangeSteps; ++k) {
        const float factor = mseRangeFactor(k);
        std::vector<std::pair<float, int32_t>> grid;
        for (const auto& s : stats)
            grid.push_back(gridFor(factor * s.min, factor * s.max, symmetric, levels));
        std::fill(err.begin(), err.end(), 0.0);
        view.forEachBlock([&](int64_t c, int64_t first, int64_t len) {
            const auto [scale, zp] = grid[static_cast<size_t>(c)];
            const float inv = 1.0f / scale;
            double e = 0.0;
            for (int64_t i = first; i < first + len; ++i) {
                const float v = w[static_cast<size_t>(i)];
                const float deq = static_cast<float>(code(v, inv, zp, out.qmin, out.qmax) - zp) * scale;
                const double d = static_cast<double>(v) - static_cast<double>(deq);
                e += d * d;
            }
            err[static_cast<size_t>(c)] += e;
        });
        for (size_t c = 0; c < stats.size(); ++c)
            if (err[c] < best[c]) {
                best[c] = err[c];
                out.scales[c] = grid[c].first;
                out.zeroPoints[c] = grid[c].second;
            }
    }
}

// Same arithmetic as ATen's fake_quantize kernels: multiply by the float reciprocal,
// round half to even, clamp, scale back.
void uniform(std::span<const float> w, const ChannelView& view, bool symmetric, int bits, QuantRange range,
    QuantizedTensor& out)
{
    if (symmetric) {
        out.qmax = (1 << (bits - 1)) - 1;
        out.qmin = -out.qmax;
    } else {
        out.qmin = 0;
        out.qmax = static_cast<int32_t>((1u << bits) - 1);
    }
    const auto stats = channelStats(w, view);
    const auto levels = static_cast<float>(out.qmax);  // 2^(b-1)-1 symmetric, 2^b-1 asymmetric
    for (const auto& s : stats) {
        const auto [scale, zp] = gridFor(s.min, s.max, symmetric, levels);
        out.scales.push_back(scale);
        out.zeroPoints.push_back(zp);
    }
    if (range == QuantRange::Mse)
        searchMseRanges(w, view, stats, symmetric, levels, out);
    view.forEachBlock([&](int64_t c, int64_t first, int64_t len) {
        const float scale = out.scales[static_cast<size_t>(c)];
        const int32_t zp = out.zeroPoints[static_cast<size_t>(c)];
        const float inv = 1.0f / scale;
        for (int64_t i = first; i < first + len; ++i) {
            const int32_t q = code(w[static_cast<size_t>(i)], inv, zp, out.qmin, out.qmax);
            out.codes[static_cast<size_t>(i)] = q;
            out.values[static_cast<size_t>(i)] = static_cast<float>(q - zp) * scale;
        }
    });
}

void binaryOrTernary(std::span<const float> w, const ChannelView& view, bool ternary, QuantizedTensor& out)
{
    const auto stats = channelStats(w, view);
    std::vector<double> thresholds(stats.size());
    for (size_t c = 0; c < stats.size(); ++c) {
        const double meanAbs = stats[c].count ? stats[c].sumAbs / static_cast<double>(stats[c].count) : 0.0;
        out.scales.push_back(static_cast<float>(meanAbs));
        thresholds[c] = 0.7 * meanAbs;
    }
    if (ternary) {
        // scale = mean |w| of the elements above the threshold
        std::vector<double> sum(stats.size(), 0.0);
        std::vector<int64_t> count(stats.size(), 0);
        view.forEachBlock([&](int64_t c, int64_t first, int64_t len) {
            const auto ch = static_cast<size_t>(c);
            for (int64_t i = first; i < first + len; ++i) {
                const double a = std::fabs(static_cast<double>(w[static_cast<size_t>(i)]));
                if (a > thresholds[ch]) {
                    sum[ch] += a;
                    ++count[ch];
                }
            }
        });
        for (size_t c = 0; c < stats.size(); ++c)
            out.scales[c] = count[c] ? static_cast<float>(sum[c] / static_cast<double>(count[c])) : 0.0f;
    }
    view.forEachBlock([&](int64_t c, int64_t first, int64_t len) {
        const auto ch = static_cast<size_t>(c);
        for (int64_t i = first; i < first + len; ++i) {
            const float v = w[static_cast<size_t>(i)];
            int32_t q = v >= 0.0f ? 1 : -1;
            if (ternary && !(std::fabs(static_cast<double>(v)) > thresholds[ch]))
                q = 0;
            out.codes[static_cast<size_t>(i)] = q;
            out.values[static_cast<size_t>(i)] = static_cast<float>(q) * out.scales[ch];
        }
    });
}

void codebook(std::span<const float> w, int bits, QuantizedTensor& out)
{
    out.codebook = kmeans1d(w, 1 << bits);
    const auto& book = out.codebook;
    std::vector<double> mids;  // decision boundaries between neighbouring centroids
    for (size_t j = 0; j + 1 < book.size(); ++j)
        mids.push_back((static_cast<double>(book[j]) + book[j + 1]) / 2.0);
    for (size_t i = 0; i < w.size(); ++i) {
        const auto idx = std::upper_bound(mids.begin(), mids.end(), static_cast<double>(w[i])) - mids.begin();
        out.codes[i] = static_cast<int32_t>(idx);
        out.values[i] = book[static_cast<size_t>(idx)];
    }
}

void errorMetrics(std::span<const float> w, QuantizedTensor& out)
{
    double signal = 0.0;
    double noise = 0.0;
    for (size_t i = 0; i < w.size(); ++i) {
        const double a = w[i];
        const double e = a - out.values[i];
        signal += a * a;
        noise += e * e;
    }
    out.mse = w.empty() ? 0.0 : noise / static_cast<double>(w.size());
    out.sqnrDb = noise > 0.0 ? 10.0 * std::log10(signal / noise) : std::numeric_limits<double>::infinity();
}

} // namespace

std::vector<float> kmeans1d(std::span<const float> values, int k, int maxIterations)
{
    if (values.empty() || k <= 0)
        return {};
    std::vector<float> sorted(values.begin(), values.end());
    std::sort(sorted.begin(), sorted.end());
    const size_t n = sorted.size();
    std::vector<double> prefix(n + 1, 0.0);
    for (size_t i = 0; i < n; ++i)
        prefix[i + 1] = prefix[i] + sorted[i];

    const auto kk = static_cast<size_t>(k);
    const double lo = sorted.front();
    const double hi = sorted.back();
    std::vector<double> centroids(kk);
    for (size_t j = 0; j < kk; ++j)
        centroids[j] = k == 1 ? (lo + hi) / 2.0 : lo + (hi - lo) * static_cast<double>(j) / (k - 1);

    // Lloyd's algorithm on sorted data: cluster j is the run of values nearest to
    // centroid j, i.e. between the midpoints to its neighbours. A value exactly on a
    // midpoint goes to the upper cluster, as in the final code assignment.
    std::vector<size_t> starts(kk + 1, 0);
    std::vector<size_t> previous;
    for (int iter = 0; iter < maxIterations; ++iter) {
        starts[0] = 0;
        starts[kk] = n;
        for (size_t j = 1; j < kk; ++j) {
            const double mid = (centroids[j - 1] + centroids[j]) / 2.0;
            const auto from = sorted.begin() + static_cast<std::ptrdiff_t>(starts[j - 1]);
            starts[j] = static_cast<size_t>(
                std::lower_bound(from, sorted.end(), mid, [](float v, double m) { return v < m; }) - sorted.begin());
        }
        if (starts == previous)
            break;
        for (size_t j = 0; j < kk; ++j) {
            const size_t count = starts[j + 1] - starts[j];
            if (count > 0)
                centroids[j] = (prefix[starts[j + 1]] - prefix[starts[j]]) / static_cast<double>(count);
        }
        previous = starts;
    }
    return {centroids.begin(), centroids.end()};
}

Result<QuantizedTensor> quantize(std::span<const float> values, std::span<const int64_t> shape, int64_t channelAxis,
                                 const QuantSpec& spec)
{
    int64_t total = 1;
    for (int64_t d : shape) {
        if (d < 0)
            return fail("negative dimension in the tensor's shape");
        total *= d;
    }
    if (total != static_cast<int64_t>(values.size()))
        return fail(std::to_string(values.size()) + " values for a shape of " + std::to_string(total) + " elements");
    if (channelAxis >= static_cast<int64_t>(shape.size()))
        return fail("channel axis " + std::to_string(channelAxis) + " out of range for a rank " +
                    std::to_string(shape.size()) + " tensor");

    QuantizedTensor out;
    out.scheme = spec.scheme;
    out.bits = spec.bits;
    out.values.resize(values.size());
    switch (spec.scheme) {
    case QuantScheme::Float32:
        out.bits = 32;
        std::copy(values.begin(), values.end(), out.values.begin());
        break;
    case QuantScheme::Float16:
        out.bits = 16;
        std::transform(values.begin(), values.end(), out.values.begin(),
                       [](float v) { return halfToFloat(floatToHalf(v)); });
        break;
    case QuantScheme::Uniform:
    case QuantScheme::Codebook:
    case QuantScheme::Binary:
    case QuantScheme::Ternary: {
        if (std::any_of(values.begin(), values.end(), [](float v) { return !std::isfinite(v); }))
            return fail("the tensor holds NaN or infinite values, which cannot be quantized");
        out.codes.resize(values.size());
        if (spec.scheme == QuantScheme::Uniform) {
            if (spec.bits < 1 || spec.bits > 16)
                return fail("uniform quantization takes 1 to 16 bits, not " + std::to_string(spec.bits));
            if (spec.symmetric && spec.bits < 2)
                return fail("symmetric uniform quantization needs at least 2 bits; use Binary for 1 bit");
            out.channelAxis = spec.perChannel ? channelAxis : -1;
            if (spec.perChannel && channelAxis < 0)
                return fail("per-channel quantization needs a channel axis");
            uniform(values, channelView(shape, out.channelAxis, total), spec.symmetric, spec.bits, spec.range, out);
        } else if (spec.scheme == QuantScheme::Codebook) {
            if (spec.bits < 1 || spec.bits > 8)
                return fail("codebook quantization takes 1 to 8 bits, not " + std::to_string(spec.bits));
            codebook(values, spec.bits, out);
        } else {
            out.bits = spec.scheme == QuantScheme::Binary ? 1 : 2;
            out.channelAxis = channelAxis;
            binaryOrTernary(values, channelView(shape, channelAxis, total), spec.scheme == QuantScheme::Ternary, out);
        }
        break;
    }
    }
    errorMetrics(values, out);
    return out;
}

Result<QuantizedTensor> quantize(const Model& model, const Layer& layer, const QuantSpec& spec)
{
    const Constant* w = model.constant(layer.weight);
    if (!w || w->floats.empty())
        return fail("layer " + layer.name + ": weight " + layer.weight + " has no float data");
    auto q = quantize(w->floats, layer.weightShape, outputChannelAxis(layer), spec);
    if (!q)
        return std::unexpected(q.error().withContext("quantizing layer " + layer.name));
    return q;
}

} // namespace topiary
