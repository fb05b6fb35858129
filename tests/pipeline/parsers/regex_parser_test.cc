#include "pipeline/parsers/regex_parser.h"

#include <gtest/gtest.h>

#include <random>
#include <string>
#include <string_view>
#include <vector>

#include "tests/pipeline/parsers/parser_test_support.h"

namespace sluice::parser_test {
namespace {

using Case = PatternCase;
using Mismatch = PatternMismatch;

class RegexParses : public testing::TestWithParam<Case> {};

TEST_P(RegexParses, EmitsNamedGroupsAfterExistingFields) {
  const Case& c = GetParam();
  auto parser = mustCompile<RegexParser>(c.pattern);
  ASSERT_NE(parser, nullptr);
  ExactBuffer line(c.line);
  ParsedLine out;
  expectAppends(*parser, line.view(), c.fields, out);
  for (size_t i = 1; i < out.fields.size(); ++i) {
    EXPECT_TRUE(borrowedFrom(line.view(), out.fields[i].value))
        << "values are borrowed from the line";
  }
}

INSTANTIATE_TEST_SUITE_P(
    Samples, RegexParses,
    testing::Values(
        Case{"double underscore stands for a dot",
             R"(^(?P<timestamp>\S+) (?P<log__level>[A-Z]+) (?P<msg>.*)$)",
             "2024-01-15T10:30:00Z INFO Server started on port 8080",
             {S("timestamp", "2024-01-15T10:30:00Z"), S("log.level", "INFO"),
              S("msg", "Server started on port 8080")}},
        Case{"numbers stay strings",
             R"(status=(?P<http__response__status_code>\d{3}))",
             "GET /x status=200 took 3ms",
             {S("http.response.status_code", "200")}},
        Case{"unmatched optional group is not emitted",
             R"(^(?P<a>\w+)(?: (?P<b>\d+))?$)",
             "foo",
             {S("a", "foo")}},
        Case{"matched optional group",
             R"(^(?P<a>\w+)(?: (?P<b>\d+))?$)",
             "foo 42",
             {S("a", "foo"), S("b", "42")}},
        Case{"empty match is emitted", R"(^(?P<a>x*)y)", "y", {S("a", "")}},
        Case{"unnamed groups are not emitted",
             R"(^(\w+) (?P<b>\w+) (\w+) (?P<d>\w+)$)",
             "one two three four",
             {S("b", "two"), S("d", "four")}},
        Case{"named groups in pattern order",
             R"((?P<z>\d+)-(?P<a>\d+))",
             "id 12-34",
             {S("z", "12"), S("a", "34")}},
        Case{"single underscores stay",
             R"((?P<user_id>\d+) (?P<_x>\w))",
             "7 q",
             {S("user_id", "7"), S("_x", "q")}},
        Case{"three underscores", R"((?P<a___b>\w+))", "v", {S("a._b", "v")}},
        Case{
            "postgres log",
            R"(^(?P<timestamp>\S+ \S+ \S+) \[(?P<process__pid>\d+)\] (?P<log__level>[A-Z]+):  (?P<message>.*)$)",
            "2024-01-15 10:30:00.123 UTC [1234] ERROR:  relation \"users\" does not exist",
            {S("timestamp", "2024-01-15 10:30:00.123 UTC"), S("process.pid", "1234"),
             S("log.level", "ERROR"), S("message", "relation \"users\" does not exist")}},
        Case{"repeated name: first alternative",
             R"(^(?P<ts>\d+) (?P<msg>.*)|^(?P<ts>[A-Z][a-z]{2} \d+) (?P<msg>.*))",
             "1700000000 started",
             {S("ts", "1700000000"), S("msg", "started")}},
        Case{"repeated name: second alternative",
             R"(^(?P<ts>\d+) (?P<msg>.*)|^(?P<ts>[A-Z][a-z]{2} \d+) (?P<msg>.*))",
             "Jan 15 started",
             {S("ts", "Jan 15"), S("msg", "started")}},
        Case{"repeated name: both take part", R"((?P<x>a)(?P<x>b))", "ab", {S("x", "a")}},
        Case{"utf-8", R"(user=(?P<user>\pL+))", "login user=zoë ok", {S("user", "zoë")}}));

class RegexRejectsPattern : public testing::TestWithParam<BadPattern> {};

TEST_P(RegexRejectsPattern, WithAMessage) { expectBadPattern<RegexParser>(GetParam()); }

std::string tooManyGroups() {
  std::string pattern = "(?P<a>x)";
  for (int i = 0; i < RegexParser::kMaxGroups; ++i) pattern += "(y)";
  return pattern;
}

INSTANTIATE_TEST_SUITE_P(
    Invalid, RegexRejectsPattern,
    testing::Values(BadPattern{"", "empty"}, BadPattern{"(", "missing )"},
                    BadPattern{"[a-", "missing ]"}, BadPattern{"no groups", "no named group"},
                    BadPattern{"(unnamed)", "no named group"}, BadPattern{"(?P<__x>a)", "'__x'"},
                    BadPattern{"(?P<x__>a)", "'x__'"}, BadPattern{"(?P<a____b>a)", "'a____b'"},
                    BadPattern{"(?<=a)(?P<x>b)", "regex pattern"},
                    BadPattern{tooManyGroups(), "65 capture groups"}));

TEST(RegexParser, AngleBracketNamesWorkOrGetAHint) {
  std::string error;
  auto parser = RegexParser::compile("(?<level>[A-Z]+)", error);
  if (parser == nullptr) {
    EXPECT_NE(error.find("(?P<name>...)"), std::string::npos) << error;
  } else {
    ParsedLine out;
    ASSERT_TRUE(parser->parse("x WARN y", out));
    EXPECT_EQ(fieldsOf(out), Fields{S("level", "WARN")});
  }
}

class RegexRejectsLine : public testing::TestWithParam<Mismatch> {};

TEST_P(RegexRejectsLine, LeavesFieldsAsTheyWere) { expectMismatch<RegexParser>(GetParam()); }

INSTANTIATE_TEST_SUITE_P(
    Mismatches, RegexRejectsLine,
    testing::Values(Mismatch{R"(^(?P<a>.+)$)", ""}, Mismatch{R"(^(?P<a>\S+)$)", "   "},
                    Mismatch{R"(^(?P<level>[A-Z]+) )", "lower case"},
                    Mismatch{R"(^(?P<ts>\d{4}-\d\d-\d\d) )", R"({"ts":"2024-01-15"})"},
                    Mismatch{R"(^(?P<a>[a-z]+)$)", std::string("ab\0cd", 5)},
                    Mismatch{R"(^(?P<a>[a-z]+)$)", "\xff\xfe"}));

TEST(RegexParser, LongLines) {
  auto parser = mustCompile<RegexParser>(R"(^(?P<a>x+) (?P<b>y+)$)");
  ASSERT_NE(parser, nullptr);
  const std::string xs(1'000'000, 'x');
  const std::string line = xs + " yy";
  ParsedLine out;
  ASSERT_TRUE(parser->parse(line, out));
  EXPECT_EQ(fieldsOf(out), (Fields{S("a", xs), S("b", "yy")}));
  out.reset();
  EXPECT_FALSE(parser->parse(xs, out));
  EXPECT_TRUE(out.fields.empty());
}

TEST(RegexParser, SurvivesRandomInput) {
  auto parser =
      mustCompile<RegexParser>(R"((?P<a>[a-z]*)(?:=(?P<b>"[^"]*"|\S+))?\s*(?P<rest>.*)$)");
  ASSERT_NE(parser, nullptr);
  const std::vector<std::string_view> pieces = {
      "a", "=", "\"", " ", "\xff", "\xc3\xa9", std::string_view("\0", 1), "zz", "\t"};
  std::mt19937 rng(20240115);
  size_t accepted = 0;
  for (int round = 0; round < 10'000; ++round) {
    accepted += tryParse(*parser, randomJoin(rng, pieces, 24));
  }
  EXPECT_GT(accepted, 0u);
}

}  // namespace
}  // namespace sluice::parser_test
