#pragma once

#include <array>
#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string_view>

#include "pipeline/event_id.h"
#include "pipeline/parsers/access_log_parser.h"
#include "pipeline/parsers/leveled_text_parser.h"
#include "pipeline/parsers/logfmt_parser.h"
#include "pipeline/parsers/parsed_line.h"
#include "pipeline/parsers/syslog_parser.h"

namespace sluice {

// `parser:` of an input.
enum class ParserKind : uint8_t {
  kAuto,
  kJson,
  kLogfmt,
  kRegex,
  kDissect,
  kSyslog,
  kNginx,
  kApache,
  kNone,
};
std::optional<ParserKind> parserKindFromName(std::string_view name);

struct ParserSettings {
  ParserKind kind = ParserKind::kAuto;
  std::shared_ptr<const LineParser> pattern;  // regex and dissect, compiled at load
};

// The plaintext formats sluice knows, and for `auto` the choice among them.
// Auto-detection tries the shape a source's previous line had first, then
// the shapes its first bytes allow, each of which rejects other shapes within
// a few bytes: no cascade of full regex attempts per line. Not thread-safe:
// each normalizer owns one.
class LineFormats {
 public:
  // False when no configured or detected format fits the line.
  bool parse(const ParserSettings& settings, const SourceKey& source, std::string_view line,
             ParsedLine& out);
  // Whether the line parse() last accepted was free text after a header
  // (application lines, syslog), whose message may carry key=value pairs.
  bool lastHadFreeText() const { return last_free_text_; }

 private:
  enum class Shape : uint8_t { kUnknown, kLeveled, kSyslog, kAccess, kLogfmt };
  bool parseAs(Shape shape, std::string_view line, ParsedLine& out);
  bool detect(const SourceKey& source, std::string_view line, ParsedLine& out);

  LeveledTextParser leveled_;
  SyslogParser syslog_;
  AccessLogParser access_;
  LogfmtParser logfmt_;
  struct CacheEntry {
    SourceKey source;
    Shape shape = Shape::kUnknown;
  };
  // Direct-mapped by source: a node tails few sources at a time per input,
  // and a miss costs only a re-detection.
  std::array<CacheEntry, 64> cache_{};
  bool last_free_text_ = false;
};

}  // namespace sluice
