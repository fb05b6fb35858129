#include "inputs/file/file_input_config.h"

namespace sluice {

uint64_t readMaxLineBytes(YamlReader& r) {
  uint64_t bytes = r.byteSize("max_line_bytes", 1024 * 1024);
  if (bytes < 1024 || bytes > (1ULL << 30)) {
    r.error("max_line_bytes", "must be between 1KiB and 1GiB");
    return 1024 * 1024;
  }
  return bytes;
}

std::unique_ptr<ComponentConfig> FileInputConfig::parse(YamlReader& r) {
  auto config = std::make_unique<FileInputConfig>();
  config->paths = r.stringList("paths");
  if (config->paths.empty()) r.errorHere("a file input needs at least one pattern in \"paths\"");
  for (const std::string& p : config->paths) {
    if (p.empty() || p.front() != '/') r.error("paths", "\"" + p + "\" is not an absolute path");
  }
  // Compressed rotated files are not text to tail.
  config->exclude = r.has("exclude")
                        ? r.stringList("exclude")
                        : std::vector<std::string>{"*.gz", "*.bz2", "*.xz", "*.zst", "*.zip"};
  config->start_at_end = r.oneOf("start_at", "beginning", {"beginning", "end"}) == "end";
  config->max_line_bytes = readMaxLineBytes(r);
  config->scan_interval = r.duration("scan_interval", config->scan_interval);
  if (config->scan_interval < std::chrono::milliseconds(100)) {
    r.error("scan_interval", "must be at least 100ms");
  }
  config->fingerprint_bytes =
      static_cast<uint32_t>(r.integer("fingerprint_bytes", config->fingerprint_bytes, 64, 65536));
  config->rotate_wait = r.duration("rotate_wait", config->rotate_wait);
  config->clean_removed_after = std::chrono::duration_cast<std::chrono::seconds>(
      r.duration("clean_removed_after", config->clean_removed_after));
  config->ignore_older = std::chrono::duration_cast<std::chrono::seconds>(
      r.duration("ignore_older", config->ignore_older));
  config->close_inactive = r.duration("close_inactive", config->close_inactive);
  config->max_open_files = static_cast<size_t>(r.integer("max_open_files", 1024, 1, 1'000'000));
  return config;
}

std::unique_ptr<ComponentConfig> ContainerInputConfig::parse(YamlReader& r) {
  auto base = FileInputConfig::parse(r);
  auto config = std::make_unique<ContainerInputConfig>();
  static_cast<FileInputConfig&>(*config) = static_cast<FileInputConfig&>(*base);
  config->container = true;
  return config;
}

}  // namespace sluice
