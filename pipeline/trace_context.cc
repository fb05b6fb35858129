#include "pipeline/trace_context.h"

#include <array>

namespace sluice {
namespace {

// Every id of every event passes here: a table, not a chain of compares.
constexpr std::array<bool, 256> kHexDigit = [] {
  std::array<bool, 256> t{};
  for (char c : std::string_view("0123456789abcdefABCDEF")) t[static_cast<unsigned char>(c)] = true;
  return t;
}();

bool isHex(char c) { return kHexDigit[static_cast<unsigned char>(c)]; }

IdShape hexShape(std::string_view id) {
  bool hex = true, zero = true;
  for (char c : id) {
    hex &= isHex(c);
    zero &= c == '0';
  }
  if (!hex) return IdShape::kForeign;
  return zero ? IdShape::kZero : IdShape::kHex;
}

bool allHex(std::string_view s) {
  for (char c : s) {
    if (!isHex(c)) return false;
  }
  return true;
}

bool allZero(std::string_view id) {
  return !id.empty() && id.find_first_not_of('0') == std::string_view::npos;
}

}  // namespace

IdShape traceIdShape(std::string_view id) {
  if (allZero(id)) return IdShape::kZero;  // "0" is Datadog's "no trace"
  if (id.size() != 32 && id.size() != 16) return IdShape::kForeign;
  return hexShape(id);
}

IdShape spanIdShape(std::string_view id) {
  if (allZero(id)) return IdShape::kZero;
  if (id.size() != 16) return IdShape::kForeign;
  return hexShape(id);
}

bool parseTraceparent(std::string_view v, TraceIds& out) {
  // Later versions may append fields; version ff is forbidden.
  if (v.size() < 55 || v[2] != '-' || v[35] != '-' || v[52] != '-') return false;
  if (v.size() > 55 && v[55] != '-') return false;
  std::string_view version = v.substr(0, 2), flags = v.substr(53, 2);
  if (!allHex(version) || !allHex(flags) || version == "ff" || version == "FF") return false;
  std::string_view trace = v.substr(3, 32), span = v.substr(36, 16);
  if (hexShape(trace) != IdShape::kHex || hexShape(span) != IdShape::kHex) return false;
  out = {trace, span};
  return true;
}

bool parseB3(std::string_view v, TraceIds& out) {
  size_t dash = v.find('-');
  if (dash == std::string_view::npos) return false;  // "0", "1", "d": sampling only
  std::string_view trace = v.substr(0, dash);
  std::string_view rest = v.substr(dash + 1);
  std::string_view span = rest.substr(0, rest.find('-'));
  if (traceIdShape(trace) != IdShape::kHex || spanIdShape(span) != IdShape::kHex) return false;
  out = {trace, span};
  return true;
}

}  // namespace sluice
