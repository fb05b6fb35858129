#include "pipeline/registry.h"

namespace sluice {

NormalizerOptions BuildContext::normalizerOptions(const InputSettings& input) const {
  NormalizerOptions options;
  options.host_name = host_name;
  options.agent_version = SLUICE_VERSION;
  options.fields = input.fields;
  options.route_fields = route_fields;
  options.schema = pipeline.schema;
  options.parser = input.parser;
  options.time_zone = input.time_zone ? input.time_zone : pipeline.time_zone;
  options.fill_correlation_from_trace = pipeline.fill_correlation_from_trace;
  options.cost_centers = pipeline.cost_centers;
  options.drop = pipeline.drop;
  options.pii = pipeline.pii;
  return options;
}

const Registry::InputType* Registry::input(std::string_view name) const {
  for (const auto& t : inputs_) {
    if (t.name == name) return &t;
  }
  return nullptr;
}

const Registry::OutputType* Registry::output(std::string_view name) const {
  for (const auto& t : outputs_) {
    if (t.name == name) return &t;
  }
  return nullptr;
}

std::vector<std::string> Registry::inputNames() const {
  std::vector<std::string> names;
  for (const auto& t : inputs_) names.push_back(t.name);
  return names;
}

std::vector<std::string> Registry::outputNames() const {
  std::vector<std::string> names;
  for (const auto& t : outputs_) names.push_back(t.name);
  return names;
}

}  // namespace sluice
