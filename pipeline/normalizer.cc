#include "pipeline/normalizer.h"
#include "pipeline/ascii.h"

#include <fmt/format.h>

#include <charconv>

#include "pipeline/json_escape.h"
#include "pipeline/multiline.h"

namespace sluice {

static_assert(MultilineAssembler::kTextPadding >= simdjson::SIMDJSON_PADDING,
              "multiline events are normalized in place");

namespace {

using NodeId = DocumentTree::NodeId;

// The text of a string value, without quotes; empty for other kinds.
std::string_view stringText(const FieldValue& v) {
  if (v.kind == FieldValue::Kind::kString) return v.text;
  if (v.kind == FieldValue::Kind::kRaw && v.text.size() >= 2 && v.text.front() == '"') {
    return v.text.substr(1, v.text.size() - 2);  // raw strings carry no escapes
  }
  return {};
}

}  // namespace

// The event under construction as drop conditions see it.
class Normalizer::EventFields : public FieldSource {
 public:
  EventFields(const DocumentTree& tree, std::string& scratch) : tree_(tree), scratch_(scratch) {}

  ConditionValue field(std::span<const std::string_view> path) const override {
    NodeId node = DocumentTree::kRoot;
    for (std::string_view part : path) {
      node = tree_.find(node, part);
      if (node < 0) return {};
    }
    const FieldValue& v = tree_.value(node);
    ConditionValue out;
    switch (v.kind) {
      case FieldValue::Kind::kNone:
        if (tree_.hasChildren(node)) out.kind = ConditionValue::Kind::kOther;
        return out;
      case FieldValue::Kind::kString:
        out.kind = ConditionValue::Kind::kString;
        out.text = v.text;
        return out;
      case FieldValue::Kind::kInt:
        out.kind = ConditionValue::Kind::kNumber;
        out.number = static_cast<double>(v.number);
        return out;
      case FieldValue::Kind::kTimestamp:
        scratch_.clear();
        appendRfc3339(scratch_, v.number);
        out.kind = ConditionValue::Kind::kString;
        out.text = scratch_;
        return out;
      case FieldValue::Kind::kRaw:
        break;
    }
    std::string_view raw = v.text;
    if (raw.empty()) return out;
    if (raw.front() == '"') {
      out.kind = ConditionValue::Kind::kString;
      out.text = stringText(v);
    } else if (raw == "true" || raw == "false") {
      out.kind = ConditionValue::Kind::kBool;
      out.boolean = raw == "true";
    } else if (raw == "null") {
      out.kind = ConditionValue::Kind::kNull;
    } else if (raw.front() == '{' || raw.front() == '[') {
      out.kind = ConditionValue::Kind::kOther;
    } else {
      auto [end, ec] = std::from_chars(raw.data(), raw.data() + raw.size(), out.number);
      out.kind = ec == std::errc() ? ConditionValue::Kind::kNumber : ConditionValue::Kind::kOther;
    }
    return out;
  }

 private:
  const DocumentTree& tree_;
  std::string& scratch_;
};

Normalizer::Normalizer(NormalizerOptions options) : options_(std::move(options)) {
  time_context_.zone = options_.time_zone.get();
  if (options_.pii) {
    masker_ = std::make_unique<PiiMasker>(options_.pii);
    stats_.pii.by_custom.resize(options_.pii->custom.size());
  }
  // Elasticsearch refuses objects nested deeper than 20 (index.mapping.depth.limit):
  // such a value makes the line a json_error shipped whole instead.
  if (validator_.allocate(64 * 1024, kMaxValueDepth) != simdjson::SUCCESS) throw std::bad_alloc();
  declareSkeleton();
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

void Normalizer::declareSkeleton() {
  const Schema schema = options_.schema;
  canonical_nodes_.fill(DocumentTree::kInvalid);
  auto declare = [&](Canonical c) {
    canonical_nodes_[static_cast<size_t>(c)] = tree_.declareDotted(canonicalPath(schema, c));
  };
  // Declaration order is output order: the documented layout first.
  declare(Canonical::kTimestamp);
  declare(Canonical::kServiceName);
  declare(Canonical::kServiceTier);
  if (schema == Schema::kEcs) declare(Canonical::kMessage);
  declare(Canonical::kLevel);
  if (schema == Schema::kDocumented) declare(Canonical::kMessage);
  declare(Canonical::kLogger);
  file_path_node_ = tree_.declare({"log", "file", "path"});
  offset_node_ = tree_.declare({"log", "offset"});
  iostream_node_ = tree_.declare({"log", "iostream"});
  for (Canonical c : {Canonical::kCorrelationId, Canonical::kTraceId,      Canonical::kSpanId,
                      Canonical::kHttpMethod,    Canonical::kHttpPath,     Canonical::kHttpStatus,
                      Canonical::kHttpDuration,  Canonical::kUserId,       Canonical::kTenantId,
                      Canonical::kErrorType,     Canonical::kErrorMessage, Canonical::kErrorStack,
                      Canonical::kThread,        Canonical::kComponent,    Canonical::kAiProvider,
                      Canonical::kAiModel,       Canonical::kAiCostUsd,    Canonical::kDbOperation,
                      Canonical::kDbTable,       Canonical::kDbDurationMs, Canonical::kCostCenter,
                      Canonical::kCostWeight}) {
    declare(c);
  }
  canonical_nodes_[static_cast<size_t>(Canonical::kDurationNs)] = node(Canonical::kHttpDuration);
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
  tree_.set(host, FieldValue::raw(host_json_));
  tree_.set(agent, FieldValue::raw(agent_json_));
  tree_.set(ecs, FieldValue::raw("\"8.11.0\""));
  tree_.sealSkeleton();
}

void Normalizer::resetEvent() {
  tree_.reset();
  scratch_used_ = 0;
  tag_count_ = 0;
  conflict_ = false;
  epoch_second_ = -1;
  nano_of_second_ = 0;
  serilog_ = false;
  message_is_template_ = false;
}

void Normalizer::addTag(std::string_view tag) {
  for (size_t i = 0; i < tag_count_; ++i) {
    if (tags_[i] == tag) return;
  }
  if (tag_count_ < tags_.size()) tags_[tag_count_++] = tag;
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
      if (masker_) maskRoute(path, batch.route_text, span.offset);
      span.length = static_cast<uint32_t>(batch.route_text.size() - span.offset);
    }
    batch.routes.push_back(span);
  }
}

