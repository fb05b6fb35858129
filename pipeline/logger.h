#pragma once

#include <cstdint>
#include <initializer_list>
#include <string>
#include <string_view>

namespace sluice {

enum class LogLevel { kTrace, kDebug, kInfo, kWarn, kError };

// A field of a log line: strings are quoted, numbers written as they are.
struct LogField {
  LogField(std::string_view k, std::string_view v) : key(k), value(v) {}
  LogField(std::string_view k, const std::string& v) : key(k), value(v) {}
  LogField(std::string_view k, const char* v) : key(k), value(v) {}
  LogField(std::string_view k, int64_t v) : key(k), value(std::to_string(v)), quoted(false) {}
  LogField(std::string_view k, uint64_t v) : key(k), value(std::to_string(v)), quoted(false) {}
  LogField(std::string_view k, int v) : key(k), value(std::to_string(v)), quoted(false) {}
  LogField(std::string_view k, double v) : key(k), value(std::to_string(v)), quoted(false) {}

  std::string_view key;
  std::string value;
  bool quoted = true;
};

// The agent's own logs: one JSON line per message on stderr, in the schema it
// ships (`@timestamp`, `log.level`, `log.message`, `service.name`), so they
// can be shipped like any other log. ERROR means data loss or operator
// action needed, WARN degraded service, INFO lifecycle.
void setLogLevel(LogLevel level);
bool parseLogLevel(std::string_view name, LogLevel& level);
bool logEnabled(LogLevel level);
void logMessage(LogLevel level, std::string_view component, std::string_view message,
                std::initializer_list<LogField> fields = {});

inline void logInfo(std::string_view component, std::string_view message,
                    std::initializer_list<LogField> fields = {}) {
  logMessage(LogLevel::kInfo, component, message, fields);
}
inline void logWarn(std::string_view component, std::string_view message,
                    std::initializer_list<LogField> fields = {}) {
  logMessage(LogLevel::kWarn, component, message, fields);
}
inline void logError(std::string_view component, std::string_view message,
                     std::initializer_list<LogField> fields = {}) {
  logMessage(LogLevel::kError, component, message, fields);
}
inline void logDebug(std::string_view component, std::string_view message,
                     std::initializer_list<LogField> fields = {}) {
  logMessage(LogLevel::kDebug, component, message, fields);
}

// Lets at most `burst` messages through per `period_seconds`; the rest are
// counted and the count is reported with the next message let through. Keeps
// a flood of bad input from flooding the agent's own log.
class LogRateLimiter {
 public:
  explicit LogRateLimiter(uint32_t burst = 10, int64_t period_seconds = 10)
      : burst_(burst), period_ns_(period_seconds * 1'000'000'000) {}
  // Returns true when the caller may log; `suppressed` is set to the number
  // of messages held back since the last one let through.
  bool allow(uint64_t& suppressed);

 private:
  uint32_t burst_;
  int64_t period_ns_;
  int64_t window_start_ = 0;
  uint32_t in_window_ = 0;
  uint64_t suppressed_ = 0;
};

}  // namespace sluice
