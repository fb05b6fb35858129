#include "pipeline/normalizer.h"

#include <fmt/format.h>

#include <algorithm>
#include <cstring>

#include "pipeline/json_escape.h"

namespace sluice {
namespace {

namespace od = simdjson::ondemand;
using NodeId = DocumentTree::NodeId;

constexpr int kMaxAliasDepth = 4;

std::string_view trimRight(std::string_view s) {
  while (!s.empty() &&
         (s.back() == ' ' || s.back() == '\t' || s.back() == '\r' || s.back() == '\n')) {
    s.remove_suffix(1);
  }
  return s;
}

bool equalsIgnoreCase(std::string_view a, std::string_view lower) {
  if (a.size() != lower.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    char c = a[i];
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c + 32);
    if (c != lower[i]) return false;
  }
  return true;
}

struct LevelName {
  std::string_view word;
  std::string_view level;
};
constexpr LevelName kLevelWords[] = {
    {"info", "INFO"},    {"error", "ERROR"},      {"warn", "WARN"},
    {"warning", "WARN"}, {"debug", "DEBUG"},      {"trace", "TRACE"},
    {"fatal", "FATAL"},  {"critical", "FATAL"},   {"crit", "FATAL"},
    {"err", "ERROR"},    {"information", "INFO"}, {"informational", "INFO"},
    {"notice", "INFO"},  {"inf", "INFO"},         {"dbg", "DEBUG"},
    {"wrn", "WARN"},     {"trc", "TRACE"},        {"verbose", "TRACE"},
    {"severe", "ERROR"}, {"emerg", "FATAL"},      {"emergency", "FATAL"},
    {"alert", "FATAL"},  {"panic", "FATAL"},      {"dpanic", "FATAL"},
    {"fine", "DEBUG"},   {"finer", "TRACE"},      {"finest", "TRACE"},
};

// Pino/Bunyan levels (10..60) and syslog severities (0..7).
std::string_view levelFromNumber(int64_t n) {
  if (n >= 0 && n <= 7) {
    static constexpr std::string_view kSyslog[] = {"FATAL", "FATAL", "FATAL", "ERROR",
                                                   "WARN",  "INFO",  "INFO",  "DEBUG"};
    return kSyslog[n];
  }
  if (n <= 10) return "TRACE";
  if (n <= 20) return "DEBUG";
  if (n <= 30) return "INFO";
  if (n <= 40) return "WARN";
  if (n <= 50) return "ERROR";
  return "FATAL";
}

bool isHttpMethod(std::string_view m) {
  static constexpr std::string_view kMethods[] = {"get",  "post",    "put",   "delete", "patch",
                                                  "head", "options", "trace", "connect"};
  return std::any_of(std::begin(kMethods), std::end(kMethods),
                     [&](std::string_view k) { return equalsIgnoreCase(m, k); });
}

bool parseSmallInt(std::string_view s, int64_t& out) {
  if (s.empty() || s.size() > 18) return false;
  int64_t v = 0;
  for (char c : s) {
    if (c < '0' || c > '9') return false;
    v = v * 10 + (c - '0');
  }
  out = v;
  return true;
}

// A JSON number: -?(0|[1-9][0-9]*)(.[0-9]+)?([eE][+-]?[0-9]+)?
bool isJsonNumber(std::string_view s) {
  size_t i = 0;
  auto digits = [&] {
    size_t start = i;
    while (i < s.size() && s[i] >= '0' && s[i] <= '9') ++i;
    return i - start;
  };
  if (i < s.size() && s[i] == '-') ++i;
  size_t start = i;
  size_t whole = digits();
  if (whole == 0 || (whole > 1 && s[start] == '0')) return false;
  if (i < s.size() && s[i] == '.') {
    ++i;
    if (digits() == 0) return false;
  }
  if (i < s.size() && (s[i] == 'e' || s[i] == 'E')) {
    ++i;
    if (i < s.size() && (s[i] == '+' || s[i] == '-')) ++i;
    if (digits() == 0) return false;
  }
  return i == s.size() && s.size() <= 64;
}

// Raw JSON string tokens are copied to the output as they are only when
// plainly valid: no escape to check and no raw control character.
bool rawStringIsPlain(std::string_view token) {
  if (token.size() < 2 || token.back() != '"') return false;
  constexpr uint64_t kOnes = 0x0101010101010101ULL;
  constexpr uint64_t kHigh = 0x8080808080808080ULL;
  size_t i = 0;
  for (; i + 8 <= token.size(); i += 8) {
    uint64_t w;
    std::memcpy(&w, token.data() + i, 8);
    // Bytes below 0x20 (only exact for ASCII bytes, so high bytes are
    // masked out), and backslashes.
    uint64_t below_space = (w - kOnes * 0x20) & ~w & kHigh;
    uint64_t b = w ^ (kOnes * '\\');
    uint64_t backslash = (b - kOnes) & ~b & kHigh;
    if (below_space | backslash) return false;
  }
  for (; i < token.size(); ++i) {
    unsigned char c = static_cast<unsigned char>(token[i]);
    if (c == '\\' || c < 0x20) return false;
  }
  return true;
}

}  // namespace

