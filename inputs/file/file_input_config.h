#pragma once

#include <chrono>
#include <memory>
#include <string>
#include <vector>

#include "config/yaml_reader.h"
#include "pipeline/registry.h"

namespace sluice {

struct FileInputConfig : ComponentConfig {
  std::vector<std::string> paths;    // glob patterns
  std::vector<std::string> exclude;  // glob patterns, matched against the path and the file name
  bool start_at_end = false;         // for files found at startup; later files start at 0
  uint64_t max_line_bytes = 1024 * 1024;
  std::chrono::milliseconds scan_interval{10'000};
  uint64_t read_bytes_per_turn = 1024 * 1024;  // fairness between busy files

  static std::unique_ptr<ComponentConfig> parse(YamlReader& r);
};

// Shared by inputs that read lines: `max_line_bytes`, 1 KiB to 1 GiB.
uint64_t readMaxLineBytes(YamlReader& r);

}  // namespace sluice
