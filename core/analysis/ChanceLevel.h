// Is a measured accuracy little better than guessing? A model that predicts one class for
// every image (pruned too far, or fed images normalised another way than in training)
// scores about chance = 1/classes; such a number must not pass for a result. "Near
// chance" here: even the upper end of top-1's 95 % interval has covered less than 15 %
// of the way from chance to perfect, high < chance + 0.15 (1 - chance). For 10 classes
// that is below 23.5 % (the bundled sample fed pixels / 255 instead of its normalisation
// scores 19.8 %, interval up to 22.4 %); for 1000 classes below 15.1 %; for 2, 57.5 %.
#pragma once

#include "core/eval/EvaluationResult.h"

#include <string>

namespace topiary {

bool nearChance(const EvaluationMetrics& metrics);

// "top-1 19.80 % is little better than chance (10.0 % for 10 classes)", or "" when not near chance.
std::string nearChanceText(const EvaluationMetrics& metrics);

} // namespace topiary
