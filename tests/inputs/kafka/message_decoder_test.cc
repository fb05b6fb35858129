#include "inputs/kafka/message_decoder.h"

#include <gtest/gtest.h>
#include <simdjson.h>

#include <iterator>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace sluice {
namespace {

std::string idText(const EventId& id) {
  std::string out;
  id.appendTo(out);
  return out;
}

class MessageDecoderTest : public testing::Test {
 protected:
  MessageDecoderTest() : decoder_({"service.name", "service.tier"}, Schema::kDocumented) {}

  KafkaRecord record(std::optional<std::string_view> value) {
    KafkaRecord r;
    r.topic = "logs.gateway";
    r.partition = 2;
    r.offset = 41;
    r.value = value;
    r.kafka_timestamp_ms = 1'700'000'000'123;
    return r;
  }

  MessageDecoder::Result decode(const KafkaRecord& r) {
    return decoder_.decode(r, kIngest, batch_);
  }
  std::string_view lastDocument() const { return batch_.document(batch_.events.back()); }
  std::optional<std::string_view> lastRoute(size_t field) const {
    return batch_.route(batch_.events.size() - 1, field);
  }
  // The last event's document, parsed (it must be one JSON object).
  simdjson::dom::object lastObject() {
    owned_ = std::string(lastDocument());
    simdjson::dom::object object;
    EXPECT_EQ(parser_.parse(owned_).get_object().get(object), simdjson::SUCCESS) << owned_;
    return object;
  }

  static constexpr TimestampNs kIngest = 1'800'000'000'000'000'000;
  MessageDecoder decoder_;
  Batch batch_{2};
  simdjson::dom::parser parser_;
  std::string owned_;
};

constexpr std::string_view kEdgeDocument =
    R"({"@timestamp":"2026-11-25T10:30:00.123Z","service":{"name":"api-gateway","tier":"gateway"},)"
    R"("log":{"level":"INFO","message":"GET /v1/chat 200"},"http":{"status_code":200}})";

TEST_F(MessageDecoderTest, EdgeDocumentIsShippedAsItIs) {
  KafkaRecord r = record(kEdgeDocument);
  r.id_header = "BAAAAAAAAAAAAAAAAAAAAA";
  r.timestamp_header = "1764066600123456789";
  EXPECT_EQ(decode(r), MessageDecoder::Result::kDocument);
  ASSERT_EQ(batch_.size(), 1u);
  EXPECT_EQ(lastDocument(), kEdgeDocument);
  EXPECT_EQ(batch_.events[0].id, (EventId{0, 1}));
  EXPECT_EQ(batch_.events[0].timestamp, 1764066600123456789);
  EXPECT_EQ(lastRoute(0), "api-gateway");
  EXPECT_EQ(lastRoute(1), "gateway");
  EXPECT_EQ(decoder_.stats().documents, 1u);
  EXPECT_EQ(decoder_.stats().derived_ids, 0u);
}

TEST_F(MessageDecoderTest, WithoutTimestampHeaderTheDocumentsTimestampCounts) {
  decode(record(kEdgeDocument));
  EXPECT_EQ(batch_.events[0].timestamp, *parseIsoTimestamp("2026-11-25T10:30:00.123Z"));
}

TEST_F(MessageDecoderTest, TimestampFallsBackToKafkaThenToIngestTime) {
  decode(record(R"({"log":{"message":"no time"}})"));
  EXPECT_EQ(batch_.events.back().timestamp, 1'700'000'000'123'000'000);
  KafkaRecord r = record(R"({"@timestamp":"yesterday"})");
  r.kafka_timestamp_ms = -1;
  r.timestamp_header = "12x";
  decode(r);
  EXPECT_EQ(batch_.events.back().timestamp, kIngest);
  EXPECT_EQ(decoder_.stats().invalid_timestamps, 1u);
}

TEST_F(MessageDecoderTest, IdIsDerivedFromPartitionAndOffsetWithoutAValidHeader) {
  KafkaRecord plain = record(kEdgeDocument);
  decode(plain);
  const EventId expected = EventId::forOffset(SourceKey::fromParts("kafka:logs.gateway:2"), 41);
  EXPECT_EQ(batch_.events.back().id, expected);

  KafkaRecord bad = record(kEdgeDocument);
  bad.id_header = "not-an-id";
  decode(bad);
  EXPECT_EQ(batch_.events.back().id, expected) << "same message, same id";

  KafkaRecord other_partition = record(kEdgeDocument);
  other_partition.partition = 3;
  decode(other_partition);
  EXPECT_NE(batch_.events.back().id, expected);
  EXPECT_EQ(decoder_.stats().derived_ids, 3u);
  EXPECT_EQ(decoder_.stats().invalid_ids, 1u);
}

TEST_F(MessageDecoderTest, IdHeaderRoundTripsWhatTheEdgeSent) {
  const EventId edge = EventId::forOffset(SourceKey::fromParts("file:/var/log/app.log"), 99);
  const std::string text = idText(edge);
  KafkaRecord r = record(kEdgeDocument);
  r.id_header = text;
  decode(r);
  EXPECT_EQ(idText(batch_.events.back().id), text);
}

struct RouteCase {
  std::string_view document;
  std::optional<std::string_view> name;
  std::optional<std::string_view> tier;
};

TEST_F(MessageDecoderTest, RouteValues) {
  const RouteCase cases[] = {
      {R"({"service":{"name":"api","tier":"gateway"}})", "api", "gateway"},
      // Flat keys, as some producers write them.
      {R"({"service.name":"api","service.tier":"gateway"})", "api", "gateway"},
      // Escapes are undone: the value is the string's text.
      {R"({"service":{"name":"a\"b\u00e9"}})", "a\"b\xc3\xa9", std::nullopt},
      // Numbers and booleans as text; null, objects and arrays are missing.
      {R"({"service":{"name":42,"tier":true}})", "42", "true"},
      {R"({"service":{"name":-1.5,"tier":18446744073709551615}})", "-1.5", "18446744073709551615"},
      {R"({"service":{"name":null,"tier":{"x":1}}})", std::nullopt, std::nullopt},
      {R"({"service":{"name":["a"]}})", std::nullopt, std::nullopt},
      // A scalar where an object was expected on the path.
      {R"({"service":"api"})", std::nullopt, std::nullopt},
      {R"({})", std::nullopt, std::nullopt},
      // Nested wins over flat when both are there.
      {R"({"service.name":"flat","service":{"name":"nested"}})", "nested", std::nullopt},
  };
  for (const RouteCase& c : cases) {
    ASSERT_EQ(decode(record(c.document)), MessageDecoder::Result::kDocument) << c.document;
    EXPECT_EQ(lastRoute(0), c.name) << c.document;
    EXPECT_EQ(lastRoute(1), c.tier) << c.document;
  }
  EXPECT_EQ(batch_.routes.size(), 2 * batch_.size());
}

