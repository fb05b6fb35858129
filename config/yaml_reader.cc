#include "config/yaml_reader.h"

#include <charconv>

#include "config/env_substitution.h"
#include "config/units.h"
#include "pipeline/json_escape.h"

namespace sluice {
namespace {

std::string nodeTypeName(const YAML::Node& node) {
  switch (node.Type()) {
    case YAML::NodeType::Map:
      return "a mapping";
    case YAML::NodeType::Sequence:
      return "a list";
    case YAML::NodeType::Scalar:
      return "a scalar";
    case YAML::NodeType::Null:
      return "null";
    case YAML::NodeType::Undefined:
      return "nothing";
  }
  return "unknown";
}

std::string quoted(std::string_view s) { return "\"" + std::string(s) + "\""; }

}  // namespace

YamlReader::YamlReader(YAML::Node node, std::string path, ConfigErrors* errors)
    : node_(std::move(node)), path_(std::move(path)), errors_(errors) {
  if (!node_.IsMap() && !node_.IsNull())
    errorHere("expected a mapping, found " + nodeTypeName(node_));
}

std::string YamlReader::keyPath(std::string_view key) const {
  if (path_.empty()) return std::string(key);
  return path_ + "." + std::string(key);
}

void YamlReader::errorAt(const YAML::Node& node, std::string key, std::string message) {
  YAML::Mark mark = node.Mark();
  if (mark.is_null()) mark = node_.Mark();
  int line = mark.is_null() ? 0 : mark.line + 1;
  int column = mark.is_null() ? 0 : mark.column + 1;
  errors_->add(line, column, std::move(key), std::move(message));
}

void YamlReader::error(std::string_view key, std::string message) {
  YAML::Node n = node_.IsMap() ? node_[std::string(key)] : YAML::Node();
  errorAt(n.IsDefined() ? n : node_, keyPath(key), std::move(message));
}

void YamlReader::errorHere(std::string message) { errorAt(node_, path_, std::move(message)); }

bool YamlReader::has(std::string_view key) const {
  return node_.IsMap() && node_[std::string(key)].IsDefined() && !node_[std::string(key)].IsNull();
}

bool YamlReader::isMapping(std::string_view key) const {
  if (!node_.IsMap()) return false;
  const YAML::Node child = node_[std::string(key)];
  return child.IsDefined() && child.IsMap();
}

YAML::Node YamlReader::lookup(std::string_view key) {
  used_.emplace(key);
  if (!node_.IsMap()) return YAML::Node(YAML::NodeType::Undefined);
  return node_[std::string(key)];
}

std::optional<std::string> YamlReader::scalar(std::string_view key, const YAML::Node& node) {
  if (!node.IsScalar()) {
    errorAt(node, keyPath(key), "expected a scalar value, found " + nodeTypeName(node));
    return std::nullopt;
  }
  std::string env_error;
  auto value = substituteEnv(node.Scalar(), env_error);
  if (!value) errorAt(node, keyPath(key), env_error);
  return value;
}

std::optional<std::string> YamlReader::requiredString(std::string_view key) {
  YAML::Node n = lookup(key);
  if (!n.IsDefined() || n.IsNull()) {
    errorHere("missing required key \"" + std::string(key) + "\"");
    return std::nullopt;
  }
  return scalar(key, n);
}

std::string YamlReader::string(std::string_view key, std::string fallback) {
  YAML::Node n = lookup(key);
  if (!n.IsDefined() || n.IsNull()) return fallback;
  return scalar(key, n).value_or(fallback);
}

std::string YamlReader::oneOf(std::string_view key, std::string fallback,
                              std::initializer_list<std::string_view> allowed) {
  std::string value = string(key, fallback);
  for (std::string_view a : allowed) {
    if (value == a) return value;
  }
  std::string list;
  for (std::string_view a : allowed) list += (list.empty() ? "" : ", ") + std::string(a);
  error(key, quoted(value) + " is not one of: " + list);
  return fallback;
}

int64_t YamlReader::integer(std::string_view key, int64_t fallback, int64_t min, int64_t max) {
  YAML::Node n = lookup(key);
  if (!n.IsDefined() || n.IsNull()) return fallback;
  auto text = scalar(key, n);
  if (!text) return fallback;
  int64_t v = 0;
  auto [ptr, ec] = std::from_chars(text->data(), text->data() + text->size(), v);
  if (ec != std::errc() || ptr != text->data() + text->size()) {
    errorAt(n, keyPath(key), "expected an integer, found " + quoted(*text));
    return fallback;
  }
  if (v < min || v > max) {
    errorAt(n, keyPath(key),
            "must be between " + std::to_string(min) + " and " + std::to_string(max));
    return fallback;
  }
  return v;
}

bool YamlReader::boolean(std::string_view key, bool fallback) {
  YAML::Node n = lookup(key);
  if (!n.IsDefined() || n.IsNull()) return fallback;
  auto text = scalar(key, n);
  if (!text) return fallback;
  if (*text == "true") return true;
  if (*text == "false") return false;
  errorAt(n, keyPath(key), "expected true or false, found " + quoted(*text));
  return fallback;
}

std::chrono::milliseconds YamlReader::duration(std::string_view key,
                                               std::chrono::milliseconds fallback) {
  YAML::Node n = lookup(key);
  if (!n.IsDefined() || n.IsNull()) return fallback;
  auto text = scalar(key, n);
  if (!text) return fallback;
  auto d = parseDuration(*text);
  if (!d) {
    errorAt(n, keyPath(key), "expected a duration such as 500ms, 10s, 5m, found " + quoted(*text));
    return fallback;
  }
  return *d;
}

uint64_t YamlReader::byteSize(std::string_view key, uint64_t fallback) {
  YAML::Node n = lookup(key);
  if (!n.IsDefined() || n.IsNull()) return fallback;
  auto text = scalar(key, n);
  if (!text) return fallback;
  auto b = parseByteSize(*text);
  if (!b) {
    errorAt(n, keyPath(key), "expected a size such as 512KiB, 5MiB, 2GiB, found " + quoted(*text));
    return fallback;
  }
  return *b;
}

std::vector<std::string> YamlReader::stringList(std::string_view key) {
  YAML::Node n = lookup(key);
  std::vector<std::string> out;
  if (!n.IsDefined() || n.IsNull()) return out;
  if (n.IsScalar()) {
    if (auto v = scalar(key, n)) out.push_back(*v);
    return out;
  }
  if (!n.IsSequence()) {
    errorAt(n, keyPath(key), "expected a list of strings, found " + nodeTypeName(n));
    return out;
  }
  for (size_t i = 0; i < n.size(); ++i) {
    if (auto v = scalar(std::string(key) + "[" + std::to_string(i) + "]", n[i])) out.push_back(*v);
  }
  return out;
}

std::optional<YamlReader> YamlReader::object(std::string_view key) {
  YAML::Node n = lookup(key);
  if (!n.IsDefined() || n.IsNull()) return std::nullopt;
  if (!n.IsMap()) {
    errorAt(n, keyPath(key), "expected a mapping, found " + nodeTypeName(n));
    return std::nullopt;
  }
  return YamlReader(n, keyPath(key), errors_);
}

std::vector<YamlReader> YamlReader::objectList(std::string_view key) {
  YAML::Node n = lookup(key);
  std::vector<YamlReader> out;
  if (!n.IsDefined() || n.IsNull()) return out;
  if (!n.IsSequence()) {
    errorAt(n, keyPath(key), "expected a list, found " + nodeTypeName(n));
    return out;
  }
  for (size_t i = 0; i < n.size(); ++i) {
    std::string path = keyPath(key) + "[" + std::to_string(i) + "]";
    if (!n[i].IsMap()) {
      errorAt(n[i], path, "expected a mapping, found " + nodeTypeName(n[i]));
      continue;
    }
    out.emplace_back(n[i], path, errors_);
  }
  return out;
}

std::optional<std::string> YamlReader::scalarJson(const YAML::Node& v, const std::string& path) {
  if (!v.IsScalar()) {
    errorAt(v, path, "expected a scalar value, found " + nodeTypeName(v));
    return std::nullopt;
  }
  std::string env_error;
  auto text = substituteEnv(v.Scalar(), env_error);
  if (!text) {
    errorAt(v, path, env_error);
    return std::nullopt;
  }
  std::string json;
  // Plain (unquoted) YAML numbers and booleans keep their type.
  bool plain = v.Tag() == "?";
  double number;
  auto [ptr, ec] = std::from_chars(text->data(), text->data() + text->size(), number);
  if (plain && (*text == "true" || *text == "false")) {
    json = *text;
  } else if (plain && !text->empty() && ec == std::errc() && ptr == text->data() + text->size()) {
    json = *text;
  } else {
    appendJsonString(json, *text);
  }
  return json;
}

std::optional<std::string> YamlReader::jsonScalar(std::string_view key) {
  YAML::Node n = lookup(key);
  if (!n.IsDefined() || n.IsNull()) return std::nullopt;
  return scalarJson(n, keyPath(key));
}

std::vector<std::string> YamlReader::keys() const {
  std::vector<std::string> out;
  if (!node_.IsMap()) return out;
  for (const auto& entry : node_) out.push_back(entry.first.as<std::string>());
  return out;
}

std::vector<std::pair<std::string, std::string>> YamlReader::jsonEntries(std::string_view key) {
  YAML::Node n = lookup(key);
  std::vector<std::pair<std::string, std::string>> out;
  if (!n.IsDefined() || n.IsNull()) return out;
  if (!n.IsMap()) {
    errorAt(n, keyPath(key), "expected a mapping, found " + nodeTypeName(n));
    return out;
  }
  for (const auto& entry : n) {
    std::string name = entry.first.as<std::string>();
    if (auto json = scalarJson(entry.second, keyPath(key) + "." + name)) {
      out.emplace_back(std::move(name), std::move(*json));
    }
  }
  return out;
}

void YamlReader::rejectUnsupported(std::initializer_list<std::string_view> keys) {
  for (std::string_view key : keys) {
    if (!node_.IsMap() || !node_[std::string(key)].IsDefined()) continue;
    used_.emplace(key);
    error(key, "is not supported by this version of sluice yet");
  }
}

void YamlReader::rejectUnknownKeys() {
  if (!node_.IsMap()) return;
  for (const auto& entry : node_) {
    std::string key = entry.first.Scalar();
    if (used_.count(key)) continue;
    YAML::Mark mark = entry.first.Mark();
    errors_->add(mark.line + 1, mark.column + 1, keyPath(key), "unknown key");
  }
}

}  // namespace sluice
