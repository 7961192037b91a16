#include "core/compress/Importance.h"

#include "core/model/Model.h"
#include "core/model/NodeAttributes.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <numeric>
#include <string>
#include <utility>

#if defined(__x86_64__) || defined(__i386__)
#include <immintrin.h>
#define TOPIARY_X86 1
#endif

namespace topiary {

// ---------------------------------------------------------------------------------------
// Norms

namespace {

// Eight independent double accumulators: the compiler may vectorize them (a single
// running sum it may not reorder), and double keeps long rows exact enough.
template <class F>
double laneSum(std::span<const float> row, F f)
{
    double acc[8] = {};
    size_t i = 0;
    for (; i + 8 <= row.size(); i += 8)
        for (size_t l = 0; l < 8; ++l)
            acc[l] += f(static_cast<double>(row[i + l]));
    for (; i < row.size(); ++i)
        acc[0] += f(static_cast<double>(row[i]));
    return ((acc[0] + acc[1]) + (acc[2] + acc[3])) + ((acc[4] + acc[5]) + (acc[6] + acc[7]));
}

} // namespace

std::vector<float> l1Scores(const FilterMatrix& filters)
{
    std::vector<float> scores(static_cast<size_t>(filters.rows()));
    for (int64_t i = 0; i < filters.rows(); ++i)
        scores[static_cast<size_t>(i)] =
            static_cast<float>(laneSum(filters.row(i), [](double v) { return std::fabs(v); }));
    return scores;
}

std::vector<float> l2Scores(const FilterMatrix& filters)
{
    std::vector<float> scores(static_cast<size_t>(filters.rows()));
    for (int64_t i = 0; i < filters.rows(); ++i)
        scores[static_cast<size_t>(i)] =
            static_cast<float>(std::sqrt(laneSum(filters.row(i), [](double v) { return v * v; })));
    return scores;
}

// ---------------------------------------------------------------------------------------
// FPGM through a packed, blocked Gram matrix (a symmetric rank-k update: only tiles on or
// above the diagonal are computed). Each G entry is accumulated by one SIMD lane in the
// same order, so identical filters get bitwise identical G_ii, G_ij, G_jj and distance 0.

namespace {

constexpr int64_t kMr = 6;     // rows of A per micro-tile (broadcast)
constexpr int64_t kNr = 16;    // columns per micro-tile (two AVX registers)
constexpr int64_t kKc = 256;   // depth of one packed block
constexpr int64_t kNcPanels = 16;  // column panels kept hot in L2 (kNr * kKc * 4 B each)

using MicroKernel = void (*)(const float* a, const float* b, float* c, int64_t ldc, int64_t kc);

void microKernelGeneric(const float* a, const float* b, float* c, int64_t ldc, int64_t kc)
{
    float acc[kMr][kNr] = {};
    for (int64_t p = 0; p < kc; ++p)
        for (int64_t r = 0; r < kMr; ++r)
            for (int64_t j = 0; j < kNr; ++j)
                acc[r][j] += a[p * kMr + r] * b[p * kNr + j];
    for (int64_t r = 0; r < kMr; ++r)
        for (int64_t j = 0; j < kNr; ++j)
            c[r * ldc + j] += acc[r][j];
}

#ifdef TOPIARY_X86
__attribute__((target("avx2,fma"))) inline void add(float* dst, __m256 v)
{
    _mm256_storeu_ps(dst, _mm256_add_ps(_mm256_loadu_ps(dst), v));
}

__attribute__((target("avx2,fma"))) void microKernelAvx2(const float* a, const float* b, float* c, int64_t ldc,
                                                          int64_t kc)
{
    __m256 c00 = _mm256_setzero_ps(), c01 = _mm256_setzero_ps();
    __m256 c10 = _mm256_setzero_ps(), c11 = _mm256_setzero_ps();
    __m256 c20 = _mm256_setzero_ps(), c21 = _mm256_setzero_ps();
    __m256 c30 = _mm256_setzero_ps(), c31 = _mm256_setzero_ps();
    __m256 c40 = _mm256_setzero_ps(), c41 = _mm256_setzero_ps();
    __m256 c50 = _mm256_setzero_ps(), c51 = _mm256_setzero_ps();
    for (int64_t p = 0; p < kc; ++p) {
        const __m256 b0 = _mm256_loadu_ps(b);
        const __m256 b1 = _mm256_loadu_ps(b + 8);
        __m256 av = _mm256_broadcast_ss(a + 0);
        c00 = _mm256_fmadd_ps(av, b0, c00);
        c01 = _mm256_fmadd_ps(av, b1, c01);
        av = _mm256_broadcast_ss(a + 1);
        c10 = _mm256_fmadd_ps(av, b0, c10);
        c11 = _mm256_fmadd_ps(av, b1, c11);
        av = _mm256_broadcast_ss(a + 2);
        c20 = _mm256_fmadd_ps(av, b0, c20);
        c21 = _mm256_fmadd_ps(av, b1, c21);
        av = _mm256_broadcast_ss(a + 3);
        c30 = _mm256_fmadd_ps(av, b0, c30);
        c31 = _mm256_fmadd_ps(av, b1, c31);
        av = _mm256_broadcast_ss(a + 4);
        c40 = _mm256_fmadd_ps(av, b0, c40);
        c41 = _mm256_fmadd_ps(av, b1, c41);
        av = _mm256_broadcast_ss(a + 5);
        c50 = _mm256_fmadd_ps(av, b0, c50);
        c51 = _mm256_fmadd_ps(av, b1, c51);
        a += kMr;
        b += kNr;
    }
    add(c + 0 * ldc, c00), add(c + 0 * ldc + 8, c01);
    add(c + 1 * ldc, c10), add(c + 1 * ldc + 8, c11);
    add(c + 2 * ldc, c20), add(c + 2 * ldc + 8, c21);
    add(c + 3 * ldc, c30), add(c + 3 * ldc + 8, c31);
    add(c + 4 * ldc, c40), add(c + 4 * ldc + 8, c41);
    add(c + 5 * ldc, c50), add(c + 5 * ldc + 8, c51);
}
#endif

MicroKernel pickKernel()
{
#ifdef TOPIARY_X86
    if (__builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma"))
        return microKernelAvx2;
#endif
    return microKernelGeneric;
}

// One horizontal strip of G = A·Aᵀ: rows [r0, r1) against columns [r0, n), i.e. the
// strip's part of the upper triangle (plus a little of the lower, inside diagonal tiles).
// Strips bound the memory to a few tens of MB however many filters a layer has.
class GramStrip {
public:
    static constexpr int64_t kAlign = 48;  // lcm(kMr, kNr): strips start on both tile grids

    GramStrip(const FilterMatrix& a, int64_t r0, int64_t r1)
        : m_n(a.rows())
        , m_r0(r0)
        , m_rowPanels((r1 - r0 + kMr - 1) / kMr)
        , m_colPanels((m_n - r0 + kNr - 1) / kNr)
        , m_ld(m_colPanels * kNr)
        , m_g(static_cast<size_t>(m_rowPanels * kMr * m_ld), 0.0f)
    {
        static const MicroKernel kernel = pickKernel();
        const int64_t k = a.cols();
        const auto values = a.values();
        std::vector<float> rowPack(static_cast<size_t>(m_rowPanels * kMr * kKc));
        std::vector<float> colPack(static_cast<size_t>(m_colPanels * kNr * kKc));
        for (int64_t k0 = 0; k0 < k; k0 += kKc) {
            const int64_t kc = std::min(kKc, k - k0);
            pack(values, k, k0, kc, r1, kMr, m_rowPanels, rowPack);
            pack(values, k, k0, kc, m_n, kNr, m_colPanels, colPack);
            for (int64_t jc = 0; jc < m_colPanels; jc += kNcPanels) {
                const int64_t jcEnd = std::min(m_colPanels, jc + kNcPanels);
                for (int64_t ip = 0; ip < m_rowPanels; ++ip) {
                    const int64_t i0 = ip * kMr;  // relative to r0, as are j0 and the columns of m_g
                    if (i0 > jcEnd * kNr - 1)
                        break;  // this and every later row panel lie below the column block
                    const float* ap = rowPack.data() + ip * kMr * kc;
                    for (int64_t jp = jc; jp < jcEnd; ++jp) {
                        const int64_t j0 = jp * kNr;
                        if (j0 + kNr - 1 < i0)
                            continue;  // tile entirely below the diagonal
                        kernel(ap, colPack.data() + jp * kNr * kc, m_g.data() + i0 * m_ld + j0, m_ld, kc);
                    }
                }
            }
        }
    }

    // G_ij for r0 <= i < r1 and i <= j < n.
    float at(int64_t i, int64_t j) const { return m_g[static_cast<size_t>((i - m_r0) * m_ld + (j - m_r0))]; }

private:
    // Panels of `width` rows of A from r0 on (rows from `end` on are 0), columns k0..k0+kc,
    // laid out [panel][p][row].
    void pack(std::span<const float> a, int64_t k, int64_t k0, int64_t kc, int64_t end, int64_t width,
              int64_t panels, std::vector<float>& out) const
    {
        for (int64_t panel = 0; panel < panels; ++panel) {
            float* dst = out.data() + panel * width * kc;
            for (int64_t r = 0; r < width; ++r) {
                const int64_t row = m_r0 + panel * width + r;
                if (row >= end) {
                    for (int64_t p = 0; p < kc; ++p)
                        dst[p * width + r] = 0.0f;
                    continue;
                }
                const float* src = a.data() + row * k + k0;
                for (int64_t p = 0; p < kc; ++p)
                    dst[p * width + r] = src[p];
            }
        }
    }

    int64_t m_n;
    int64_t m_r0;
    int64_t m_rowPanels;
    int64_t m_colPanels;
    int64_t m_ld;
    std::vector<float> m_g;
};

// Strip height: all of G up to ~4000 filters, else ~16M floats (64 MB) per strip.
int64_t fpgmStripHeight(int64_t filters)
{
    constexpr int64_t budget = int64_t{1} << 24;
    constexpr int64_t align = GramStrip::kAlign;
    return std::max(align, budget / (filters + align) / align * align);
}

} // namespace

std::vector<float> fpgmScores(const FilterMatrix& filters)
{
    const int64_t n = filters.rows();
    std::vector<double> sums(static_cast<size_t>(n), 0.0);
    if (n < 2 || filters.cols() == 0)
        return {sums.begin(), sums.end()};

    // Last strip first: a pair (i, j > i) needs G_jj, which the strip holding row j computes.
    // Every G entry used comes from the same kernel, so identical filters are at distance 0.
    const int64_t height = fpgmStripHeight(n);
    std::vector<double> diag(static_cast<size_t>(n), 0.0);
    const int64_t strips = (n + height - 1) / height;
    for (int64_t s = strips - 1; s >= 0; --s) {
        const int64_t r0 = s * height;
        const int64_t r1 = std::min(n, r0 + height);
        const GramStrip g(filters, r0, r1);
        for (int64_t i = r0; i < r1; ++i)
            diag[static_cast<size_t>(i)] = g.at(i, i);
        for (int64_t i = r0; i < r1; ++i) {
            const double gii = diag[static_cast<size_t>(i)];
            double rowSum = 0.0;
            for (int64_t j = i + 1; j < n; ++j) {
                const double d2 = gii + diag[static_cast<size_t>(j)] - 2.0 * static_cast<double>(g.at(i, j));
                const double d = std::sqrt(std::max(0.0, d2));
                rowSum += d;
                sums[static_cast<size_t>(j)] += d;
            }
            sums[static_cast<size_t>(i)] += rowSum;
        }
    }
    return {sums.begin(), sums.end()};
}

// ---------------------------------------------------------------------------------------
// Other criteria

std::vector<float> randomScores(int64_t count, uint64_t seed)
{
    // splitmix64: tiny, and the same numbers everywhere (std:: distributions are not).
    std::vector<float> scores(static_cast<size_t>(std::max<int64_t>(0, count)));
    uint64_t state = seed;
    for (float& s : scores) {
        uint64_t z = (state += 0x9E3779B97F4A7C15ull);
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
        z ^= z >> 31;
        s = static_cast<float>(z >> 40) * 0x1.0p-24f;
    }
    return scores;
}

Result<std::vector<float>> bnScaleScores(const Model& model, const Layer& layer)
{
    if (layer.batchNorm < 0)
        return fail("layer " + layer.name + " has no BatchNormalization after it, so no BN scale to rank by");
    const Node& bn = model.node(layer.batchNorm);
    const Constant* gamma = bn.inputs.size() > 1 ? model.resolveConstant(bn.inputs[1]) : nullptr;
    if (!gamma || gamma->floats.empty())
        return fail("BatchNormalization " + bn.name + " after layer " + layer.name + " has no constant scale");
    if (static_cast<int64_t>(gamma->floats.size()) != layer.outChannels)
        return fail("BatchNormalization " + bn.name + " has " + std::to_string(gamma->floats.size()) +
                    " scales for the " + std::to_string(layer.outChannels) + " channels of layer " + layer.name);
    std::vector<float> scores(gamma->floats.size());
    std::transform(gamma->floats.begin(), gamma->floats.end(), scores.begin(), [](float v) { return std::fabs(v); });
    return scores;
}

Result<std::vector<float>> filterScores(const Model& model, const Layer& layer, Criterion criterion, uint64_t seed)
{
    switch (criterion) {
    case Criterion::BnScale:
        return bnScaleScores(model, layer);
    case Criterion::Apoz:
        return fail("APoZ of layer " + layer.name + " needs a dataset: attach one to rank filters by activations");
    case Criterion::Taylor:
        return fail("Taylor importance of layer " + layer.name
            + " needs gradients on labelled images: the trainer computes them from a dataset");
    case Criterion::Random:
        return randomScores(layer.outChannels, seed);
    case Criterion::L1:
    case Criterion::L2:
    case Criterion::Fpgm:
        break;
    }
    auto filters = filterMatrix(model, layer);
    if (!filters)
        return std::unexpected(filters.error());
    if (criterion == Criterion::L1)
        return l1Scores(*filters);
    if (criterion == Criterion::L2)
        return l2Scores(*filters);
    return fpgmScores(*filters);
}

KernelMatrix kernelL1(const FilterMatrix& filters)
{
    KernelMatrix m;
    m.rows = filters.rows();
    m.cols = filters.inputs();
    m.values.resize(static_cast<size_t>(m.rows * m.cols));
    const int64_t ks = filters.kernelSize();
    const auto values = filters.values();
    for (int64_t i = 0; i < m.rows * m.cols; ++i) {
        double sum = 0.0;
        for (int64_t e = 0; e < ks; ++e)
            sum += std::fabs(static_cast<double>(values[static_cast<size_t>(i * ks + e)]));
        m.values[static_cast<size_t>(i)] = static_cast<float>(sum);
    }
    return m;
}

std::vector<float> elementScores(std::span<const float> weights)
{
    std::vector<float> scores(weights.size());
    std::transform(weights.begin(), weights.end(), scores.begin(), [](float v) { return std::fabs(v); });
    return scores;
}

// ---------------------------------------------------------------------------------------
// Masks

namespace {

// torch.topk on CPU (ATen's topk_impl_loop): (value, index) pairs in index order, then
// std::partial_sort when k * 64 <= n, else std::nth_element, with NaN ordered as largest.
// Running the same libstdc++ algorithm on the same sequence selects the same tied indices.
using Elem = std::pair<float, int64_t>;

std::vector<Elem> topkQueue(std::span<const float> scores)
{
    std::vector<Elem> queue(scores.size());
    for (size_t i = 0; i < scores.size(); ++i)
        queue[i] = {scores[i], static_cast<int64_t>(i)};
    return queue;
}

template <class Less>
void topkSelect(std::vector<Elem>& queue, int64_t k, Less less)
{
    const auto n = static_cast<int64_t>(queue.size());
    if (k * 64 <= n)
        std::partial_sort(queue.begin(), queue.begin() + k, queue.end(), less);
    else
        std::nth_element(queue.begin(), queue.begin() + k - 1, queue.end(), less);
}

// The k smallest scores are pruned (l1_unstructured).
Mask pruneSmallest(std::span<const float> scores, int64_t k)
{
    Mask mask(scores.size(), 1);
    if (k <= 0)
        return mask;
    auto queue = topkQueue(scores);
    topkSelect(queue, k, [](const Elem& x, const Elem& y) {
        return (!std::isnan(x.first) && std::isnan(y.first)) || (x.first < y.first);
    });
    for (int64_t i = 0; i < k; ++i)
        mask[static_cast<size_t>(queue[static_cast<size_t>(i)].second)] = 0;
    return mask;
}

// The `keep` largest scores are kept, the rest pruned (ln_structured).
Mask keepLargest(std::span<const float> scores, int64_t keep)
{
    Mask mask(scores.size(), 0);
    if (keep <= 0)
        return mask;
    auto queue = topkQueue(scores);
    topkSelect(queue, keep, [](const Elem& x, const Elem& y) {
        return (std::isnan(x.first) && !std::isnan(y.first)) || (x.first > y.first);
    });
    for (int64_t i = 0; i < keep; ++i)
        mask[static_cast<size_t>(queue[static_cast<size_t>(i)].second)] = 1;
    return mask;
}

Result<int64_t> countToPrune(double ratio, size_t n)
{
    if (!(ratio >= 0.0 && ratio <= 1.0))
        return fail("pruning ratio " + std::to_string(ratio) + " is not between 0 and 1");
    // Python's round(): half to even, on the same double product.
    return static_cast<int64_t>(std::nearbyint(ratio * static_cast<double>(n)));
}

} // namespace

Result<Mask> elementMask(std::span<const float> weights, double ratio)
{
    auto k = countToPrune(ratio, weights.size());
    if (!k)
        return std::unexpected(k.error());
    return pruneSmallest(elementScores(weights), *k);
}

Result<Mask> filterMask(std::span<const float> scores, double ratio)
{
    auto k = countToPrune(ratio, scores.size());
    if (!k)
        return std::unexpected(k.error());
    if (*k == 0)
        return Mask(scores.size(), 1);
    return keepLargest(scores, static_cast<int64_t>(scores.size()) - *k);
}

Mask thresholdMask(std::span<const float> scores, double threshold)
{
    Mask mask(scores.size());
    for (size_t i = 0; i < scores.size(); ++i)
        mask[i] = static_cast<double>(scores[i]) < threshold ? 0 : 1;
    return mask;
}

double meanStdThreshold(std::span<const float> scores, double k)
{
    if (scores.empty())
        return 0.0;
    double mean = 0.0;
    for (float s : scores)
        mean += s;
    mean /= static_cast<double>(scores.size());
    double var = 0.0;
    for (float s : scores)
        var += (s - mean) * (s - mean);
    var /= static_cast<double>(scores.size());
    return mean + k * std::sqrt(var);
}

Result<Mask> pruneMask(std::span<const float> scores, const PruneSpec& spec)
{
    if (spec.granularity == PruneGranularity::None)
        return Mask(scores.size(), 1);
    switch (spec.mode) {
    case PruneMode::Ratio:
        if (spec.granularity == PruneGranularity::Filter)
            return filterMask(scores, spec.value);
        if (auto k = countToPrune(spec.value, scores.size()))
            return pruneSmallest(scores, *k);
        else
            return std::unexpected(k.error());
    case PruneMode::Threshold:
        return thresholdMask(scores, spec.value);
    case PruneMode::MeanStdRule:
        return thresholdMask(scores, meanStdThreshold(scores, spec.value));
    }
    return fail("unknown pruning mode");
}

// ---------------------------------------------------------------------------------------
// Histogram

int Histogram::binOf(double value) const
{
    const int n = bins();
    if (n == 0 || std::isnan(value) || value < edges.front() || value > edges.back())
        return -1;
    const double lo = edges.front();
    const double hi = edges.back();
    int i = static_cast<int>(std::floor((value - lo) / (hi - lo) * n));
    i = std::clamp(i, 0, n - 1);
    // The edges decide, not the division's rounding.
    while (i > 0 && value < edges[static_cast<size_t>(i)])
        --i;
    while (i < n - 1 && value >= edges[static_cast<size_t>(i) + 1])
        ++i;
    return i;
}

Histogram histogram(std::span<const float> values, int bins)
{
    Histogram h;
    bins = std::max(1, bins);
    float lo = std::numeric_limits<float>::infinity();
    float hi = -lo;
    for (float v : values) {
        if (!std::isfinite(v))
            continue;
        lo = std::min(lo, v);
        hi = std::max(hi, v);
        ++h.total;
    }
    if (h.total == 0)
        lo = hi = 0.0f;
    h.min = lo;
    h.max = hi;
    double a = lo;
    double b = hi;
    if (a == b) {
        a -= 0.5;
        b += 0.5;
    }
    h.edges.resize(static_cast<size_t>(bins) + 1);
    for (int i = 0; i <= bins; ++i)
        h.edges[static_cast<size_t>(i)] = a + (b - a) * i / bins;
    h.edges.back() = b;
    h.counts.assign(static_cast<size_t>(bins), 0);
    for (float v : values)
        if (std::isfinite(v))
            ++h.counts[static_cast<size_t>(h.binOf(v))];
    return h;
}

} // namespace topiary
