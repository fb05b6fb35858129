#include "outputs/elasticsearch/index_template.h"

#include <gtest/gtest.h>

#include <optional>
#include <ostream>
#include <string>
#include <string_view>
#include <vector>

namespace sluice {
namespace {

constexpr int64_t kS = 1'000'000'000;

struct ParseErrorCase {
  std::string_view text;
  std::string_view error_contains;
};
void PrintTo(const ParseErrorCase& c, std::ostream* os) { *os << '"' << c.text << '"'; }

class IndexTemplateParseErrorTest : public testing::TestWithParam<ParseErrorCase> {};

TEST_P(IndexTemplateParseErrorTest, Rejects) {
  std::string error;
  EXPECT_EQ(IndexTemplate::parse(GetParam().text, error), std::nullopt);
  EXPECT_NE(error.find(GetParam().error_contains), std::string::npos) << error;
}

INSTANTIATE_TEST_SUITE_P(
    Cases, IndexTemplateParseErrorTest,
    testing::Values(
        ParseErrorCase{"Logs-{service.name}", "'L'"}, ParseErrorCase{"logs-API", "'A'"},
        ParseErrorCase{"logs/app", "'/'"}, ParseErrorCase{"logs app", "' '"},
        ParseErrorCase{"logs*", "'*'"}, ParseErrorCase{"logs?", "'?'"},
        ParseErrorCase{"logs,other", "','"}, ParseErrorCase{"logs#1", "'#'"},
        ParseErrorCase{"logs:1", "':'"}, ParseErrorCase{"logs|x", "'|'"},
        ParseErrorCase{"logs\\x", "'\\'"}, ParseErrorCase{"logs\"x", "'\"'"},
        ParseErrorCase{"logs<x>", "'<'"}, ParseErrorCase{"logs-{service.name", "unclosed"},
        ParseErrorCase{"logs-{+yyyy.MM.dd", "unclosed"}, ParseErrorCase{"logs-{}", "empty"},
        ParseErrorCase{"", "empty"}, ParseErrorCase{"logs-{+YYYY.MM.dd}", "date format"},
        ParseErrorCase{"logs-{+yyyy.MM.ddd}", "date format"},
        ParseErrorCase{"logs-{+yyyy/MM/dd}", "date format"},
        ParseErrorCase{"logs-{+}", "date format"}, ParseErrorCase{"logs-{+mm}", "date format"},
        ParseErrorCase{"-logs", "cannot start"}, ParseErrorCase{"_logs", "cannot start"},
        ParseErrorCase{"+logs", "cannot start"}));

TEST(IndexTemplateParse, CollectsEachFieldOnce) {
  std::string error;
  auto t = IndexTemplate::parse("logs-{service.name}-{service.tier}-{service.name}-{+yyyy.MM.dd}",
                                error);
  ASSERT_TRUE(t) << error;
  EXPECT_EQ(t->fields(), (std::vector<std::string>{"service.name", "service.tier"}));
  auto plain = IndexTemplate::parse("logs-generic-default", error);
  ASSERT_TRUE(plain) << error;
  EXPECT_TRUE(plain->fields().empty());
}

// A batch whose events carry route values for `route_fields`, nullopt for a
// missing field.
class IndexTemplateRenderTest : public testing::Test {
 protected:
  void addEvent(TimestampNs ts, std::vector<std::optional<std::string>> routes) {
    ASSERT_EQ(routes.size(), batch_.routeFieldCount());
    batch_.events.push_back({0, 0, ts, {}});
    for (const auto& r : routes) {
      TextSpan span;
      if (r) {
        span.offset = static_cast<uint32_t>(batch_.route_text.size());
        span.length = static_cast<uint32_t>(r->size());
        batch_.route_text += *r;
      }
      batch_.routes.push_back(span);
    }
  }

  std::string render(const std::string& text, size_t event) {
    std::string error;
    auto t = IndexTemplate::parse(text, error);
    EXPECT_TRUE(t) << error;
    if (!t) return "<parse error>";
    t->bind(route_fields_);
    std::string out;
    t->render(out, batch_, event);
    return out;
  }

