#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "pipeline/parsers/parsed_line.h"

namespace re2 {
class RE2;
}

namespace sluice {

// An RE2 pattern whose named groups become fields:
// `^(?P<timestamp>\S+) (?P<log__level>[A-Z]+) (?P<msg>.*)$`.
//
// - RE2 group names are word characters only, so `__` in a name stands for
//   a dot: `log__level` is emitted as "log.level". Other names are emitted
//   as written; the normalizer maps aliases such as "timestamp" or "msg".
// - The pattern may match anywhere in the line (RE2::PartialMatch); anchor
//   it with ^ and $ to match whole lines, which is also faster to reject.
// - Groups that did not take part in the match are not emitted; a group that
//   matched empty text is emitted as "". A name may repeat across
//   alternatives, `(?P<ts>\d+)|(?P<ts>\w+ \d+)`: the first of them that
//   took part is emitted.
// - Values are strings borrowed from the line, never marked as numbers:
//   what a capture holds is the pattern author's business, and typing is
//   left to the mapping downstream.
// - Named groups are written `(?P<name>...)`; the RE2 this builds against
//   may not know the `(?<name>...)` spelling.
// - Unlike the other parsers this one allocates on the hot path: RE2's
//   capturing engines take a few small scratch arrays from the heap for every
//   line that matches (lines that do not match are decided without them), and
//   RE2 offers no way to hand it reusable scratch.
class RegexParser final : public LineParser {
 public:
  // Capture groups, named or not, that one pattern may hold: submatches
  // live on the stack while a line is parsed.
  static constexpr int kMaxGroups = 64;

  // nullptr and a message in `error` when RE2 rejects the pattern, when it
  // has no named group, too many groups, or a name that maps to an empty
  // path segment ("__x", "a____b").
  static std::unique_ptr<RegexParser> compile(std::string_view pattern, std::string& error);

  ~RegexParser() override;

  bool parse(std::string_view line, ParsedLine& out) const override;

 private:
  struct Group {
    int index;
    std::string key;
    std::vector<int> same_key_before;  // indexes of earlier groups with this key
  };

  RegexParser() = default;

  std::unique_ptr<re2::RE2> re_;
  std::vector<Group> groups_;  // by index
  int submatches_ = 0;         // highest named group index + 1
};

}  // namespace sluice
