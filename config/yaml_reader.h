#pragma once

#include <yaml-cpp/yaml.h>

#include <chrono>
#include <cstdint>
#include <initializer_list>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "config/config_error.h"

namespace sluice {

// Typed, located access to one YAML mapping. Every problem (missing key,
// wrong type, bad value, unknown key) is recorded in ConfigErrors with the
// file, line, column and dotted key; readers return a fallback and go on, so
// one validation run reports every error.
class YamlReader {
 public:
  YamlReader(YAML::Node node, std::string path, ConfigErrors* errors);

  bool has(std::string_view key) const;
  // Whether the key holds a mapping (for keys that take a name or a mapping).
  bool isMapping(std::string_view key) const;
  std::optional<std::string> requiredString(std::string_view key);
  std::string string(std::string_view key, std::string fallback);
  std::string oneOf(std::string_view key, std::string fallback,
                    std::initializer_list<std::string_view> allowed);
  int64_t integer(std::string_view key, int64_t fallback, int64_t min, int64_t max);
  bool boolean(std::string_view key, bool fallback);
  std::chrono::milliseconds duration(std::string_view key, std::chrono::milliseconds fallback);
  uint64_t byteSize(std::string_view key, uint64_t fallback);
  // A list of strings; a single string is taken as a list of one.
  std::vector<std::string> stringList(std::string_view key);
  std::optional<YamlReader> object(std::string_view key);
  std::vector<YamlReader> objectList(std::string_view key);
  // The entries of a mapping, as (key, value-as-JSON) pairs; scalars keep
  // their YAML type (numbers and booleans stay unquoted).
  std::vector<std::pair<std::string, std::string>> jsonEntries(std::string_view key);
  // One scalar as JSON, typed as jsonEntries() types it.
  std::optional<std::string> jsonScalar(std::string_view key);
  // The keys of this mapping, in file order.
  std::vector<std::string> keys() const;

  // Keys the running version documents but does not implement yet: a clear
  // error rather than "unknown key".
  void rejectUnsupported(std::initializer_list<std::string_view> keys);
  // Reports every key no reader asked for.
  void rejectUnknownKeys();

  void error(std::string_view key, std::string message);
  void errorHere(std::string message);
  std::string keyPath(std::string_view key) const;
  const std::string& path() const { return path_; }
  ConfigErrors& errors() { return *errors_; }

 private:
  YAML::Node lookup(std::string_view key);
  std::optional<std::string> scalar(std::string_view key, const YAML::Node& node);
  std::optional<std::string> scalarJson(const YAML::Node& node, const std::string& path);
  void errorAt(const YAML::Node& node, std::string key, std::string message);

  YAML::Node node_;
  std::string path_;
  ConfigErrors* errors_;
  std::set<std::string, std::less<>> used_;
};

}  // namespace sluice
