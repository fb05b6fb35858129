#include "pipeline/trace_context.h"

#include <gtest/gtest.h>

#include <string>
#include <utility>
#include <vector>

namespace sluice {
namespace {

TEST(TraceIdShape, TellsW3cHexFromOtherIds) {
  EXPECT_EQ(traceIdShape("4bf92f3577b34da6a3ce929d0e0e4736"), IdShape::kHex);
  EXPECT_EQ(traceIdShape("4BF92F3577B34DA6A3CE929D0E0E4736"), IdShape::kHex);
  EXPECT_EQ(traceIdShape("a3ce929d0e0e4736"), IdShape::kHex);  // Jaeger 64-bit
  EXPECT_EQ(traceIdShape("00000000000000000000000000000000"), IdShape::kZero);
  EXPECT_EQ(traceIdShape("0000000000000000"), IdShape::kZero);
  EXPECT_EQ(traceIdShape("1234567890123456789"), IdShape::kForeign);  // Datadog decimal
  EXPECT_EQ(traceIdShape("4bf92f35-77b3-4da6-a3ce-929d0e0e4736"), IdShape::kForeign);
  EXPECT_EQ(traceIdShape("4bf92f3577b34da6a3ce929d0e0e473g"), IdShape::kForeign);
  EXPECT_EQ(traceIdShape(""), IdShape::kForeign);
  EXPECT_EQ(spanIdShape("00f067aa0ba902b7"), IdShape::kHex);
  EXPECT_EQ(spanIdShape("0000000000000000"), IdShape::kZero);
  EXPECT_EQ(spanIdShape("4bf92f3577b34da6a3ce929d0e0e4736"), IdShape::kForeign);
}

TEST(Traceparent, ReadsVersionZeroAndLaterVersions) {
  TraceIds ids;
  ASSERT_TRUE(parseTraceparent("00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01", ids));
  EXPECT_EQ(ids.trace_id, "4bf92f3577b34da6a3ce929d0e0e4736");
  EXPECT_EQ(ids.span_id, "00f067aa0ba902b7");
  EXPECT_TRUE(
      parseTraceparent("01-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01-extra", ids));
}

TEST(Traceparent, RejectsMalformedAndZeroIds) {
  TraceIds ids;
  for (const char* bad : {
           "",
           "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7",
           "00-00000000000000000000000000000000-00f067aa0ba902b7-01",
           "00-4bf92f3577b34da6a3ce929d0e0e4736-0000000000000000-01",
           "ff-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01",
           "00-4bf92f3577b34da6a3ce929d0e0e473x-00f067aa0ba902b7-01",
           "00_4bf92f3577b34da6a3ce929d0e0e4736_00f067aa0ba902b7_01",
           "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01x",
       }) {
    EXPECT_FALSE(parseTraceparent(bad, ids)) << bad;
  }
}

TEST(B3, ReadsSingleHeaderForms) {
  TraceIds ids;
  ASSERT_TRUE(parseB3("80f198ee56343ba864fe8b2a57d3eff7-e457b5a2e4d86bd1-1", ids));
  EXPECT_EQ(ids.trace_id, "80f198ee56343ba864fe8b2a57d3eff7");
  EXPECT_EQ(ids.span_id, "e457b5a2e4d86bd1");
  ASSERT_TRUE(parseB3("64fe8b2a57d3eff7-e457b5a2e4d86bd1-1-05e3ac9a4f6e3b90", ids));
  EXPECT_EQ(ids.trace_id, "64fe8b2a57d3eff7");
  ASSERT_TRUE(parseB3("80f198ee56343ba864fe8b2a57d3eff7-e457b5a2e4d86bd1", ids));
  EXPECT_FALSE(parseB3("1", ids));
  EXPECT_FALSE(parseB3("d", ids));
  EXPECT_FALSE(parseB3("80f198ee56343ba864fe8b2a57d3eff7-xyz-1", ids));
}

std::vector<std::pair<std::string, std::string>> pairs(std::string_view text) {
  std::vector<std::pair<std::string, std::string>> out;
  forEachTextPair(text, [&](std::string_view k, std::string_view v) {
    out.emplace_back(std::string(k), std::string(v));
    return true;
  });
  return out;
}

TEST(TextPairs, FindsKeyValuesInFreeText) {
  using P = std::vector<std::pair<std::string, std::string>>;
  EXPECT_EQ(pairs("request done trace_id=4bf9 span_id=00f0, user=\"bob smith\""),
            (P{{"trace_id", "4bf9"}, {"span_id", "00f0"}, {"user", "bob smith"}}));
  EXPECT_EQ(pairs("[traceparent: 00-abc-def-01] ok"), (P{{"traceparent", "00-abc-def-01"}}));
  EXPECT_EQ(pairs("at 10:30:00 x=1"), (P{{"x", "1"}}));
  EXPECT_EQ(pairs("(correlation_id='c-1')"), (P{{"correlation_id", "c-1"}}));
  EXPECT_TRUE(pairs("no pairs here").empty());
  EXPECT_TRUE(pairs("=value : dangling= key=\"unterminated").empty());
  EXPECT_EQ(pairs("a: 1 b=2 c: 3 d=4"), (P{{"a", "1"}, {"b", "2"}, {"c", "3"}, {"d", "4"}}));
}

TEST(TextPairs, StopsWhenAsked) {
  int calls = 0;
  forEachTextPair("a=1 b=2 c=3", [&](std::string_view, std::string_view) { return ++calls < 2; });
  EXPECT_EQ(calls, 2);
}

}  // namespace
}  // namespace sluice
