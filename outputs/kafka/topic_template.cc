#include "outputs/kafka/topic_template.h"

#include <fmt/format.h>

#include <algorithm>

namespace sluice {

bool isTopicChar(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' ||
         c == '_' || c == '-';
}

std::optional<TopicTemplate> TopicTemplate::parse(std::string_view text, std::string& error) {
  TopicTemplate t;
  std::string literal;
  size_t literal_length = 0;
  for (size_t i = 0; i < text.size();) {
    if (text[i] != '{') {
      const char c = text[i++];
      if (!isTopicChar(c)) {
        error = fmt::format(
            "topic names may only contain a-z, A-Z, 0-9, '.', '_' and '-', not '{}'", c);
        return std::nullopt;
      }
      literal += c;
      ++literal_length;
      continue;
    }
    const size_t close = text.find('}', i);
    if (close == std::string_view::npos) {
      error = "unclosed { in topic";
      return std::nullopt;
    }
    const std::string_view field = text.substr(i + 1, close - i - 1);
    if (field.empty()) {
      error = "empty {} in topic";
      return std::nullopt;
    }
    if (field.front() == '+') {
      error = "topics have no date parts ({+...}): a topic per day would never be deleted";
      return std::nullopt;
    }
    if (!literal.empty()) t.parts_.push_back({false, std::move(literal), 0});
    literal.clear();
    auto it = std::find(t.fields_.begin(), t.fields_.end(), field);
    const size_t index = static_cast<size_t>(it - t.fields_.begin());
    if (it == t.fields_.end()) t.fields_.emplace_back(field);
    t.parts_.push_back({true, {}, index});
    i = close + 1;
  }
  if (!literal.empty()) t.parts_.push_back({false, std::move(literal), 0});
  if (t.parts_.empty()) {
    error = "the topic is empty";
    return std::nullopt;
  }
  if (literal_length > kMaxLength) {
    error = fmt::format("topic names are at most {} characters", kMaxLength);
    return std::nullopt;
  }
  if (t.fields_.empty() && (text == "." || text == "..")) {
    error = "\".\" and \"..\" are not topic names";
    return std::nullopt;
  }
  return t;
}

void TopicTemplate::bind(const std::vector<std::string>& route_fields) {
  route_index_.clear();
  for (const std::string& f : fields_) {
    auto it = std::find(route_fields.begin(), route_fields.end(), f);
    route_index_.push_back(static_cast<size_t>(it - route_fields.begin()));
  }
}

void TopicTemplate::render(std::string& out, const Batch& batch, size_t event_index) const {
  out.clear();
  for (const Part& p : parts_) {
    if (!p.is_field) {
      out += p.literal;
      continue;
    }
    const size_t route = p.field < route_index_.size() ? route_index_[p.field] : SIZE_MAX;
    std::optional<std::string_view> value;
    if (route < batch.routeFieldCount()) value = batch.route(event_index, route);
    if (!value || value->empty()) {
      out += "unknown";
      continue;
    }
    for (char c : *value) out += isTopicChar(c) ? c : '_';
  }
  if (out.size() > kMaxLength) out.resize(kMaxLength);
  // Made only of field values, the name can still be one Kafka refuses.
  if (out == "." || out == "..") out.assign(out.size(), '_');
}

}  // namespace sluice