  std::vector<std::string> route_fields_ = {"service.tier", "service.name"};
  Batch batch_{2};
};

TEST_F(IndexTemplateRenderTest, FieldsAreLowerCasedAndSanitized) {
  addEvent(0, {"gateway", "api-gateway"});
  addEvent(0, {"AI/ML", "Payment Service"});
  addEvent(0, {"a\\b*c?d\"e<f>g|h,i#j:k", "X"});
  EXPECT_EQ(render("logs-{service.name}", 0), "logs-api-gateway");
  EXPECT_EQ(render("logs-{service.name}-{service.tier}", 1), "logs-payment_service-ai_ml");
  EXPECT_EQ(render("logs-{service.tier}", 2), "logs-a_b_c_d_e_f_g_h_i_j_k");
}

TEST_F(IndexTemplateRenderTest, MissingOrEmptyFieldIsUnknown) {
  addEvent(0, {std::nullopt, std::nullopt});
  addEvent(0, {"", "api"});
  EXPECT_EQ(render("logs-{service.name}-{service.tier}", 0), "logs-unknown-unknown");
  EXPECT_EQ(render("logs-{service.name}-{service.tier}", 1), "logs-api-unknown");
}

TEST_F(IndexTemplateRenderTest, FieldNotAmongTheBatchRouteFieldsIsUnknown) {
  addEvent(0, {"gateway", "api"});
  EXPECT_EQ(render("logs-{kubernetes.namespace}", 0), "logs-unknown");
}

struct DateCase {
  TimestampNs ts;
  std::string_view format;
  std::string_view expected;
};
void PrintTo(const DateCase& c, std::ostream* os) { *os << c.ts << " " << c.format; }

class IndexTemplateDateTest : public testing::TestWithParam<DateCase> {};

TEST_P(IndexTemplateDateTest, RendersInUtc) {
  Batch batch(0);
  batch.events.push_back({0, 0, GetParam().ts, {}});
  std::string error;
  auto t = IndexTemplate::parse("logs-{" + std::string(GetParam().format) + "}", error);
  ASSERT_TRUE(t) << error;
  t->bind({});
  std::string out;
  t->render(out, batch, 0);
  EXPECT_EQ(out, "logs-" + std::string(GetParam().expected));
}

INSTANTIATE_TEST_SUITE_P(
    Cases, IndexTemplateDateTest,
    testing::Values(
        // 2024-01-15T10:30:00Z
        DateCase{1'705'314'600 * kS, "+yyyy.MM.dd", "2024.01.15"},
        DateCase{1'705'314'600 * kS, "+yyyy.MM.dd.HH", "2024.01.15.10"},
        DateCase{1'705'314'600 * kS, "+yy-MM", "24-01"},
        DateCase{1'705'314'600 * kS, "+yyyy_MM_dd_HH", "2024_01_15_10"},
        DateCase{1'705'314'600 * kS, "+yyyyMMdd", "20240115"},
        // Day boundaries in UTC: the last nanosecond of a day and the first of the next.
        DateCase{1'705'363'199 * kS + 999'999'999, "+yyyy.MM.dd.HH", "2024.01.15.23"},
        DateCase{1'705'363'200 * kS, "+yyyy.MM.dd.HH", "2024.01.16.00"},
        // Leap day and new year.
        DateCase{1'709'208'000 * kS, "+yyyy.MM.dd", "2024.02.29"},
        DateCase{1'704'067'199 * kS, "+yyyy.MM.dd", "2023.12.31"},
        DateCase{1'704'067'200 * kS, "+yyyy.MM.dd", "2024.01.01"},
        // Epoch and before.
        DateCase{0, "+yyyy.MM.dd.HH", "1970.01.01.00"},
        DateCase{-1, "+yyyy.MM.dd.HH", "1969.12.31.23"},
        DateCase{-3600 * kS, "+yyyy.MM.dd.HH", "1969.12.31.23"},
        DateCase{-3600 * kS - 1, "+yyyy.MM.dd.HH", "1969.12.31.22"}));

TEST_F(IndexTemplateRenderTest, DatesFollowEachEventAcrossHoursAndDays) {
  // One template object rendering many events, as an output worker does.
  const int64_t day_end = 1'705'363'199;  // 2024-01-15T23:59:59Z
  addEvent(day_end * kS, {"a", "api"});
  addEvent((day_end + 1) * kS, {"a", "api"});
  addEvent(day_end * kS, {"a", "api"});
  addEvent((day_end - 3600) * kS, {"a", "api"});
  addEvent((day_end + 1 + 86'400 * 31) * kS, {"a", "api"});
  std::string error;
  auto t = IndexTemplate::parse("logs-{service.name}-{+yyyy.MM.dd}-{+HH}", error);
  ASSERT_TRUE(t) << error;
  t->bind(route_fields_);
  std::vector<std::string> expected = {"logs-api-2024.01.15-23", "logs-api-2024.01.16-00",
                                       "logs-api-2024.01.15-23", "logs-api-2024.01.15-22",
                                       "logs-api-2024.02.16-00"};
  for (size_t i = 0; i < expected.size(); ++i) {
    std::string out;
    t->render(out, batch_, i);
    EXPECT_EQ(out, expected[i]) << i;
  }
}

TEST_F(IndexTemplateRenderTest, RenderAppends) {
  addEvent(0, {"gw", "api"});
  std::string error;
  auto t = IndexTemplate::parse("logs-{service.name}", error);
  ASSERT_TRUE(t);
  t->bind(route_fields_);
  std::string out = "{\"create\":{\"_index\":\"";
  t->render(out, batch_, 0);
  EXPECT_EQ(out, "{\"create\":{\"_index\":\"logs-api");
}

}  // namespace
}  // namespace sluice
