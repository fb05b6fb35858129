#include "pipeline/parsers/syslog_parser.h"
#include "pipeline/ascii.h"

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace sluice {
namespace {

constexpr std::string_view kFacilityNames[] = {
    "kern",   "user",   "mail",     "daemon", "auth",   "syslog",   "lpr",     "news",
    "uucp",   "cron",   "authpriv", "ftp",    "ntp",    "security", "console", "solaris-cron",
    "local0", "local1", "local2",   "local3", "local4", "local5",   "local6",  "local7"};

constexpr std::string_view kSeverityNames[] = {"emerg",   "alert",  "crit", "err",
                                               "warning", "notice", "info", "debug"};

constexpr std::string_view kMonths[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                        "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};

constexpr std::string_view kSdKeyPrefix = "log.syslog.structured_data.";

constexpr int kMaxPri = 191;

// Decimal text of the numbers a PRI yields. The line spells only the PRI
// itself, and may spell it with leading zeros, which JSON does not allow.
class SmallNumbers {
 public:
  constexpr SmallNumbers() {
    for (int n = 0; n <= kMaxPri; ++n) {
      int value = n;
      char digits[3] = {};
      uint8_t count = 0;
      do {
        digits[count++] = static_cast<char>('0' + value % 10);
        value /= 10;
      } while (value > 0);
      for (uint8_t i = 0; i < count; ++i) text_[n][i] = digits[count - 1 - i];
      size_[n] = count;
    }
  }
  std::string_view operator[](int n) const { return {text_[n], size_[n]}; }

 private:
  char text_[kMaxPri + 1][3] = {};
  uint8_t size_[kMaxPri + 1] = {};
};

constexpr SmallNumbers kNumbers;

bool isDigit(char c) { return c >= '0' && c <= '9'; }

// Printable US-ASCII without the space: what RFC 5424 allows in header fields.
bool isPrintable(char c) {
  auto u = static_cast<unsigned char>(c);
  return u > 0x20 && u < 0x7f;
}

bool isControl(char c) {
  auto u = static_cast<unsigned char>(c);
  return u < 0x20 || u == 0x7f;
}

bool digitsAt(std::string_view s, size_t pos, size_t count) {
  if (pos + count > s.size()) return false;
  for (size_t i = pos; i < pos + count; ++i) {
    if (!isDigit(s[i])) return false;
  }
  return true;
}

// Only call after digitsAt() has vouched for both digits.
int twoDigits(std::string_view s, size_t pos) { return (s[pos] - '0') * 10 + (s[pos + 1] - '0'); }

bool isMonth(std::string_view s) {
  if (s.size() < 3) return false;
  for (std::string_view month : kMonths) {
    if (s.substr(0, 3) == month) return true;
  }
  return false;
}

size_t skipFraction(std::string_view s, size_t pos) {
  if (pos < s.size() && s[pos] == '.' && digitsAt(s, pos + 1, 1)) {
    ++pos;
    while (pos < s.size() && isDigit(s[pos])) ++pos;
  }
  return pos;
}

// "hh:mm:ss" at `pos`.
bool validTime(std::string_view s, size_t pos) {
  return pos + 8 <= s.size() && digitsAt(s, pos, 2) && s[pos + 2] == ':' &&
         digitsAt(s, pos + 3, 2) && s[pos + 5] == ':' && digitsAt(s, pos + 6, 2) &&
         twoDigits(s, pos) <= 23 && twoDigits(s, pos + 3) <= 59 && twoDigits(s, pos + 6) <= 60;
}

// "Oct 11 22:14:15", "Dec  1 06:55:46" (space-padded day), "Dec 1 06:55:46",
// optionally with fractional seconds. Returns its length, 0 if there is none.
size_t scanBsdTimestamp(std::string_view s) {
  if (s.size() < 14 || !isMonth(s) || s[3] != ' ') return 0;
  size_t pos = 4;
  if (s[pos] == ' ') ++pos;
  if (!digitsAt(s, pos, 1)) return 0;
  int day = s[pos++] - '0';
  if (pos < s.size() && isDigit(s[pos])) day = day * 10 + (s[pos++] - '0');
  if (day < 1 || day > 31 || pos + 9 > s.size() || s[pos] != ' ') return 0;
  ++pos;
  if (!validTime(s, pos)) return 0;
  return skipFraction(s, pos + 8);
}

// RFC 3339 as syslog writes it: "2003-10-11T22:14:15.003Z",
// "2024-01-15T10:30:00.123456+00:00". The offset may be missing or written
// without its colon. Returns its length, 0 if there is none.
size_t scanIsoTimestamp(std::string_view s) {
  if (s.size() < 19 || !digitsAt(s, 0, 4) || s[4] != '-' || !digitsAt(s, 5, 2) || s[7] != '-' ||
      !digitsAt(s, 8, 2) || s[10] != 'T' || !validTime(s, 11)) {
    return 0;
  }
  int month = twoDigits(s, 5);
  int day = twoDigits(s, 8);
  if (month < 1 || month > 12 || day < 1 || day > 31) return 0;
  size_t pos = skipFraction(s, 19);
  if (pos == s.size()) return pos;
  if (s[pos] == 'Z') return pos + 1;
  if (s[pos] != '+' && s[pos] != '-') return pos;
  if (!digitsAt(s, pos + 1, 2)) return 0;
  pos += 3;
  if (pos < s.size() && s[pos] == ':') {
    return digitsAt(s, pos + 1, 2) ? pos + 3 : 0;
  }
  if (pos < s.size() && isDigit(s[pos])) return digitsAt(s, pos, 2) ? pos + 2 : 0;
  return pos;
}

// "<165>": returns the length and sets `pri`, or returns 0.
size_t scanPri(std::string_view s, int& pri) {
  size_t pos = 1;
  pri = 0;
  while (pos < s.size() && pos <= 3 && isDigit(s[pos])) pri = pri * 10 + (s[pos++] - '0');
  if (pos == 1 || pos == s.size() || s[pos] != '>' || pri > kMaxPri) return 0;
  return pos + 1;
}

void addPriority(int pri, ParsedLine& out) {
  out.add("log.syslog.priority", kNumbers[pri], true);
  out.add("log.syslog.facility.code", kNumbers[pri >> 3], true);
  out.add("log.syslog.facility.name", kFacilityNames[pri >> 3]);
  out.add("log.syslog.severity.code", kNumbers[pri & 7], true);
  out.add("log.level", kSeverityNames[pri & 7]);
}

struct Tag {
  std::string_view app;
  std::string_view pid;
  size_t length = 0;  // through the colon and the space after it
};

// "sshd[1234]: ", "su: ", "postfix/smtpd[4312]: ", or "kernel:" ending the
// line. Requiring the space keeps "http://..." and "10:30" from passing.
bool scanTag(std::string_view s, Tag& tag) {
  size_t pos = 0;
  while (pos < s.size() && s[pos] != ' ' && s[pos] != ':' && s[pos] != '[') {
    if (isControl(s[pos])) return false;
    ++pos;
  }
  if (pos == 0 || pos == s.size()) return false;
  tag.app = s.substr(0, pos);
  tag.pid = {};
  if (s[pos] == '[') {
    size_t start = ++pos;
    while (pos < s.size() && isPrintable(s[pos]) && s[pos] != ']') ++pos;
    if (pos == start || pos == s.size() || s[pos] != ']') return false;
    tag.pid = s.substr(start, pos - start);
    ++pos;
  }
  if (pos == s.size() || s[pos] != ':') return false;
  ++pos;
  if (pos < s.size() && s[pos] != ' ') return false;
  tag.length = pos < s.size() ? pos + 1 : pos;
  return true;
}

void addMessage(std::string_view message, ParsedLine& out) {
  if (!message.empty()) out.add("log.message", message);
}

// What follows the tag, or the whole text when it has none.
void addTagAndMessage(std::string_view s, ParsedLine& out) {
  Tag tag;
  if (scanTag(s, tag)) {
    out.add("log.syslog.appname", tag.app);
    if (!tag.pid.empty()) out.add("log.syslog.procid", tag.pid);
    s.remove_prefix(tag.length);
  }
  addMessage(s, out);
}

// Plain "<timestamp> <level> <logger>: message" lines look like rsyslog's
// "<timestamp> <host> <tag>: message"; a level word is never the host.
bool isLevelWord(std::string_view s) {
  static constexpr std::string_view kWords[] = {
      "trace", "debug", "info",     "information", "notice", "warn",  "warning", "error",
      "err",   "crit",  "critical", "fatal",       "alert",  "emerg", "panic",   "severe"};
  for (std::string_view word : kWords) {
    if (equalsIgnoreCase(s, word)) return true;
  }
  return false;
}

bool isHostname(std::string_view s) {
  for (char c : s) {
    bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || isDigit(c) || c == '.' ||
              c == '-' || c == '_' || c == ':';
    if (!ok) return false;
  }
  return !isLevelWord(s);
}

enum class Origin {
  kNetwork,  // after a PRI
  kFileBsd,  // a file line with a BSD timestamp, which alone marks it as syslog
  kFileIso,  // a file line with an RFC 3339 timestamp, which many formats share
};

// "host tag[pid]: message" after the timestamp and its space.
bool parseBsdBody(std::string_view s, Origin origin, ParsedLine& out) {
  Tag tag;
  // Local senders (/dev/log) leave the host out; what comes first is the tag.
  if (origin == Origin::kNetwork && scanTag(s, tag)) {
    addTagAndMessage(s, out);
    return true;
  }
  size_t end = s.find(' ');
  std::string_view host = s.substr(0, end);
  if (host.empty()) return false;
  for (char c : host) {
    if (isControl(c)) return false;
  }
  std::string_view rest = end == std::string_view::npos ? std::string_view() : s.substr(end + 1);
  if (origin == Origin::kFileIso && (!isHostname(host) || !scanTag(rest, tag))) return false;
  out.add("log.syslog.hostname", host);
  addTagAndMessage(rest, out);
  return true;
}

bool parseWithTimestamp(std::string_view s, size_t timestamp_length, Origin origin,
                        ParsedLine& out) {
  if (timestamp_length == 0 || timestamp_length >= s.size() || s[timestamp_length] != ' ') {
    return false;
  }
  out.add("@timestamp", s.substr(0, timestamp_length));
  return parseBsdBody(s.substr(timestamp_length + 1), origin, out);
}

// An RFC 5424 header field: printable, followed by a space.
bool takeField(std::string_view& s, std::string_view& field) {
  size_t pos = 0;
  while (pos < s.size() && s[pos] != ' ') {
    if (!isPrintable(s[pos])) return false;
    ++pos;
  }
  if (pos == 0 || pos == s.size()) return false;
  field = s.substr(0, pos);
  s.remove_prefix(pos + 1);
  return true;
}

void addUnlessNil(std::string_view key, std::string_view value, ParsedLine& out) {
  if (value != "-") out.add(key, value);
}

// Joins and unescapes text for store(). parse() runs on many threads; one
// buffer per thread keeps it free of allocation once warm.
std::string& scratch() {
  thread_local std::string buffer;
  buffer.clear();
  return buffer;
}

// SD-NAME: up to 32 printable characters except '=', ']' and '"'.
std::string_view takeSdName(std::string_view& s) {
  size_t pos = 0;
  while (pos < s.size() && pos < 32 && isPrintable(s[pos]) && s[pos] != '=' && s[pos] != ']' &&
         s[pos] != '"') {
    ++pos;
  }
  std::string_view name = s.substr(0, pos);
  s.remove_prefix(pos);
  return name;
}

// A PARAM-VALUE after its opening quote; '"', '\' and ']' come escaped.
bool takeSdValue(std::string_view& s, ParsedLine& out, std::string_view& value) {
  bool escaped = false;
  size_t pos = 0;
  while (pos < s.size() && s[pos] != '"') {
    if (s[pos] == '\\' && pos + 1 < s.size()) {
      char next = s[pos + 1];
      if (next == '"' || next == '\\' || next == ']') {
        escaped = true;
        ++pos;
      }
    }
    ++pos;
  }
  if (pos == s.size()) return false;
  value = s.substr(0, pos);
  s.remove_prefix(pos + 1);
  if (!escaped) return true;
  std::string& text = scratch();
  for (size_t i = 0; i < value.size(); ++i) {
    char c = value[i];
    if (c == '\\' && i + 1 < value.size()) {
      char next = value[i + 1];
      if (next == '"' || next == '\\' || next == ']') {
        c = next;
        ++i;
      }
    }
    text.push_back(c);
  }
  value = out.store(text);
  return true;
}

std::string_view sdKey(std::string_view id, std::string_view param, ParsedLine& out) {
  std::string& text = scratch();
  text.append(kSdKeyPrefix).append(id).append(1, '.').append(param);
  return out.store(text);
}

// "-" or one or more "[SD-ID PARAM="VALUE" ...]".
bool parseStructuredData(std::string_view& s, ParsedLine& out) {
  if (!s.empty() && s[0] == '-') {
    s.remove_prefix(1);
    return true;
  }
  if (s.empty() || s[0] != '[') return false;
  while (!s.empty() && s[0] == '[') {
    s.remove_prefix(1);
    std::string_view id = takeSdName(s);
    if (id.empty()) return false;
    while (!s.empty() && s[0] == ' ') {
      s.remove_prefix(1);
      std::string_view param = takeSdName(s);
      if (param.empty() || s.size() < 2 || s[0] != '=' || s[1] != '"') return false;
      s.remove_prefix(2);
      std::string_view value;
      if (!takeSdValue(s, out, value)) return false;
      out.add(sdKey(id, param, out), value);
    }
    if (s.empty() || s[0] != ']') return false;
    s.remove_prefix(1);
  }
  return true;
}

// After "<PRI>": "VERSION TIMESTAMP HOSTNAME APP-NAME PROCID MSGID SD [MSG]".
bool parse5424(std::string_view s, ParsedLine& out) {
  std::string_view version;
  std::string_view timestamp;
  std::string_view host;
  std::string_view app;
  std::string_view procid;
  std::string_view msgid;
  if (!takeField(s, version) || version.size() > 3 || version[0] == '0' ||
      !digitsAt(version, 0, version.size()) || !takeField(s, timestamp) ||
      (timestamp != "-" && scanIsoTimestamp(timestamp) != timestamp.size()) ||
      !takeField(s, host) || !takeField(s, app) || !takeField(s, procid) || !takeField(s, msgid)) {
    return false;
  }
  out.add("log.syslog.version", version, true);
  addUnlessNil("@timestamp", timestamp, out);
  addUnlessNil("log.syslog.hostname", host, out);
  addUnlessNil("log.syslog.appname", app, out);
  addUnlessNil("log.syslog.procid", procid, out);
  addUnlessNil("log.syslog.msgid", msgid, out);
  if (!parseStructuredData(s, out)) return false;
  if (s.empty()) return true;
  if (s[0] != ' ') return false;
  s.remove_prefix(1);
  constexpr std::string_view kBom = "\xEF\xBB\xBF";
  if (s.substr(0, kBom.size()) == kBom) s.remove_prefix(kBom.size());
  addMessage(s, out);
  return true;
}

bool looksLikeVersion(std::string_view s) {
  size_t pos = 0;
  while (pos < s.size() && pos < 3 && isDigit(s[pos])) ++pos;
  return pos > 0 && pos < s.size() && s[pos] == ' ';
}

bool parseAfterPri(std::string_view s, ParsedLine& out) {
  if (s.empty()) return false;
  // A text that starts like a timestamp but is not one is a damaged line,
  // not a bare message.
  if (looksLikeVersion(s)) return parse5424(s, out);
  if (digitsAt(s, 0, 4) && s.size() > 4 && s[4] == '-') {
    return parseWithTimestamp(s, scanIsoTimestamp(s), Origin::kNetwork, out);
  }
  if (s.size() > 3 && isMonth(s) && s[3] == ' ') {
    return parseWithTimestamp(s, scanBsdTimestamp(s), Origin::kNetwork, out);
  }
  addTagAndMessage(s, out);
  return true;
}

bool parseLine(std::string_view line, ParsedLine& out) {
  if (line.empty()) return false;
  if (line[0] == '<') {
    int pri = 0;
    size_t length = scanPri(line, pri);
    if (length == 0) return false;
    addPriority(pri, out);
    return parseAfterPri(line.substr(length), out);
  }
  if (isDigit(line[0])) {
    return parseWithTimestamp(line, scanIsoTimestamp(line), Origin::kFileIso, out);
  }
  return parseWithTimestamp(line, scanBsdTimestamp(line), Origin::kFileBsd, out);
}

}  // namespace

bool SyslogParser::parse(std::string_view line, ParsedLine& out) const {
  const size_t mark = out.fields.size();
  if (parseLine(line, out)) return true;
  out.fields.resize(mark);
  return false;
}

}  // namespace sluice
