#include "outputs/buffer/batch_codec.h"

#include <gtest/gtest.h>

#include <memory>
#include <random>
#include <string>

namespace sluice {
namespace {

// Two route fields per event (say, index and pipeline); the second event has
// no pipeline.
BatchPtr sampleBatch() {
  auto shared = std::make_shared<Batch>(2);
  Batch& batch = *shared;
  const std::string docs[] = {R"({"message":"first","level":"INFO"})",
                              R"({"message":"second \u00e9","level":"WARN"})",
                              R"({"message":"third"})"};
  SourceKey source = SourceKey::fromParts("file:/var/log/app.log");
  for (int i = 0; i < 3; ++i) {
    EventRecord e;
    e.doc_offset = static_cast<uint32_t>(batch.documents.size());
    e.doc_length = static_cast<uint32_t>(docs[i].size());
    e.timestamp = 1'700'000'000'000'000'000 + i;
    e.id = EventId::forOffset(source, 1000u * i);
    batch.documents += docs[i];
    batch.events.push_back(e);
    for (std::string_view value : {std::string_view("logs-app"), std::string_view("ingest")}) {
      if (i == 1 && value == "ingest") {
        batch.routes.push_back({});
        continue;
      }
      batch.routes.push_back(
          {static_cast<uint32_t>(batch.route_text.size()), static_cast<uint32_t>(value.size())});
      batch.route_text += value;
    }
  }
  batch.events[2].timestamp = -5;  // before 1970 survives too
  return shared;
}

void expectSameBatch(const Batch& a, const Batch& b) {
  ASSERT_EQ(a.routeFieldCount(), b.routeFieldCount());
  ASSERT_EQ(a.size(), b.size());
  EXPECT_EQ(a.documents, b.documents);
  for (size_t i = 0; i < a.size(); ++i) {
    EXPECT_EQ(a.document(a.events[i]), b.document(b.events[i]));
    EXPECT_EQ(a.events[i].timestamp, b.events[i].timestamp);
    EXPECT_EQ(a.events[i].id, b.events[i].id);
    for (size_t f = 0; f < a.routeFieldCount(); ++f) EXPECT_EQ(a.route(i, f), b.route(i, f));
  }
}

TEST(BatchCodec, RoundTrips) {
  const BatchPtr batch = sampleBatch();
  std::string payload;
  encodeBatch(*batch, payload);
  std::string error;
  BatchPtr decoded = decodeBatch(payload, error);
  ASSERT_NE(decoded, nullptr) << error;
  expectSameBatch(*batch, *decoded);
  EXPECT_EQ(decoded->route(1, 1), std::nullopt);
  EXPECT_EQ(decoded->route(0, 0), "logs-app");
}

TEST(BatchCodec, RoundTripsAnEmptyBatch) {
  std::string payload;
  encodeBatch(Batch(0), payload);
  std::string error;
  BatchPtr decoded = decodeBatch(payload, error);
  ASSERT_NE(decoded, nullptr) << error;
  EXPECT_TRUE(decoded->empty());
}

TEST(BatchCodec, RejectsEveryTruncation) {
  std::string payload;
  encodeBatch(*sampleBatch(), payload);
  for (size_t n = 0; n < payload.size(); ++n) {
    std::string error;
    EXPECT_EQ(decodeBatch(std::string_view(payload).substr(0, n), error), nullptr)
        << "accepted " << n << " of " << payload.size() << " bytes";
    EXPECT_FALSE(error.empty());
  }
  std::string error;
  EXPECT_EQ(decodeBatch(payload + "x", error), nullptr);
  EXPECT_NE(error.find("trailing"), std::string::npos) << error;
}

TEST(BatchCodec, RejectsAnUnknownVersion) {
  std::string payload;
  encodeBatch(*sampleBatch(), payload);
  payload[0] = 9;
  std::string error;
  EXPECT_EQ(decodeBatch(payload, error), nullptr);
  EXPECT_NE(error.find("version 9"), std::string::npos) << error;
}

// Flipped bits either still decode to a batch whose every offset is inside
// its text (a flipped document byte) or are rejected; never a crash, never an
// out-of-range span (the sanitizer build checks the reads).
TEST(BatchCodec, SurvivesFlippedBitsAndGarbage) {
  std::string payload;
  encodeBatch(*sampleBatch(), payload);
  std::mt19937 random(7);
  int rejected = 0;
  for (size_t byte = 0; byte < payload.size(); ++byte) {
    for (int bit = 0; bit < 8; ++bit) {
      std::string damaged = payload;
      damaged[byte] = static_cast<char>(damaged[byte] ^ (1 << bit));
      std::string error;
      BatchPtr batch = decodeBatch(damaged, error);
      if (batch == nullptr) {
        ++rejected;
        continue;
      }
      for (size_t i = 0; i < batch->size(); ++i) {
        const EventRecord& e = batch->events[i];
        ASSERT_LE(uint64_t{e.doc_offset} + e.doc_length, batch->documents.size());
        for (size_t f = 0; f < batch->routeFieldCount(); ++f) (void)batch->route(i, f);
      }
    }
  }
  EXPECT_GT(rejected, 0);
  for (int i = 0; i < 2000; ++i) {
    std::string garbage(random() % 200, '\0');
    for (char& c : garbage) c = static_cast<char>(random());
    if (!garbage.empty()) garbage[0] = 1;  // past the version check
    std::string error;
    (void)decodeBatch(garbage, error);
  }
}

TEST(BatchCodec, AHugeCountDoesNotAllocate) {
  std::string payload;
  encodeBatch(Batch(1), payload);
  // version, route fields, documents length, then the event count.
  payload[9] = payload[10] = payload[11] = payload[12] = '\xFF';
  std::string error;
  EXPECT_EQ(decodeBatch(payload, error), nullptr);
  EXPECT_NE(error.find("exceeds"), std::string::npos) << error;
}

}  // namespace
}  // namespace sluice
