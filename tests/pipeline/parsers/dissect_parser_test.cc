#include "pipeline/parsers/dissect_parser.h"

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

class DissectParses : public testing::TestWithParam<Case> {};

TEST_P(DissectParses, EmitsFieldsAfterExistingOnes) {
  const Case& c = GetParam();
  auto parser = mustCompile<DissectParser>(c.pattern);
  ASSERT_NE(parser, nullptr);
  expectAppends(*parser, c.line, c.fields);
}

INSTANTIATE_TEST_SUITE_P(
    Samples, DissectParses,
    testing::Values(
        Case{
            "elasticsearch documentation example",
            R"(%{clientip} %{ident} %{auth} [%{@timestamp}] "%{verb} %{request} HTTP/%{httpversion}" %{status} %{size})",
            R"(1.2.3.4 - - [30/Apr/1998:22:00:52 +0000] "GET /english/venues/cities/images/montpellier/18.gif HTTP/1.0" 200 3171)",
            {S("clientip", "1.2.3.4"), S("ident", "-"), S("auth", "-"),
             S("@timestamp", "30/Apr/1998:22:00:52 +0000"), S("verb", "GET"),
             S("request", "/english/venues/cities/images/montpellier/18.gif"),
             S("httpversion", "1.0"), S("status", "200"), S("size", "3171")}},
        Case{"skips", "%{a} %{} %{?b} %{c}", "foo bar baz qux", {S("a", "foo"), S("c", "qux")}},
        Case{"append joins with a space",
             "%{ts} %{+ts} %{+ts} %{host} %{msg}",
             "Jan 15 10:30:00 myhost sshd[42]: Accepted publickey",
             {S("ts", "Jan 15 10:30:00"), S("host", "myhost"),
              S("msg", "sshd[42]: Accepted publickey")}},
        Case{"append order", "%{a} %{+a/2} %{+a/1}", "foo bar baz", {S("a", "foo baz bar")}},
        Case{"append without a base", "%{+a} %{b} %{+a}", "x y z", {S("a", "x z"), S("b", "y")}},
        Case{"right padding",
             "%{a->} %{b} %{c}",
             "foo         bar baz",
             {S("a", "foo"), S("b", "bar"), S("c", "baz")}},
        Case{"no padding skip gives empty values",
             "%{a} %{b} %{c}",
             "foo   bar baz",
             {S("a", "foo"), S("b", ""), S("c", " bar baz")}},
        Case{"logback with padding",
             "%{@timestamp} %{+@timestamp} [%{process.thread.name}] %{log.level->} %{log.logger} - "
             "%{log.message}",
             "2016-09-28 04:30:30,123 [main] INFO  com.example.Foo - Connection refused - retry",
             {S("@timestamp", "2016-09-28 04:30:30,123"), S("process.thread.name", "main"),
              S("log.level", "INFO"), S("log.logger", "com.example.Foo"),
              S("log.message", "Connection refused - retry")}},
        Case{"padding skips repeats of the whole literal",
             "%{a->} [%{b}]",
             "x [ [ [y]",
             {S("a", "x"), S("b", "y")}},
        Case{"blanks are text like any other",
             "%{a} %{b} %{c}",
             "   ",
             {S("a", ""), S("b", ""), S("c", " ")}},
        Case{"key and value from the line",
             "%{*a} %{b} %{&a}",
             "foo bar baz",
             {S("foo", "baz"), S("b", "bar")}},
        Case{"leading literal",
             "[%{ts}] %{level} %{msg}",
             "[2024-01-15] INFO hi there",
             {S("ts", "2024-01-15"), S("level", "INFO"), S("msg", "hi there")}},
        Case{"trailing literal ends the last field",
             "%{a} (%{b})",
             "x (y) trailing",
             {S("a", "x"), S("b", "y")}},
        Case{"last field empty", "%{a} %{b}", "x ", {S("a", "x"), S("b", "")}},
        Case{"one field takes the whole line",
             "%{message}",
             "anything at all",
             {S("message", "anything at all")}},
        Case{"multi-byte literal",
             "%{a} || %{b}",
             "left | side || right || more",
             {S("a", "left | side"), S("b", "right || more")}},
        Case{"utf-8 literal", "%{a} → %{b}", "von → nach", {S("a", "von"), S("b", "nach")}},
        Case{"literal holding braces and percent",
             "%{a} {%} %{b}",
             "x {%} y",
             {S("a", "x"), S("b", "y")}},
        Case{"padding on the last field is harmless",
             "%{a} %{b->}",
             "x y  ",
             {S("a", "x"), S("b", "y  ")}}));

class DissectRejectsPattern : public testing::TestWithParam<BadPattern> {};

TEST_P(DissectRejectsPattern, WithAMessage) { expectBadPattern<DissectParser>(GetParam()); }

std::string tooManyFields() {
  std::string pattern;
  for (size_t i = 0; i <= DissectParser::kMaxFields; ++i)
    pattern += "%{f" + std::to_string(i) + "} ";
  return pattern;
}

