#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "config/yaml_reader.h"

namespace sluice {

// Ages since an index was created (in a data stream: since it was rolled
// over) at which it leaves each phase. Equal ages leave the phase between
// them out (warm == delete: no cold phase).
struct LifecycleConfig {
  std::chrono::milliseconds hot{std::chrono::hours(24 * 7)};            // then warm
  std::chrono::milliseconds warm{std::chrono::hours(24 * 14)};          // then cold
  std::chrono::milliseconds delete_after{std::chrono::hours(24 * 30)};  // then deleted
};

// An Elasticsearch output's `setup:`: the index template (mappings of the
// schema) and lifecycle policy installed before the first bulk request, so
// that no index is created with dynamic mappings.
struct SetupConfig {
  bool enabled = true;
  bool install_template = true;
  // Replace a template or policy of the same name that sluice did not
  // install (or that a newer sluice did).
  bool overwrite = false;
  // Above the built-in `logs-*-*` template of Elasticsearch (100).
  int priority = 200;
  std::string name;                                             // template and policy
  std::optional<LifecycleConfig> lifecycle{LifecycleConfig{}};  // nullopt: no policy
  std::vector<std::string> index_patterns;
  bool data_stream = false;
  // Why setup is off although the config did not turn it off; logged at start.
  std::string disabled_reason;

  // Reads `setup` from an output's mapping, once its index or data stream is known.
  static SetupConfig parse(YamlReader& output, std::string_view index, bool data_stream);
};

// The index pattern an `index` template writes to: every `{...}` becomes `*`
// (`logs-{service.name}-{+yyyy.MM.dd}` → `logs-*-*`).
std::string indexPatternOf(std::string_view index);

// `sluice-` and the pattern's literal text (`logs-*-*` → `sluice-logs`).
std::string defaultSetupName(std::string_view pattern);

}  // namespace sluice
