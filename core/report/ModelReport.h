// The per-layer table and totals of a model as JSON and as aligned text: what
// `topiary-cli info` prints and what reports embed.
#pragma once

#include <nlohmann/json.hpp>

#include <string>

namespace topiary {

class Model;
class CostModel;

nlohmann::json modelReportJson(const Model& model, const CostModel& cost);
std::string modelReportText(const Model& model, const CostModel& cost);

} // namespace topiary
