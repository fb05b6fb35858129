#include "outputs/kafka/message_encoder.h"

#include <gtest/gtest.h>

#include <optional>
#include <string>

#include "batch_with_routes.h"

namespace sluice {
namespace {

TopicTemplate topic(std::string_view text) {
  std::string error;
  std::optional<TopicTemplate> t = TopicTemplate::parse(text, error);
  EXPECT_TRUE(t) << error;
  return t.value_or(TopicTemplate());
}

const std::vector<std::string> kRouteFields = {"service.tier", "log.file.path", "service.name"};

TEST(MessageEncoderTest, KeyIsTheConfiguredFieldsValue) {
  MessageEncoder encoder(topic("logs.{service.tier}"), "log.file.path");
  encoder.bind(kRouteFields);
  auto batch = batchWithRoutes(
      {{"gateway", "/var/log/app/a.log", "api"}, {"gateway", "/var/log/app/b.log", "api"}});
  MessageParts parts;
  encoder.encode(*batch, 0, parts);
  EXPECT_EQ(parts.topic, "logs.gateway");
  ASSERT_TRUE(parts.key);
  EXPECT_EQ(*parts.key, "/var/log/app/a.log");
  encoder.encode(*batch, 1, parts);
  EXPECT_EQ(*parts.key, "/var/log/app/b.log");
}

TEST(MessageEncoderTest, AnotherFieldCanBeTheKey) {
  MessageEncoder encoder(topic("logs"), "service.name");
  encoder.bind(kRouteFields);
  auto batch = batchWithRoutes({{"gateway", "/var/log/a.log", "checkout"}});
  MessageParts parts;
  encoder.encode(*batch, 0, parts);
  ASSERT_TRUE(parts.key);
  EXPECT_EQ(*parts.key, "checkout");
}

TEST(MessageEncoderTest, NoKeyWhenTheFieldIsMissingOrEmpty) {
  MessageEncoder encoder(topic("logs"), "log.file.path");
  encoder.bind(kRouteFields);
  auto batch = batchWithRoutes({{"gateway", std::nullopt, "api"}, {"gateway", "", "api"}});
  MessageParts parts;
  parts.key = "stale";
  encoder.encode(*batch, 0, parts);
  EXPECT_FALSE(parts.key);
  encoder.encode(*batch, 1, parts);
  EXPECT_FALSE(parts.key);
}

TEST(MessageEncoderTest, KeyNoneMeansNoKey) {
  MessageEncoder encoder(topic("logs"), std::nullopt);
  encoder.bind(kRouteFields);
  auto batch = batchWithRoutes({{"gateway", "/var/log/a.log", "api"}});
  MessageParts parts;
  encoder.encode(*batch, 0, parts);
  EXPECT_FALSE(parts.key);
}

TEST(MessageEncoderTest, HeadersCarryTheEventsIdAndTimestamp) {
  MessageEncoder encoder(topic("logs"), "log.file.path");
  encoder.bind(kRouteFields);
  auto batch = batchWithRoutes({{"gateway", "/a.log", "api"}, {"gateway", "/a.log", "api"}});
  MessageParts parts;
  for (size_t i = 0; i < 2; ++i) {
    encoder.encode(*batch, i, parts);
    std::string expected_id;
    batch->events[i].id.appendTo(expected_id);
    EXPECT_EQ(parts.id, expected_id);
    EXPECT_EQ(parts.id.size(), 22u);
    EXPECT_EQ(parts.timestamp, std::to_string(batch->events[i].timestamp));
  }
  EXPECT_EQ(parts.timestamp, "1700000000123456790");
}

}  // namespace
}  // namespace sluice
