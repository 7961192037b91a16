// Arithmetic on one row of a classifier's output (logits, or probabilities when the model
// ends in Softmax): the predicted class, the rank of a label, log-probabilities and the KL
// divergence between two rows. Ties rank by class index, as argmax picks the first maximum.
#pragma once

#include <span>
#include <vector>

namespace topiary {

// Index of the largest value (the first of equals; NaNs never win); -1 for an empty row.
int predictedClass(std::span<const float> row);
// How many classes rank above `label` (0 = it is the prediction).
int rankOf(std::span<const float> row, int label);

// True when the row already is a probability distribution (every value in [0, 1], sum 1 within 1e-4).
bool isProbabilityRow(std::span<const float> row);
// log softmax(row) in double; for a probability row, its logarithm (zeros clamped to 1e-45).
void logProbabilities(std::span<const float> row, std::vector<double>& out);
// KL(p_ref || p) = sum_i p_ref_i (log p_ref_i - log p_i), with p = softmax of each row (see above).
double klDivergence(std::span<const float> referenceRow, std::span<const float> row);

} // namespace topiary