void Normalizer::maskRoute(const std::vector<std::string_view>& path, std::string& route_text,
                           size_t begin) {
  // Index names are made of route values: they must not carry in clear what
  // the event's own fields no longer show. The value is masked at its own
  // path in a small document, so that the same rules (sensitive key names,
  // keep paths) apply.
  route_doc_.clear();
  for (std::string_view part : path) {
    route_doc_ += '{';
    appendJsonString(route_doc_, part);
    route_doc_ += ':';
  }
  appendJsonString(route_doc_, std::string_view(route_text).substr(begin));
  route_doc_.append(path.size(), '}');
  if (!masker_->mask(route_doc_, 0, route_counts_)) return;
  // Read back through a parser: the masked value may be escaped JSON.
  route_doc_.reserve(route_doc_.size() + simdjson::SIMDJSON_PADDING);
  simdjson::dom::element element;
  if (validator_.parse(route_doc_.data(), route_doc_.size(), false).get(element)) return;
  for (std::string_view part : path) {
    if (element[part].get(element)) return;
  }
  std::string_view masked;
  if (element.get_string().get(masked)) return;
  route_text.resize(begin);
  route_text += masked;
}

void Normalizer::applyFields(const std::vector<StaticField>& fields) {
  for (const StaticField& f : fields) {
    NodeId target = tree_.leafPath(DocumentTree::kRoot, f.path, /*overwrite=*/true, /*safe=*/false);
    if (target >= 0) tree_.set(target, FieldValue::raw(f.json));
  }
}

void Normalizer::applyCostCenter() {
  if (options_.cost_centers.empty() || isSet(Canonical::kCostCenter)) return;
  std::string_view tier = stringText(tree_.value(node(Canonical::kServiceTier)));
  if (tier.empty()) return;
  for (const CostCenter& c : options_.cost_centers) {
    if (c.tier != tier) continue;
    setCanonical(Canonical::kCostCenter, FieldValue::raw(c.center_json));
    if (!isSet(Canonical::kCostWeight) && !c.weight_json.empty()) {
      setCanonical(Canonical::kCostWeight, FieldValue::raw(c.weight_json));
    }
    return;
  }
}

bool Normalizer::dropped() {
  if (!options_.drop || options_.drop->empty()) return false;
  EventFields fields(tree_, condition_scratch_);
  for (const Condition& rule : *options_.drop) {
    if (rule.matches(fields)) return true;
  }
  return false;
}

void Normalizer::writeTags() {
  if (tag_count_ == 0) return;
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
  tree_.set(tags_node_, FieldValue::raw(tags_json_));
}

void Normalizer::parsePlaintext(std::string_view line, const LineOrigin& origin) {
  // A multiline event: the first line is parsed, the rest is its stack trace.
  std::string_view first = line, rest;
  if (origin.multiline) {
    const size_t newline = line.find('\n');
    if (newline != std::string_view::npos) {
      first = trimRight(line.substr(0, newline));
      rest = line.substr(newline + 1);
    }
  }
  const ParserKind kind = options_.parser.kind;
  parsed_.reset();
  if (kind != ParserKind::kNone && formats_.parse(options_.parser, origin.source, first, parsed_) &&
      applyParsed(first)) {
    ++stats_.text;
    if (formats_.lastHadFreeText()) extractMessagePairs();
    if (!rest.empty() && !isSet(Canonical::kErrorStack)) {
      setCanonical(Canonical::kErrorStack, FieldValue::string(rest));
    } else if (!rest.empty()) {
      setCanonical(Canonical::kMessage, FieldValue::string(line));
    }
  } else {
    resetEvent();
    if (kind != ParserKind::kNone) {
      ++stats_.unparsed;
      addTag("unparsed");
    }
    setCanonical(Canonical::kMessage, FieldValue::string(rest.empty() ? line : first));
    if (!rest.empty()) setCanonical(Canonical::kErrorStack, FieldValue::string(rest));
  }
  // Ids written into the free text: parsers have already read key=value
  // pairs of their own, so only the message is searched.
  if (!isSet(Canonical::kTraceId) || !isSet(Canonical::kCorrelationId)) {
    findContextInText(stringText(tree_.value(node(Canonical::kMessage))));
  }
}

