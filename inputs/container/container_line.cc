#include "inputs/container/container_line.h"

#include <algorithm>
#include <cstring>
#include <optional>
#include <utility>

namespace sluice {
namespace {

namespace od = simdjson::ondemand;
using Error = ContainerLineError;

// `text` starts with `word`, followed by a space or the end.
bool startsWithWord(std::string_view text, std::string_view word) {
  return text.starts_with(word) && (text.size() == word.size() || text[word.size()] == ' ');
}

// CRI tags are `:`-separated; only the first (P or F) means anything today.
bool isCriTag(std::string_view word) {
  return !word.empty() && (word[0] == 'P' || word[0] == 'F') &&
         (word.size() == 1 || word[1] == ':');
}

// A value's JSON text as written, without the whitespace simdjson includes.
std::string_view rawToken(od::value& value) {
  std::string_view token = value.raw_json_token();
  while (!token.empty() && (token.back() == ' ' || token.back() == '\t' || token.back() == '\n' ||
                            token.back() == '\r')) {
    token.remove_suffix(1);
  }
  return token;
}

// The still escaped inside of a string token; false when it is no string.
bool stringInside(std::string_view token, std::string_view& inside) {
  if (token.size() < 2 || token.front() != '"' || token.back() != '"') return false;
  inside = token.substr(1, token.size() - 2);
  return true;
}

// Docker's `log`. Plain text needs no unescaping: the content is borrowed from
// the line. Anything else (JSON app logs always, with their `\"`) is
// unescaped by simdjson and copied into `buffer`, with padding after it.
Error readDockerLog(od::value& value, std::string& buffer, ContainerLine& out) {
  std::string_view inside;
  if (!stringInside(rawToken(value), inside)) return Error::kBadField;
  const void* backslash = std::memchr(inside.data(), '\\', inside.size());
  if (backslash == nullptr) {
    out.content = inside;
    out.partial = true;
    return Error::kNone;
  }
  if (inside.size() >= 2 && backslash == inside.data() + inside.size() - 2 &&
      inside.back() == 'n') {
    out.content = inside.substr(0, inside.size() - 2);
    out.partial = false;
    return Error::kNone;
  }
  std::string_view text;
  if (value.get_string().get(text)) return Error::kBadJson;
  out.partial = text.empty() || text.back() != '\n';
  if (!out.partial) {
    // "\r\n" loses its `\r` too, as LineReader does for lines of plain files.
    text.remove_suffix(1);
    if (!text.empty() && text.back() == '\r') text.remove_suffix(1);
  }
  buffer.reserve(text.size() + simdjson::SIMDJSON_PADDING);
  buffer.assign(text);
  out.content = buffer;
  return Error::kNone;
}

}  // namespace

std::string_view errorName(ContainerLineError error) {
  switch (error) {
    case Error::kNone:
      return "none";
    case Error::kUnknownFormat:
      return "unknown_format";
    case Error::kBadTimestamp:
      return "bad_timestamp";
    case Error::kBadStream:
      return "bad_stream";
    case Error::kBadJson:
      return "bad_json";
    case Error::kBadField:
      return "bad_field";
  }
  return "unknown";
}

ContainerLineError decodeCriLine(std::string_view line, ContainerLine& out) {
  const size_t time_end = line.find(' ');
  if (time_end == std::string_view::npos) return Error::kBadTimestamp;
  std::optional<TimestampNs> time = parseIsoTimestamp(line.substr(0, time_end));
  if (!time) return Error::kBadTimestamp;
  std::string_view rest = line.substr(time_end + 1);
  std::string_view stream;
  if (startsWithWord(rest, kStdoutStream)) {
    stream = kStdoutStream;
  } else if (startsWithWord(rest, kStderrStream)) {
    stream = kStderrStream;
  } else {
    return Error::kBadStream;
  }
  rest.remove_prefix(std::min(rest.size(), stream.size() + 1));
  bool partial = false;
  const size_t tag_end = rest.find(' ');
  if (isCriTag(rest.substr(0, tag_end))) {
    partial = rest[0] == 'P';
    rest.remove_prefix(tag_end == std::string_view::npos ? rest.size() : tag_end + 1);
  }
  // Even empty, the content views the end of the line, whose padding follows.
  out.content = rest;
  out.stream = stream;
  out.time = *time;
  out.partial = partial;
  return Error::kNone;
}

ContainerFormat detectFormat(std::string_view line) {
  if (line.empty()) return ContainerFormat::kUnknown;
  if (line[0] == '{') return ContainerFormat::kDocker;
  ContainerLine ignored;
  if (line[0] >= '0' && line[0] <= '9' && decodeCriLine(line, ignored) == Error::kNone) {
    return ContainerFormat::kCri;
  }
  return ContainerFormat::kUnknown;
}

ContainerLineError ContainerLineDecoder::decode(ContainerFormat format, std::string_view line,
                                                std::string& buffer, ContainerLine& out) {
  switch (format) {
    case ContainerFormat::kCri:
      return decodeCriLine(line, out);
    case ContainerFormat::kDocker:
      return decodeDocker(line, buffer, out);
    case ContainerFormat::kUnknown:
      break;
  }
  return Error::kUnknownFormat;
}

ContainerLineError ContainerLineDecoder::decodeDocker(std::string_view line, std::string& buffer,
                                                      ContainerLine& out) {
  od::document doc;
  if (parser_.iterate(line.data(), line.size(), line.size() + simdjson::SIMDJSON_PADDING)
          .get(doc)) {
    return Error::kBadJson;
  }
  od::object object;
  if (doc.get_object().get(object)) return Error::kBadJson;
  bool have_log = false, have_stream = false, have_time = false;
  for (auto member : object) {
    od::field field;
    if (std::move(member).get(field)) return Error::kBadJson;
    const od::raw_json_string key = field.key();
    od::value value = field.value();
    std::string_view inside;
    if (key == "log") {
      if (Error e = readDockerLog(value, buffer, out); e != Error::kNone) return e;
      have_log = true;
    } else if (key == "stream") {
      if (!stringInside(rawToken(value), inside)) return Error::kBadField;
      if (inside == kStdoutStream) {
        out.stream = kStdoutStream;
      } else if (inside == kStderrStream) {
        out.stream = kStderrStream;
      } else {
        return Error::kBadStream;
      }
      have_stream = true;
    } else if (key == "time") {
      if (!stringInside(rawToken(value), inside)) return Error::kBadField;
      std::optional<TimestampNs> time = parseIsoTimestamp(inside);
      if (!time) return Error::kBadTimestamp;
      out.time = *time;
      have_time = true;
    }
    // Members not read (`attrs`) are skipped by the iteration.
  }
  // Anything after the object means the line was not one JSON document.
  const char* trailing;
  if (doc.current_location().get(trailing) == simdjson::SUCCESS) return Error::kBadJson;
  if (!have_log || !have_stream || !have_time) return Error::kBadField;
  return Error::kNone;
}

}  // namespace sluice