Normalizer::Normalizer(NormalizerOptions options) : options_(std::move(options)) {
  auto slot = [&](Canonical c) -> NodeId& { return canonical_nodes_[static_cast<size_t>(c)]; };
  canonical_nodes_.fill(DocumentTree::kInvalid);
  slot(Canonical::kTimestamp) = tree_.declare({"@timestamp"});
  slot(Canonical::kServiceName) = tree_.declare({"service", "name"});
  slot(Canonical::kServiceTier) = tree_.declare({"service", "tier"});
  slot(Canonical::kLevel) = tree_.declare({"log", "level"});
  slot(Canonical::kMessage) = tree_.declare({"log", "message"});
  file_path_node_ = tree_.declare({"log", "file", "path"});
  offset_node_ = tree_.declare({"log", "offset"});
  iostream_node_ = tree_.declare({"log", "iostream"});
  slot(Canonical::kCorrelationId) = tree_.declare({"correlation", "id"});
  slot(Canonical::kTraceId) = tree_.declare({"trace", "id"});
  slot(Canonical::kSpanId) = tree_.declare({"trace", "span_id"});
  slot(Canonical::kHttpMethod) = tree_.declare({"http", "method"});
  slot(Canonical::kHttpPath) = tree_.declare({"http", "path"});
  slot(Canonical::kHttpStatus) = tree_.declare({"http", "status_code"});
  slot(Canonical::kHttpDuration) = tree_.declare({"http", "duration_ms"});
  slot(Canonical::kUserId) = tree_.declare({"user", "id"});
  slot(Canonical::kTenantId) = tree_.declare({"tenant", "id"});
  NodeId host = tree_.declare({"host", "name"});
  NodeId agent = tree_.declare({"agent"});
  NodeId ecs = tree_.declare({"ecs", "version"});
  tags_node_ = tree_.declare({"tags"});
  original_node_ = tree_.declare({"event", "original"});

  host_json_.clear();
  appendJsonString(host_json_, options_.host_name);
  agent_json_ = "{\"type\":\"sluice\",\"version\":";
  appendJsonString(agent_json_, options_.agent_version);
  agent_json_ += ",\"name\":" + host_json_ + "}";
  // Source metadata is set in the skeleton itself: it is the same for every
  // event, and a log's own "agent" or "host" key then moves to labels.
  tree_.value(host) = FieldValue::raw(host_json_);
  tree_.value(agent) = FieldValue::raw(agent_json_);
  tree_.value(ecs) = FieldValue::raw("\"8.11.0\"");
  tree_.sealSkeleton();

  route_path_storage_ = options_.route_fields;
  for (const std::string& path : route_path_storage_) {
    std::vector<std::string_view> parts;
    std::string_view rest = path;
    for (size_t dot; (dot = rest.find('.')) != std::string_view::npos;) {
      parts.push_back(rest.substr(0, dot));
      rest.remove_prefix(dot + 1);
    }
    parts.push_back(rest);
    route_paths_.push_back(std::move(parts));
  }
}

