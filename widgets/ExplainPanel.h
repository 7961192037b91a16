// Explain mode: a side panel that says in plain words, with the formula, what the
// selected layer's plan computes — which filters L1 and FPGM would prune and how far they
// agree, the quantization grid and its error, Huffman bits per weight, the energy a low
// rank keeps, and what the plan's recovery changed (the refit's output error before and
// after, BatchNorm statistics, bias shifts) — and shows it on this layer's numbers. It only renders an Explanation the
// core computed (explainLayer()); it computes nothing itself.
#pragma once

#include <QTextBrowser>

namespace topiary {

struct Explanation;

class ExplainPanel : public QTextBrowser {
    Q_OBJECT

public:
    explicit ExplainPanel(QWidget* parent = nullptr);

    // Shows the explanation of the layer named `layerName`: the pruning criteria always
    // (when the layer has filter scores), then quantization, Huffman coding and low rank
    // only when the layer's spec uses them. Keeps the scroll position when the same layer
    // is shown again (a plan edit), so the reader does not lose their place.
    void setExplanation(const Explanation& explanation, const QString& layerName);
    // No layer selected: a one-line hint instead.
    void clearExplanation();

private:
    int m_layer = -1;
};

} // namespace topiary
