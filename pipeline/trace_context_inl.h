#pragma once

#include <algorithm>
#include <array>
#include <cstdint>
#include <string_view>

namespace sluice {
namespace trace_context_detail {

// Byte classes as tables: these loops run over most bytes of plaintext lines.
enum : uint8_t { kKeyChar = 1, kEndsValue = 2 };
inline constexpr std::array<uint8_t, 256> kByteClass = [] {
  std::array<uint8_t, 256> t{};
  for (int c = 0; c < 256; ++c) {
    if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' ||
        c == '-' || c == '.' || c == '@') {
      t[c] |= kKeyChar;
    }
  }
  for (char c : std::string_view(" \t,;])}\"'\n\r")) t[static_cast<unsigned char>(c)] |= kEndsValue;
  return t;
}();

inline bool isKeyChar(char c) { return kByteClass[static_cast<unsigned char>(c)] & kKeyChar; }
inline bool endsValue(char c) { return kByteClass[static_cast<unsigned char>(c)] & kEndsValue; }

}  // namespace trace_context_detail

namespace trace_context_detail {

template <class WantKey, class OnPair>
void forEachPair(std::string_view text, bool colon_pairs, WantKey&& want_key, OnPair&& on_pair) {
  constexpr size_t kNone = std::string_view::npos;
  // The next '=' and ':' are each searched for again only once passed, so the
  // scan stays linear however the two are spread.
  size_t pos = 0, next_equals = text.find('='), next_colon = colon_pairs ? text.find(':') : kNone;
  while (pos < text.size()) {
    if (next_equals != kNone && next_equals < pos) next_equals = text.find('=', pos);
    if (next_colon != kNone && next_colon < pos) next_colon = text.find(':', pos);
    const size_t sep = std::min(next_equals, next_colon);
    if (sep == kNone) return;
    pos = sep + 1;
    // `key: value` only with a space after the colon: times (10:30) are not pairs.
    size_t value_start = sep + 1;
    if (text[sep] == ':') {
      if (value_start >= text.size() || text[value_start] != ' ') continue;
      ++value_start;
    }
    size_t key_start = sep;
    while (key_start > 0 && isKeyChar(text[key_start - 1])) --key_start;
    if (key_start == sep || !want_key(text.substr(key_start, sep - key_start))) continue;
    if (value_start < text.size() && (text[value_start] == '"' || text[value_start] == '\'')) {
      const char quote = text[value_start];
      const size_t close = text.find(quote, value_start + 1);
      if (close == std::string_view::npos) continue;
      if (!on_pair(text.substr(key_start, sep - key_start),
                   text.substr(value_start + 1, close - value_start - 1))) {
        return;
      }
      pos = close + 1;
      continue;
    }
    size_t value_end = value_start;
    while (value_end < text.size() && !endsValue(text[value_end])) ++value_end;
    if (value_end == value_start) continue;
    if (!on_pair(text.substr(key_start, sep - key_start),
                 text.substr(value_start, value_end - value_start))) {
      return;
    }
    pos = value_end;
  }
}

}  // namespace trace_context_detail

template <class WantKey, class OnPair>
void forEachTextPair(std::string_view text, WantKey&& want_key, OnPair&& on_pair) {
  trace_context_detail::forEachPair(text, true, want_key, on_pair);
}

template <class OnPair>
void forEachAssignment(std::string_view text, OnPair&& on_pair) {
  trace_context_detail::forEachPair(
      text, false, [](std::string_view) { return true; }, on_pair);
}

template <class OnPair>
void forEachTextPair(std::string_view text, OnPair&& on_pair) {
  forEachTextPair(
      text, [](std::string_view) { return true; }, on_pair);
}

}  // namespace sluice
