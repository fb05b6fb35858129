#pragma once

#include <string>

namespace sluice {

int commandRun(const std::string& config_path);
int commandValidate(const std::string& config_path);
int commandVersion();
// Normalizes lines from stdin to NDJSON on stdout; with a config, the first
// input's settings (static fields) apply.
int commandParse(const std::string& config_path);

}  // namespace sluice
