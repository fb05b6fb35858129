#pragma once

#include <string_view>

#include "pipeline/parsers/parsed_line.h"

namespace sluice {

// `key=value key2="quoted \"value\"" key3= flag` lines: Go's logfmt packages
// and logrus' text formatter
// (`time="2024-01-15T10:30:00Z" level=info msg="started" port=8080`).
//
// A line counts as logfmt only when it starts with a pair and holds two
// pairs, or one pair keyed time, ts, level, lvl, msg or message (exact
// spelling): a lone `a=b` inside prose is not enough, and prose before the
// first pair rejects the line at its first word.
//
// - Keys are runs of bytes other than whitespace, '=' and '"', emitted as
//   written; duplicates are all emitted, in line order.
// - Bare values run to the next whitespace and may contain '=' (URLs with
//   query strings); the ones that are JSON numbers are marked as numbers.
// - Quoted values stay strings. \" \\ \n \t \r are unescaped, other escapes
//   are kept as written; a missing closing quote, or text glued to it,
//   rejects the line.
// - A key without '=' after the first pair is a flag and gets the string
//   "true", the way kr/logfmt reads it, so that the flag is not lost.
// - `=value` (a pair without a key) rejects the line.
class LogfmtParser final : public LineParser {
 public:
  bool parse(std::string_view line, ParsedLine& out) const override;
};

}  // namespace sluice