std::string_view Normalizer::scratchJoin(std::string_view prefix, std::string_view key) {
  if (prefix.size() + 1 + key.size() > scratch_.size() - scratch_used_) return {};
  char* dst = scratch_.data() + scratch_used_;
  std::copy(prefix.begin(), prefix.end(), dst);
  dst[prefix.size()] = '_';
  std::copy(key.begin(), key.end(), dst + prefix.size() + 1);
  scratch_used_ += prefix.size() + 1 + key.size();
  return {dst, prefix.size() + 1 + key.size()};
}

std::string_view Normalizer::scratchCopy(std::string_view text, CaseChange change) {
  if (change != CaseChange::kNone) {
    const unsigned char lo = change == CaseChange::kUpper ? 'a' : 'A';
    bool needs_change = false;
    for (char c : text)
      needs_change |= static_cast<unsigned char>(static_cast<unsigned char>(c) - lo) < 26;
    if (!needs_change) return text;  // already in the wanted case: no copy
  }
  if (text.size() > scratch_.size() - scratch_used_) return {};
  char* dst = scratch_.data() + scratch_used_;
  for (size_t i = 0; i < text.size(); ++i) {
    char c = text[i];
    if (change == CaseChange::kUpper && c >= 'a' && c <= 'z') c = static_cast<char>(c - 32);
    if (change == CaseChange::kLower && c >= 'A' && c <= 'Z') c = static_cast<char>(c + 32);
    dst[i] = c;
  }
  scratch_used_ += text.size();
  return {dst, text.size()};
}

void Normalizer::addTag(std::string_view tag) {
  if (tag_count_ < tags_.size()) tags_[tag_count_++] = tag;
}

void Normalizer::setCanonical(Canonical field, FieldValue value) {
  tree_.value(canonical_nodes_[static_cast<size_t>(field)]) = value;
}

bool Normalizer::takeCanonical(Canonical field, od::value value, od::json_type type) {
  if (field != Canonical::kTraceparent &&
      !tree_.value(canonical_nodes_[static_cast<size_t>(field)]).empty()) {
    return false;  // the first alias wins; later ones keep their own names
  }
  const bool is_string = type == od::json_type::string;
  const bool is_number = type == od::json_type::number;
  std::string_view token = trimRight(value.raw_json_token());
  std::string_view text;
  if (is_string && value.get_string().get(text)) return false;

  switch (field) {
    case Canonical::kTimestamp: {
      std::optional<TimestampNs> ts;
      if (is_string)
        ts = parseTimestamp(text);
      else if (is_number)
        ts = parseEpochTimestamp(token);
      if (!ts) return false;
      setCanonical(field, FieldValue::timestamp(*ts));
      return true;
    }
    case Canonical::kLevel: {
      // Numbers (pino, syslog) and known words only: the documented field
      // holds one of six values; anything else keeps its own name.
      int64_t n;
      if ((is_number && value.get_int64().get(n) == simdjson::SUCCESS) ||
          (is_string && parseSmallInt(text, n))) {
        setCanonical(field, FieldValue::string(levelFromNumber(n)));
        return true;
      }
      if (!is_string) return false;
      for (const LevelName& l : kLevelWords) {
        if (equalsIgnoreCase(text, l.word)) {
          setCanonical(field, FieldValue::string(l.level));
          return true;
        }
      }
      return false;
    }
    case Canonical::kMessage:
      if (!is_string) return false;
      setCanonical(field, stringValue(token, text));
      return true;
    case Canonical::kServiceName:
    case Canonical::kServiceTier:
    case Canonical::kCorrelationId:
    case Canonical::kUserId:
    case Canonical::kTenantId:
      if (is_string) {
        setCanonical(field, stringValue(token, text));
      } else if (is_number && isJsonNumber(token)) {
        // Keep the mapping a keyword even when a logger writes numeric ids.
        setCanonical(field, FieldValue::string(token));
      } else {
        return false;
      }
      return true;
    case Canonical::kTraceId:
    case Canonical::kSpanId: {
      if (!is_string || text.empty() || text.size() > 64) return false;
      std::string_view lower = scratchCopy(text, CaseChange::kLower);
      if (lower.empty()) return false;
      setCanonical(field, FieldValue::string(lower));
      return true;
    }
    case Canonical::kTraceparent: {
      // W3C trace context: version-traceid(32)-parentid(16)-flags(2).
      if (!is_string || text.size() != 55 || text[2] != '-' || text[35] != '-' || text[52] != '-') {
        return false;
      }
      std::string_view lower = scratchCopy(text, CaseChange::kLower);
      if (lower.empty()) return false;
      NodeId trace = canonical_nodes_[static_cast<size_t>(Canonical::kTraceId)];
      NodeId span = canonical_nodes_[static_cast<size_t>(Canonical::kSpanId)];
      if (tree_.value(trace).empty()) tree_.value(trace) = FieldValue::string(lower.substr(3, 32));
      if (tree_.value(span).empty()) tree_.value(span) = FieldValue::string(lower.substr(36, 16));
      return false;  // keep traceparent itself too: it carries the flags
    }
    case Canonical::kHttpMethod: {
      if (!is_string || !isHttpMethod(text)) return false;
      std::string_view upper = scratchCopy(text, CaseChange::kUpper);
      if (upper.empty()) return false;
      setCanonical(field, FieldValue::string(upper));
      return true;
    }
    case Canonical::kHttpPath:
      if (!is_string || text.empty() || text.front() != '/') return false;
      setCanonical(field, stringValue(token, text));
      return true;
    case Canonical::kHttpStatus: {
      int64_t status;
      if (!parseSmallInt(is_string ? text : token, status) || status < 100 || status > 599) {
        return false;
      }
      setCanonical(field, FieldValue::integer(status));
      return true;
    }
    case Canonical::kHttpDuration:
      if (is_number && isJsonNumber(token)) {
        setCanonical(field, FieldValue::raw(token));
      } else if (is_string && isJsonNumber(text)) {
        setCanonical(field, FieldValue::raw(text));
      } else {
        return false;
      }
      return true;
    case Canonical::kNone:
      break;
  }
  return false;
}

