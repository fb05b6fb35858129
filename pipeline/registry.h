#pragma once

#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "config/yaml_reader.h"
#include "pipeline/batch_builder.h"
#include "pipeline/component.h"
#include "pipeline/multiline.h"
#include "pipeline/normalizer.h"

namespace sluice {

// The type-specific part of a component's configuration, produced by its
// parser and consumed by its builder.
class ComponentConfig {
 public:
  virtual ~ComponentConfig() = default;
  // Event fields the component needs per event without parsing documents
  // again (an output's index template references them).
  virtual std::vector<std::string> routeFields() const { return {}; }
};

struct InputSettings {
  std::string id;
  std::string type;
  std::vector<StaticField> fields;
  ParserSettings parser;
  std::shared_ptr<const TimeZone> time_zone;        // null: UTC
  std::shared_ptr<const MultilineRules> multiline;  // null: one event per line
  std::unique_ptr<ComponentConfig> config;
};

// `pipeline:` settings every input's normalizer applies.
struct PipelineSettings {
  Schema schema = Schema::kDocumented;
  std::shared_ptr<const TimeZone> time_zone;  // for inputs without their own; null: UTC
  bool fill_correlation_from_trace = true;
  std::vector<CostCenter> cost_centers;
  std::shared_ptr<const std::vector<Condition>> drop;
  std::shared_ptr<const PiiSettings> pii;  // null: no masking
};

struct OutputSettings {
  std::string id;
  std::string type;
  std::unique_ptr<ComponentConfig> config;
};

// What building needs besides a component's own config.
struct BuildContext {
  std::string host_name;
  std::vector<std::string> route_fields;  // union over outputs, in a fixed order
  BatchLimits batch;
  std::string state_dir;
  PipelineSettings pipeline;

  NormalizerOptions normalizerOptions(const InputSettings& input) const;
};

// Component types by name. Parsing validates (pure); building opens files
// and sockets from a config that is known to be valid.
class Registry {
 public:
  using ParseFn = std::function<std::unique_ptr<ComponentConfig>(YamlReader&)>;
  using BuildInputFn =
      std::function<std::unique_ptr<Input>(const InputSettings&, const BuildContext&)>;
  using BuildOutputFn =
      std::function<std::unique_ptr<Output>(const OutputSettings&, const BuildContext&)>;

  struct InputType {
    std::string name;
    ParseFn parse;
    BuildInputFn build;
  };
  struct OutputType {
    std::string name;
    ParseFn parse;
    BuildOutputFn build;
  };

  void addInput(InputType type) { inputs_.push_back(std::move(type)); }
  void addOutput(OutputType type) { outputs_.push_back(std::move(type)); }

  // For the usual shape: Config::parse(YamlReader&), and a constructor
  // Component(settings, const Config&, const BuildContext&).
  template <class Component, class Config>
  void addInput(std::string name) {
    addInput({std::move(name), Config::parse,
              [](const InputSettings& s, const BuildContext& c) -> std::unique_ptr<Input> {
                return std::make_unique<Component>(s, static_cast<const Config&>(*s.config), c);
              }});
  }
  template <class Component, class Config>
  void addOutput(std::string name) {
    addOutput({std::move(name), Config::parse,
               [](const OutputSettings& s, const BuildContext& c) -> std::unique_ptr<Output> {
                 return std::make_unique<Component>(s, static_cast<const Config&>(*s.config), c);
               }});
  }
  const InputType* input(std::string_view name) const;
  const OutputType* output(std::string_view name) const;
  std::vector<std::string> inputNames() const;
  std::vector<std::string> outputNames() const;

 private:
  std::vector<InputType> inputs_;
  std::vector<OutputType> outputs_;
};

}  // namespace sluice
