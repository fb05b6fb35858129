#include "inputs/kafka/message_decoder.h"

#include <fmt/format.h>

#include <charconv>
#include <cstring>
#include <iterator>

#include "pipeline/json_escape.h"

namespace sluice {
namespace {

// Grows geometrically: reserving just enough for each message would copy
// the batch's text once per message.
void reserveWithPadding(std::string& text, size_t more) {
  const size_t needed = text.size() + more + simdjson::SIMDJSON_PADDING;
  if (text.capacity() < needed) text.reserve(std::max(needed, text.capacity() * 2));
}

}  // namespace

MessageDecoder::MessageDecoder(const std::vector<std::string>& route_fields, Schema schema)
    : routes_(route_fields) {
  std::string_view path = canonicalPath(schema, Canonical::kMessage);
  for (size_t dot; (dot = path.find('.')) != std::string_view::npos;) {
    appendJsonString(message_open_, path.substr(0, dot));
    message_open_ += ":{";
    message_close_ += '}';
    path.remove_prefix(dot + 1);
  }
  appendJsonString(message_open_, path);
  message_open_ += ':';
}

MessageDecoder::Result MessageDecoder::decode(const KafkaRecord& record, TimestampNs ingest_time,
                                              Batch& batch) {
  EventRecord event;
  event.id = eventId(record);
  const size_t routes_before = batch.routes.size();
  const size_t route_text_before = batch.route_text.size();
  if (record.value && appendDocument(*record.value, record, ingest_time, batch, event)) {
    ++stats_.documents;
    batch.events.push_back(event);
    return Result::kDocument;
  }
  // Spans of a value that failed late (its line breaks could not be taken out).
  batch.routes.resize(routes_before);
  batch.route_text.resize(route_text_before);
  appendWrapped(record, ingest_time, batch, event);
  ++stats_.not_objects;
  batch.events.push_back(event);
  return Result::kWrapped;
}

bool MessageDecoder::appendDocument(std::string_view value, const KafkaRecord& record,
                                    TimestampNs ingest_time, Batch& batch, EventRecord& event) {
  std::string& documents = batch.documents;
  const size_t begin = documents.size();
  reserveWithPadding(documents, value.size());
  documents.append(value);
  simdjson::dom::object object;
  if (parser_.parse(documents.data() + begin, value.size(), false).get_object().get(object)) {
    documents.resize(begin);
    return false;
  }
  routes_.capture(object, batch);
  std::optional<TimestampNs> time = headerTimestamp(record);
  if (!time) {
    std::string_view stamp;
    if (!object.at_key("@timestamp").get_string().get(stamp)) time = parseIsoTimestamp(stamp);
  }
  event.timestamp = time ? *time : fallbackTime(record, ingest_time);
  // Outputs write documents one per line (Elasticsearch's bulk body): a
  // pretty-printed value has to lose its line breaks, which valid JSON can
  // only have between tokens.
  if (std::memchr(value.data(), '\n', value.size()) != nullptr ||
      std::memchr(value.data(), '\r', value.size()) != nullptr) {
    minified_.resize(value.size());
    size_t length = 0;
    if (simdjson::minify(documents.data() + begin, value.size(), minified_.data(), length) !=
        simdjson::SUCCESS) {
      documents.resize(begin);
      return false;
    }
    documents.resize(begin);
    documents.append(minified_.data(), length);
  }
  event.doc_offset = static_cast<uint32_t>(begin);
  event.doc_length = static_cast<uint32_t>(documents.size() - begin);
  return true;
}

void MessageDecoder::appendWrapped(const KafkaRecord& record, TimestampNs ingest_time, Batch& batch,
                                   EventRecord& event) {
  std::optional<TimestampNs> time = headerTimestamp(record);
  event.timestamp = time ? *time : fallbackTime(record, ingest_time);
  std::string_view text = record.value.value_or(std::string_view());
  std::string& out = batch.documents;
  const size_t begin = out.size();
  out.reserve(begin + text.size() + record.topic.size() + 160);
  out += "{\"@timestamp\":\"";
  appendRfc3339(out, event.timestamp);
  out += "\",";
  out += message_open_;
  if (!appendJsonString(out, text)) ++stats_.invalid_utf8;
  out += message_close_;
  out += ",\"tags\":[\"json_error\"],\"kafka\":{\"topic\":";
  appendJsonString(out, record.topic);
  fmt::format_to(std::back_inserter(out), ",\"partition\":{},\"offset\":{}}}}}", record.partition,
                 record.offset);
  event.doc_offset = static_cast<uint32_t>(begin);
  event.doc_length = static_cast<uint32_t>(out.size() - begin);
  routes_.captureNone(batch);
}

EventId MessageDecoder::eventId(const KafkaRecord& record) {
  EventId id;
  if (record.id_header) {
    if (EventId::parse(*record.id_header, id)) return id;
    ++stats_.invalid_ids;
  }
  ++stats_.derived_ids;
  if (record.partition != last_partition_ || record.topic != last_topic_) {
    last_topic_.assign(record.topic);
    last_partition_ = record.partition;
    last_source_ = SourceKey::fromParts(fmt::format("kafka:{}:{}", record.topic, record.partition));
  }
  return EventId::forOffset(last_source_, static_cast<uint64_t>(record.offset));
}

std::optional<TimestampNs> MessageDecoder::headerTimestamp(const KafkaRecord& record) {
  if (!record.timestamp_header) return std::nullopt;
  std::string_view text = *record.timestamp_header;
  TimestampNs ns = 0;
  auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), ns);
  if (text.empty() || ec != std::errc() || ptr != text.data() + text.size()) {
    ++stats_.invalid_timestamps;
    return std::nullopt;
  }
  return ns;
}

TimestampNs MessageDecoder::fallbackTime(const KafkaRecord& record, TimestampNs ingest_time) {
  // Kafka's own timestamp (the producer's create time, or the broker's
  // append time), in milliseconds.
  if (record.kafka_timestamp_ms >= 0 && record.kafka_timestamp_ms < INT64_MAX / 1'000'000) {
    return record.kafka_timestamp_ms * 1'000'000;
  }
  return ingest_time;
}

}  // namespace sluice
