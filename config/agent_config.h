#pragma once

#include <chrono>
#include <string>
#include <string_view>
#include <vector>

#include "pipeline/batch_builder.h"
#include "pipeline/registry.h"

namespace sluice {

// The agent's own endpoint is off unless configured: a pipe-through run must
// not fail because a port is taken.
struct HttpSettings {
  bool enabled = false;
  std::string host = "127.0.0.1";
  uint16_t port = 5066;
};

// A whole config file, validated. Component-specific parts are parsed by the
// component types of the registry.
struct AgentConfig {
  std::vector<InputSettings> inputs;
  std::vector<OutputSettings> outputs;
  BatchLimits batch;
  // pipeline.max_in_flight: bytes of events read and not yet delivered (or
  // in a disk buffer); inputs pause beyond it.
  uint64_t max_in_flight = 64ULL * 1024 * 1024;
  PipelineSettings pipeline;
  HttpSettings http;
  std::string state_dir = "/var/lib/sluice";
  std::chrono::milliseconds shutdown_timeout{30'000};
  std::string log_level = "info";

  // The fields outputs route by, each once, in output order.
  std::vector<std::string> routeFields() const;
};

// Both throw ConfigException carrying every error found.
AgentConfig loadConfig(const std::string& path, const Registry& registry);
AgentConfig parseConfig(std::string_view yaml, const std::string& file_name,
                        const Registry& registry);

}  // namespace sluice
