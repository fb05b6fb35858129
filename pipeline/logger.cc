#include "pipeline/logger.h"

#include <unistd.h>

#include <atomic>
#include <cstdio>
#include <mutex>

#include "pipeline/json_escape.h"
#include "pipeline/timestamp.h"

namespace sluice {
namespace {

std::atomic<LogLevel> g_level{LogLevel::kInfo};
std::mutex g_write_mutex;

constexpr std::string_view kLevelNames[] = {"TRACE", "DEBUG", "INFO", "WARN", "ERROR"};

}  // namespace

void setLogLevel(LogLevel level) { g_level.store(level); }

bool parseLogLevel(std::string_view name, LogLevel& level) {
  for (size_t i = 0; i < std::size(kLevelNames); ++i) {
    std::string_view n = kLevelNames[i];
    if (name.size() == n.size() && std::equal(name.begin(), name.end(), n.begin(),
                                              [](char a, char b) { return (a & ~0x20) == b; })) {
      level = static_cast<LogLevel>(i);
      return true;
    }
  }
  return false;
}

bool logEnabled(LogLevel level) { return level >= g_level.load(std::memory_order_relaxed); }

void logMessage(LogLevel level, std::string_view component, std::string_view message,
                std::initializer_list<LogField> fields) {
  if (!logEnabled(level)) return;
  std::string line;
  line.reserve(256);
  line += "{\"@timestamp\":\"";
  appendRfc3339(line, nowNs());
  line += "\",\"log\":{\"level\":\"";
  line += kLevelNames[static_cast<int>(level)];
  line += "\",\"logger\":";
  appendJsonString(line, component);
  line += ",\"message\":";
  appendJsonString(line, message);
  line += "},\"service\":{\"name\":\"sluice\"}";
  for (const LogField& f : fields) {
    line += ',';
    appendJsonString(line, f.key);
    line += ':';
    if (f.quoted) {
      appendJsonString(line, f.value);
    } else {
      line += f.value;
    }
  }
  line += "}\n";
  std::lock_guard lock(g_write_mutex);
  // One write per line so that lines from several threads never interleave.
  const char* p = line.data();
  size_t left = line.size();
  while (left > 0) {
    ssize_t n = ::write(STDERR_FILENO, p, left);
    if (n <= 0) break;
    p += n;
    left -= static_cast<size_t>(n);
  }
}

bool LogRateLimiter::allow(uint64_t& suppressed) {
  int64_t now = nowNs();
  if (now - window_start_ >= period_ns_) {
    window_start_ = now;
    in_window_ = 0;
  }
  if (in_window_ < burst_) {
    ++in_window_;
    suppressed = suppressed_;
    suppressed_ = 0;
    return true;
  }
  ++suppressed_;
  return false;
}

}  // namespace sluice
