#pragma once

#include <array>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "outputs/kafka/topic_template.h"
#include "pipeline/batch.h"

namespace sluice {

// Headers every message carries, for the aggregator that reads the topic
// (the kafka input): `sluice-id` is the event's id as the Elasticsearch
// output sends it (`_id`), so a replay anywhere between edge and index
// overwrites instead of duplicating; `sluice-ts` is the event's @timestamp as
// decimal nanoseconds since the epoch, so the aggregator need not parse the
// document to learn it.
inline constexpr std::string_view kIdHeader = "sluice-id";
inline constexpr std::string_view kTimestampHeader = "sluice-ts";

// Everything about one event's message but its value, which is the event's
// document as the batch holds it. Reused from event to event: no allocation
// once the strings have grown.
struct MessageParts {
  std::string topic;
  std::optional<std::string_view> key;  // into the batch; nullopt: no key
  std::string id;
  std::array<char, 24> timestamp_buffer{};
  std::string_view timestamp;  // into timestamp_buffer
};

// Turns an event into the parts of its Kafka message: topic from the
// template, key from the configured field, headers.
class MessageEncoder {
 public:
  // `key_field` nullopt: messages have no key (`key: none`).
  MessageEncoder(TopicTemplate topic, std::optional<std::string> key_field);

  // Resolves field names to positions among a batch's route fields.
  void bind(const std::vector<std::string>& route_fields);
  void encode(const Batch& batch, size_t event_index, MessageParts& out) const;

 private:
  TopicTemplate topic_;
  std::optional<std::string> key_field_;
  size_t key_route_ = SIZE_MAX;
};

}  // namespace sluice
