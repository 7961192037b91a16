// An evaluation's numbers as JSON and as aligned text: what `topiary-cli eval` prints and
// what reports embed. Class names come from the preprocessing or the dataset (may be empty).
#pragma once

#include "core/eval/EvaluationResult.h"

#include <nlohmann/json.hpp>

#include <string>
#include <vector>

namespace topiary {

nlohmann::json evaluationReportJson(const EvaluationResult& result, const std::vector<std::string>& classNames);
std::string evaluationReportText(const EvaluationResult& result, const std::vector<std::string>& classNames);

// "92.90 % (95% CI 91.15-94.32 %)"
std::string percentWithInterval(const Estimate& e);

} // namespace topiary
