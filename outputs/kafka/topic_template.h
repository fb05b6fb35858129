#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "pipeline/batch.h"

namespace sluice {

// A Kafka topic name with per-event parts: `logs.{service.tier}`. `{field}`
// takes the event's value of a field, with every character Kafka does not
// allow in topic names (anything but [a-zA-Z0-9._-]) replaced by `_`, and
// "unknown" when the event has no such field. The rendered name is cut to
// Kafka's 249 characters.
//
// Not the Elasticsearch output's IndexTemplate: topics keep upper case, allow
// fewer characters, and have no date parts (a topic is created once and
// kept, unlike a daily index, so a date in its name would create a topic a
// day that nothing ever deletes).
class TopicTemplate {
 public:
  static constexpr size_t kMaxLength = 249;

  static std::optional<TopicTemplate> parse(std::string_view text, std::string& error);

  const std::vector<std::string>& fields() const { return fields_; }
  // Resolves field names to positions among a batch's route fields.
  void bind(const std::vector<std::string>& route_fields);
  // Replaces `out` with the event's topic.
  void render(std::string& out, const Batch& batch, size_t event_index) const;

 private:
  struct Part {
    bool is_field = false;
    std::string literal;
    size_t field = 0;  // index into fields_, then into route_index_
  };

  std::vector<Part> parts_;
  std::vector<std::string> fields_;
  std::vector<size_t> route_index_;
};

// Kafka's rule for topic names, one character at a time.
bool isTopicChar(char c);

}  // namespace sluice
