#pragma once

#include <string>

namespace sluice {

int commandRun(const std::string& config_path);
int commandValidate(const std::string& config_path);
int commandVersion();
// Normalizes lines from stdin to NDJSON on stdout; with a config, the first
// input's settings (static fields) apply.
// `sluice parse` builds a one-input pipeline from these flags; `sluice tap`
// takes an input of a config file (the first, or `input_id`).
struct ParseOptions {
  std::string config_path;  // tap
  std::string input_id;     // tap
  std::string parser = "auto";
  std::string pattern;  // regex and dissect
  std::string multiline;
  std::string schema = "documented";
  std::string timezone;
};
int commandParse(const ParseOptions& options);
// `sluice buffer inspect`: describes a disk buffer without touching it.
// Exit 0 when clean, 1 when damaged, 2 when the path cannot be inspected.
int commandBufferInspect(const std::string& path, bool json);

}  // namespace sluice
