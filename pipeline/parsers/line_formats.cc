#include "pipeline/parsers/line_formats.h"

namespace sluice {

std::optional<ParserKind> parserKindFromName(std::string_view name) {
  struct Entry {
    std::string_view name;
    ParserKind kind;
  };
  static constexpr Entry kNames[] = {
      {"auto", ParserKind::kAuto},       {"json", ParserKind::kJson},
      {"logfmt", ParserKind::kLogfmt},   {"regex", ParserKind::kRegex},
      {"dissect", ParserKind::kDissect}, {"syslog", ParserKind::kSyslog},
      {"nginx", ParserKind::kNginx},     {"apache", ParserKind::kApache},
      {"none", ParserKind::kNone},
  };
  for (const Entry& e : kNames) {
    if (e.name == name) return e.kind;
  }
  return std::nullopt;
}

bool LineFormats::parseAs(Shape shape, std::string_view line, ParsedLine& out) {
  last_free_text_ = shape == Shape::kLeveled || shape == Shape::kSyslog;
  switch (shape) {
    case Shape::kLeveled:
      return leveled_.parse(line, out);
    case Shape::kSyslog:
      return syslog_.parse(line, out);
    case Shape::kAccess:
      return access_.parse(line, out);
    case Shape::kLogfmt:
      return logfmt_.parse(line, out);
    case Shape::kUnknown:
      break;
  }
  return false;
}

bool LineFormats::detect(const SourceKey& source, std::string_view line, ParsedLine& out) {
  if (line.empty()) return false;
  CacheEntry& cached = cache_[(source.low ^ source.high) % cache_.size()];
  const bool hit = cached.source == source && cached.shape != Shape::kUnknown;
  if (hit && parseAs(cached.shape, line, out)) return true;

  // Which shapes a line can have, from its first byte. Each parser gives up
  // within a few bytes on lines of another shape.
  const char c = line.front();
  static constexpr Shape kAfterPri[] = {Shape::kSyslog};
  // Digits: an rsyslog ISO stamp with host and tag, an application stamp, a
  // client address, or a logfmt key.
  static constexpr Shape kAfterDigit[] = {Shape::kSyslog, Shape::kLeveled, Shape::kAccess,
                                          Shape::kLogfmt};
  static constexpr Shape kAfterBracket[] = {Shape::kLeveled};
  // Letters: a month name, a level word, a logfmt key, a client host name.
  static constexpr Shape kAfterLetter[] = {Shape::kSyslog, Shape::kLeveled, Shape::kLogfmt,
                                           Shape::kAccess};
  static constexpr Shape kOther[] = {Shape::kLogfmt};
  std::span<const Shape> shapes = kOther;
  if (c == '<') {
    shapes = kAfterPri;
  } else if (c >= '0' && c <= '9') {
    shapes = kAfterDigit;
  } else if (c == '[') {
    shapes = kAfterBracket;
  } else if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z')) {
    shapes = kAfterLetter;
  }
  for (Shape shape : shapes) {
    if (hit && shape == cached.shape) continue;
    if (parseAs(shape, line, out)) {
      cached = {source, shape};
      return true;
    }
  }
  return false;
}

bool LineFormats::parse(const ParserSettings& settings, const SourceKey& source,
                        std::string_view line, ParsedLine& out) {
  last_free_text_ = false;
  switch (settings.kind) {
    case ParserKind::kAuto:
      return detect(source, line, out);
    case ParserKind::kLogfmt:
      return logfmt_.parse(line, out);
    case ParserKind::kRegex:
    case ParserKind::kDissect:
      return settings.pattern != nullptr && settings.pattern->parse(line, out);
    case ParserKind::kSyslog:
      return parseAs(Shape::kSyslog, line, out);
    case ParserKind::kNginx:
    case ParserKind::kApache:
      return access_.parse(line, out);
    case ParserKind::kJson:
    case ParserKind::kNone:
      break;
  }
  return false;
}

}  // namespace sluice
