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
  uint32_t fingerprint_bytes = 1024;  // the first line, up to this many bytes, identifies a file
  // A renamed or deleted file is still read until it has been idle this long:
  // writers keep appending to the old file for a moment after rotation.
  std::chrono::milliseconds rotate_wait{5'000};
  // Files not written for this long when found are left alone (0: never).
  std::chrono::seconds ignore_older{0};
  // An idle file's descriptor is closed after this long; it is opened again,
  // at its checkpoint, when it grows.
  std::chrono::milliseconds close_inactive{300'000};
  size_t max_open_files = 1024;
  // Checkpoints of files not seen for this long are forgotten.
  std::chrono::seconds clean_removed_after{24 * 3600};

  // Container logs: each line is a CRI or Docker json-file record whose
  // content is the application's line.
  bool container = false;

  static std::unique_ptr<ComponentConfig> parse(YamlReader& r);
};

// `type: container`: the file input's settings, reading container runtimes'
// log files (Docker json-file or CRI, detected per file).
struct ContainerInputConfig : FileInputConfig {
  static std::unique_ptr<ComponentConfig> parse(YamlReader& r);
};

// Shared by inputs that read lines: `max_line_bytes`, 1 KiB to 1 GiB.
uint64_t readMaxLineBytes(YamlReader& r);

}  // namespace sluice
