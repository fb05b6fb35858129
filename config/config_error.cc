#include "config/config_error.h"

#include <fmt/format.h>

namespace sluice {

void ConfigErrors::add(int line, int column, std::string key, std::string message) {
  errors_.push_back({line, column, std::move(key), std::move(message)});
}

std::string ConfigErrors::format() const {
  std::string out;
  for (const ConfigError& e : errors_) {
    out += fmt::format("{}:{}:{}: {}: {}\n", file_, e.line, e.column,
                       e.key.empty() ? "(top)" : e.key, e.message);
  }
  return out;
}

}  // namespace sluice
