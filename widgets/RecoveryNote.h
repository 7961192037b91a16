// The selected layer's recovery in a few lines, for the inspector and Explain mode: its
// output error against the original before and after the least-squares refit, its
// BatchNorm statistics before/after, its bias shifts, and why a method left it alone.
// Renders a RecoveryExplanation the core computed; computes nothing itself.
#pragma once

#include <QLabel>

namespace topiary {

struct RecoveryExplanation;

class RecoveryNote : public QLabel {
    Q_OBJECT

public:
    explicit RecoveryNote(QWidget* parent = nullptr);

    void setExplanation(const RecoveryExplanation& explanation, int images);
    // Recovery is off, or has not reached this layer: hidden.
    void clearExplanation();
};

} // namespace topiary
