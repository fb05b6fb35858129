#pragma once

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "pipeline/batch.h"

namespace sluice {

// A batch whose events have the given route values (nullopt: the event has
// no such field), one document per event.
inline std::shared_ptr<Batch> batchWithRoutes(
    const std::vector<std::vector<std::optional<std::string>>>& events) {
  const uint32_t fields = events.empty() ? 0 : static_cast<uint32_t>(events.front().size());
  auto batch = std::make_shared<Batch>(fields);
  for (size_t i = 0; i < events.size(); ++i) {
    EventRecord record;
    record.doc_offset = static_cast<uint32_t>(batch->documents.size());
    batch->documents += "{\"n\":" + std::to_string(i) + "}";
    record.doc_length = static_cast<uint32_t>(batch->documents.size() - record.doc_offset);
    record.timestamp = 1'700'000'000'123'456'789 + static_cast<int64_t>(i);
    record.id = EventId::forOffset(SourceKey::fromParts("test"), i * 100);
    batch->events.push_back(record);
    for (const std::optional<std::string>& value : events[i]) {
      TextSpan span;
      if (value) {
        span.offset = static_cast<uint32_t>(batch->route_text.size());
        span.length = static_cast<uint32_t>(value->size());
        batch->route_text += *value;
      }
      batch->routes.push_back(span);
    }
  }
  return batch;
}

}  // namespace sluice
