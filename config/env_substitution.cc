#include "config/env_substitution.h"

#include <cstdlib>

namespace sluice {

std::optional<std::string> substituteEnv(std::string_view text, std::string& error) {
  std::string out;
  out.reserve(text.size());
  size_t i = 0;
  while (i < text.size()) {
    if (text.compare(i, 3, "$${") == 0) {
      out += "${";
      i += 3;
      continue;
    }
    if (text.compare(i, 2, "${") != 0) {
      out += text[i++];
      continue;
    }
    size_t close = text.find('}', i + 2);
    if (close == std::string_view::npos) {
      error = "unclosed ${ in value";
      return std::nullopt;
    }
    std::string_view body = text.substr(i + 2, close - i - 2);
    std::string_view name = body;
    std::optional<std::string_view> fallback;
    if (size_t sep = body.find(":-"); sep != std::string_view::npos) {
      name = body.substr(0, sep);
      fallback = body.substr(sep + 2);
    }
    if (name.empty()) {
      error = "empty variable name in ${}";
      return std::nullopt;
    }
    const char* value = std::getenv(std::string(name).c_str());
    if (value != nullptr && *value != '\0') {
      out += value;
    } else if (fallback) {
      out += *fallback;
    } else if (value != nullptr) {
      out += "";
    } else {
      error = "environment variable " + std::string(name) + " is not set (use ${" +
              std::string(name) + ":-default} for a default)";
      return std::nullopt;
    }
    i = close + 1;
  }
  return out;
}

}  // namespace sluice
