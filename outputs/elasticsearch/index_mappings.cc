#include "outputs/elasticsearch/index_mappings.h"

#include <fmt/format.h>
#include <xxhash.h>

#include <algorithm>
#include <chrono>
#include <map>
#include <string>
#include <utility>
#include <vector>

#include "pipeline/json_escape.h"

namespace sluice {
namespace {

// Every keyword caps what it indexes: a longer value stays in _source but is
// not indexed, instead of the document being refused (Lucene's term limit).
constexpr std::string_view kKeyword = R"({"type":"keyword","ignore_above":1024})";
constexpr std::string_view kText = R"({"type":"text"})";
// The normalizer writes micro- and nanoseconds when the log has them; `date`
// would cut them to milliseconds and scramble the order of fast lines.
constexpr std::string_view kDateNanos = R"({"type":"date_nanos"})";
constexpr std::string_view kInteger = R"({"type":"integer"})";
constexpr std::string_view kLong = R"({"type":"long"})";
constexpr std::string_view kDouble = R"({"type":"double"})";
// Millionths of a dollar as integers: sums over many small costs stay exact.
constexpr std::string_view kMoney = R"({"type":"scaled_float","scaling_factor":1000000})";

// The exhaustive switch makes a new documented field a compile error here
// until it has a type.
std::string_view canonicalMapping(Schema schema, Canonical field) {
  switch (field) {
    case Canonical::kTimestamp:
      return kDateNanos;
    case Canonical::kMessage:
    case Canonical::kErrorMessage:
    case Canonical::kErrorStack:
      return kText;
    case Canonical::kHttpStatus:
      return kInteger;
    case Canonical::kHttpDuration:
    case Canonical::kDurationNs:
      return schema == Schema::kEcs ? kLong : kDouble;  // ECS: event.duration in ns
    case Canonical::kDbDurationMs:
    case Canonical::kCostWeight:
      return kDouble;
    case Canonical::kAiCostUsd:
      return kMoney;
    case Canonical::kLevel:
    case Canonical::kServiceName:
    case Canonical::kServiceTier:
    case Canonical::kCorrelationId:
    case Canonical::kTraceId:
    case Canonical::kSpanId:
    case Canonical::kHttpMethod:
    case Canonical::kHttpPath:
    case Canonical::kUserId:
    case Canonical::kTenantId:
    case Canonical::kLogger:
    case Canonical::kThread:
    case Canonical::kErrorType:
    case Canonical::kComponent:
    case Canonical::kAiProvider:
    case Canonical::kAiModel:
    case Canonical::kDbOperation:
    case Canonical::kDbTable:
    case Canonical::kCostCenter:
      return kKeyword;
    case Canonical::kNone:
    case Canonical::kTraceparent:
    case Canonical::kB3:
    case Canonical::kOtelSeverity:
    case Canonical::kEpochSecond:
    case Canonical::kNanoOfSecond:
    case Canonical::kMessageTemplate:
    case Canonical::kCount:
      break;
  }
  return {};
}

struct PathMapping {
  std::string_view path;
  std::string_view mapping;
};

// What sluice itself adds to every event (docs/schema.md, source and
// container metadata); the same in both schemas. Not `event.original`: an
// `event` object in the documented layout would refuse the dead-letter
// records (whose `event` is a string) of a dead-letter index that matches
// the pattern.
constexpr PathMapping kSourceFields[] = {
    {"log.file.path", kKeyword},
    {"log.offset", kLong},
    {"log.iostream", kKeyword},
    {"host.name", kKeyword},
    {"agent.type", kKeyword},
    {"agent.version", kKeyword},
    {"agent.name", kKeyword},
    {"ecs.version", kKeyword},
    {"tags", kKeyword},
    {"kubernetes.namespace", kKeyword},
    {"kubernetes.pod.name", kKeyword},
    {"kubernetes.pod.uid", kKeyword},
    {"kubernetes.container.name", kKeyword},
    {"container.name", kKeyword},
    {"container.id", kKeyword},
};

// Objects whose members are free-form: values of one key can be a number
// in one service and a word in another, so every scalar is a keyword.
constexpr std::string_view kKeywordObjects[] = {"labels", "kubernetes.labels"};
// Date-looking strings are detected as `date` before `string` templates apply.
constexpr std::string_view kScalarKinds[] = {"string", "long", "double", "boolean", "date"};

struct MappingNode {
  std::string_view leaf;  // the field's mapping; empty for an object
  std::map<std::string_view, MappingNode> children;
};

void insert(MappingNode& root, std::string_view path, std::string_view mapping) {
  MappingNode* node = &root;
  for (size_t start = 0;;) {
    size_t dot = path.find('.', start);
    node = &node->children[path.substr(start, dot - start)];
    if (dot == std::string_view::npos) break;
    start = dot + 1;
  }
  node->leaf = mapping;
}

void appendProperties(std::string& out, const MappingNode& node) {
  out += '{';
  bool first = true;
  for (const auto& [name, child] : node.children) {
    if (!first) out += ',';
    first = false;
    appendJsonString(out, name);
    out += ':';
    if (!child.leaf.empty()) {
      out += child.leaf;
    } else {
      out += R"({"properties":)";
      appendProperties(out, child);
      out += '}';
    }
  }
  out += '}';
}

void appendDynamicTemplates(std::string& out) {
  out += '[';
  bool first = true;
  for (std::string_view object : kKeywordObjects) {
    for (std::string_view kind : kScalarKinds) {
      if (!first) out += ',';
      first = false;
      std::string name(object);
      std::replace(name.begin(), name.end(), '.', '_');
      out += fmt::format(
          R"({{"{}_{}":{{"path_match":"{}.*","match_mapping_type":"{}","mapping":{}}}}})", name,
          kind, object, kind, kKeyword);
    }
  }
  out += ']';
}

void appendStringArray(std::string& out, const std::vector<std::string>& values) {
  out += '[';
  for (size_t i = 0; i < values.size(); ++i) {
    if (i > 0) out += ',';
    appendJsonString(out, values[i]);
  }
  out += ']';
}

std::string checksumOf(std::string_view content) {
  return fmt::format("{:016x}", XXH3_64bits(content.data(), content.size()));
}

std::string metaObject(std::string_view version, std::string_view checksum) {
  std::string out = R"({"managed_by":"sluice","version":)";
  appendJsonString(out, version);
  out += R"(,"checksum":)";
  appendJsonString(out, checksum);
  out += '}';
  return out;
}

// The phases an index goes through and the age at which each begins; a
// phase whose start equals the next one's is left out.
struct Phase {
  std::string_view name;
  std::chrono::milliseconds starts;
  int priority;  // recovery order after a restart: hot indices first
};

std::vector<Phase> phasesOf(const LifecycleConfig& c) {
  std::vector<Phase> phases{{"hot", std::chrono::milliseconds(0), 100}};
  if (c.hot < c.warm) phases.push_back({"warm", c.hot, 50});
  if (c.warm < c.delete_after) phases.push_back({"cold", c.warm, 0});
  phases.push_back({"delete", c.delete_after, 0});
  return phases;
}

}  // namespace

std::string timeValue(std::chrono::milliseconds age) {
  const int64_t ms = age.count();
  if (ms == 0) return "0ms";
  constexpr std::pair<int64_t, std::string_view> kUnits[] = {
      {86'400'000, "d"}, {3'600'000, "h"}, {60'000, "m"}, {1'000, "s"}};
  for (const auto& [size, unit] : kUnits) {
    if (ms % size == 0) return fmt::format("{}{}", ms / size, unit);
  }
  return fmt::format("{}ms", ms);
}

SetupBody indexTemplateBody(const TemplateSpec& spec, std::string_view version) {
  MappingNode root;
  for (size_t i = 0; i < static_cast<size_t>(Canonical::kCount); ++i) {
    const auto field = static_cast<Canonical>(i);
    const std::string_view path = canonicalPath(spec.schema, field);
    const std::string_view mapping = canonicalMapping(spec.schema, field);
    if (!path.empty() && !mapping.empty()) insert(root, path, mapping);
  }
  for (const PathMapping& f : kSourceFields) insert(root, f.path, f.mapping);

  std::string content = R"({"index_patterns":)";
  appendStringArray(content, spec.index_patterns);
  content += fmt::format(R"(,"priority":{})", spec.priority);
  if (spec.data_stream) content += R"(,"data_stream":{})";
  content += R"(,"template":{)";
  if (!spec.ilm_policy.empty()) {
    content += R"("settings":{"index":{"lifecycle":{"name":)";
    appendJsonString(content, spec.ilm_policy);
    content += "}}},";
  }
  content += R"("mappings":{"dynamic_templates":)";
  appendDynamicTemplates(content);
  content += R"(,"properties":)";
  appendProperties(content, root);
  content += "}}";

  SetupBody body;
  body.checksum = checksumOf(content);
  body.json = content + R"(,"_meta":)" + metaObject(version, body.checksum) + "}";
  return body;
}

SetupBody ilmPolicyBody(const LifecycleConfig& lifecycle, bool data_stream,
                        std::string_view version) {
  std::string content = R"({"policy":{"phases":{)";
  bool first = true;
  for (const Phase& phase : phasesOf(lifecycle)) {
    if (!first) content += ',';
    first = false;
    content +=
        fmt::format(R"("{}":{{"min_age":"{}","actions":{{)", phase.name, timeValue(phase.starts));
    if (phase.name == "delete") {
      content += R"("delete":{})";
    } else {
      content += fmt::format(R"("set_priority":{{"priority":{}}})", phase.priority);
      if (phase.name == "hot" && data_stream) {
        content += R"(,"rollover":{"max_age":"1d","max_primary_shard_size":"50gb"})";
      }
    }
    content += "}}";
  }
  content += '}';

  SetupBody body;
  body.checksum = checksumOf(content);
  body.json = content + R"(,"_meta":)" + metaObject(version, body.checksum) + "}}";
  return body;
}

std::string ismMarker(std::string_view version, std::string_view checksum) {
  return fmt::format("managed by sluice {}, checksum {}", version, checksum);
}

bool parseIsmMarker(std::string_view description, std::string& version, std::string& checksum) {
  constexpr std::string_view kBy = "managed by sluice ";
  constexpr std::string_view kSum = ", checksum ";
  const size_t by = description.find(kBy);
  if (by == std::string_view::npos) return false;
  const size_t sum = description.find(kSum, by + kBy.size());
  if (sum == std::string_view::npos) return false;
  version.assign(description.substr(by + kBy.size(), sum - by - kBy.size()));
  checksum.assign(description.substr(sum + kSum.size(), 16));
  return !version.empty() && checksum.size() == 16;
}

SetupBody ismPolicyBody(const LifecycleConfig& lifecycle, const std::vector<std::string>& patterns,
                        int priority, bool data_stream, std::string_view version) {
  const std::vector<Phase> phases = phasesOf(lifecycle);
  std::string content = R"("default_state":"hot","states":[)";
  for (size_t i = 0; i < phases.size(); ++i) {
    const Phase& phase = phases[i];
    if (i > 0) content += ',';
    content += fmt::format(R"({{"name":"{}","actions":[)", phase.name);
    if (phase.name == "delete") {
      content += R"({"delete":{}})";
    } else {
      content += fmt::format(R"({{"index_priority":{{"priority":{}}}}})", phase.priority);
      if (phase.name == "hot" && data_stream) {
        content += R"(,{"rollover":{"min_index_age":"1d","min_size":"50gb"}})";
      }
    }
    content += R"(],"transitions":[)";
    if (i + 1 < phases.size()) {
      content += fmt::format(R"({{"state_name":"{}","conditions":{{"min_index_age":"{}"}}}})",
                             phases[i + 1].name, timeValue(phases[i + 1].starts));
    }
    content += "]}";
  }
  content += R"(],"ism_template":[{"index_patterns":)";
  appendStringArray(content, patterns);
  content += fmt::format(R"(,"priority":{}}}])", priority);

  SetupBody body;
  body.checksum = checksumOf(content);
  std::string description = "Lifecycle of sluice's indices: ";
  for (size_t i = 1; i < phases.size(); ++i) {
    description += fmt::format("{} until {}, ", phases[i - 1].name, timeValue(phases[i].starts));
  }
  description += "then deleted; " + ismMarker(version, body.checksum);
  body.json = R"({"policy":{"description":)";
  appendJsonString(body.json, description);
  body.json += "," + content + "}}";
  return body;
}

}  // namespace sluice
