#pragma once

#include <cstddef>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "pipeline/parsers/parsed_line.h"

namespace sluice {

// Elastic dissect patterns: literal delimiters between `%{...}` fields, e.g.
// `%{@timestamp} [%{log.level}] %{log.message}`.
//
// - `%{name}` captures up to the first occurrence of the literal after it;
//   the last field takes the rest of the line. Text after a trailing literal
//   is ignored, as in Elasticsearch.
// - `%{}` and `%{?name}` match and drop their text.
// - `%{+name}` appends to `name` with one space between the pieces (Logstash's
//   separator; Elasticsearch's default is none); `%{+name/2}` orders pieces,
//   unnumbered ones count as 0 and keep their order.
// - `%{*k}` and `%{&k}` come in pairs: the first's text is the key, the
//   second's the value.
// - `%{name->}` skips repeats of the literal after it (column padding).
// - A literal before the first field must start the line; an empty line
//   never matches.
// Values are strings borrowed from the line, joined ones go through store().
// Fields are emitted in the order their names first appear in the pattern;
// empty captures are emitted as empty strings.
class DissectParser final : public LineParser {
 public:
  static constexpr size_t kMaxFields = 64;

  // nullptr and a message in `error` when the pattern is empty, has no field
  // that is kept, an unclosed `%{`, two fields with no literal between them, a
  // name used twice without `+`, a `*k` without its `&k`, or too many fields.
  static std::unique_ptr<DissectParser> compile(std::string_view pattern, std::string& error);

  bool parse(std::string_view line, ParsedLine& out) const override;

 private:
  struct Field {
    std::string delimiter;  // empty only after the last field
    bool skip_padding = false;
  };
  enum class OutputKind { kSingle, kJoined, kReference };
  struct Output {
    OutputKind kind;
    std::string key;             // unused for kReference
    std::vector<size_t> fields;  // kReference: {key field, value field}
  };

  DissectParser() = default;

  std::string prefix_;
  std::vector<Field> fields_;
  std::vector<Output> outputs_;
};

}  // namespace sluice
