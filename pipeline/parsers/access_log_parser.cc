#include "pipeline/parsers/access_log_parser.h"

#include <arpa/inet.h>
#include <netinet/in.h>

#include <algorithm>
#include <cstddef>
#include <string>
#include <string_view>

namespace sluice {
namespace {

constexpr size_t kMaxTimestamp = 64;
constexpr size_t kMaxMethod = 32;
// What fits a signed 64-bit integer, as Elasticsearch maps the field.
constexpr size_t kMaxBytesDigits = 18;

bool isDigit(char c) { return c >= '0' && c <= '9'; }

bool isControl(char c) {
  auto u = static_cast<unsigned char>(c);
  return u < 0x20 || u == 0x7f;
}

bool isBlank(char c) { return c == ' ' || c == '\t' || c == '\r'; }

// Digits as JSON writes a number: no leading zero unless it is the only one.
bool isNumber(std::string_view s, size_t max_digits) {
  if (s.empty() || s.size() > max_digits || (s[0] == '0' && s.size() > 1)) return false;
  for (char c : s) {
    if (!isDigit(c)) return false;
  }
  return true;
}

// A non-empty run up to the next space, which must follow it.
bool takeToken(std::string_view line, size_t& pos, std::string_view& token) {
  size_t start = pos;
  while (pos < line.size() && line[pos] != ' ') {
    if (isControl(line[pos])) return false;
    ++pos;
  }
  if (pos == start || pos == line.size()) return false;
  token = line.substr(start, pos - start);
  ++pos;
  return true;
}

struct Quoted {
  std::string_view raw;  // between the quotes, as written
  bool escaped = false;  // holds \" or \\, which are undone
};

// Bytes that end the plain run inside a quoted field.
class QuotedStops {
 public:
  constexpr QuotedStops() {
    for (int c = 0; c < 0x20; ++c) stop_[c] = true;
    stop_[0x7f] = true;
    stop_[static_cast<unsigned char>('"')] = true;
    stop_[static_cast<unsigned char>('\\')] = true;
  }
  bool operator[](char c) const { return stop_[static_cast<unsigned char>(c)]; }

