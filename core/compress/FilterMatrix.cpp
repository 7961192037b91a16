#include "core/compress/FilterMatrix.h"

#include "core/model/Model.h"
#include "core/model/NodeAttributes.h"
#include "core/base/Format.h"

#include <algorithm>
#include <string>
#include <utility>

namespace topiary {

FilterMatrix FilterMatrix::borrow(std::span<const float> rowMajor, int64_t rows, int64_t cols, int64_t kernelSize)
{
    FilterMatrix m;
    m.m_borrowed = rowMajor.data();
    m.m_rows = rows;
    m.m_cols = cols;
    m.m_kernelSize = kernelSize;
    return m;
}

FilterMatrix FilterMatrix::own(std::vector<float> rowMajor, int64_t rows, int64_t cols, int64_t kernelSize)
{
    FilterMatrix m;
    m.m_owned = std::move(rowMajor);
    m.m_rows = rows;
    m.m_cols = cols;
    m.m_kernelSize = kernelSize;
    return m;
}

std::span<const float> FilterMatrix::values() const
{
    const float* data = m_borrowed ? m_borrowed : m_owned.data();
    return {data, static_cast<size_t>(m_rows * m_cols)};
}

std::span<const float> FilterMatrix::row(int64_t filter) const
{
    return values().subspan(static_cast<size_t>(filter * m_cols), static_cast<size_t>(m_cols));
}

int64_t outputChannelAxis(const Layer& layer)
{
    if (layer.kind == LayerKind::ConvTranspose || layer.weightTransposed)
        return 1;
    return 0;
}

Result<FilterMatrix> filterMatrix(std::span<const float> weights, const Layer& layer)
{
    const auto& s = layer.weightShape;
    const auto where = [&] { return "layer " + layer.name + " (" + layerKindName(layer.kind) + ", weight " +
                                    text::dims(s) + ")"; };
    const bool conv = layer.kind == LayerKind::Conv || layer.kind == LayerKind::ConvTranspose;
    if ((conv && s.size() < 3) || (!conv && s.size() != 2))
        return fail(where() + ": unexpected weight rank");
    if (std::any_of(s.begin(), s.end(), [](int64_t d) { return d <= 0; }))
        return fail(where() + ": empty weight");
    if (static_cast<int64_t>(weights.size()) != product(s))
        return fail(where() + ": " + std::to_string(weights.size()) + " values for the weight's shape");

    if (layer.kind == LayerKind::Conv) {
        const int64_t ks = product(std::span(s).subspan(2));
        return FilterMatrix::borrow(weights, s[0], s[1] * ks, ks);
    }
    if (layer.kind == LayerKind::ConvTranspose) {
        const int64_t g = std::max<int64_t>(1, layer.group);
        if (s[0] % g != 0)
            return fail(where() + ": " + std::to_string(s[0]) + " input channels do not split into " +
                        std::to_string(g) + " groups");
        const int64_t ks = product(std::span(s).subspan(2));
        const int64_t inPerGroup = s[0] / g;
        const int64_t outPerGroup = s[1];
        const int64_t rows = outPerGroup * g;
        const int64_t cols = inPerGroup * ks;
        std::vector<float> out(static_cast<size_t>(rows * cols));
        for (int64_t o = 0; o < rows; ++o) {
            const int64_t gi = o / outPerGroup;
            const int64_t oc = o % outPerGroup;
            for (int64_t cl = 0; cl < inPerGroup; ++cl) {
                const int64_t ci = gi * inPerGroup + cl;
                const float* src = weights.data() + (ci * outPerGroup + oc) * ks;
                std::copy(src, src + ks, out.data() + o * cols + cl * ks);
            }
        }
        return FilterMatrix::own(std::move(out), rows, cols, ks);
    }
    if (!layer.weightTransposed)
        return FilterMatrix::borrow(weights, s[0], s[1], 1);

    // Stored K x N: transpose in cache-sized tiles.
    const int64_t k = s[0];
    const int64_t n = s[1];
    std::vector<float> out(static_cast<size_t>(k * n));
    constexpr int64_t tile = 64;
    for (int64_t i0 = 0; i0 < k; i0 += tile)
        for (int64_t j0 = 0; j0 < n; j0 += tile)
            for (int64_t i = i0; i < std::min(k, i0 + tile); ++i)
                for (int64_t j = j0; j < std::min(n, j0 + tile); ++j)
                    out[static_cast<size_t>(j * k + i)] = weights[static_cast<size_t>(i * n + j)];
    return FilterMatrix::own(std::move(out), n, k, 1);
}

Result<FilterMatrix> filterMatrix(const Model& model, const Layer& layer)
{
    const Constant* w = model.constant(layer.weight);
    if (!w || w->floats.empty())
        return fail("layer " + layer.name + ": weight " + layer.weight + " has no float data");
    return filterMatrix(w->floats, layer);
}

} // namespace topiary
