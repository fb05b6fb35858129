#pragma once

#include <simdjson.h>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "inputs/kafka/document_routes.h"
#include "pipeline/batch.h"
#include "pipeline/event_id.h"
#include "pipeline/schema.h"
#include "pipeline/timestamp.h"

namespace sluice {

// One Kafka message, borrowed from librdkafka's, as the decoder needs it.
struct KafkaRecord {
  std::string_view topic;
  int32_t partition = 0;
  int64_t offset = 0;
  std::optional<std::string_view> value;      // none for a message without a value (tombstone)
  std::optional<std::string_view> id_header;  // `sluice-id`
  std::optional<std::string_view> timestamp_header;  // `sluice-ts`
  int64_t kafka_timestamp_ms = -1;                   // -1 when the message has none
};

struct KafkaDecodeStats {
  uint64_t documents = 0;           // JSON objects, shipped as they are
  uint64_t not_objects = 0;         // anything else, shipped wrapped and tagged json_error
  uint64_t derived_ids = 0;         // no usable sluice-id: id from topic, partition, offset
  uint64_t invalid_ids = 0;         // a sluice-id header that is not an event id
  uint64_t invalid_timestamps = 0;  // a sluice-ts header that is not nanoseconds
  uint64_t invalid_utf8 = 0;        // wrapped values whose bytes were not all UTF-8
};

// Turns Kafka messages written by sluice's kafka output into events of a
// batch. The value is the event's finished document: it is validated and
// copied, never normalized again. The header `sluice-id` carries the event id
// made at the edge (so a replay overwrites in Elasticsearch), `sluice-ts` its
// time in nanoseconds. Messages from other producers still become events:
// without an id header the id is derived from topic, partition and offset
// (stable across replays), and a value that is not a JSON object is shipped
// as the message of an event tagged json_error. Not thread-safe.
class MessageDecoder {
 public:
  MessageDecoder(const std::vector<std::string>& route_fields, Schema schema);

  enum class Result { kDocument, kWrapped };
  // Appends one event (with its route spans) to `batch`.
  Result decode(const KafkaRecord& record, TimestampNs ingest_time, Batch& batch);
  const KafkaDecodeStats& stats() const { return stats_; }
  size_t routeFieldCount() const { return routes_.fieldCount(); }

 private:
  // Copies the value into the batch and checks it there; false (nothing
  // appended) when it is not one JSON object.
  bool appendDocument(std::string_view value, const KafkaRecord& record, TimestampNs ingest_time,
                      Batch& batch, EventRecord& event);
  void appendWrapped(const KafkaRecord& record, TimestampNs ingest_time, Batch& batch,
                     EventRecord& event);
  EventId eventId(const KafkaRecord& record);
  std::optional<TimestampNs> headerTimestamp(const KafkaRecord& record);
  static TimestampNs fallbackTime(const KafkaRecord& record, TimestampNs ingest_time);

  simdjson::dom::parser parser_;
  DocumentRoutes routes_;
  std::string message_open_;   // `"log":{"message":` or `"message":`
  std::string message_close_;  // the braces that close it
  std::string minified_;
  // Derived ids: the source key of the last partition seen (messages come
  // in runs of one partition).
  std::string last_topic_;
  int32_t last_partition_ = -1;
  SourceKey last_source_;
  KafkaDecodeStats stats_;
};

}  // namespace sluice
