#include "config/units.h"

#include <charconv>
#include <cmath>

namespace sluice {
namespace {

// Splits "12.5MiB" into 12.5 and "MiB".
bool splitNumber(std::string_view text, double& number, std::string_view& unit) {
  while (!text.empty() && text.back() == ' ') text.remove_suffix(1);
  size_t end = 0;
  while (end < text.size() && ((text[end] >= '0' && text[end] <= '9') || text[end] == '.')) ++end;
  if (end == 0) return false;
  auto [ptr, ec] = std::from_chars(text.data(), text.data() + end, number);
  if (ec != std::errc() || ptr != text.data() + end || !std::isfinite(number) || number < 0) {
    return false;
  }
  unit = text.substr(end);
  while (!unit.empty() && unit.front() == ' ') unit.remove_prefix(1);
  return true;
}

}  // namespace

std::optional<std::chrono::milliseconds> parseDuration(std::string_view text) {
  double n;
  std::string_view unit;
  if (!splitNumber(text, n, unit)) return std::nullopt;
  double ms;
  if (unit == "ms")
    ms = n;
  else if (unit.empty() || unit == "s")
    ms = n * 1e3;
  else if (unit == "m")
    ms = n * 60e3;
  else if (unit == "h")
    ms = n * 3600e3;
  else if (unit == "d")
    ms = n * 86400e3;
  else
    return std::nullopt;
  if (ms > 1e15) return std::nullopt;
  return std::chrono::milliseconds(static_cast<int64_t>(std::llround(ms)));
}

std::optional<uint64_t> parseByteSize(std::string_view text) {
  double n;
  std::string_view unit;
  if (!splitNumber(text, n, unit)) return std::nullopt;
  double factor;
  if (unit.empty() || unit == "B")
    factor = 1;
  else if (unit == "KiB" || unit == "Ki" || unit == "K")
    factor = 1024.0;
  else if (unit == "MiB" || unit == "Mi" || unit == "M")
    factor = 1024.0 * 1024;
  else if (unit == "GiB" || unit == "Gi" || unit == "G")
    factor = 1024.0 * 1024 * 1024;
  else if (unit == "TiB" || unit == "Ti" || unit == "T")
    factor = 1024.0 * 1024 * 1024 * 1024;
  else if (unit == "KB" || unit == "kB")
    factor = 1e3;
  else if (unit == "MB")
    factor = 1e6;
  else if (unit == "GB")
    factor = 1e9;
  else if (unit == "TB")
    factor = 1e12;
  else
    return std::nullopt;
  double bytes = n * factor;
  if (bytes > 9e18) return std::nullopt;
  return static_cast<uint64_t>(std::llround(bytes));
}

}  // namespace sluice