INSTANTIATE_TEST_SUITE_P(
    Invalid, DissectRejectsPattern,
    testing::Values(
        BadPattern{"", "empty"}, BadPattern{"no fields here", "no %{...} field"},
        BadPattern{"%{a", "not closed"}, BadPattern{"%{a} %{b", "not closed"},
        BadPattern{"%{a %{b}", "not closed"}, BadPattern{"%{a}%{b}", "need a literal between them"},
        BadPattern{"x %{a} %{b}%{c} y", "need a literal between them"},
        BadPattern{"%{} %{?b}", "keeps no field"}, BadPattern{"%{*k} %{v}", "must come in pairs"},
        BadPattern{"%{&k} %{v}", "must come in pairs"},
        BadPattern{"%{*k} %{*k} %{&k}", "appears twice"}, BadPattern{"%{a} %{a}", "appears twice"},
        BadPattern{"%{a} %{+a/x}", "must be a number"}, BadPattern{"%{a} %{+}", "needs a name"},
        BadPattern{"%{a} %{*}", "needs a name"},
        BadPattern{tooManyFields(), "more than 64 fields"}));

class DissectRejectsLine : public testing::TestWithParam<Mismatch> {};

TEST_P(DissectRejectsLine, LeavesFieldsAsTheyWere) { expectMismatch<DissectParser>(GetParam()); }

INSTANTIATE_TEST_SUITE_P(Mismatches, DissectRejectsLine,
                         testing::Values(Mismatch{"%{a} %{b}", ""}, Mismatch{"%{msg}", ""},
                                         Mismatch{"%{a} %{b}", "nospace"},
                                         Mismatch{"[%{ts}] %{msg}", "2024-01-15 no bracket"},
                                         Mismatch{"[%{ts}] %{msg}", "[2024-01-15 unterminated"},
                                         Mismatch{"%{a} (%{b})", "x (y"},
                                         Mismatch{"%{a},%{b}:%{c}", "foo,bar,baz"},
                                         Mismatch{"%{a} %{b} %{c}", "one two"},
                                         Mismatch{"%{a} - %{b}", R"({"level":"info","msg":"x"})"},
                                         Mismatch{"%{a} - %{b}", "\xff\xfe\x00\x01"}));

TEST(DissectParser, LongLines) {
  auto parser = mustCompile<DissectParser>("%{a} %{b}");
  ASSERT_NE(parser, nullptr);
  const std::string big(1'000'000, 'x');
  ParsedLine out;
  EXPECT_FALSE(parser->parse(big, out));
  const std::string line = big + " " + big;
  ASSERT_TRUE(parser->parse(line, out));
  EXPECT_EQ(fieldsOf(out), (Fields{S("a", big), S("b", big)}));
}

TEST(DissectParser, ValuesAreBorrowedUnlessJoined) {
  auto parser = mustCompile<DissectParser>("%{a} %{b} %{+b}");
  ASSERT_NE(parser, nullptr);
  const std::string line = "one two three";
  ParsedLine out;
  ASSERT_TRUE(parser->parse(line, out));
  ASSERT_EQ(fieldsOf(out), (Fields{S("a", "one"), S("b", "two three")}));
  EXPECT_EQ(out.fields[0].value.data(), line.data());
  EXPECT_TRUE(out.fields[1].value.data() < line.data() ||
              out.fields[1].value.data() >= line.data() + line.size());
}

TEST(DissectParser, SurvivesTruncatedAndRandomInput) {
  const std::vector<std::string> patterns = {
      R"(%{clientip} %{ident} %{auth} [%{@timestamp}] "%{verb} %{request} HTTP/%{httpversion}" %{status} %{size})",
      "%{ts} %{+ts/2} %{+ts/1} %{*k}=%{&k} %{?skip} %{rest->} - %{msg}", "[%{a->}] ||%{b}||"};
  const std::vector<std::string> samples = {
      R"(1.2.3.4 - - [30/Apr/1998:22:00:52 +0000] "GET /x HTTP/1.0" 200 3171)",
      "a b c key=value skip rest    - - message",
      "[x]]]] ||y||",
  };
  const std::vector<std::string_view> pieces = {" ",
                                                "[",
                                                "]",
                                                "\"",
                                                "-",
                                                "||",
                                                "=",
                                                "x",
                                                "1",
                                                "  ",
                                                "HTTP/",
                                                "\xff",
                                                std::string_view("\0", 1)};
  size_t accepted = 0;
  std::mt19937 rng(20240115);
  for (const std::string& pattern : patterns) {
    auto parser = mustCompile<DissectParser>(pattern);
    ASSERT_NE(parser, nullptr);
    for (const std::string& s : samples) accepted += tryEveryCut(*parser, s);
    for (int round = 0; round < 10'000; ++round) {
      accepted += tryParse(*parser, randomJoin(rng, pieces, 24));
    }
  }
  // Patterns made of random pieces either compile or explain why not.
  const std::vector<std::string_view> pattern_pieces = {"%{", "}",  "a",  "+", "?", "*",
                                                        "&",  "/1", "->", " ", "%", "{"};
  for (int round = 0; round < 10'000; ++round) {
    const std::string pattern = randomJoin(rng, pattern_pieces, 12);
    std::string error;
    auto parser = DissectParser::compile(pattern, error);
    ASSERT_EQ(parser == nullptr, !error.empty()) << pattern;
    if (parser) tryParse(*parser, samples[round % samples.size()]);
  }
  EXPECT_GT(accepted, 0u);
}

}  // namespace
}  // namespace sluice::parser_test
