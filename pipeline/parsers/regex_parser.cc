#include "pipeline/parsers/regex_parser.h"

#include <re2/re2.h>

#include <algorithm>
#include <array>
#include <optional>

namespace sluice {
namespace {

std::optional<std::string> keyForGroup(std::string_view name) {
  std::string key;
  key.reserve(name.size());
  for (size_t i = 0; i < name.size(); ++i) {
    if (name[i] == '_' && i + 1 < name.size() && name[i + 1] == '_') {
      key.push_back('.');
      ++i;
    } else {
      key.push_back(name[i]);
    }
  }
  if (key.empty() || key.front() == '.' || key.back() == '.' ||
      key.find("..") != std::string::npos) {
    return std::nullopt;
  }
  return key;
}

}  // namespace

RegexParser::~RegexParser() = default;

std::unique_ptr<RegexParser> RegexParser::compile(std::string_view pattern, std::string& error) {
  if (pattern.empty()) {
    error = "regex pattern is empty";
    return nullptr;
  }
  RE2::Options options;
  // Errors are reported through `error`; RE2 would also print them to stderr.
  options.set_log_errors(false);
  auto re = std::make_unique<RE2>(re2::StringPiece(pattern.data(), pattern.size()), options);
  if (!re->ok()) {
    error = "regex pattern: " + re->error();
    if (pattern.find("(?<") != std::string_view::npos) {
      error += " (write named groups as (?P<name>...))";
    }
    return nullptr;
  }
  if (re->NumberOfCapturingGroups() > kMaxGroups) {
    error = "regex pattern has " + std::to_string(re->NumberOfCapturingGroups()) +
            " capture groups, at most " + std::to_string(kMaxGroups) +
            " are allowed; write groups you do not name as (?:...)";
    return nullptr;
  }
  std::unique_ptr<RegexParser> parser(new RegexParser());
  // By index, and with every group of a name that repeats.
  for (const auto& [index, name] : re->CapturingGroupNames()) {
    std::optional<std::string> key = keyForGroup(name);
    if (!key) {
      error = "regex group name '" + name +
              "': '__' stands for a dot, and the name must not start, end or hold an empty "
              "segment";
      return nullptr;
    }
    Group group{index, std::move(*key), {}};
    for (const Group& earlier : parser->groups_) {
      if (earlier.key == group.key) group.same_key_before.push_back(earlier.index);
    }
    parser->groups_.push_back(std::move(group));
    parser->submatches_ = std::max(parser->submatches_, index + 1);
  }
  if (parser->groups_.empty()) {
    error = "regex pattern has no named group (?P<name>...), so it would produce no field";
    return nullptr;
  }
  parser->re_ = std::move(re);
  return parser;
}

bool RegexParser::parse(std::string_view line, ParsedLine& out) const {
  // A null text would make groups that matched empty look unmatched.
  if (line.data() == nullptr) line = std::string_view("", 0);
  const re2::StringPiece text(line.data(), line.size());
  // Asking for no submatches lets RE2 answer with its DFA alone, several
  // times faster than the capturing engines it runs on short lines; most
  // calls are on lines of other formats during auto-detection.
  if (!re_->Match(text, 0, line.size(), RE2::UNANCHORED, nullptr, 0)) return false;
  std::array<re2::StringPiece, kMaxGroups + 1> submatches;
  if (!re_->Match(text, 0, line.size(), RE2::UNANCHORED, submatches.data(), submatches_)) {
    return false;
  }
  for (const Group& group : groups_) {
    const re2::StringPiece& s = submatches[group.index];
    if (s.data() == nullptr) continue;  // an optional group that did not take part
    if (std::any_of(group.same_key_before.begin(), group.same_key_before.end(),
                    [&](int earlier) { return submatches[earlier].data() != nullptr; })) {
      continue;
    }
    out.add(group.key, std::string_view(s.data(), s.size()));
  }
  return true;
}

}  // namespace sluice
