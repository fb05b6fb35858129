#include "outputs/kafka/message_encoder.h"

#include <algorithm>
#include <charconv>

namespace sluice {

MessageEncoder::MessageEncoder(TopicTemplate topic, std::optional<std::string> key_field)
    : topic_(std::move(topic)), key_field_(std::move(key_field)) {}

void MessageEncoder::bind(const std::vector<std::string>& route_fields) {
  topic_.bind(route_fields);
  key_route_ = SIZE_MAX;
  if (!key_field_) return;
  auto it = std::find(route_fields.begin(), route_fields.end(), *key_field_);
  if (it != route_fields.end()) key_route_ = static_cast<size_t>(it - route_fields.begin());
}

void MessageEncoder::encode(const Batch& batch, size_t event_index, MessageParts& out) const {
  topic_.render(out.topic, batch, event_index);
  out.key.reset();
  // An event without the key field goes without a key, to a partition the
  // partitioner picks, rather than with a made-up key that would pile every
  // such event into one partition.
  if (key_route_ < batch.routeFieldCount()) {
    std::optional<std::string_view> value = batch.route(event_index, key_route_);
    if (value && !value->empty()) out.key = value;
  }
  const EventRecord& event = batch.events[event_index];
  out.id.clear();
  event.id.appendTo(out.id);
  char* begin = out.timestamp_buffer.data();
  auto [end, ec] = std::to_chars(begin, begin + out.timestamp_buffer.size(), event.timestamp);
  out.timestamp = ec == std::errc() ? std::string_view(begin, static_cast<size_t>(end - begin))
                                    : std::string_view();
}

}  // namespace sluice
