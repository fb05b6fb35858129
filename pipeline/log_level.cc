#include "pipeline/log_level.h"

#include <algorithm>
#include <iterator>

namespace sluice {
namespace {

struct LevelName {
  std::string_view word;  // lower case
  std::string_view level;
};
constexpr LevelName kLevelWords[] = {
    {"info", "INFO"},    {"error", "ERROR"},      {"warn", "WARN"},
    {"warning", "WARN"}, {"debug", "DEBUG"},      {"trace", "TRACE"},
    {"fatal", "FATAL"},  {"critical", "FATAL"},   {"crit", "FATAL"},
    {"err", "ERROR"},    {"information", "INFO"}, {"informational", "INFO"},
    {"notice", "INFO"},  {"inf", "INFO"},         {"dbg", "DEBUG"},
    {"wrn", "WARN"},     {"trc", "TRACE"},        {"verbose", "TRACE"},
    {"severe", "ERROR"}, {"emerg", "FATAL"},      {"emergency", "FATAL"},
    {"alert", "FATAL"},  {"panic", "FATAL"},      {"dpanic", "ERROR"},
    {"fine", "DEBUG"},   {"finer", "TRACE"},      {"finest", "TRACE"},
    {"ftl", "FATAL"},    {"eror", "ERROR"},       {"crt", "FATAL"},
    {"i", "INFO"},       {"w", "WARN"},           {"e", "ERROR"},
    {"f", "FATAL"},      {"d", "DEBUG"},          {"t", "TRACE"},
    {"config", "DEBUG"}, {"pnc", "FATAL"},
};

}  // namespace

std::string_view levelFromWord(std::string_view word) {
  // slog writes levels between the named ones as "ERROR+4" or "INFO-2".
  const size_t sign = word.find_first_of("+-");
  if (sign != std::string_view::npos && sign > 0 && sign + 1 < word.size() &&
      word.find_first_not_of("0123456789", sign + 1) == std::string_view::npos) {
    word = word.substr(0, sign);
  }
  if (word.empty() || word.size() > 13) return {};
  char lower[13];
  for (size_t i = 0; i < word.size(); ++i) {
    char c = word[i];
    lower[i] = (c >= 'A' && c <= 'Z') ? static_cast<char>(c + 32) : c;
  }
  const std::string_view key(lower, word.size());
  auto it = std::find_if(std::begin(kLevelWords), std::end(kLevelWords),
                         [&](const LevelName& l) { return l.word == key; });
  return it == std::end(kLevelWords) ? std::string_view{} : it->level;
}

std::string_view levelFromNumber(int64_t n) {
  if (n < 0) return {};
  if (n <= 7) {
    static constexpr std::string_view kSyslog[] = {"FATAL", "FATAL", "FATAL", "ERROR",
                                                   "WARN",  "INFO",  "INFO",  "DEBUG"};
    return kSyslog[n];
  }
  if (n <= 10) return "TRACE";
  if (n <= 20) return "DEBUG";
  if (n <= 30) return "INFO";
  if (n <= 40) return "WARN";
  if (n <= 50) return "ERROR";
  if (n <= 60) return "FATAL";
  return {};
}

std::string_view levelFromOtelSeverity(int64_t n) {
  static constexpr std::string_view kSteps[] = {"TRACE", "DEBUG", "INFO", "WARN", "ERROR", "FATAL"};
  if (n < 1 || n > 24) return {};
  return kSteps[(n - 1) / 4];
}

}  // namespace sluice
