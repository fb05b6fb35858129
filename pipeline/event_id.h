#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace sluice {

// Identifies one stream of lines: a file (by identity, not path) or one run's
// stdin. Together with a byte offset it names an event for good, which is what
// makes the Elasticsearch `_id` deterministic and replays idempotent.
struct SourceKey {
  uint64_t high = 0;
  uint64_t low = 0;

  static SourceKey fromParts(std::string_view parts);
  bool operator==(const SourceKey&) const = default;
};

struct EventId {
  uint64_t high = 0;
  uint64_t low = 0;

  static EventId forOffset(const SourceKey& source, uint64_t offset);
  // 22 characters of URL-safe base64: short ids keep Elasticsearch's _id
  // index small.
  void appendTo(std::string& out) const;
  // The inverse of appendTo, for ids that travel with events (Kafka's
  // `sluice-id` header). False, leaving `id` alone, unless `text` is exactly
  // what appendTo writes for some id.
  static bool parse(std::string_view text, EventId& id);
  bool operator==(const EventId&) const = default;
};

}  // namespace sluice
