#include "pipeline/json_escape.h"

#include <gtest/gtest.h>
#include <simdjson.h>

#include <string>
#include <string_view>

namespace sluice {
namespace {

// Parses `json` as one JSON string and returns its value, or fails the test.
std::string decodeJsonString(const std::string& json) {
  simdjson::dom::parser parser;
  simdjson::padded_string padded(json);
  std::string_view value;
  auto error = parser.parse(padded).get_string().get(value);
  EXPECT_EQ(error, simdjson::SUCCESS) << "not a valid JSON string: " << json;
  if (error) return "<invalid>";
  return std::string(value);
}

struct EscapeCase {
  std::string_view name;
  std::string input;
  std::string expected_escaped;  // the inside of the literal, exactly
};

class JsonEscapeValidTest : public testing::TestWithParam<EscapeCase> {};

TEST_P(JsonEscapeValidTest, EscapesExactlyAndRoundTrips) {
  const EscapeCase& c = GetParam();
  std::string out = "x";
  EXPECT_TRUE(appendJsonEscaped(out, c.input));
  EXPECT_EQ(out, "x" + c.expected_escaped);

  std::string literal;
  EXPECT_TRUE(appendJsonString(literal, c.input));
  EXPECT_EQ(literal, "\"" + c.expected_escaped + "\"");
  EXPECT_EQ(decodeJsonString(literal), c.input);
}

INSTANTIATE_TEST_SUITE_P(
    Cases, JsonEscapeValidTest,
    testing::Values(
        EscapeCase{"Empty", "", ""},
        EscapeCase{"Plain", "GET /api/v1/users 200", "GET /api/v1/users 200"},
        EscapeCase{"Quotes", R"(user said "hi")", R"(user said \"hi\")"},
        EscapeCase{"Backslashes", R"(C:\Windows\System32)", R"(C:\\Windows\\System32)"},
        EscapeCase{"CommonControls", "a\nb\rc\td\be\ff", R"(a\nb\rc\td\be\ff)"},
        EscapeCase{"OtherControls", std::string("\x00\x01\x1f\x0b", 4),
                   R"(\u0000\u0001\u001f\u000b)"},
        EscapeCase{"DelIsNotEscaped",
                   "a\x7f"
                   "b",
                   "a\x7f"
                   "b"},
        EscapeCase{"JavaStackTrace",
                   "java.lang.NullPointerException\n\tat com.acme.Api.handle(Api.java:42)",
                   R"(java.lang.NullPointerException\n\tat com.acme.Api.handle(Api.java:42))"},
        EscapeCase{"SlashKept", "</script>", "</script>"},
        EscapeCase{"TwoByte", "café résumé", "café résumé"},
        EscapeCase{"ThreeByte", "日本語のログ €", "日本語のログ €"},
        EscapeCase{"FourByte", "deploy 🚀 done 𝄞", "deploy 🚀 done 𝄞"},
        EscapeCase{"Boundaries",
                   "\xC2\x80 \xDF\xBF \xE0\xA0\x80 \xED\x9F\xBF \xEE\x80\x80 \xEF\xBF\xBF "
                   "\xF0\x90\x80\x80 \xF4\x8F\xBF\xBF",
                   "\xC2\x80 \xDF\xBF \xE0\xA0\x80 \xED\x9F\xBF \xEE\x80\x80 \xEF\xBF\xBF "
                   "\xF0\x90\x80\x80 \xF4\x8F\xBF\xBF"},
        EscapeCase{"MixedUtf8AndControls", "é\t\"ü\"\n", "é\\t\\\"ü\\\"\\n"},
        EscapeCase{"ReplacementCharItself", "\xEF\xBF\xBD", "\xEF\xBF\xBD"}),
    [](const testing::TestParamInfo<EscapeCase>& p) { return std::string(p.param.name); });

struct InvalidCase {
  std::string_view name;
  std::string input;
  std::string expected_decoded;  // after replacement with U+FFFD
};

class JsonEscapeInvalidTest : public testing::TestWithParam<InvalidCase> {};

constexpr std::string_view kFffd = "\xEF\xBF\xBD";

TEST_P(JsonEscapeInvalidTest, ReplacesWithFffdAndReportsIt) {
  const InvalidCase& c = GetParam();
  std::string literal;
  EXPECT_FALSE(appendJsonString(literal, c.input));
  EXPECT_TRUE(simdjson::validate_utf8(literal.data(), literal.size())) << literal;
  std::string decoded = decodeJsonString(literal);
  EXPECT_NE(decoded.find(kFffd), std::string::npos);
  EXPECT_EQ(decoded, c.expected_decoded);
}

std::string r(int n) {
  std::string s;
  for (int i = 0; i < n; ++i) s += kFffd;
  return s;
}

INSTANTIATE_TEST_SUITE_P(
    Cases, JsonEscapeInvalidTest,
    testing::Values(InvalidCase{"LoneContinuation",
                                "a\x80"
                                "b",
                                "a" + r(1) + "b"},
                    InvalidCase{"LoneContinuationAtStart", "\xBF", r(1)},
                    InvalidCase{"Latin1Byte", "caf\xE9 au lait", "caf" + r(1) + " au lait"},
                    InvalidCase{"OverlongSlashC0", "\xC0\xAF", r(2)},
                    InvalidCase{"OverlongC1", "x\xC1\xBFy", "x" + r(2) + "y"},
                    InvalidCase{"OverlongThreeByte", "\xE0\x80\xAF", r(3)},
                    InvalidCase{"OverlongFourByte", "\xF0\x80\x80\xAF", r(4)},
                    InvalidCase{"SurrogateHigh", "\xED\xA0\x80", r(3)},
                    InvalidCase{"SurrogateLow", "\xED\xBF\xBF", r(3)},
                    InvalidCase{"AboveMaxCodePoint", "\xF4\x90\x80\x80", r(4)},
                    InvalidCase{"F5Lead", "\xF5\x80\x80\x80", r(4)},
                    InvalidCase{"FFByte", "\xFF", r(1)},
                    InvalidCase{"TruncatedTwoByteAtEnd", "ok\xC3", "ok" + r(1)},
                    InvalidCase{"TruncatedThreeByteAtEnd", "ok\xE2\x82", "ok" + r(2)},
                    InvalidCase{"TruncatedFourByteAtEnd", "ok\xF0\x9F\x9A", "ok" + r(3)},
                    InvalidCase{"TruncatedInTheMiddle", "\xE2\x82z", r(2) + "z"},
                    // Valid sequences around an invalid byte are kept; escapes still apply.
                    InvalidCase{"ValidAroundInvalid", "é\xFF\"€\n", "é" + r(1) + "\"€\n"},
                    InvalidCase{"ValidBeforeInvalidLater", "日本\tok \x80", "日本\tok " + r(1)},
                    InvalidCase{"BinaryGarbage", std::string("\x00\xFE\x01\xFF", 4),
                                std::string("\x00", 1) + r(1) + "\x01" + r(1)}),
    [](const testing::TestParamInfo<InvalidCase>& p) { return std::string(p.param.name); });

TEST(JsonEscape, AppendsWithoutTouchingExistingOutput) {
  std::string out = R"({"k":)";
  appendJsonString(out, "v\"");
  out += '}';
  EXPECT_EQ(out, R"({"k":"v\""})");
}

TEST(JsonEscape, LongMixedInputIsAlwaysValidJson) {
  // Every byte value, several times, in a long string: the output must parse.
  std::string input;
  for (int round = 0; round < 4; ++round) {
    for (int b = 0; b < 256; ++b) input += static_cast<char>(b);
    input += "plain ascii text é 🚀 ";
  }
  std::string literal;
  EXPECT_FALSE(appendJsonString(literal, input));
  std::string decoded = decodeJsonString(literal);
  EXPECT_NE(decoded.find("plain ascii text é 🚀 "), std::string::npos);
}

}  // namespace
}  // namespace sluice
