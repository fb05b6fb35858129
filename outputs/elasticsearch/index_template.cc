#include "outputs/elasticsearch/index_template.h"

#include <fmt/format.h>

#include <algorithm>

namespace sluice {
namespace {

bool validDateFormat(std::string_view f) {
  for (size_t i = 0; i < f.size();) {
    if (f.compare(i, 4, "yyyy") == 0)
      i += 4;
    else if (f.compare(i, 2, "yy") == 0 || f.compare(i, 2, "MM") == 0 ||
             f.compare(i, 2, "dd") == 0 || f.compare(i, 2, "HH") == 0)
      i += 2;
    else if (f[i] == '.' || f[i] == '-' || f[i] == '_')
      ++i;
    else
      return false;
  }
  return !f.empty();
}

char indexChar(char c) {
  if (c >= 'A' && c <= 'Z') return static_cast<char>(c + 32);
  switch (c) {
    case '\\':
    case '/':
    case '*':
    case '?':
    case '"':
    case '<':
    case '>':
    case '|':
    case ',':
    case '#':
    case ':':
    case ' ':
      return '_';
    default:
      return c;
  }
}

}  // namespace

std::optional<IndexTemplate> IndexTemplate::parse(std::string_view text, std::string& error) {
  IndexTemplate t;
  std::string literal;
  for (size_t i = 0; i < text.size();) {
    if (text[i] != '{') {
      char c = text[i++];
      if (indexChar(c) != c) {
        error =
            fmt::format("index names cannot contain '{}' (upper case or a reserved character)", c);
        return std::nullopt;
      }
      literal += c;
      continue;
    }
    size_t close = text.find('}', i);
    if (close == std::string_view::npos) {
      error = "unclosed { in index";
      return std::nullopt;
    }
    if (!literal.empty()) t.parts_.push_back({Part::Kind::kLiteral, std::move(literal), 0});
    literal.clear();
    std::string_view inner = text.substr(i + 1, close - i - 1);
    if (!inner.empty() && inner.front() == '+') {
      if (!validDateFormat(inner.substr(1))) {
        error = fmt::format("unsupported date format {{{}}}: use yyyy, yy, MM, dd, HH with . - _",
                            inner);
        return std::nullopt;
      }
      t.parts_.push_back({Part::Kind::kDate, std::string(inner.substr(1)), 0});
    } else {
      if (inner.empty()) {
        error = "empty {} in index";
        return std::nullopt;
      }
      auto it = std::find(t.fields_.begin(), t.fields_.end(), inner);
      size_t index = static_cast<size_t>(it - t.fields_.begin());
      if (it == t.fields_.end()) t.fields_.emplace_back(inner);
      t.parts_.push_back({Part::Kind::kField, std::string(inner), index});
    }
    i = close + 1;
  }
  if (!literal.empty()) t.parts_.push_back({Part::Kind::kLiteral, std::move(literal), 0});
  if (t.parts_.empty()) {
    error = "the index name is empty";
    return std::nullopt;
  }
  if (t.parts_.front().kind == Part::Kind::kLiteral &&
      (t.parts_.front().text.front() == '-' || t.parts_.front().text.front() == '_' ||
       t.parts_.front().text.front() == '+')) {
    error = "index names cannot start with '-', '_' or '+'";
    return std::nullopt;
  }
  return t;
}

void IndexTemplate::bind(const std::vector<std::string>& route_fields) {
  route_index_.clear();
  for (const std::string& f : fields_) {
    auto it = std::find(route_fields.begin(), route_fields.end(), f);
    route_index_.push_back(static_cast<size_t>(it - route_fields.begin()));
  }
}

void IndexTemplate::renderDate(std::string& out, const std::string& format, TimestampNs ts) const {
  int64_t seconds = ts / 1'000'000'000 - (ts % 1'000'000'000 < 0 ? 1 : 0);
  int64_t hour = seconds >= 0 ? seconds / 3600 : (seconds - 3599) / 3600;
  if (hour != cached_hour_) {
    cached_hour_ = hour;
    cached_dates_.clear();
  }
  size_t date_index = 0;
  for (const Part& p : parts_) {
    if (&p.text == &format) break;
    if (p.kind == Part::Kind::kDate) ++date_index;
  }
  if (date_index < cached_dates_.size() && !cached_dates_[date_index].empty()) {
    out += cached_dates_[date_index];
    return;
  }
  int64_t days = hour >= 0 ? hour / 24 : (hour - 23) / 24;
  CivilDate d = civilFromDays(days);
  int64_t h = hour - days * 24;
  std::string rendered;
  for (size_t i = 0; i < format.size();) {
    if (format.compare(i, 4, "yyyy") == 0) {
      rendered += fmt::format("{:04}", d.year);
      i += 4;
    } else if (format.compare(i, 2, "yy") == 0) {
      rendered += fmt::format("{:02}", d.year % 100);
      i += 2;
    } else if (format.compare(i, 2, "MM") == 0) {
      rendered += fmt::format("{:02}", d.month);
      i += 2;
    } else if (format.compare(i, 2, "dd") == 0) {
      rendered += fmt::format("{:02}", d.day);
      i += 2;
    } else if (format.compare(i, 2, "HH") == 0) {
      rendered += fmt::format("{:02}", h);
      i += 2;
    } else {
      rendered += format[i++];
    }
  }
  if (cached_dates_.size() <= date_index) cached_dates_.resize(date_index + 1);
  cached_dates_[date_index] = rendered;
  out += rendered;
}

void IndexTemplate::render(std::string& out, const Batch& batch, size_t event_index) const {
  for (const Part& p : parts_) {
    switch (p.kind) {
      case Part::Kind::kLiteral:
        out += p.text;
        break;
      case Part::Kind::kDate:
        renderDate(out, p.text, batch.events[event_index].timestamp);
        break;
      case Part::Kind::kField: {
        size_t route = p.field < route_index_.size() ? route_index_[p.field] : SIZE_MAX;
        std::optional<std::string_view> value;
        if (route < batch.routeFieldCount()) value = batch.route(event_index, route);
        if (!value || value->empty()) {
          out += "unknown";
        } else {
          for (char c : *value) out += indexChar(c);
        }
        break;
      }
    }
  }
}

}  // namespace sluice
