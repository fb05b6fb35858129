#pragma once

#include <cstring>

namespace sluice {
namespace trace_context_detail {

inline bool isKeyChar(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' ||
         c == '-' || c == '.' || c == '@';
}

inline bool endsValue(char c) {
  return c == ' ' || c == '\t' || c == ',' || c == ';' || c == ']' || c == ')' || c == '}' ||
         c == '"' || c == '\'' || c == '\n' || c == '\r';
}

}  // namespace trace_context_detail

template <class OnPair>
void forEachTextPair(std::string_view text, OnPair&& on_pair) {
  using trace_context_detail::endsValue;
  using trace_context_detail::isKeyChar;
  size_t pos = 0;
  while (pos < text.size()) {
    const void* hit = std::memchr(text.data() + pos, '=', text.size() - pos);
    const void* colon = std::memchr(text.data() + pos, ':', text.size() - pos);
    if (hit == nullptr && colon == nullptr) return;
    size_t sep;
    if (hit == nullptr || (colon != nullptr && colon < hit)) {
      sep = static_cast<size_t>(static_cast<const char*>(colon) - text.data());
    } else {
      sep = static_cast<size_t>(static_cast<const char*>(hit) - text.data());
    }
    pos = sep + 1;
    // `key: value` only with a space after the colon: times (10:30) are not pairs.
    size_t value_start = sep + 1;
    if (text[sep] == ':') {
      if (value_start >= text.size() || text[value_start] != ' ') continue;
      ++value_start;
    }
    size_t key_start = sep;
    while (key_start > 0 && isKeyChar(text[key_start - 1])) --key_start;
    if (key_start == sep) continue;
    if (value_start < text.size() && (text[value_start] == '"' || text[value_start] == '\'')) {
      const char quote = text[value_start];
      const size_t close = text.find(quote, value_start + 1);
      if (close == std::string_view::npos) continue;
      on_pair(text.substr(key_start, sep - key_start),
              text.substr(value_start + 1, close - value_start - 1));
      pos = close + 1;
      continue;
    }
    size_t value_end = value_start;
    while (value_end < text.size() && !endsValue(text[value_end])) ++value_end;
    if (value_end == value_start) continue;
    on_pair(text.substr(key_start, sep - key_start),
            text.substr(value_start, value_end - value_start));
    pos = value_end;
  }
}

}  // namespace sluice
