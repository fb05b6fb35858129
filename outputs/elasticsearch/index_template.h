#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "pipeline/batch.h"

namespace sluice {

// An index name with per-event parts: `logs-{service.name}-{+yyyy.MM.dd}`.
// `{field}` takes the event's value of a field (lower-cased, characters
// Elasticsearch forbids in index names replaced by `_`, "unknown" when the
// event has no such field); `{+FORMAT}` formats the event's @timestamp in UTC
// with yyyy, yy, MM, dd, HH.
class IndexTemplate {
 public:
  static std::optional<IndexTemplate> parse(std::string_view text, std::string& error);

  const std::vector<std::string>& fields() const { return fields_; }
  // Resolves field names to positions among a batch's route fields.
  void bind(const std::vector<std::string>& route_fields);
  void render(std::string& out, const Batch& batch, size_t event_index) const;

 private:
  struct Part {
    enum class Kind { kLiteral, kField, kDate } kind;
    std::string text;  // literal text, or the date format
    size_t field = 0;  // index into fields_, then into the batch's route fields
  };
  void renderDate(std::string& out, const std::string& format, TimestampNs ts) const;

  std::vector<Part> parts_;
  std::vector<std::string> fields_;
  std::vector<size_t> route_index_;
  // Rendering a date per event is wasted work: cache the last day seen.
  mutable int64_t cached_hour_ = INT64_MIN;
  mutable std::vector<std::string> cached_dates_;
};

}  // namespace sluice
