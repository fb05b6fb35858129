#pragma once

#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace sluice {

struct ConfigError {
  int line = 0;     // 1-based; 0 when unknown
  int column = 0;   // 1-based
  std::string key;  // dotted path, e.g. inputs[0].paths
  std::string message;
};

// Every problem found in one config file: validation reports them all at
// once instead of one per run.
class ConfigErrors {
 public:
  explicit ConfigErrors(std::string file) : file_(std::move(file)) {}

  void add(int line, int column, std::string key, std::string message);
  bool empty() const { return errors_.empty(); }
  const std::vector<ConfigError>& all() const { return errors_; }
  const std::string& file() const { return file_; }
  // "FILE:LINE:COLUMN: KEY: MESSAGE", one per line.
  std::string format() const;

 private:
  std::string file_;
  std::vector<ConfigError> errors_;
};

class ConfigException : public std::runtime_error {
 public:
  explicit ConfigException(ConfigErrors errors)
      : std::runtime_error(errors.format()), errors_(std::move(errors)) {}
  const ConfigErrors& errors() const { return errors_; }

 private:
  ConfigErrors errors_;
};

}  // namespace sluice
