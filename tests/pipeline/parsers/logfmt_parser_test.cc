#include "pipeline/parsers/logfmt_parser.h"

#include <gtest/gtest.h>

#include <random>
#include <string>
#include <string_view>
#include <vector>

#include "tests/pipeline/parsers/parser_test_support.h"

namespace sluice::parser_test {
namespace {

using Case = LineCase;
using Bad = BadLine;

class LogfmtParses : public testing::TestWithParam<Case> {};

TEST_P(LogfmtParses, EmitsFieldsAfterExistingOnes) {
  expectAppends(LogfmtParser(), GetParam().line, GetParam().fields);
}

INSTANTIATE_TEST_SUITE_P(
    Samples, LogfmtParses,
    testing::Values(
        Case{"logrus text formatter",
             R"(time="2024-01-15T10:30:00Z" level=info msg="started" port=8080)",
             {S("time", "2024-01-15T10:30:00Z"), S("level", "info"), S("msg", "started"),
              N("port", "8080")}},
        Case{
            "go-kit log",
            R"(ts=2024-01-15T10:30:00.123Z caller=main.go:42 level=info msg="listening" addr=:8080)",
            {S("ts", "2024-01-15T10:30:00.123Z"), S("caller", "main.go:42"), S("level", "info"),
             S("msg", "listening"), S("addr", ":8080")}},
        Case{
            "heroku router",
            R"(at=info method=GET path="/" host=myapp.herokuapp.com fwd="204.204.204.204" dyno=web.1 connect=1ms service=18ms status=200 bytes=13 protocol=https)",
            {S("at", "info"), S("method", "GET"), S("path", "/"), S("host", "myapp.herokuapp.com"),
             S("fwd", "204.204.204.204"), S("dyno", "web.1"), S("connect", "1ms"),
             S("service", "18ms"), N("status", "200"), N("bytes", "13"), S("protocol", "https")}},
        Case{"escapes",
             R"(level=error msg="say \"hi\" \\ a\nb\tc\rd \q \u00e9")",
             {S("level", "error"), S("msg", "say \"hi\" \\ a\nb\tc\rd \\q \\u00e9")}},
        Case{"empty values",
             R"(level=info key3= next="" last=1)",
             {S("level", "info"), S("key3", ""), S("next", ""), N("last", "1")}},
        Case{"flags after the first pair",
             "level=debug verbose msg=x dry-run",
             {S("level", "debug"), S("verbose", "true"), S("msg", "x"), S("dry-run", "true")}},
        Case{"json numbers only",
             "a=1 b=-2.5 c=1e3 d=0123 e=+1 f=1. g=0x10 h=\"42\" i=-0 j=3.0E-2 k=- l=1e m=.5",
             {N("a", "1"), N("b", "-2.5"), N("c", "1e3"), S("d", "0123"), S("e", "+1"),
              S("f", "1."), S("g", "0x10"), S("h", "42"), N("i", "-0"), N("j", "3.0E-2"),
              S("k", "-"), S("l", "1e"), S("m", ".5")}},
        Case{"one well-known key: msg", "msg=hello", {S("msg", "hello")}},
        Case{"one well-known key: lvl", "lvl=warn", {S("lvl", "warn")}},
        Case{"two ordinary pairs", "a=b c=d", {S("a", "b"), S("c", "d")}},
        Case{"blanks around and between pairs",
             " \tlevel=info\tmsg=x  \r",
             {S("level", "info"), S("msg", "x")}},
        Case{"bare values may hold '='",
             "level=info url=/search?q=a&b=c",
             {S("level", "info"), S("url", "/search?q=a&b=c")}},
        Case{"utf-8", R"(msg="héllo wörld" user=zoë)", {S("msg", "héllo wörld"), S("user", "zoë")}},
        Case{"duplicate keys kept in order",
             "level=info level=warn",
             {S("level", "info"), S("level", "warn")}},
        Case{"dotted and odd keys",
             "service.name=api http.status_code=503 @t=1",
             {S("service.name", "api"), N("http.status_code", "503"), N("@t", "1")}}));

class LogfmtRejects : public testing::TestWithParam<Bad> {};

TEST_P(LogfmtRejects, LeavesFieldsAsTheyWere) { expectRefused(LogfmtParser(), GetParam().line); }

INSTANTIATE_TEST_SUITE_P(
    Malformed, LogfmtRejects,
    testing::Values(
        Bad{"empty", ""}, Bad{"spaces", "   "}, Bad{"tab", "\t"},
        Bad{"prose before a pair", "Hello world a=b"}, Bad{"one ordinary pair", "a=b"},
        Bad{"one pair and prose", "a=b and some words"}, Bad{"pair without a key", "=value"},
        Bad{"pair without a key later", "level=info msg=x =value"},
        Bad{"unterminated quote", R"(level=info msg="unterminated)"},
        Bad{"escaped closing quote", R"(level=info msg="ends with \")"},
        Bad{"backslash at the end", "level=info msg=\"x\\"},
        Bad{"text glued to a closing quote", R"(msg="x"y level=info)"},
        Bad{"quote inside a key", R"(ke"y=1 level=info)"},
        Bad{"json", R"({"level":"info","msg":"x"})"},
        Bad{"access log",
            R"(127.0.0.1 - - [10/Oct/2000:13:55:36 -0700] "GET /a.gif HTTP/1.0" 200 2326)"},
        Bad{"timestamp prefix", "2024-01-15 10:30:00 level=info msg=x"},
        Bad{"leveled text", "2024-01-15T10:30:00Z INFO Server started"},
        Bad{"binary", "\xff\xfe\xfd"}, Bad{"only a quote", "\""}, Bad{"only '='", "="}));

TEST(LogfmtParser, LongLines) {
  const std::string big(100'000, 'x');
  ParsedLine out;
  const std::string quoted = "msg=\"" + big + "\" level=info";
  ASSERT_TRUE(LogfmtParser().parse(quoted, out));
  EXPECT_EQ(fieldsOf(out), (Fields{S("msg", big), S("level", "info")}));

  std::string many;
  for (int i = 0; i < 10'000; ++i) many += "k" + std::to_string(i) + "=" + std::to_string(i) + " ";
  out.reset();
  ASSERT_TRUE(LogfmtParser().parse(many, out));
  ASSERT_EQ(out.fields.size(), 10'000u);
  EXPECT_EQ(fieldsOf(out)[9'999], N("k9999", "9999"));

  std::string prose;
  for (int i = 0; i < 20'000; ++i) prose += "word ";
  out.reset();
  EXPECT_FALSE(LogfmtParser().parse(prose + "a=b c=d", out));
}

TEST(LogfmtParser, UnescapedValuesSurviveLaterLinesUntilReset) {
  ParsedLine out;
  LogfmtParser parser;
  ASSERT_TRUE(parser.parse(R"(msg="a\"b" level=info)", out));
  ASSERT_TRUE(parser.parse(R"(msg="c\\d" level=warn)", out));
  EXPECT_EQ(fieldsOf(out),
            (Fields{S("msg", "a\"b"), S("level", "info"), S("msg", "c\\d"), S("level", "warn")}));
}

TEST(LogfmtParser, BareValuesAreBorrowedFromTheLine) {
  const std::string line = "level=info msg=x";
  ParsedLine out;
  ASSERT_TRUE(LogfmtParser().parse(line, out));
  for (const ParsedField& f : out.fields) EXPECT_TRUE(borrowedFrom(line, f.value)) << f.key;
}

TEST(LogfmtParser, SurvivesTruncatedAndRandomInput) {
  const std::vector<std::string> samples = {
      R"(time="2024-01-15T10:30:00Z" level=info msg="started \"x\" \\" port=8080)",
      R"(at=info method=GET path="/" status=200 bytes=13 flag)", "a=1 b=-2.5e+3 c= d=\"\" =e"};
  const std::vector<std::string_view> pieces = {
      "=",     "\"", "\\",     " ",    "\t",  "a",
      "level", "1",  "-1.5e3", "\\\"", "msg", std::string_view("\0", 1),
      "\xff",  "\n"};
  LogfmtParser parser;
  size_t accepted = 0;
  for (const std::string& s : samples) accepted += tryEveryCut(parser, s);
  std::mt19937 rng(20240115);
  for (int round = 0; round < 20'000; ++round) {
    accepted += tryParse(parser, randomJoin(rng, pieces, 24));
    accepted += tryParse(parser, withRandomByte(rng, samples[round % samples.size()]));
  }
  EXPECT_GT(accepted, 0u);
}

}  // namespace
}  // namespace sluice::parser_test