TEST_F(MessageDecoderTest, NotAnObjectIsWrappedAndTagged) {
  const std::string_view values[] = {
      "plain text line",     R"({"truncated":)",     R"([1,2,3])", R"("a string")", "42", "",
      R"({"a":1} trailing)", "\xff\xfe binary \x01",
  };
  for (std::string_view value : values) {
    KafkaRecord r = record(value);
    r.id_header = "BAAAAAAAAAAAAAAAAAAAAA";
    ASSERT_EQ(decode(r), MessageDecoder::Result::kWrapped) << value;
    simdjson::dom::object doc = lastObject();
    std::string_view message, tag, topic;
    int64_t partition = 0, offset = 0;
    ASSERT_EQ(doc["log"]["message"].get(message), simdjson::SUCCESS) << lastDocument();
    if (value.empty() || value.front() != '\xff') {
      EXPECT_EQ(message, value);
    } else {
      EXPECT_NE(message.find("\xef\xbf\xbd"), std::string_view::npos)
          << "U+FFFD replaces bad bytes";
    }
    ASSERT_EQ(doc["tags"].at(0).get(tag), simdjson::SUCCESS);
    EXPECT_EQ(tag, "json_error");
    ASSERT_EQ(doc["kafka"]["topic"].get(topic), simdjson::SUCCESS);
    EXPECT_EQ(topic, "logs.gateway");
    ASSERT_EQ(doc["kafka"]["partition"].get(partition), simdjson::SUCCESS);
    ASSERT_EQ(doc["kafka"]["offset"].get(offset), simdjson::SUCCESS);
    EXPECT_EQ(partition, 2);
    EXPECT_EQ(offset, 41);
    std::string_view stamp;
    ASSERT_EQ(doc["@timestamp"].get(stamp), simdjson::SUCCESS);
    EXPECT_EQ(stamp, "2023-11-14T22:13:20.123Z");
    EXPECT_EQ(batch_.events.back().id, (EventId{0, 1})) << "the header still names the event";
    EXPECT_FALSE(lastRoute(0).has_value());
    EXPECT_FALSE(lastRoute(1).has_value());
  }
  EXPECT_EQ(decoder_.stats().not_objects, std::size(values));
  EXPECT_EQ(decoder_.stats().invalid_utf8, 1u);
}

TEST_F(MessageDecoderTest, MessageWithoutValueIsWrappedWithAnEmptyMessage) {
  ASSERT_EQ(decode(record(std::nullopt)), MessageDecoder::Result::kWrapped);
  std::string_view message;
  ASSERT_EQ(lastObject()["log"]["message"].get(message), simdjson::SUCCESS);
  EXPECT_EQ(message, "");
}

TEST_F(MessageDecoderTest, EcsSchemaWrapsIntoMessage) {
  MessageDecoder ecs({}, Schema::kEcs);
  Batch batch(0);
  ecs.decode(record("oops"), kIngest, batch);
  EXPECT_NE(batch.document(batch.events[0]).find(R"("message":"oops")"), std::string_view::npos)
      << batch.document(batch.events[0]);
  EXPECT_EQ(batch.document(batch.events[0]).find(R"("log")"), std::string_view::npos);
}

TEST_F(MessageDecoderTest, PrettyPrintedDocumentLosesItsLineBreaks) {
  const std::string_view pretty =
      "{\n  \"service\": {\"name\": \"api\"},\r\n  \"msg\": \"a b\"\n}\n";
  ASSERT_EQ(decode(record(pretty)), MessageDecoder::Result::kDocument);
  EXPECT_EQ(lastDocument(), R"({"service":{"name":"api"},"msg":"a b"})");
  EXPECT_EQ(lastRoute(0), "api");
}

TEST_F(MessageDecoderTest, ManyEventsKeepTheirOwnSpans) {
  // The batch's text grows while documents are parsed in place: earlier
  // events must stay intact.
  std::vector<std::string> docs;
  for (int i = 0; i < 2000; ++i) {
    docs.push_back(R"({"service":{"name":"svc-)" + std::to_string(i) + R"("},"pad":")" +
                   std::string(static_cast<size_t>(i % 97), 'x') + "\"}");
    KafkaRecord r = record(docs.back());
    r.offset = i;
    decode(r);
  }
  ASSERT_EQ(batch_.size(), docs.size());
  for (size_t i = 0; i < docs.size(); ++i) {
    EXPECT_EQ(batch_.document(batch_.events[i]), docs[i]);
    EXPECT_EQ(batch_.route(i, 0), "svc-" + std::to_string(i));
  }
}

}  // namespace
}  // namespace sluice
