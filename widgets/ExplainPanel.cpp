#include "widgets/ExplainPanel.h"

#include "core/analysis/Explanation.h"
#include "widgets/NumberFormat.h"

#include <QScrollBar>

#include <cmath>

namespace topiary {

namespace {

// Filter lists longer than this are cut ("… and 7 more"): the point is the pattern, and
// the inspector's heatmap shows every filter.
constexpr size_t kListedFilters = 16;

// Three significant digits: 0.0123, 21.4, 1.2e-05.
QString num(double value)
{
    return format::significant(value, 3);
}

// Like num(), but tiny values (an MSE) as 6.15·10<sup>−5</sup> rather than 6.15E-05.
QString small(double value)
{
    if (value == 0.0 || std::fabs(value) >= 1e-3)
        return num(value);
    const int exponent = static_cast<int>(std::floor(std::log10(std::fabs(value))));
    const double mantissa = value / std::pow(10.0, exponent);
    return format::fixed(mantissa, 2) + QStringLiteral("·10<sup>−")
        + QString::number(-exponent) + QStringLiteral("</sup>");
}

QString decibels(double value)
{
    if (std::isinf(value))
        return QStringLiteral("∞");
    return format::fixed(value, 1);
}

QString criterionLabel(Criterion c)
{
    switch (c) {
    case Criterion::L1:
        return QStringLiteral("L1");
    case Criterion::L2:
        return QStringLiteral("L2");
    case Criterion::Fpgm:
        return QStringLiteral("FPGM");
    case Criterion::BnScale:
        return ExplainPanel::tr("BN scale");
    case Criterion::Apoz:
        return QStringLiteral("APoZ");
    case Criterion::Taylor:
        return QStringLiteral("Taylor");
    case Criterion::Random:
        return ExplainPanel::tr("random");
    }
    return {};
}

QString filterList(const std::vector<int64_t>& filters)
{
    if (filters.empty())
        return ExplainPanel::tr("no filters");
    QStringList parts;
    for (size_t i = 0; i < filters.size() && i < kListedFilters; ++i)
        parts << QString::number(filters[i]);
    QString text = parts.join(QStringLiteral(", "));
    if (filters.size() > kListedFilters)
        text += ExplainPanel::tr(" and %n more", nullptr, static_cast<int>(filters.size() - kListedFilters));
    return text;
}

QString heading(const QString& text)
{
    return QStringLiteral("<h4 style=\"margin-bottom:2px\">") + text + QStringLiteral("</h4>");
}

QString paragraph(const QString& text)
{
    return QStringLiteral("<p style=\"margin-top:2px\">") + text + QStringLiteral("</p>");
}

// A formula on its own indented line, so it never wraps in the middle of a sentence.
QString formula(const QString& text)
{
    return QStringLiteral("<p style=\"margin-left:16px; margin-top:0px; margin-bottom:6px\"><i>") + text
        + QStringLiteral("</i></p>");
}

QString pruningSection(const PruningExplanation& p, const LayerSpec& spec)
{
    QString html = heading(ExplainPanel::tr("Which filters to prune"));
    html += paragraph(ExplainPanel::tr("<b>L1</b> scores a filter by the size of its weights; a small filter "
                                       "adds little to the output:"));
    html += formula(ExplainPanel::tr("score<sub>f</sub> = ‖W<sub>f</sub>‖<sub>1</sub> = Σ |w|"));
    html += paragraph(ExplainPanel::tr("<b>FPGM</b> scores a filter by its summed distance to the others; a filter "
                                       "close to all of them (near their geometric median) is redundant, whatever "
                                       "its size:"));
    html += formula(ExplainPanel::tr("score<sub>f</sub> = Σ<sub>g</sub> ‖W<sub>f</sub> − W<sub>g</sub>‖<sub>2</sub>"));
    html += paragraph(ExplainPanel::tr("Each criterion removes the filters with the lowest scores."));

    const auto perCriterion = static_cast<int64_t>(p.l1Pruned ? p.l1Pruned->size() : p.fpgmPruned ? p.fpgmPruned->size() : 0);
    QString here = p.planRatio
        ? ExplainPanel::tr("Here, at the plan's %1 of the %2 filters (%3 each): ")
        : ExplainPanel::tr("Here, at %1 of the %2 filters (%3 each; the plan prunes none, so a default is used): ");
    here = here.arg(format::percent(p.ratio), format::count(p.filters), format::count(perCriterion));
    if (p.fpgmPruned)
        here += ExplainPanel::tr("FPGM would prune filters %1").arg(filterList(*p.fpgmPruned));
    if (p.l1Pruned)
        here += (p.fpgmPruned ? QStringLiteral("; ") : QString())
            + ExplainPanel::tr("L1 would prune filters %1").arg(filterList(*p.l1Pruned));
    if (p.l1Pruned && p.fpgmPruned) {
        here += ExplainPanel::tr("; they agree on %1 of %2 (Jaccard |A∩B| / |A∪B| = %3).")
                    .arg(format::count(p.overlap), format::count(perCriterion),
                        format::fixed(p.jaccard, 2));
    } else {
        here += QStringLiteral(".");
    }
    html += paragraph(here);

    if (spec.prune.granularity == PruneGranularity::Filter) {
        html += paragraph(ExplainPanel::tr("The plan removes %1 of the %2 filters by %3: %4 (through the layer's "
                                           "dependency group, so coupled layers prune the same channels).")
                .arg(format::count(static_cast<int64_t>(p.planPruned.size())), format::count(p.filters),
                    criterionLabel(spec.prune.criterion), filterList(p.planPruned)));
    }
    return html;
}

QString apozSection(const ApozExplanation& a)
{
    QString html = heading(ExplainPanel::tr("What APoZ measured"));
    html += paragraph(ExplainPanel::tr("<b>APoZ</b>, the Average Percentage of Zeros, runs the original model on the "
                                       "dataset's images and counts how often each channel's activation after the "
                                       "layer's ReLU is exactly zero; a channel that is almost always zero passes "
                                       "little on. Filters are ranked by 1 − APoZ, so the most often silent go first:"));
    html += formula(ExplainPanel::tr("APoZ<sub>c</sub> = (activations of c equal to 0) / (activations of c counted)"));
    if (!a.defined) {
        html += paragraph(ExplainPanel::tr("Not defined for this layer: %1.").arg(QString::fromStdString(a.reason).toHtmlEscaped()));
        return html;
    }
    QStringList highest;
    for (const auto& [channel, value] : a.highest)
        highest << ExplainPanel::tr("channel %1 (%2)").arg(channel).arg(format::percent(value));
    const QString counted = a.samples == 1 ? ExplainPanel::tr("Here, on one image (%2 activations per channel at %3): ")
                                           : ExplainPanel::tr("Here, on %1 images (%2 activations per channel at %3): ");
    html += paragraph((a.samples == 1 ? counted : counted.arg(format::count(a.samples)))
                          .arg(format::count(a.valuesPerChannel), QString::fromStdString(a.tensor).toHtmlEscaped())
        + ExplainPanel::tr("the mean APoZ of the %1 channels is %2; %3 of them are zero in at least 90 % of their "
                           "activations. Most often zero: %4.")
              .arg(format::count(a.channels), format::percent(a.meanApoz), format::count(a.mostlyZero),
                  highest.join(QStringLiteral(", "))));
    return html;
}

QString uniformSection(const QuantExplanation& q)
{
    QString html = heading(ExplainPanel::tr("Uniform %1-bit quantization, %2, %3")
                               .arg(q.bits)
                               .arg(q.perChannel ? ExplainPanel::tr("per channel") : ExplainPanel::tr("per tensor"),
                                   q.symmetric ? ExplainPanel::tr("symmetric") : ExplainPanel::tr("asymmetric")));
    html += paragraph(ExplainPanel::tr("Each weight is rounded to a grid of evenly spaced levels; the integer q is "
                                       "stored in b bits and the layer computes with ŵ:"));
    html += formula(ExplainPanel::tr("q = clamp(round(w / s) + z, q<sub>min</sub>, q<sub>max</sub>),  ŵ = (q − z)·s"));
    html += q.symmetric
        ? paragraph(ExplainPanel::tr("Symmetric, so zero stays exact:"))
            + formula(ExplainPanel::tr("s = max|w| / (2<sup>b−1</sup> − 1),  z = 0"))
        : paragraph(ExplainPanel::tr("Asymmetric, over the weights' range widened to include 0:"))
            + formula(ExplainPanel::tr("s = (max w − min w) / (2<sup>b</sup> − 1),  z = round(−min w / s)"));

    QString scale = ExplainPanel::tr("s = %1").arg(num(q.scale));
    if (q.channel >= 0)
        scale += ExplainPanel::tr(" (the widest of %1 channels, channel %2)").arg(format::count(q.channels)).arg(q.channel);
    if (!q.symmetric)
        scale += ExplainPanel::tr(", z = %1").arg(q.zeroPoint);
    html += paragraph(ExplainPanel::tr(
        "Here %1; %2 levels (q from %3 to %4), representable range [%5, %6] against weights in [%7, %8]; "
        "%9 of the weights are clipped (the scale comes from the largest |w|, so none need be).")
                          .arg(scale, format::count(q.levels), QString::number(q.qmin), QString::number(q.qmax),
                              num(q.clipLow), num(q.clipHigh), num(q.weightMin), num(q.weightMax),
                              format::percent(q.clippedFraction.value_or(0.0))));
    return html;
}

QString errorParagraph(const QuantExplanation& q)
{
    return paragraph(ExplainPanel::tr("How much the weights changed, as a mean squared error and as a "
                                      "signal-to-noise ratio (each extra bit adds about 6 dB):"))
        + formula(ExplainPanel::tr("MSE = mean (w − ŵ)<sup>2</sup> = %1").arg(small(q.mse)))
        + formula(ExplainPanel::tr("SQNR = 10·log<sub>10</sub>(Σ w<sup>2</sup> / Σ (w − ŵ)<sup>2</sup>) = <b>%1 dB</b>")
                      .arg(decibels(q.sqnrDb)));
}

QString quantSection(const QuantExplanation& q)
{
    QString html;
    switch (q.scheme) {
    case QuantScheme::Uniform:
        html = uniformSection(q);
        break;
    case QuantScheme::Codebook:
        html = heading(ExplainPanel::tr("Codebook (k-means) quantization, %1 bits").arg(q.bits));
        html += paragraph(ExplainPanel::tr("k-means picks 2<sup>b</sup> centroids c<sub>j</sub>; each weight stores "
                                           "only the index j of its nearest centroid, and ŵ = c<sub>j</sub>:"));
        html += formula(ExplainPanel::tr("minimize Σ (w − c<sub>j(w)</sub>)<sup>2</sup>"));
        html += paragraph(ExplainPanel::tr("Here %1 centroids from %2 to %3, against weights in [%4, %5].")
                              .arg(format::count(q.levels), num(q.clipLow), num(q.clipHigh), num(q.weightMin),
                                  num(q.weightMax)));
        break;
    case QuantScheme::Binary:
        html = heading(ExplainPanel::tr("Binary weights"));
        html += paragraph(ExplainPanel::tr(
            "Each weight keeps only its sign: ŵ = sign(w)·α<sub>c</sub>, with α<sub>c</sub> = mean |w| of its "
            "output channel. Here α = %1 in the widest of %2 channels.")
                              .arg(num(q.scale), format::count(q.channels)));
        break;
    case QuantScheme::Ternary:
        html = heading(ExplainPanel::tr("Ternary weights"));
        html += paragraph(ExplainPanel::tr(
            "Weights with |w| ≤ 0.7·mean|w| become 0, the others ±α<sub>c</sub>, the mean |w| of those kept in "
            "their output channel. Here α = %1 in the widest of %2 channels.")
                              .arg(num(q.scale), format::count(q.channels)));
        break;
    case QuantScheme::Float16:
        html = heading(ExplainPanel::tr("Half precision"));
        html += paragraph(ExplainPanel::tr(
            "Each weight is rounded to the nearest 16-bit float (11 significant bits), halving its storage."));
        break;
    case QuantScheme::Float32:
        return {};
    }
    return html + errorParagraph(q);
}

QString huffmanSection(const HuffmanExplanation& h)
{
    QString html = heading(ExplainPanel::tr("Huffman coding of the indices"));
    html += paragraph(ExplainPanel::tr("Stored plainly, every index takes b = %1 bits. Huffman coding gives frequent "
                                       "centroids short codes and rare ones long codes; with p<sub>j</sub> the share "
                                       "of weights on centroid j and ℓ<sub>j</sub> its code length, the average is "
                                       "within one bit of the entropy:")
                          .arg(h.plainBits));
    html += formula(ExplainPanel::tr("bits per weight = Σ p<sub>j</sub>·ℓ<sub>j</sub>  ≥  −Σ p<sub>j</sub>·log<sub>2</sub> p<sub>j</sub>"));
    QString here = ExplainPanel::tr(
        "Here %1 of %2 centroids occur, with codes of %3 to %4 bits: <b>%5 bits per weight</b> instead of %6, "
        "%7 bits for the layer's %8 weights.")
                       .arg(format::count(h.usedSymbols), format::count(int64_t{1} << h.plainBits))
                       .arg(h.shortestCode)
                       .arg(h.longestCode)
                       .arg(format::fixed(h.bitsPerWeight, 2))
                       .arg(h.plainBits)
                       .arg(format::count(h.codedBits), format::count(h.weights));
    if (h.statsBytes >= 0)
        here += ExplainPanel::tr(" After pruning, and with the codebook and its code table, the stats count %1 for this layer.").arg(format::bytes(h.statsBytes));
    html += paragraph(here);
    return html;
}

QString lowRankSection(const LowRankExplanation& r)
{
    QString html = heading(ExplainPanel::tr("Low rank r = %1").arg(r.rank));
    html += paragraph(ExplainPanel::tr("The filters form a matrix W (m × n, a row per filter). Its truncated SVD "
                                       "is the best rank-r approximation, and the layer becomes two: r filters "
                                       "V<sub>r</sub><sup>T</sup>, then a 1×1 layer U<sub>r</sub>Σ<sub>r</sub>:"));
    html += formula(ExplainPanel::tr("W ≈ U<sub>r</sub> Σ<sub>r</sub> V<sub>r</sub><sup>T</sup>"));
    html += paragraph(ExplainPanel::tr("The singular values σ<sub>i</sub> measure how much of W each direction "
                                       "carries; the share of its energy kept is:"));
    html += formula(ExplainPanel::tr("Σ<sub>i≤r</sub> σ<sub>i</sub><sup>2</sup> / Σ<sub>i</sub> σ<sub>i</sub><sup>2</sup>"));
    html += paragraph(ExplainPanel::tr(
        "Here W is %1 × %2, σ<sub>1</sub> = %3 and σ<sub>%4</sub> = %5: rank %4 keeps <b>%6</b> of the energy "
        "(relative error ‖W − W<sub>r</sub>‖<sub>F</sub> / ‖W‖<sub>F</sub> = %7). Parameters go from "
        "m·n = %8 to r·(m + n) = %9.")
                          .arg(format::count(r.rows), format::count(r.cols), num(r.firstSingular))
                          .arg(r.rank)
                          .arg(num(r.lastKeptSingular), format::percent(r.explainedVariance),
                              format::percent(r.relativeError), format::count(r.paramsBefore),
                              format::count(r.paramsAfter)));
    return html;
}

// What the plan's recovery changed on this layer: each method with its rule, then this
// layer's numbers (the same RecoveryExplanation the inspector's note shows).
QString recoverySection(const RecoveryExplanation& r, int64_t images)
{
    auto points = [](double fraction) { return format::fixed(100.0 * fraction, 2) + QStringLiteral("\u00a0%"); };
    QString html = heading(ExplainPanel::tr("What recovery changed"));
    html += paragraph(ExplainPanel::tr("Recovery ran the original and the compressed model on %1 calibration images "
                                       "(labels unused) and repaired this layer without training:")
                          .arg(format::count(images)));
    if (r.refitted) {
        html += paragraph(ExplainPanel::tr("<b>Least squares.</b> The kept weights W (and bias b) were solved anew "
                                           "so that the layer's output on the compressed model's inputs X matches the "
                                           "original's output Y, with a small ridge λ:"));
        html += formula(ExplainPanel::tr("min<sub>W</sub> ‖Y − X W‖<sup>2</sup> + λ‖W‖<sup>2</sup>,  "
                                         "error = Σ(y − ŷ)<sup>2</sup> / Σy<sup>2</sup>"));
        html += paragraph(ExplainPanel::tr("Here the output error against the original was <b>%1</b> before the "
                                           "refit and <b>%2</b> after it, on the sampled positions.")
                              .arg(points(r.residualBefore), points(r.residualAfter)));
    }
    if (r.batchNorm) {
        html += paragraph(ExplainPanel::tr("<b>BatchNorm re-estimation.</b> Its running mean μ and variance σ<sup>2"
                                           "</sup> became the compressed model's own statistics on the images, so "
                                           "the normalisation fits the activations it now receives:"));
        html += formula(ExplainPanel::tr("μ<sub>c</sub> = mean of x<sub>c</sub>,  σ<sub>c</sub><sup>2</sup> = "
                                         "variance of x<sub>c</sub> (unbiased)"));
        html += paragraph(ExplainPanel::tr("Here the running means of %1 channels moved by %2 on average (at most "
                                           "%3), and the running variances were scaled by %4 to %5.")
                              .arg(format::count(r.channels), num(r.meanShift), num(r.maxMeanShift),
                                  num(r.varianceRatioLow), num(r.varianceRatioHigh)));
    }
    if (r.biasCorrected) {
        html += paragraph(ExplainPanel::tr("<b>Bias correction.</b> Each output channel's bias moved by the "
                                           "difference of the mean outputs, so the compressed layer's mean output "
                                           "equals the original's:"));
        html += formula(ExplainPanel::tr("b<sub>c</sub> ← b<sub>c</sub> + E[y<sub>c</sub>] − E[ŷ<sub>c</sub>]"));
        html += paragraph(ExplainPanel::tr("Here %1 channels shifted, by %2 on average (at most %3).")
                              .arg(format::count(r.shiftedChannels), num(r.biasShift), num(r.maxBiasShift)));
    }
    for (const auto& note : r.notes)
        html += paragraph(QString::fromStdString(note).toHtmlEscaped());
    if (!r.refitted && !r.batchNorm && !r.biasCorrected && r.notes.empty())
        html += paragraph(ExplainPanel::tr("Nothing changed on this layer."));
    return html;
}

QString errorSection(const QString& title, const std::string& message)
{
    return heading(title) + paragraph(ExplainPanel::tr("Not explained here: %1.").arg(QString::fromStdString(message).toHtmlEscaped()));
}

} // namespace

ExplainPanel::ExplainPanel(QWidget* parent)
    : QTextBrowser(parent)
{
    setToolTip(tr("Explains in words and formulas what the selected layer's plan computes, on this layer's weights."));
    setOpenLinks(false);
    clearExplanation();
}

void ExplainPanel::setExplanation(const Explanation& e, const QString& layerName)
{
    const bool sameLayer = e.layer == m_layer;
    const int scroll = verticalScrollBar()->value();
    m_layer = e.layer;

    QString html = QStringLiteral("<h3>") + layerName.toHtmlEscaped() + QStringLiteral("</h3>");
    if (e.pruning)
        html += pruningSection(*e.pruning, e.spec);
    if (e.apoz)
        html += apozSection(*e.apoz);
    if (e.quant)
        html += quantSection(*e.quant);
    else if (!e.quantError.empty())
        html += errorSection(tr("Quantization"), e.quantError);
    if (e.huffman)
        html += huffmanSection(*e.huffman);
    if (e.lowRank)
        html += lowRankSection(*e.lowRank);
    else if (!e.lowRankError.empty())
        html += errorSection(tr("Low rank"), e.lowRankError);
    if (e.recovery)
        html += recoverySection(*e.recovery, e.recoveryImages);
    if (!e.pruning && !e.quant && !e.lowRank && !e.recovery && e.quantError.empty() && e.lowRankError.empty())
        html += paragraph(tr("Nothing to explain: this layer has no filter scores and its plan leaves it unchanged."));
    setHtml(html);
    if (sameLayer)
        verticalScrollBar()->setValue(scroll);
}

void ExplainPanel::clearExplanation()
{
    m_layer = -1;
    setHtml(paragraph(tr("Select a layer to see what its plan computes, with the formulas and this layer's numbers.")));
}

} // namespace topiary
