#include "pipeline/parsers/leveled_text_parser.h"

#include <algorithm>
#include <array>

namespace sluice {
namespace {

constexpr std::string_view kTimestampKey = "@timestamp";
constexpr std::string_view kTimestampFormatKey = "@timestamp_format";
constexpr std::string_view kLevelKey = "log.level";
constexpr std::string_view kMessageKey = "log.message";
constexpr std::string_view kLoggerKey = "log.logger";
constexpr std::string_view kThreadNameKey = "process.thread.name";
constexpr std::string_view kThreadIdKey = "process.thread.id";
constexpr std::string_view kPidKey = "process.pid";
constexpr std::string_view kFileKey = "log.origin.file.name";
constexpr std::string_view kLineKey = "log.origin.file.line";
constexpr std::string_view kFunctionKey = "log.origin.function";
constexpr std::string_view kServiceKey = "service.name";
constexpr std::string_view kConnectionKey = "nginx.error.connection_id";

constexpr std::array<std::string_view, 26> kLevels = {
    "TRACE",  "DEBUG",   "INFO",   "NOTICE", "WARN",  "WARNING",   "ERROR", "ERR",  "CRITICAL",
    "CRIT",   "FATAL",   "SEVERE", "PANIC",  "EMERG", "EMERGENCY", "ALERT", "FINE", "FINER",
    "FINEST", "VERBOSE", "INF",    "WRN",    "DBG",   "TRC",       "FTL",   "PNC"};
constexpr size_t kLongestLevel = 9;

constexpr std::array<std::string_view, 12> kMonths = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                                      "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};

bool isDigit(char c) { return c >= '0' && c <= '9'; }
bool isUpper(char c) { return c >= 'A' && c <= 'Z'; }
bool isLower(char c) { return c >= 'a' && c <= 'z'; }
bool isAlpha(char c) { return isUpper(c) || isLower(c); }
bool isBlank(char c) { return c == ' ' || c == '\t'; }

size_t countDigits(std::string_view s, size_t from = 0) {
  size_t i = from;
  while (i < s.size() && isDigit(s[i])) ++i;
  return i - from;
}

bool allDigits(std::string_view s) { return !s.empty() && countDigits(s) == s.size(); }

bool hasBlank(std::string_view s) {
  return std::any_of(s.begin(), s.end(), [](char c) { return isBlank(c); });
}

std::string_view skipBlanks(std::string_view s) {
  size_t i = 0;
  while (i < s.size() && isBlank(s[i])) ++i;
  return s.substr(i);
}

std::string_view trimBlanks(std::string_view s) {
  s = skipBlanks(s);
  while (!s.empty() && isBlank(s.back())) s.remove_suffix(1);
  return s;
}

// Drops the one separator byte after a token, when there is one.
std::string_view afterSeparator(std::string_view s) {
  return s.substr(std::min<size_t>(1, s.size()));
}

void addMessage(ParsedLine& out, std::string_view text) {
  if (!text.empty()) out.add(kMessageKey, text);
}

// "0123" is not a JSON number, so such ids stay strings.
void addDigits(ParsedLine& out, std::string_view key, std::string_view digits) {
  out.add(key, digits, digits.size() == 1 || digits[0] != '0');
}

bool isAllUpper(std::string_view w) { return std::all_of(w.begin(), w.end(), isUpper); }

// Upper, lower or title case only: "eRRoR" is not somebody's level.
bool isLevelWord(std::string_view w) {
  if (w.size() < 3 || w.size() > kLongestLevel) return false;
  std::array<char, kLongestLevel> upper;
  bool tail_upper = true;
  bool tail_lower = true;
  for (size_t i = 0; i < w.size(); ++i) {
    const char c = w[i];
    if (!isAlpha(c)) return false;
    if (i > 0) {
      tail_upper = tail_upper && isUpper(c);
      tail_lower = tail_lower && isLower(c);
    }
    upper[i] = isLower(c) ? static_cast<char>(c - 'a' + 'A') : c;
  }
  if (!(tail_lower || (tail_upper && isUpper(w[0])))) return false;
  const std::string_view u(upper.data(), w.size());
  // Most words that reach here are ordinary ones: comparing the first byte
  // before the whole word rules them out cheaply.
  return std::any_of(kLevels.begin(), kLevels.end(),
                     [&](std::string_view level) { return level[0] == u[0] && level == u; });
}

// Length of the level word that starts `s` and ends at a separator, else 0.
size_t leadingLevel(std::string_view s) {
  size_t n = 0;
  while (n < s.size() && n <= kLongestLevel && isAlpha(s[n])) ++n;
  if (!isLevelWord(s.substr(0, n))) return 0;
  if (n < s.size() && std::string_view(" \t:]|").find(s[n]) == std::string_view::npos) return 0;
  return n;
}

// End of `hh:mm:ss[.,frac]` starting at `i`, else 0.
size_t clockEnd(std::string_view s, size_t i) {
  if (s.size() < i + 8 || countDigits(s, i) != 2 || s[i + 2] != ':' || countDigits(s, i + 3) != 2 ||
      s[i + 5] != ':' || countDigits(s, i + 6) != 2) {
    return 0;
  }
  i += 8;
  if (i + 1 < s.size() && (s[i] == '.' || s[i] == ',') && isDigit(s[i + 1])) {
    i += 1 + countDigits(s, i + 1);
  }
  return i;
}

size_t zoneEnd(std::string_view s, size_t i) {
  if (i < s.size() && s[i] == 'Z') return i + 1;
  if (i >= s.size() || (s[i] != '+' && s[i] != '-') || countDigits(s, i + 1) < 2) return i;
  const size_t hours = i + 3;
  if (hours < s.size() && s[hours] == ':' && countDigits(s, hours + 1) == 2) return hours + 3;
  if (countDigits(s, hours) == 2) return hours + 2;
  return hours;
}

enum class Stamp {
  kNone,
  kDate,    // has a date: enough on its own
  kClock,   // time of day only
  kSyslog,  // `Mon dd hh:mm:ss`: only with a level, else the syslog parser's
};

struct StampMatch {
  size_t length = 0;
  Stamp kind = Stamp::kNone;
};

StampMatch matchStamp(std::string_view s) {
  if (s.empty()) return {};
  if (isDigit(s[0])) {
    if (s.size() >= 19 && countDigits(s) == 4 && (s[4] == '-' || s[4] == '/') &&
        countDigits(s, 5) == 2 && s[7] == s[4] && countDigits(s, 8) == 2 &&
        (s[10] == ' ' || (s[10] == 'T' && s[4] == '-'))) {
      size_t end = clockEnd(s, 11);
      if (end == 0) return {};
      if (s[4] == '-') end = zoneEnd(s, end);
      return {end, Stamp::kDate};
    }
    const size_t end = clockEnd(s, 0);
    return end == 0 ? StampMatch{} : StampMatch{end, Stamp::kClock};
  }
  if (s.size() >= 15 && s[3] == ' ' &&
      std::find(kMonths.begin(), kMonths.end(), s.substr(0, 3)) != kMonths.end() &&
      (s[4] == ' ' || isDigit(s[4])) && isDigit(s[5]) && s[6] == ' ') {
    const size_t end = clockEnd(s, 7);
    return end == 0 ? StampMatch{} : StampMatch{end, Stamp::kSyslog};
  }
  return {};
}

// A stamp at the start of `s`, bare (then followed by a blank or the end) or
// in brackets; `rest` is what follows it.
StampMatch findStamp(std::string_view s, std::string_view& stamp, std::string_view& rest) {
  if (!s.empty() && s[0] == '[') {
    StampMatch m = matchStamp(s.substr(1));
    if (m.length == 0 || 1 + m.length >= s.size() || s[1 + m.length] != ']') return {};
    stamp = s.substr(1, m.length);
    rest = s.substr(m.length + 2);
    return m;
  }
  StampMatch m = matchStamp(s);
  if (m.length == 0 || (m.length < s.size() && !isBlank(s[m.length]))) return {};
  stamp = s.substr(0, m.length);
  rest = s.substr(m.length);
  return m;
}

// `logger - text` or `logger   : text` (padded loggers): false when the first
// word is not followed by such a separator. Without a thread before it, only
// a dotted name counts as a logger, so that "Retrying - attempt 2" stays text.
bool loggerThenText(std::string_view s, ParsedLine& out, std::string_view thread) {
  const size_t end = s.find_first_of(" \t");
  if (end == 0 || end == std::string_view::npos) return false;
  if (thread.empty() && s.substr(0, end).find('.') == std::string_view::npos) return false;
  std::string_view after = skipBlanks(s.substr(end));
  if (after.empty() || (after[0] != '-' && after[0] != ':') ||
      (after.size() > 1 && !isBlank(after[1]))) {
    return false;
  }
  if (!thread.empty()) out.add(kThreadNameKey, thread);
  out.add(kLoggerKey, s.substr(0, end));
  addMessage(out, afterSeparator(afterSeparator(after)));
  return true;
}

// What log4j and logback put after the level: `[thread] logger - text`.
void log4jTail(std::string_view s, ParsedLine& out) {
  s = skipBlanks(s);
  if (!s.empty() && s[0] == '[') {
    const size_t close = s.find(']');
    if (close != std::string_view::npos) {
      std::string_view thread = trimBlanks(s.substr(1, close - 1));
      if (!thread.empty() && loggerThenText(skipBlanks(s.substr(close + 1)), out, thread)) return;
    }
  } else if (loggerThenText(s, out, {})) {
    return;
  }
  addMessage(out, s);
}

// Spring Boot: `1234 --- [app] [   thread] logger   : text` after the level.
bool springTail(std::string_view s, ParsedLine& out) {
  std::string_view t = skipBlanks(s);
  const size_t digits = countDigits(t);
  if (digits == 0 || !t.substr(digits).starts_with(" --- ")) return false;
  addDigits(out, kPidKey, t.substr(0, digits));
  t = skipBlanks(t.substr(digits + 5));
  std::array<std::string_view, 3> groups;
  size_t count = 0;
  size_t padded = groups.size();
  while (!t.empty() && t[0] == '[') {
    const size_t close = t.find(']');
    if (close == std::string_view::npos) break;
    std::string_view raw = t.substr(1, close - 1);
    if (count < groups.size()) {
      // Spring pads the thread name to 15 columns; the application name
      // before it is not padded.
      if (padded == groups.size() && !raw.empty() && isBlank(raw[0])) padded = count;
      groups[count++] = trimBlanks(raw);
    }
    t = skipBlanks(t.substr(close + 1));
  }
  const size_t thread = padded != groups.size() ? padded : (count >= 2 ? 1 : 0);
  if (count > 0) {
    if (thread >= 1) out.add(kServiceKey, groups[0]);
    out.add(kThreadNameKey, groups[thread]);
  }
  if (!loggerThenText(t, out, {})) addMessage(out, t);
  return true;
}

// After `LEVEL:` with no blank: Python's default `LEVEL:logger:text`.
void colonTail(std::string_view s, ParsedLine& out) {
  size_t i = 0;
  while (i < s.size() && s[i] != ':' && !isBlank(s[i])) ++i;
  if (i > 0 && i < s.size() && s[i] == ':') {
    out.add(kLoggerKey, s.substr(0, i));
    addMessage(out, s.substr(i + 1));
    return;
  }
  addMessage(out, skipBlanks(s));
}

// `s` starts right after the level word.
void tailAfterLevel(std::string_view s, ParsedLine& out) {
  if (!s.empty() && s[0] == ':') return colonTail(s.substr(1), out);
  if (springTail(s, out)) return;
  log4jTail(s, out);
}

// nginx: `1234#0: *1 text` after `[error]`.
bool nginxTail(std::string_view s, ParsedLine& out) {
  const size_t pid = countDigits(s);
  if (pid == 0 || pid >= s.size() || s[pid] != '#') return false;
  const size_t tid = countDigits(s, pid + 1);
  const size_t end = pid + 1 + tid;
  if (tid == 0 || end >= s.size() || s[end] != ':') return false;
  addDigits(out, kPidKey, s.substr(0, pid));
  addDigits(out, kThreadIdKey, s.substr(pid + 1, tid));
  std::string_view rest = skipBlanks(s.substr(end + 1));
  if (!rest.empty() && rest[0] == '*') {
    const size_t id = countDigits(rest, 1);
    if (id > 0 && (rest.size() == id + 1 || isBlank(rest[id + 1]))) {
      addDigits(out, kConnectionKey, rest.substr(1, id));
      rest = skipBlanks(rest.substr(id + 1));
    }
  }
  addMessage(out, rest);
  return true;
}

// `[warn] ...` (a bracketed level) or `[thread] LEVEL ...` after a timestamp.
bool bracketAfterStamp(std::string_view s, ParsedLine& out) {
  const size_t close = s.find(']');
  if (close == std::string_view::npos) return false;
  std::string_view inner = trimBlanks(s.substr(1, close - 1));
  std::string_view after = s.substr(close + 1);
  if (isLevelWord(inner)) {
    out.add(kLevelKey, inner);
    std::string_view t = skipBlanks(after);
    if (!t.empty() && t[0] == ':') t = skipBlanks(t.substr(1));
    if (!nginxTail(t, out)) log4jTail(t, out);
    return true;
  }
  if (after.empty() || !isBlank(after[0])) return false;
  std::string_view t = skipBlanks(after);
  const size_t level = leadingLevel(t);
  if (level == 0) return false;
  out.add(kThreadNameKey, inner);
  out.add(kLevelKey, t.substr(0, level));
  tailAfterLevel(t.substr(level), out);
  return true;
}

// Python: `name - LEVEL - text` or `LEVEL - text` after `ts - `.
bool pythonDashed(std::string_view s, ParsedLine& out) {
  const size_t dash = s.find(" - ");
  if (dash == std::string_view::npos) return false;
  std::string_view first = trimBlanks(s.substr(0, dash));
  std::string_view rest = s.substr(dash + 3);
  if (isLevelWord(first)) {
    out.add(kLevelKey, first);
    addMessage(out, rest);
    return true;
  }
  const size_t dash2 = rest.find(" - ");
  if (first.empty() || dash2 == std::string_view::npos) return false;
  std::string_view level = trimBlanks(rest.substr(0, dash2));
  if (!isLevelWord(level)) return false;
  out.add(kLoggerKey, first);
  out.add(kLevelKey, level);
  addMessage(out, rest.substr(dash2 + 3));
  return true;
}

// loguru: `INFO     | module:function:42 - text` after `ts | `.
bool loguru(std::string_view s, ParsedLine& out) {
  const size_t level = leadingLevel(s);
  if (level == 0) return false;
  std::string_view t = skipBlanks(s.substr(level));
  if (t.empty() || t[0] != '|') return false;
  out.add(kLevelKey, s.substr(0, level));
  t = skipBlanks(t.substr(1));
  const size_t dash = t.find(" - ");
  if (dash != std::string_view::npos) {
    std::string_view head = t.substr(0, dash);
    const size_t c2 = head.rfind(':');
    const size_t c1 = c2 == std::string_view::npos || c2 == 0 ? c2 : head.rfind(':', c2 - 1);
    if (c1 != std::string_view::npos && c1 > 0 && !hasBlank(head) &&
        allDigits(head.substr(c2 + 1))) {
      out.add(kLoggerKey, head.substr(0, c1));
      out.add(kFunctionKey, head.substr(c1 + 1, c2 - c1 - 1));
      addDigits(out, kLineKey, head.substr(c2 + 1));
      addMessage(out, t.substr(dash + 3));
      return true;
    }
  }
  addMessage(out, t);
  return true;
}

// Airflow: `{taskinstance.py:1157} INFO - text`.
bool airflow(std::string_view s, ParsedLine& out) {
  const size_t close = s.find('}');
  if (close == std::string_view::npos) return false;
  std::string_view origin = s.substr(1, close - 1);
  const size_t colon = origin.rfind(':');
  if (colon == std::string_view::npos || colon == 0 || !allDigits(origin.substr(colon + 1))) {
    return false;
  }
  std::string_view t = skipBlanks(s.substr(close + 1));
  const size_t level = leadingLevel(t);
  if (level == 0) return false;
  out.add(kFileKey, origin.substr(0, colon));
  addDigits(out, kLineKey, origin.substr(colon + 1));
  out.add(kLevelKey, t.substr(0, level));
  std::string_view rest = skipBlanks(t.substr(level));
  if (!rest.empty() && rest[0] == '-') rest = afterSeparator(rest.substr(1));
  addMessage(out, rest);
  return true;
}

// Monolog: `channel.LEVEL: text`.
bool monolog(std::string_view s, ParsedLine& out) {
  size_t colon = 0;
  while (colon < s.size() && s[colon] != ':' && !isBlank(s[colon])) ++colon;
  if (colon == s.size() || s[colon] != ':') return false;
  std::string_view token = s.substr(0, colon);
  const size_t dot = token.rfind('.');
  if (dot == std::string_view::npos || dot == 0 || !isLevelWord(token.substr(dot + 1))) {
    return false;
  }
  out.add(kLoggerKey, token.substr(0, dot));
  out.add(kLevelKey, token.substr(dot + 1));
  addMessage(out, skipBlanks(s.substr(colon + 1)));
  return true;
}

// Go's log package with Lshortfile or Llongfile: `main.go:23: text`.
bool goFile(std::string_view s, ParsedLine& out) {
  const size_t end = std::min(s.find_first_of(" \t"), s.size());
  std::string_view token = s.substr(0, end);
  if (token.size() < 4 || token.back() != ':') return false;
  token.remove_suffix(1);
  const size_t colon = token.rfind(':');
  if (colon == std::string_view::npos || colon == 0 || !allDigits(token.substr(colon + 1))) {
    return false;
  }
  std::string_view file = token.substr(0, colon);
  if (file.find('.') == std::string_view::npos) return false;
  out.add(kFileKey, file);
  addDigits(out, kLineKey, token.substr(colon + 1));
  addMessage(out, skipBlanks(s.substr(end)));
  return true;
}

// The shapes that may follow a timestamp and carry a level.
bool leveledAfterStamp(std::string_view s, ParsedLine& out) {
  if (s.empty()) return false;
  switch (s[0]) {
    case '-':
      return s.starts_with("- ") && pythonDashed(s.substr(2), out);
    case '|':
      return s.starts_with("| ") && loguru(s.substr(2), out);
    case '[':
      return bracketAfterStamp(s, out);
    case '{':
      return airflow(s, out);
    default:
      break;
  }
  if (const size_t level = leadingLevel(s); level > 0) {
    out.add(kLevelKey, s.substr(0, level));
    tailAfterLevel(s.substr(level), out);
    return true;
  }
  return monolog(s, out);
}

bool parseStamped(std::string_view line, ParsedLine& out) {
  std::string_view stamp;
  std::string_view rest;
  StampMatch m = findStamp(line, stamp, rest);
  if (m.kind == Stamp::kNone && line[0] == '[') {
    // Serilog's console: `[10:30:00 INF] text`.
    m = matchStamp(line.substr(1));
    if (m.length == 0 || 1 + m.length >= line.size() || line[1 + m.length] != ' ') return false;
    std::string_view t = line.substr(2 + m.length);
    const size_t level = leadingLevel(t);
    if (level == 0 || level == t.size() || t[level] != ']') return false;
    out.add(kTimestampKey, line.substr(1, m.length));
    out.add(kLevelKey, t.substr(0, level));
    log4jTail(t.substr(level + 1), out);
    return true;
  }
  if (m.kind == Stamp::kNone) return false;
  out.add(kTimestampKey, stamp);
  std::string_view s = skipBlanks(rest);
  const size_t mark = out.fields.size();
  if (leveledAfterStamp(s, out)) return true;
  out.fields.resize(mark);
  if (m.kind != Stamp::kDate) return false;
  if (!goFile(s, out)) addMessage(out, s);
  return true;
}

// `s` follows a level that starts the line.
void afterLeadingLevel(std::string_view s, ParsedLine& out) {
  s = skipBlanks(s);
  std::string_view stamp;
  std::string_view rest;
  // Some layouts put the level first: `INFO  2024-01-15 10:30:00,123 [main] ...`.
  if (findStamp(s, stamp, rest).kind != Stamp::kNone) {
    out.add(kTimestampKey, stamp);
    s = rest;
  }
  tailAfterLevel(s, out);
}

bool parseLevelFirst(std::string_view line, ParsedLine& out) {
  if (line[0] == '[') {
    const size_t close = line.substr(0, kLongestLevel + 4).find(']');
    if (close == std::string_view::npos) return false;
    std::string_view level = trimBlanks(line.substr(1, close - 1));
    if (!isLevelWord(level)) return false;
    out.add(kLevelKey, level);
    std::string_view t = skipBlanks(line.substr(close + 1));
    if (!t.empty() && t[0] == ':') t = t.substr(1);
    afterLeadingLevel(t, out);
    return true;
  }
  const size_t n = leadingLevel(line);
  if (n == 0) return false;
  std::string_view level = line.substr(0, n);
  std::string_view rest = line.substr(n);
  if (!rest.empty() && rest[0] == ':') {
    out.add(kLevelKey, level);
    colonTail(rest.substr(1), out);
    return true;
  }
  if (!rest.empty() && !isBlank(rest[0])) return false;
  if (!isAllUpper(level)) return false;
  out.add(kLevelKey, level);
  afterLeadingLevel(rest, out);
  return true;
}

// klog / glog: `I1125 10:30:00.123456    1 main.go:42] text`.
bool parseKlog(std::string_view line, ParsedLine& out) {
  if (countDigits(line, 1) != 4 || line.size() < 6 || line[5] != ' ') return false;
  const size_t clock = clockEnd(line, 6);
  if (clock == 0 || clock >= line.size() || !isBlank(line[clock])) return false;
  size_t i = clock;
  while (i < line.size() && isBlank(line[i])) ++i;
  const size_t thread = countDigits(line, i);
  if (thread == 0 || i + thread >= line.size() || line[i + thread] != ' ') return false;
  const size_t origin_start = i + thread + 1;
  const size_t close = line.find(']', origin_start);
  if (close == std::string_view::npos) return false;
  std::string_view origin = line.substr(origin_start, close - origin_start);
  const size_t colon = origin.rfind(':');
  if (colon == std::string_view::npos || colon == 0 || hasBlank(origin) ||
      !allDigits(origin.substr(colon + 1))) {
    return false;
  }
  out.add(kLevelKey, line.substr(0, 1));
  out.add(kTimestampKey, line.substr(1, clock - 1));
  out.add(kTimestampFormatKey, "klog");
  addDigits(out, kThreadIdKey, line.substr(i, thread));
  out.add(kFileKey, origin.substr(0, colon));
  addDigits(out, kLineKey, origin.substr(colon + 1));
  std::string_view message = line.substr(close + 1);
  if (!message.empty() && message[0] == ' ') message.remove_prefix(1);
  addMessage(out, message);
  return true;
}

// Ruby's Logger: `I, [2024-01-15T10:30:00.123456 #1234]  INFO -- prog: text`.
bool parseRuby(std::string_view line, ParsedLine& out) {
  if (std::string_view("DIWEFA").find(line[0]) == std::string_view::npos) return false;
  const size_t close = line.find(']', 4);
  if (close == std::string_view::npos) return false;
  std::string_view inner = line.substr(4, close - 4);
  const size_t hash = inner.rfind(" #");
  if (hash == std::string_view::npos || hash == 0 || !allDigits(inner.substr(hash + 2))) {
    return false;
  }
  std::string_view t = skipBlanks(line.substr(close + 1));
  size_t letters = 0;
  while (letters < t.size() && isAlpha(t[letters])) ++letters;
  std::string_view level = t.substr(0, letters);
  t = t.substr(letters);
  if (level.empty() || !t.starts_with(" -- ")) return false;
  t = t.substr(4);
  size_t colon = t.find(": ");
  if (colon == std::string_view::npos) {
    if (t.empty() || t.back() != ':') return false;
    colon = t.size() - 1;
  }
  out.add(kTimestampKey, inner.substr(0, hash));
  addDigits(out, kPidKey, inner.substr(hash + 2));
  out.add(kLevelKey, level);
  if (colon > 0) out.add(kLoggerKey, t.substr(0, colon));
  addMessage(out, t.substr(std::min(colon + 2, t.size())));
  return true;
}

bool isKlogLevel(char c) { return c == 'I' || c == 'W' || c == 'E' || c == 'F'; }

}  // namespace

bool LeveledTextParser::parse(std::string_view line, ParsedLine& out) const {
  if (line.empty()) return false;
  const char first = line[0];
  // Every shape starts with a digit, a letter or '[': JSON, access logs
  // that start with a host and indented continuation lines stop here.
  if (!isAlpha(first) && !isDigit(first) && first != '[') return false;
  const size_t mark = out.fields.size();
  // Neither a level word nor a timestamp starts with a letter and a digit.
  if (isKlogLevel(first) && line.size() > 1 && isDigit(line[1])) return parseKlog(line, out);
  if (line.size() > 4 && line[1] == ',' && line[2] == ' ' && line[3] == '[') {
    return parseRuby(line, out);
  }
  if (parseStamped(line, out)) return true;
  out.fields.resize(mark);
  if (parseLevelFirst(line, out)) return true;
  out.fields.resize(mark);
  return false;
}

}  // namespace sluice
