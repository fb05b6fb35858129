#include "outputs/elasticsearch/bulk_encoder.h"

#include <gtest/gtest.h>

#include <string>

namespace sluice {
namespace {

constexpr int64_t kS = 1'000'000'000;

class BulkEncoderTest : public testing::Test {
 protected:
  void SetUp() override {
    std::string error;
    auto t = IndexTemplate::parse("logs-{service.name}-{+yyyy.MM.dd}", error);
    ASSERT_TRUE(t) << error;
    index_ = std::move(*t);
    index_.bind({"service.name"});
  }

  void addEvent(const std::string& doc, const std::string& service, TimestampNs ts, EventId id) {
    EventRecord e;
    e.doc_offset = static_cast<uint32_t>(batch_.documents.size());
    batch_.documents += doc;
    e.doc_length = static_cast<uint32_t>(doc.size());
    e.timestamp = ts;
    e.id = id;
    batch_.events.push_back(e);
    TextSpan span{static_cast<uint32_t>(batch_.route_text.size()),
                  static_cast<uint32_t>(service.size())};
    batch_.route_text += service;
    batch_.routes.push_back(span);
  }

  IndexTemplate index_;
  Batch batch_{1};
};

TEST_F(BulkEncoderTest, OneEventIsACreateActionAndTheDocumentLine) {
  const std::string doc =
      R"({"@timestamp":"2024-01-15T10:30:00.123Z","service":{"name":"api-gateway"},)"
      R"("log":{"level":"INFO","message":"GET /health"}})";
  addEvent(doc, "api-gateway", 1'705'314'600 * kS + 123'000'000, EventId{0, 0});
  std::string body;
  appendBulkItem(body, index_, batch_, 0);
  EXPECT_EQ(body,
            "{\"create\":{\"_index\":\"logs-api-gateway-2024.01.15\",\"_id\":"
            "\"AAAAAAAAAAAAAAAAAAAAAA\"}}\n" +
                doc + "\n");
}

TEST_F(BulkEncoderTest, SeveralEventsAppendInOrder) {
  addEvent(R"({"a":1})", "API", 0, EventId{0, 1});
  addEvent(R"({"b":"x\ny"})", "", 1'709'208'000 * kS, EventId{0, 63});
  std::string body = "prefix";
  appendBulkItem(body, index_, batch_, 0);
  appendBulkItem(body, index_, batch_, 1);
  EXPECT_EQ(
      body,
      "prefix"
      "{\"create\":{\"_index\":\"logs-api-1970.01.01\",\"_id\":\"BAAAAAAAAAAAAAAAAAAAAA\"}}\n"
      "{\"a\":1}\n"
      "{\"create\":{\"_index\":\"logs-unknown-2024.02.29\",\"_id\":\"_AAAAAAAAAAAAAAAAAAAAA\"}}\n"
      "{\"b\":\"x\\ny\"}\n");
}

TEST_F(BulkEncoderTest, IdIsTheEventIdInUrlSafeBase64) {
  const EventId id = EventId::forOffset(SourceKey::fromParts("file:/var/log/app.log"), 4096);
  addEvent("{}", "api", 0, id);
  std::string body;
  appendBulkItem(body, index_, batch_, 0);
  std::string id_text;
  id.appendTo(id_text);
  EXPECT_NE(body.find("\"_id\":\"" + id_text + "\"}}\n"), std::string::npos) << body;
}

TEST_F(BulkEncoderTest, WithoutDeterministicIdsElasticsearchPicksTheId) {
  const std::string doc = R"({"log":{"message":"x"}})";
  addEvent(doc, "api-gateway", 1'705'314'600 * kS, EventId{1, 2});
  std::string body;
  appendBulkItem(body, index_, batch_, 0, /*with_id=*/false);
  EXPECT_EQ(body, "{\"create\":{\"_index\":\"logs-api-gateway-2024.01.15\"}}\n" + doc + "\n");
}

}  // namespace
}  // namespace sluice