bool Normalizer::keepUnknown(NodeId parent, std::string_view key, bool key_is_json_safe,
                             od::value value, od::json_type type, AliasGroup group) {
  FieldValue kept;
  if (!validValue(value, type, kept)) return false;
  if (group == AliasGroup::kTop && key == "tags" &&
      (type == od::json_type::array || type == od::json_type::string) &&
      tree_.value(tags_node_).empty()) {
    tree_.value(tags_node_) = kept;  // merged with sluice's own tags at the end
    return true;
  }
  NodeId node = tree_.leafPath(parent, key, /*overwrite=*/false, key_is_json_safe);
  // A key that was not split at dots stands in the output as in the line.
  const NodeId plain_target =
      key.find('.') == std::string_view::npos ? node : DocumentTree::kInvalid;
  if (node < 0) {
    // The name is taken by a documented field or a duplicate key: keep the
    // value under labels.* rather than produce a document Elasticsearch
    // rejects.
    NodeId labels = tree_.objectChild(DocumentTree::kRoot, "labels");
    std::string_view label =
        group == AliasGroup::kTop ? key : scratchJoin(aliasGroupName(group), key);
    node = labels >= 0 && !label.empty() ? tree_.leaf(labels, label, false, key_is_json_safe)
                                         : DocumentTree::kInvalid;
  }
  if (node < 0) {
    conflict_ = true;
    return true;
  }
  tree_.value(node) = kept;
  if (key_is_json_safe && kept.kind == FieldValue::Kind::kRaw && node == plain_target) {
    // key points just past its opening quote, inside the line; the value
    // ends the member.
    const char* begin = key.data() - 1;
    const char* end = kept.text.data() + kept.text.size();
    tree_.setMember(node, std::string_view(begin, static_cast<size_t>(end - begin)));
  }
  return true;
}

FieldValue Normalizer::stringValue(std::string_view token, std::string_view unescaped) {
  return rawStringIsPlain(token) ? FieldValue::raw(token) : FieldValue::string(unescaped);
}

