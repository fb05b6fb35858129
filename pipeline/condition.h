#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace sluice {

// The value of one field of an event, as a condition sees it.
struct ConditionValue {
  enum class Kind : uint8_t {
    kMissing,
    kNull,
    kBool,
    kNumber,
    kString,
    kOther /* object, array */
  };
  Kind kind = Kind::kMissing;
  std::string_view text;  // kString: unescaped text
  double number = 0;      // kNumber
  bool boolean = false;   // kBool

  static ConditionValue missing() { return {}; }
  static ConditionValue null() { return {Kind::kNull, {}, 0, false}; }
  static ConditionValue ofBool(bool b) { return {Kind::kBool, {}, 0, b}; }
  static ConditionValue ofNumber(double n) { return {Kind::kNumber, {}, n, false}; }
  static ConditionValue ofString(std::string_view s) { return {Kind::kString, s, 0, false}; }
  static ConditionValue other() { return {Kind::kOther, {}, 0, false}; }
};

// Looks fields up in the event being evaluated. Called on the hot path, so an
// implementation should borrow rather than copy: the returned text must stay
// valid until Condition::matches() returns.
class FieldSource {
 public:
  virtual ~FieldSource() = default;
  // `path` is the field's parsed segments, e.g. {"service", "tier"}.
  virtual ConditionValue field(std::span<const std::string_view> path) const = 0;
};

struct ConditionProgram;

// A boolean expression over an event's fields, used by `drop` rules and
// routing, e.g. `log.level == "DEBUG" && service.tier == "gateway"`.
// Compiled once at config load; matches() runs per event without allocating
// or throwing.
//
// Semantics, chosen to be predictable rather than clever:
//  - A missing field makes every test on it false. The negated operators
//    `!=` and `!~` are exact negations of `==` and `=~`, so they are true.
//  - Values of different kinds are never equal (the number 500 is not the
//    string "500"), and ordering them is false; ordering is numeric between
//    numbers and bytewise between strings. Objects and arrays equal nothing.
//  - `=~`, `contains`, `starts_with` and `ends_with` are false unless the
//    field is a string. Regexes are RE2 syntax and match anywhere in the
//    text; anchor them with ^ and $ for a whole-value match.
//  - `exists(f)` is true when f is present, even if it is null.
//  - A bare field `f` is true when f is present and truthy: not null, false,
//    0 or "". Objects and arrays are truthy.
//  - `==` is case-sensitive; write `=~ "(?i)^debug$"` to ignore case.
//  - Strings take the escapes \" \' \\ \n \t \r; any other backslash is
//    kept as written, so a regex may be written "\d+" as well as "\\d+".
//  - Field segments are runs of [A-Za-z0-9_@-]; the words and, or, not, in,
//    contains, starts_with, ends_with, true, false and null are not fields.
//    Literals go on the right of an operator, fields on the left.
//
// Copies share the compiled program, which is immutable, so a Condition may
// be copied freely and evaluated from many threads at once. A moved-from
// Condition may only be assigned to or destroyed.
class Condition {
 public:
  // Longer text, or deeper nesting of '(' and '!', is a compile error, so
  // that hostile config cannot exhaust the stack.
  static constexpr size_t kMaxLength = 4096;  // bytes
  static constexpr int kMaxDepth = 64;

  // Parses and compiles `text`. On error returns nullopt and sets `error` to
  // a message that starts with the 1-based column, e.g.
  // "column 14: expected a value after '=='".
  static std::optional<Condition> compile(std::string_view text, std::string& error);

  bool matches(const FieldSource& event) const;
  const std::string& text() const;
  // Every distinct field path the condition reads, in order of first use, so
  // callers can precompute lookups.
  std::vector<std::vector<std::string>> fields() const;

 private:
  explicit Condition(std::shared_ptr<const ConditionProgram> program);

  std::shared_ptr<const ConditionProgram> program_;
};

}  // namespace sluice
