#include "outputs/kafka/topic_template.h"

#include <gtest/gtest.h>

#include <optional>
#include <ostream>
#include <string>
#include <string_view>
#include <vector>

#include "batch_with_routes.h"

namespace sluice {
namespace {

struct ParseErrorCase {
  std::string_view text;
  std::string_view error_contains;
};
void PrintTo(const ParseErrorCase& c, std::ostream* os) { *os << '"' << c.text << '"'; }

// Kafka's limit is 249 characters; static: the cases keep a view of it.
const std::string kTooLong(250, 'a');

class TopicTemplateParseErrorTest : public testing::TestWithParam<ParseErrorCase> {};

TEST_P(TopicTemplateParseErrorTest, Rejects) {
  std::string error;
  EXPECT_EQ(TopicTemplate::parse(GetParam().text, error), std::nullopt);
  EXPECT_NE(error.find(GetParam().error_contains), std::string::npos) << error;
}

INSTANTIATE_TEST_SUITE_P(
    Cases, TopicTemplateParseErrorTest,
    testing::Values(ParseErrorCase{"logs/app", "'/'"}, ParseErrorCase{"logs app", "' '"},
                    ParseErrorCase{"logs:{service.tier}", "':'"},
                    ParseErrorCase{"logs.{service.tier", "unclosed"},
                    ParseErrorCase{"logs.{}", "empty"}, ParseErrorCase{"", "empty"},
                    ParseErrorCase{"logs-{+yyyy.MM.dd}", "date"}, ParseErrorCase{".", "\".\""},
                    ParseErrorCase{"..", "\"..\""}, ParseErrorCase{kTooLong, "249"}));

// Route fields as a batch holds them: service.tier, service.name.
class TopicTemplateRenderTest : public testing::Test {
 protected:
  std::string render(std::string_view text, std::optional<std::string> tier,
                     std::optional<std::string> name = "api") {
    std::string error;
    std::optional<TopicTemplate> t = TopicTemplate::parse(text, error);
    EXPECT_TRUE(t) << error;
    if (!t) return {};
    t->bind({"service.tier", "service.name"});
    auto batch = batchWithRoutes({{tier, name}});
    std::string out = "left over from the last event";
    t->render(out, *batch, 0);
    return out;
  }
};

TEST_F(TopicTemplateRenderTest, FieldsAreSubstituted) {
  EXPECT_EQ(render("logs.{service.tier}", "gateway"), "logs.gateway");
  EXPECT_EQ(render("{service.tier}.{service.name}.v1", "ai-ml", "llm_router"),
            "ai-ml.llm_router.v1");
  EXPECT_EQ(render("plain-topic", "gateway"), "plain-topic");
}

TEST_F(TopicTemplateRenderTest, CaseIsKept) {
  EXPECT_EQ(render("Logs.{service.tier}", "Gateway"), "Logs.Gateway");
}

TEST_F(TopicTemplateRenderTest, CharactersKafkaRefusesBecomeUnderscores) {
  EXPECT_EQ(render("logs.{service.tier}", "web/front end"), "logs.web_front_end");
  EXPECT_EQ(render("logs.{service.tier}", "a:b*c\"d"), "logs.a_b_c_d");
  // UTF-8 bytes each become one underscore.
  EXPECT_EQ(render("logs.{service.tier}", "caf\xc3\xa9"), "logs.caf__");
}

TEST_F(TopicTemplateRenderTest, MissingOrEmptyFieldsAreUnknown) {
  EXPECT_EQ(render("logs.{service.tier}", std::nullopt), "logs.unknown");
  EXPECT_EQ(render("logs.{service.tier}", ""), "logs.unknown");
}

TEST_F(TopicTemplateRenderTest, NamesAreCutToKafkasLimit) {
  const std::string rendered = render("logs.{service.tier}", std::string(400, 'x'));
  EXPECT_EQ(rendered.size(), TopicTemplate::kMaxLength);
  EXPECT_EQ(rendered.substr(0, 6), "logs.x");
}

TEST_F(TopicTemplateRenderTest, DotNamesAreNotTopics) {
  EXPECT_EQ(render("{service.tier}", "."), "_");
  EXPECT_EQ(render("{service.tier}", ".."), "__");
  EXPECT_EQ(render("{service.tier}", "..."), "...");
}

TEST(TopicTemplateTest, FieldsAreListedOnce) {
  std::string error;
  auto t = TopicTemplate::parse("{a}.{b}.{a}", error);
  ASSERT_TRUE(t) << error;
  EXPECT_EQ(t->fields(), (std::vector<std::string>{"a", "b"}));
}

TEST(TopicTemplateTest, AFieldNotAmongTheRouteFieldsIsUnknown) {
  std::string error;
  auto t = TopicTemplate::parse("logs.{absent}", error);
  ASSERT_TRUE(t) << error;
  t->bind({"service.tier"});
  auto batch = batchWithRoutes({{std::string("gateway")}});
  std::string out;
  t->render(out, *batch, 0);
  EXPECT_EQ(out, "logs.unknown");
}

}  // namespace
}  // namespace sluice