bool Normalizer::validValue(od::value value, od::json_type type, FieldValue& out) {
  // On-demand parsing skips what it is not asked about, so a value copied
  // verbatim is checked first: one invalid byte would make Elasticsearch
  // reject the event. A line with an invalid value is not JSON (false).
  std::string_view raw;
  switch (type) {
    case od::json_type::object:
    case od::json_type::array: {
      if (type == od::json_type::object) {
        od::object object;
        if (value.get_object().get(object) || object.raw_json().get(raw)) return false;
      } else {
        od::array array;
        if (value.get_array().get(array) || array.raw_json().get(raw)) return false;
      }
      raw = trimRight(raw);
      // The span lies inside the padded line, so the parser may read past it.
      simdjson::dom::element ignored;
      out = FieldValue::raw(raw);
      return validator_.parse(raw.data(), raw.size(), false).get(ignored) == simdjson::SUCCESS;
    }
    case od::json_type::string: {
      raw = trimRight(value.raw_json_token());
      if (rawStringIsPlain(raw)) {
        out = FieldValue::raw(raw);
        return true;
      }
      std::string_view text;
      if (value.get_string().get(text) != simdjson::SUCCESS) return false;
      out = FieldValue::string(text);
      return true;
    }
    case od::json_type::number:
      raw = trimRight(value.raw_json_token());
      out = FieldValue::raw(raw);
      return isJsonNumber(raw);
    case od::json_type::boolean:
    case od::json_type::null:
      raw = trimRight(value.raw_json_token());
      out = FieldValue::raw(raw);
      return raw == "true" || raw == "false" || raw == "null";
  }
  return false;
}

bool Normalizer::walkObject(od::object object, NodeId node, AliasGroup group, int depth) {
  for (auto member : object) {
    od::field field;
    od::json_type type;
    if (std::move(member).get(field)) return false;
    // Keys without escapes (nearly all) are used in place: no unescaping
    // now, no escaping on output.
    const char* raw_key = field.key().raw();
    const char* end = raw_key;
    while (*end != '"' && *end != '\\' && static_cast<unsigned char>(*end) >= 0x20) ++end;
    const bool key_is_json_safe = *end == '"';
    std::string_view key(raw_key, static_cast<size_t>(end - raw_key));
    if (!key_is_json_safe && field.unescaped_key().get(key)) return false;
    od::value value = field.value();
    if (value.type().get(type)) return false;
    Alias alias = lookupAlias(group, key);
    if (alias.group != AliasGroup::kTop && type == od::json_type::object &&
        depth < kMaxAliasDepth) {
      NodeId target = tree_.objectChild(DocumentTree::kRoot, aliasGroupName(alias.group));
      if (target >= 0) {
        od::object inner;
        if (value.get_object().get(inner) || !walkObject(inner, target, alias.group, depth + 1)) {
          return false;
        }
        continue;
      }
    }
    if (alias.field != Canonical::kNone && type != od::json_type::object &&
        type != od::json_type::array && takeCanonical(alias.field, value, type)) {
      continue;
    }
    if (!keepUnknown(node, key, key_is_json_safe, value, type, group)) return false;
  }
  return true;
}

bool Normalizer::parseJson(std::string_view line) {
  od::document doc;
  if (parser_.iterate(line.data(), line.size(), line.size() + simdjson::SIMDJSON_PADDING)
          .get(doc)) {
    return false;
  }
  od::object object;
  if (doc.get_object().get(object)) return false;
  if (!walkObject(object, DocumentTree::kRoot, AliasGroup::kTop, 0)) return false;
  // Anything after the object means the line was not one JSON document.
  const char* trailing;
  return doc.current_location().get(trailing) != simdjson::SUCCESS;
}

void Normalizer::captureRoutes(Batch& batch) {
  for (const auto& path : route_paths_) {
    NodeId node = DocumentTree::kRoot;
    for (std::string_view part : path) {
      node = tree_.find(node, part);
      if (node < 0) break;
    }
    TextSpan span;
    if (node >= 0 && !tree_.value(node).empty()) {
      const FieldValue& v = tree_.value(node);
      span.offset = static_cast<uint32_t>(batch.route_text.size());
      switch (v.kind) {
        case FieldValue::Kind::kRaw: {
          std::string_view t = v.text;
          if (t.size() >= 2 && t.front() == '"') t = t.substr(1, t.size() - 2);
          batch.route_text += t;
          break;
        }
        case FieldValue::Kind::kString:
          batch.route_text += v.text;
          break;
        case FieldValue::Kind::kInt:
          fmt::format_to(std::back_inserter(batch.route_text), "{}", v.number);
          break;
        case FieldValue::Kind::kTimestamp:
          appendRfc3339(batch.route_text, v.number);
          break;
        case FieldValue::Kind::kNone:
          break;
      }
      span.length = static_cast<uint32_t>(batch.route_text.size() - span.offset);
    }
    batch.routes.push_back(span);
  }
}

