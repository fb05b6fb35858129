#include "pipeline/json_escape.h"

#include <simdjson.h>

#include <array>
#include <cstdint>
#include <cstring>

namespace sluice {
namespace {

// 1 for bytes that leave the fast path: control characters, '"', '\\' and
// anything outside ASCII (which needs UTF-8 validation).
constexpr std::array<uint8_t, 256> makeSpecialTable() {
  std::array<uint8_t, 256> table{};
  for (int c = 0; c < 0x20; ++c) table[c] = 1;
  table['"'] = 1;
  table['\\'] = 1;
  for (int c = 0x80; c < 0x100; ++c) table[c] = 1;
  return table;
}
constexpr auto kSpecial = makeSpecialTable();

void appendControl(std::string& out, unsigned char c) {
  switch (c) {
    case '"':
      out += "\\\"";
      return;
    case '\\':
      out += "\\\\";
      return;
    case '\n':
      out += "\\n";
      return;
    case '\r':
      out += "\\r";
      return;
    case '\t':
      out += "\\t";
      return;
    case '\b':
      out += "\\b";
      return;
    case '\f':
      out += "\\f";
      return;
    default: {
      static constexpr char kHex[] = "0123456789abcdef";
      char buf[6] = {'\\', 'u', '0', '0', kHex[c >> 4], kHex[c & 15]};
      out.append(buf, sizeof buf);
    }
  }
}

// Length of the valid UTF-8 sequence starting at `p`, or 0 when invalid.
size_t validSequenceLength(const unsigned char* p, size_t left) {
  unsigned char c = p[0];
  size_t len;
  uint32_t min;
  if (c >= 0xC2 && c <= 0xDF) {
    len = 2;
    min = 0x80;
  } else if (c >= 0xE0 && c <= 0xEF) {
    len = 3;
    min = 0x800;
  } else if (c >= 0xF0 && c <= 0xF4) {
    len = 4;
    min = 0x10000;
  } else
    return 0;
  if (left < len) return 0;
  uint32_t cp = c & (0xFF >> (len + 1));
  for (size_t i = 1; i < len; ++i) {
    if ((p[i] & 0xC0) != 0x80) return 0;
    cp = (cp << 6) | (p[i] & 0x3F);
  }
  if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) return 0;
  return len;
}

// True when none of the 8 bytes in `w` needs attention: no control
// character, quote, backslash or non-ASCII byte.
inline bool wordIsPlain(uint64_t w) {
  constexpr uint64_t kOnes = 0x0101010101010101ULL;
  constexpr uint64_t kHigh = 0x8080808080808080ULL;
  uint64_t below_space = (w - kOnes * 0x20) & ~w;
  uint64_t q = w ^ (kOnes * '"');
  uint64_t quote = (q - kOnes) & ~q;
  uint64_t b = w ^ (kOnes * '\\');
  uint64_t backslash = (b - kOnes) & ~b;
  return ((below_space | quote | backslash | w) & kHigh) == 0;
}

}  // namespace

bool appendJsonEscaped(std::string& out, std::string_view text) {
  const auto* data = reinterpret_cast<const unsigned char*>(text.data());
  const size_t size = text.size();
  size_t clean_from = 0;
  size_t i = 0;
  // Most text needs no escaping: skip it eight bytes at a time.
  while (i + 8 <= size) {
    uint64_t w;
    std::memcpy(&w, data + i, 8);
    if (!wordIsPlain(w)) break;
    i += 8;
  }
  bool valid = true;
  // Validating the whole string once is faster than decoding every
  // multi-byte sequence when, as usual, the text is valid.
  bool checked_utf8 = false;
  bool utf8_ok = true;
  while (i < size) {
    unsigned char c = data[i];
    if (!kSpecial[c]) {
      ++i;
      continue;
    }
    if (c >= 0x80) {
      if (!checked_utf8) {
        utf8_ok = simdjson::validate_utf8(text.data() + i, size - i);
        checked_utf8 = true;
      }
      if (utf8_ok) {
        ++i;
        continue;
      }
      size_t len = validSequenceLength(data + i, size - i);
      if (len) {
        i += len;
        continue;
      }
      out.append(text.data() + clean_from, i - clean_from);
      out += "\xEF\xBF\xBD";
      valid = false;
      ++i;
      clean_from = i;
      continue;
    }
    out.append(text.data() + clean_from, i - clean_from);
    appendControl(out, c);
    ++i;
    clean_from = i;
  }
  out.append(text.data() + clean_from, size - clean_from);
  return valid;
}

bool appendJsonString(std::string& out, std::string_view text) {
  out += '"';
  bool valid = appendJsonEscaped(out, text);
  out += '"';
  return valid;
}

// A JSON number: -?(0|[1-9][0-9]*)(.[0-9]+)?([eE][+-]?[0-9]+)?
bool isJsonNumber(std::string_view s) {
  size_t i = 0;
  auto digits = [&] {
    size_t start = i;
    while (i < s.size() && s[i] >= '0' && s[i] <= '9') ++i;
    return i - start;
  };
  if (i < s.size() && s[i] == '-') ++i;
  size_t start = i;
  size_t whole = digits();
  if (whole == 0 || (whole > 1 && s[start] == '0')) return false;
  if (i < s.size() && s[i] == '.') {
    ++i;
    if (digits() == 0) return false;
  }
  if (i < s.size() && (s[i] == 'e' || s[i] == 'E')) {
    ++i;
    if (i < s.size() && (s[i] == '+' || s[i] == '-')) ++i;
    if (digits() == 0) return false;
  }
  return i == s.size() && s.size() <= 64;
}

}  // namespace sluice