 private:
  bool stop_[256] = {};
};

constexpr QuotedStops kQuotedStops;

// A double-quoted field at `pos`. Apache escapes '"' and '\' with a backslash;
// nginx writes \x22 and \x5C, which stay as written. Both escape control
// characters, so a raw one means the line is something else.
bool takeQuoted(std::string_view line, size_t& pos, Quoted& field) {
  if (pos >= line.size() || line[pos] != '"') return false;
  size_t start = ++pos;
  field.escaped = false;
  while (true) {
    while (pos < line.size() && !kQuotedStops[line[pos]]) ++pos;
    if (pos == line.size() || isControl(line[pos])) return false;
    if (line[pos] == '"') break;
    if (pos + 1 < line.size() && (line[pos + 1] == '"' || line[pos + 1] == '\\')) {
      field.escaped = true;
      ++pos;
    }
    ++pos;
  }
  field.raw = line.substr(start, pos - start);
  ++pos;
  return true;
}

// parse() runs on many threads; one buffer per thread keeps unescaping free
// of allocation once warm.
std::string_view unescape(const Quoted& field, ParsedLine& out) {
  if (!field.escaped) return field.raw;
  thread_local std::string text;
  text.clear();
  std::string_view raw = field.raw;
  for (size_t i = 0; i < raw.size(); ++i) {
    if (raw[i] == '\\' && i + 1 < raw.size() && (raw[i + 1] == '"' || raw[i + 1] == '\\')) ++i;
    text.push_back(raw[i]);
  }
  return out.store(text);
}

bool isIpAddress(std::string_view s) {
  char text[INET6_ADDRSTRLEN + 1];
  if (s.size() >= sizeof(text)) return false;
  s.copy(text, s.size());
  text[s.size()] = '\0';
  in6_addr address;
  int family = s.find(':') == std::string_view::npos ? AF_INET : AF_INET6;
  return inet_pton(family, text, &address) == 1;
}

bool isHttpVersion(std::string_view s) {
  size_t dot = s.find('.');
  if (dot == std::string_view::npos) return isNumber(s, 2);
  return isNumber(s.substr(0, dot), 2) && isNumber(s.substr(dot + 1), 2);
}

bool isMethod(std::string_view s) {
  if (s.empty() || s.size() > kMaxMethod) return false;
  for (char c : s) {
    if (!((c >= 'A' && c <= 'Z') || c == '_' || c == '-')) return false;
  }
  return true;
}

struct RequestLine {
  std::string_view method;
  std::string_view target;
  std::string_view version;
};

// "GET /a?b HTTP/1.1", or "GET /" as HTTP/0.9 sent it. Clients that do not
// encode spaces in the target are common enough to allow them when the
// protocol closes the line.
bool splitRequest(std::string_view request, RequestLine& parts) {
  size_t first = request.find(' ');
  if (first == std::string_view::npos) return false;
  parts.method = request.substr(0, first);
  if (!isMethod(parts.method)) return false;
  std::string_view rest = request.substr(first + 1);
  size_t last = rest.rfind(' ');
  parts.version = {};
  if (last == std::string_view::npos) {
    parts.target = rest;
  } else {
    std::string_view protocol = rest.substr(last + 1);
    if (!protocol.starts_with("HTTP/") || !isHttpVersion(protocol.substr(5))) return false;
    parts.version = protocol.substr(5);
    parts.target = rest.substr(0, last);
  }
  return !parts.target.empty() && parts.target.front() != ' ' && parts.target.back() != ' ';
}

void addRequest(std::string_view request, ParsedLine& out) {
  if (request.empty() || request == "-") return;
  RequestLine parts;
  if (!splitRequest(request, parts)) {
    out.add("url.original", request);
    return;
  }
  out.add("http.method", parts.method);
  out.add("url.original", parts.target);
  size_t question = parts.target.find('?');
  out.add("http.path", parts.target.substr(0, question));
  if (question != std::string_view::npos && question + 1 < parts.target.size()) {
    out.add("url.query", parts.target.substr(question + 1));
  }
  if (!parts.version.empty()) out.add("http.version", parts.version);
}

// Apache's %v:%p.
void addVirtualHost(std::string_view vhost, ParsedLine& out) {
  size_t colon = vhost.rfind(':');
  if (colon != std::string_view::npos && colon > 0 && isNumber(vhost.substr(colon + 1), 5)) {
    out.add("destination.domain", vhost.substr(0, colon));
    out.add("destination.port", vhost.substr(colon + 1), true);
  } else {
    out.add("destination.domain", vhost);
  }
}

void addUnlessDash(std::string_view key, std::string_view value, ParsedLine& out) {
  if (!value.empty() && value != "-") out.add(key, value);
}

// The fields after %b: the combined format's referrer and user agent, then
// whatever a site appended. Only quoted fields that come first count as the
// combined ones.
bool parseTrailer(std::string_view line, size_t pos, ParsedLine& out) {
  Quoted quoted[2];
  size_t quoted_count = 0;
  for (size_t index = 0;; ++index) {
    size_t next = pos;
    while (next < line.size() && isBlank(line[next])) ++next;
    if (next == line.size()) break;
    if (next == pos) return false;
    pos = next;
    if (line[pos] == '"') {
      Quoted field;
      if (!takeQuoted(line, pos, field)) return false;
      if (index < 2 && index == quoted_count) quoted[quoted_count++] = field;
    } else {
      while (pos < line.size() && line[pos] != ' ') ++pos;
    }
  }
  if (quoted_count > 0) addUnlessDash("http.request.referrer", unescape(quoted[0], out), out);
  if (quoted_count > 1) addUnlessDash("user_agent.original", unescape(quoted[1], out), out);
  return true;
}

struct Head {
  std::string_view vhost;
  std::string_view client;
  std::string_view user;
  std::string_view timestamp;
};

// "%h %l %u [%t] ", or "%v:%p %h %l %u [%t] ".
bool takeHead(std::string_view line, size_t& pos, Head& head) {
  std::string_view tokens[4];
  size_t count = 0;
  while (pos < line.size() && line[pos] != '[') {
    if (count == 4 || !takeToken(line, pos, tokens[count])) return false;
    ++count;
  }
  if (count < 3) return false;
  head.vhost = count == 4 ? tokens[0] : std::string_view();
  head.client = tokens[count - 3];
  head.user = tokens[count - 1];
  // Bounded, so that a line of another shape is refused without a long scan.
  size_t close = line.substr(0, pos + kMaxTimestamp).find(']', pos);
  if (close == std::string_view::npos || close == pos + 1) return false;
  head.timestamp = line.substr(pos + 1, close - pos - 1);
  for (char c : head.timestamp) {
    if (isControl(c)) return false;
  }
  pos = close + 1;
  if (pos == line.size() || line[pos] != ' ') return false;
  ++pos;
  return true;
}

bool takeSpace(std::string_view line, size_t& pos) {
  if (pos == line.size() || line[pos] != ' ') return false;
  ++pos;
  return true;
}

bool parseLine(std::string_view line, ParsedLine& out) {
  size_t pos = 0;
  Head head;
  Quoted request;
  if (!takeHead(line, pos, head) || !takeQuoted(line, pos, request) || !takeSpace(line, pos)) {
    return false;
  }
  std::string_view status = line.substr(pos, 3);
  pos += status.size();
  if (status.size() != 3 || !isNumber(status, 3) || !takeSpace(line, pos)) return false;
  size_t bytes_end = std::min(line.find(' ', pos), line.size());
  std::string_view bytes = line.substr(pos, bytes_end - pos);
  // The last field of the common format may carry the line's '\r'.
  while (!bytes.empty() && isBlank(bytes.back())) bytes.remove_suffix(1);
  if (bytes != "-" && !isNumber(bytes, kMaxBytesDigits)) return false;

  if (!head.vhost.empty()) addVirtualHost(head.vhost, out);
  if (head.client != "-") {
    out.add(isIpAddress(head.client) ? "client.ip" : "client.address", head.client);
  }
  addUnlessDash("user.name", head.user, out);
  out.add("@timestamp", head.timestamp);
  addRequest(unescape(request, out), out);
  out.add("http.status_code", status, true);
  if (bytes != "-") out.add("http.response.body.bytes", bytes, true);
  return parseTrailer(line, bytes_end, out);
}

}  // namespace

bool AccessLogParser::parse(std::string_view line, ParsedLine& out) const {
  const size_t mark = out.fields.size();
  if (parseLine(line, out)) return true;
  out.fields.resize(mark);
  return false;
}

}  // namespace sluice
