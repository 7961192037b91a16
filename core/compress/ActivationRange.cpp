#include "core/compress/ActivationRange.h"

#include "core/compress/Quantizer.h"

#include <algorithm>
#include <cmath>
#include <limits>

namespace topiary {

namespace {

constexpr int kEntropyLevels = 128;
constexpr double kSmoothing = 1e-4;

void addTo(std::vector<double>& counts, std::span<const float> values, float lo, float width, bool absolute)
{
    const int bins = ActivationHistogram::kBins;
    if (counts.empty())
        counts.assign(static_cast<size_t>(bins), 0.0);
    const double perUnit = width > 0.0f ? bins / static_cast<double>(width) : 0.0;
    for (float v : values) {
        if (!std::isfinite(v))
            continue;
        const double t = (absolute ? std::fabs(static_cast<double>(v)) : static_cast<double>(v)) - lo;
        const auto b = static_cast<int64_t>(std::floor(t * perUnit));
        counts[static_cast<size_t>(std::clamp<int64_t>(b, 0, bins - 1))] += 1.0;
    }
}

// The edges of the bins where the cumulative count first exceeds `below` and first
// reaches `upTo`.
float lowerEdge(const std::vector<double>& counts, double below, float lo, float width)
{
    double sum = 0.0;
    for (size_t b = 0; b < counts.size(); ++b) {
        sum += counts[b];
        if (sum > below)
            return lo + width * static_cast<float>(b) / static_cast<float>(counts.size());
    }
    return lo;
}

float upperEdge(const std::vector<double>& counts, double upTo, float lo, float width)
{
    double sum = 0.0;
    for (size_t b = 0; b < counts.size(); ++b) {
        sum += counts[b];
        if (sum >= upTo)
            return lo + width * static_cast<float>(b + 1) / static_cast<float>(counts.size());
    }
    return lo + width;
}

TensorRange symmetricAbout(float t) { return { -t, t }; }

// Normalises and moves kSmoothing onto every empty bin, evenly from the others. False when
// nothing is left to take from.
bool smooth(std::vector<double>& p)
{
    double total = 0.0;
    size_t zeros = 0;
    for (double v : p) {
        total += v;
        zeros += v == 0.0 ? 1 : 0;
    }
    const size_t nonzeros = p.size() - zeros;
    if (total <= 0.0 || nonzeros == 0)
        return false;
    const double take = kSmoothing * static_cast<double>(zeros) / static_cast<double>(nonzeros);
    for (double& v : p)
        v = v == 0.0 ? kSmoothing : v / total - take;
    return true;
}

float entropyThreshold(const std::vector<double>& abs, float absMax)
{
    const int bins = ActivationHistogram::kBins;
    double bestKl = std::numeric_limits<double>::infinity();
    int best = bins;
    std::vector<double> p, q;
    for (int i = kEntropyLevels; i <= bins; ++i) {
        p.assign(abs.begin(), abs.begin() + i);
        for (int j = i; j < bins; ++j)
            p[static_cast<size_t>(i - 1)] += abs[static_cast<size_t>(j)];
        q.assign(static_cast<size_t>(i), 0.0);
        int start = 0;
        for (int g = 0; g < kEntropyLevels; ++g) {
            // Bins j with floor(j·128/i) == g: j in [ceil(g·i/128), ceil((g+1)·i/128)).
            const int stop = ((g + 1) * i + kEntropyLevels - 1) / kEntropyLevels;
            double sum = 0.0;
            int nonEmpty = 0;
            for (int j = start; j < stop; ++j) {
                sum += abs[static_cast<size_t>(j)];
                nonEmpty += abs[static_cast<size_t>(j)] != 0.0 ? 1 : 0;
            }
            for (int j = start; j < stop; ++j)
                q[static_cast<size_t>(j)] = abs[static_cast<size_t>(j)] != 0.0 ? sum / nonEmpty : 0.0;
            start = stop;
        }
        if (!smooth(p) || !smooth(q))
            continue;
        double kl = 0.0;
        for (size_t j = 0; j < p.size(); ++j)
            kl += p[j] * std::log(p[j] / q[j]);
        if (kl < bestKl) {
            bestKl = kl;
            best = i;
        }
    }
    return absMax * static_cast<float>(best) / static_cast<float>(bins);
}

TensorRange mseRange(const ActivationHistogram& h, bool symmetric)
{
    const TensorRange full = symmetric ? symmetricAbout(h.absMax()) : TensorRange { h.min(), h.max() };
    const auto& counts = h.counts();
    const double binWidth = (static_cast<double>(h.max()) - h.min()) / static_cast<double>(counts.size());
    double bestErr = std::numeric_limits<double>::infinity();
    TensorRange best = full;
    for (int k = 0; k < kMseRangeSteps; ++k) {
        const float f = mseRangeFactor(k);
        const TensorRange r { f * full.min, f * full.max };
        const ActivationQuantParams qp = activationParams(r, symmetric);
        double err = 0.0;
        for (size_t b = 0; b < counts.size(); ++b) {
            if (counts[b] == 0.0)
                continue;
            const double centre = h.min() + (static_cast<double>(b) + 0.5) * binWidth;
            const double d = centre - qp.fakeQuantize(static_cast<float>(centre));
            err += counts[b] * d * d;
        }
        if (err < bestErr) {
            bestErr = err;
            best = r;
        }
    }
    return best;
}

} // namespace

void ActivationHistogram::addToRange(std::span<const float> values)
{
    for (float v : values) {
        if (!std::isfinite(v))
            continue;
        if (m_count == 0 || v < m_min)
            m_min = m_count == 0 ? v : std::min(m_min, v);
        if (m_count == 0 || v > m_max)
            m_max = m_count == 0 ? v : std::max(m_max, v);
        ++m_count;
    }
}

float ActivationHistogram::absMax() const { return std::max(std::fabs(m_min), std::fabs(m_max)); }

void ActivationHistogram::addToHistograms(std::span<const float> values)
{
    addTo(m_counts, values, m_min, m_max - m_min, false);
    addTo(m_absCounts, values, 0.0f, absMax(), true);
}

Histogram coarseHistogram(const ActivationHistogram& h, int bins)
{
    Histogram out;
    out.min = h.min();
    out.max = h.max();
    const auto& counts = h.counts();
    if (bins < 1 || ActivationHistogram::kBins % bins != 0 || counts.size() != ActivationHistogram::kBins
        || !(h.max() > h.min()))
        return out;
    const int merge = ActivationHistogram::kBins / bins;
    const double width = (static_cast<double>(h.max()) - h.min()) / bins;
    out.edges.resize(static_cast<size_t>(bins) + 1);
    for (int i = 0; i <= bins; ++i)
        out.edges[static_cast<size_t>(i)] = h.min() + width * i;
    out.edges.back() = h.max();
    out.counts.assign(static_cast<size_t>(bins), 0);
    for (size_t i = 0; i < counts.size(); ++i)
        out.counts[i / static_cast<size_t>(merge)] += std::llround(counts[i]);
    for (int64_t c : out.counts)
        out.total += c;
    return out;
}

TensorRange chooseRange(const ActivationHistogram& h, CalibrationMethod method, bool symmetric, double percentile)
{
    const TensorRange full = symmetric ? symmetricAbout(h.absMax()) : TensorRange { h.min(), h.max() };
    if (h.count() == 0 || h.counts().empty() || h.max() == h.min())
        return full;
    const double n = static_cast<double>(h.count());
    switch (method) {
    case CalibrationMethod::MinMax:
        return full;
    case CalibrationMethod::Percentile: {
        const double p = std::clamp(percentile, 50.0, 100.0) / 100.0;
        if (symmetric)
            return symmetricAbout(upperEdge(h.absCounts(), p * n, 0.0f, h.absMax()));
        const float width = h.max() - h.min();
        return { lowerEdge(h.counts(), (1.0 - p) * n, h.min(), width), upperEdge(h.counts(), p * n, h.min(), width) };
    }
    case CalibrationMethod::Mse:
        return mseRange(h, symmetric);
    case CalibrationMethod::Entropy: {
        const float t = entropyThreshold(h.absCounts(), h.absMax());
        if (symmetric)
            return symmetricAbout(t);
        return { std::max(h.min(), -t), std::min(h.max(), t) };
    }
    }
    return full;
}

float ActivationQuantParams::fakeQuantize(float x) const
{
    const float q = std::clamp(std::nearbyint(x / scale) + static_cast<float>(zeroPoint), static_cast<float>(qmin),
        static_cast<float>(qmax));
    return (q - static_cast<float>(zeroPoint)) * scale;
}

ActivationQuantParams activationParams(const TensorRange& range, bool symmetric)
{
    ActivationQuantParams p;
    if (symmetric) {
        p.qmin = -128;
        p.qmax = 127;
        p.zeroPoint = 0;
        const float m = std::max(std::fabs(range.min), std::fabs(range.max));
        p.scale = m > 0.0f ? m / 127.0f : 1.0f;
        return p;
    }
    const float lo = std::min(range.min, 0.0f);
    const float hi = std::max(range.max, 0.0f);
    p.qmin = 0;
    p.qmax = 255;
    p.scale = hi > lo ? (hi - lo) / 255.0f : 1.0f;
    p.zeroPoint = static_cast<int32_t>(std::clamp(std::nearbyint(-lo / p.scale), 0.0f, 255.0f));
    return p;
}

} // namespace topiary
