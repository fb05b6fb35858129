#include "pipeline/parsers/logfmt_parser.h"

#include <string>

namespace sluice {
namespace {

// Any control byte or space separates, as in go-logfmt, so tabs and a
// trailing '\r' never end up inside keys or bare values.
bool isSpace(char c) { return static_cast<unsigned char>(c) <= ' '; }

bool isKeyByte(char c) { return !isSpace(c) && c != '=' && c != '"'; }

bool isDigit(char c) { return c >= '0' && c <= '9'; }

// The JSON number grammar: "0123", "+1", "1." and "0x10" stay strings so
// that the writer never emits an invalid document.
bool isJsonNumber(std::string_view s) {
  size_t i = 0;
  const size_t n = s.size();
  if (i < n && s[i] == '-') ++i;
  if (i == n) return false;
  if (s[i] == '0') {
    ++i;
  } else if (isDigit(s[i])) {
    while (i < n && isDigit(s[i])) ++i;
  } else {
    return false;
  }
  if (i < n && s[i] == '.') {
    ++i;
    if (i == n || !isDigit(s[i])) return false;
    while (i < n && isDigit(s[i])) ++i;
  }
  if (i < n && (s[i] == 'e' || s[i] == 'E')) {
    ++i;
    if (i < n && (s[i] == '+' || s[i] == '-')) ++i;
    if (i == n || !isDigit(s[i])) return false;
    while (i < n && isDigit(s[i])) ++i;
  }
  return i == n;
}

bool isWellKnownKey(std::string_view key) {
  return key == "time" || key == "ts" || key == "level" || key == "lvl" || key == "msg" ||
         key == "message";
}

// Quoted values with escapes are rare, so they pay for one copy into a
// per-thread buffer that keeps its capacity, then one into the line's store.
std::string_view unescape(std::string_view raw, ParsedLine& out) {
  thread_local std::string scratch;
  scratch.clear();
  for (size_t i = 0; i < raw.size(); ++i) {
    char c = raw[i];
    if (c != '\\' || i + 1 == raw.size()) {
      scratch.push_back(c);
      continue;
    }
    char e = raw[++i];
    switch (e) {
      case '"':
      case '\\':
        scratch.push_back(e);
        break;
      case 'n':
        scratch.push_back('\n');
        break;
      case 't':
        scratch.push_back('\t');
        break;
      case 'r':
        scratch.push_back('\r');
        break;
      default:
        scratch.push_back('\\');
        scratch.push_back(e);
        break;
    }
  }
  return out.store(scratch);
}

}  // namespace

bool LogfmtParser::parse(std::string_view line, ParsedLine& out) const {
  const size_t mark = out.fields.size();
  auto reject = [&] {
    out.fields.resize(mark);
    return false;
  };
  const size_t n = line.size();
  size_t i = 0;
  size_t pairs = 0;
  bool well_known = false;
  while (true) {
    while (i < n && isSpace(line[i])) ++i;
    if (i == n) break;
    const size_t key_start = i;
    while (i < n && isKeyByte(line[i])) ++i;
    std::string_view key = line.substr(key_start, i - key_start);
    if (key.empty()) return reject();  // `=value` or a stray quote
    if (i == n || isSpace(line[i])) {
      if (pairs == 0) return reject();  // prose before the first pair
      out.add(key, "true");
      continue;
    }
    if (line[i] == '"') return reject();
    ++i;  // past '='
    if (i < n && line[i] == '"') {
      const size_t value_start = ++i;
      bool escaped = false;
      while (i < n && line[i] != '"') {
        if (line[i] == '\\') {
          escaped = true;
          ++i;
        }
        ++i;
      }
      if (i >= n) return reject();  // unterminated
      std::string_view raw = line.substr(value_start, i - value_start);
      ++i;
      if (i < n && !isSpace(line[i])) return reject();
      out.add(key, escaped ? unescape(raw, out) : raw);
    } else {
      const size_t value_start = i;
      while (i < n && !isSpace(line[i])) ++i;
      std::string_view value = line.substr(value_start, i - value_start);
      out.add(key, value, isJsonNumber(value));
    }
    ++pairs;
    well_known = well_known || isWellKnownKey(key);
  }
  if (pairs >= 2 || (pairs == 1 && well_known)) return true;
  return reject();
}

}  // namespace sluice