void Normalizer::applyFields(const std::vector<StaticField>& fields) {
  for (const StaticField& f : fields) {
    NodeId node = tree_.leafPath(DocumentTree::kRoot, f.path, /*overwrite=*/true, /*safe=*/false);
    if (node >= 0) tree_.value(node) = FieldValue::raw(f.json);
  }
}

void Normalizer::normalize(std::string_view line, const LineOrigin& origin, TimestampNs ingest_time,
                           Batch& batch) {
  scratch_used_ = 0;
  tag_count_ = 0;
  conflict_ = false;
  tree_.reset();
  line = trimRight(line);

  size_t first = line.find_first_not_of(" \t");
  bool parsed = false;
  if (first != std::string_view::npos && line[first] == '{') {
    parsed = parseJson(line);
    if (!parsed) {
      ++stats_.json_errors;
      tree_.reset();
      scratch_used_ = 0;
      conflict_ = false;
      addTag("json_error");
    }
  } else {
    ++stats_.unparsed;
    addTag("unparsed");
  }
  if (!parsed) {
    if (!simdjson::validate_utf8(line.data(), line.size())) {
      ++stats_.invalid_utf8;
      addTag("invalid_utf8");
    }
    setCanonical(Canonical::kMessage, FieldValue::string(line));
  }
  if (conflict_) {
    // A field could be placed nowhere: the whole line travels with the event.
    addTag("field_conflict");
    tree_.value(original_node_) = FieldValue::string(line);
  }

  if (!origin.file_path_json.empty())
    tree_.value(file_path_node_) = FieldValue::raw(origin.file_path_json);
  tree_.value(offset_node_) = FieldValue::integer(static_cast<int64_t>(origin.offset));
  if (!origin.stream.empty()) tree_.value(iostream_node_) = FieldValue::string(origin.stream);
  if (!origin.tag.empty()) addTag(origin.tag);
  if (origin.file_fields != nullptr) applyFields(*origin.file_fields);
  applyFields(options_.fields);
  NodeId ts_node = canonical_nodes_[static_cast<size_t>(Canonical::kTimestamp)];
  if (tree_.value(ts_node).empty() && origin.runtime_time != 0) {
    tree_.value(ts_node) = FieldValue::timestamp(origin.runtime_time);
  }
  if (tree_.value(ts_node).empty()) tree_.value(ts_node) = FieldValue::timestamp(ingest_time);
  if (origin.truncated) addTag("truncated");
  if (tag_count_ > 0) {
    tags_json_.clear();
    const FieldValue& existing = tree_.value(tags_node_);
    if (existing.kind == FieldValue::Kind::kRaw && existing.text.size() >= 2 &&
        existing.text.front() == '[') {
      std::string_view inner = existing.text.substr(1, existing.text.size() - 2);
      tags_json_ += '[';
      tags_json_ += inner;
      if (inner.find_first_not_of(" \t\r\n") != std::string_view::npos) tags_json_ += ',';
    } else if (existing.kind == FieldValue::Kind::kRaw) {
      tags_json_ += '[';
      tags_json_ += existing.text;
      tags_json_ += ',';
    } else {
      tags_json_ += '[';
    }
    for (size_t i = 0; i < tag_count_; ++i) {
      if (i) tags_json_ += ',';
      appendJsonString(tags_json_, tags_[i]);
    }
    tags_json_ += ']';
    tree_.value(tags_node_) = FieldValue::raw(tags_json_);
  }

  EventRecord record;
  record.doc_offset = static_cast<uint32_t>(batch.documents.size());
  tree_.write(batch.documents);
  record.doc_length = static_cast<uint32_t>(batch.documents.size() - record.doc_offset);
  record.timestamp = tree_.value(ts_node).number;
  record.id = EventId::forOffset(origin.source, origin.offset);
  batch.events.push_back(record);
  captureRoutes(batch);
}

}  // namespace sluice