void Normalizer::completeEvent(const LineOrigin& origin, TimestampNs ingest_time) {
  if (!origin.file_path_json.empty())
    tree_.set(file_path_node_, FieldValue::raw(origin.file_path_json));
  tree_.set(offset_node_, FieldValue::integer(static_cast<int64_t>(origin.offset)));
  if (!origin.stream.empty()) tree_.set(iostream_node_, FieldValue::string(origin.stream));
  if (!origin.tag.empty()) addTag(origin.tag);
  if (origin.file_fields != nullptr) applyFields(*origin.file_fields);
  applyFields(options_.fields);
  applyCostCenter();
  if (serilog_ && !isSet(Canonical::kLevel)) {
    setCanonical(Canonical::kLevel, FieldValue::string("INFO"));  // Serilog leaves out Information
  }
  if (options_.fill_correlation_from_trace && !isSet(Canonical::kCorrelationId) &&
      isSet(Canonical::kTraceId)) {
    setCanonical(Canonical::kCorrelationId, tree_.value(node(Canonical::kTraceId)));
  }
  NodeId ts_node = node(Canonical::kTimestamp);
  if (tree_.value(ts_node).empty() && epoch_second_ >= 0 && epoch_second_ < 100'000'000'000LL) {
    tree_.set(ts_node, FieldValue::timestamp(epoch_second_ * 1'000'000'000 + nano_of_second_));
  }
  if (tree_.value(ts_node).empty() && origin.runtime_time != 0) {
    tree_.set(ts_node, FieldValue::timestamp(origin.runtime_time));
  }
  if (tree_.value(ts_node).empty()) tree_.set(ts_node, FieldValue::timestamp(ingest_time));
  if (origin.truncated) addTag("truncated");
}

bool Normalizer::normalize(std::string_view line, const LineOrigin& origin, TimestampNs ingest_time,
                           Batch& batch) {
  time_context_.now = ingest_time;  // year-less stamps: the year that puts them nearest now
  resetEvent();
  line = trimRight(line);

  const size_t first = line.find_first_not_of(" \t");
  const ParserKind kind = options_.parser.kind;
  const bool json_line = first != std::string_view::npos && line[first] == '{';
  bool parsed_json = false;
  if (json_line && (kind == ParserKind::kAuto || kind == ParserKind::kJson)) {
    parsed_json = parseJson(line);
    const size_t newline = origin.multiline ? line.find('\n') : std::string_view::npos;
    if (!parsed_json && newline != std::string_view::npos) {
      // A JSON line that multiline rules joined with the stack trace after it.
      resetEvent();
      parsed_json = parseJson(trimRight(line.substr(0, newline)));
      if (parsed_json && !isSet(Canonical::kErrorStack)) {
        setCanonical(Canonical::kErrorStack, FieldValue::string(line.substr(newline + 1)));
      }
    }
    if (parsed_json) {
      ++stats_.json;
    } else {
      ++stats_.json_errors;
      resetEvent();
      addTag("json_error");
      setCanonical(Canonical::kMessage, FieldValue::string(line));
    }
  } else if (kind == ParserKind::kJson) {
    ++stats_.json_errors;
    addTag("json_error");
    setCanonical(Canonical::kMessage, FieldValue::string(line));
  } else {
    parsePlaintext(line, origin);
  }
  // simdjson checked the UTF-8 of JSON lines; text is checked here, and
  // invalid bytes are replaced when the event is written.
  if (!parsed_json && !simdjson::validate_utf8(line.data(), line.size())) {
    ++stats_.invalid_utf8;
    addTag("invalid_utf8");
  }
  if (conflict_) {
    // A field could be placed nowhere: the whole line travels with the event.
    addTag("field_conflict");
    tree_.set(original_node_, FieldValue::string(line));
  }
  completeEvent(origin, ingest_time);
  writeTags();  // before the drop rules, which may test tags
  if (dropped()) {
    ++stats_.dropped;
    return false;
  }

  EventRecord record;
  record.doc_offset = static_cast<uint32_t>(batch.documents.size());
  tree_.write(batch.documents);
  // Masking works on the written event, so that values kept verbatim from
  // the line (nested objects, event.original) are masked like the rest.
  if (masker_) masker_->mask(batch.documents, record.doc_offset, stats_.pii);
  record.doc_length = static_cast<uint32_t>(batch.documents.size() - record.doc_offset);
  record.timestamp = tree_.value(node(Canonical::kTimestamp)).number;
  record.id = EventId::forOffset(origin.source, origin.offset);
  batch.events.push_back(record);
  captureRoutes(batch);
  return true;
}

}  // namespace sluice
