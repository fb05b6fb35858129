#include "outputs/elasticsearch/index_mappings.h"

#include <gtest/gtest.h>
#include <simdjson.h>

#include <algorithm>
#include <chrono>
#include <string>
#include <string_view>
#include <vector>

namespace sluice {
namespace {

using std::chrono::hours;
using std::chrono::milliseconds;

constexpr hours kDay{24};

// The mapping of a dotted field path in a template body: "keyword", ...;
// "object" for an object, "" when the path is not mapped.
std::string typeOf(const simdjson::dom::element& body, std::string_view path) {
  std::string pointer = "/template/mappings";
  for (size_t start = 0;;) {
    size_t dot = path.find('.', start);
    pointer += "/properties/" + std::string(path.substr(start, dot - start));
    if (dot == std::string_view::npos) break;
    start = dot + 1;
  }
  simdjson::dom::element field;
  if (body.at_pointer(pointer).get(field) != simdjson::SUCCESS) return "";
  std::string_view type;
  if (field["type"].get_string().get(type) == simdjson::SUCCESS) return std::string(type);
  return field["properties"].error() == simdjson::SUCCESS ? "object" : "?";
}

std::string stringAt(const simdjson::dom::element& e, std::string_view pointer) {
  std::string_view s;
  if (e.at_pointer(pointer).get_string().get(s) != simdjson::SUCCESS) return "<missing>";
  return std::string(s);
}

class Parsed {
 public:
  explicit Parsed(const std::string& json) {
    auto error = parser_.parse(json).get(root_);
    EXPECT_EQ(error, simdjson::SUCCESS) << json;
  }
  const simdjson::dom::element& root() const { return root_; }

 private:
  simdjson::dom::parser parser_;
  simdjson::dom::element root_;
};

TemplateSpec spec(Schema schema = Schema::kDocumented) {
  TemplateSpec s;
  s.index_patterns = {"logs-*-*"};
  s.priority = 200;
  s.schema = schema;
  return s;
}

struct FieldCase {
  std::string_view path;
  std::string_view type;
};

TEST(IndexTemplateBody, MapsTheDocumentedSchema) {
  const SetupBody body = indexTemplateBody(spec(), "0.1.0");
  Parsed p(body.json);
  const FieldCase cases[] = {
      {"@timestamp", "date_nanos"},
      {"log.level", "keyword"},
      {"log.message", "text"},
      {"log.logger", "keyword"},
      {"log.file.path", "keyword"},
      {"log.offset", "long"},
      {"log.iostream", "keyword"},
      {"service.name", "keyword"},
      {"service.tier", "keyword"},
      {"correlation.id", "keyword"},
      {"trace.id", "keyword"},
      {"trace.span_id", "keyword"},
      {"http.method", "keyword"},
      {"http.path", "keyword"},
      {"http.status_code", "integer"},
      {"http.duration_ms", "double"},
      {"user.id", "keyword"},
      {"tenant.id", "keyword"},
      {"error.type", "keyword"},
      {"error.message", "text"},
      {"error.stack_trace", "text"},
      {"process.thread.name", "keyword"},
      {"component", "keyword"},
      {"ai.provider", "keyword"},
      {"ai.model", "keyword"},
      {"ai.cost_usd", "scaled_float"},
      {"db.operation", "keyword"},
      {"db.table", "keyword"},
      {"db.duration_ms", "double"},
      {"cost.center", "keyword"},
      {"cost.weight", "double"},
      {"host.name", "keyword"},
      {"agent.type", "keyword"},
      {"agent.version", "keyword"},
      {"agent.name", "keyword"},
      {"ecs.version", "keyword"},
      {"tags", "keyword"},
      // No `event` object: dead-letter records (`event` a string) fit.
      {"event", ""},
      {"kubernetes.namespace", "keyword"},
      {"kubernetes.pod.name", "keyword"},
      {"kubernetes.container.name", "keyword"},
      {"container.id", "keyword"},
      {"log", "object"},
      // ECS names are not mapped in the documented layout.
      {"message", ""},
      {"span.id", ""},
      {"url.path", ""},
      {"event.duration", ""},
  };
  for (const FieldCase& c : cases) EXPECT_EQ(typeOf(p.root(), c.path), c.type) << c.path;
  EXPECT_EQ(stringAt(p.root(), "/index_patterns/0"), "logs-*-*");
  int64_t priority = 0;
  EXPECT_EQ(p.root()["priority"].get_int64().get(priority), simdjson::SUCCESS);
  EXPECT_EQ(priority, 200);
  EXPECT_NE(p.root()["data_stream"].error(), simdjson::SUCCESS);
  EXPECT_NE(p.root().at_pointer("/template/settings").error(), simdjson::SUCCESS);
  EXPECT_EQ(stringAt(p.root(), "/template/mappings/properties/ai/properties/cost_usd/type"),
            "scaled_float");
}

TEST(IndexTemplateBody, MapsEcsNamesInEcsMode) {
  Parsed p(indexTemplateBody(spec(Schema::kEcs), "0.1.0").json);
  const FieldCase cases[] = {
      {"message", "text"},
      {"span.id", "keyword"},
      {"http.request.method", "keyword"},
      {"url.path", "keyword"},
      {"http.response.status_code", "integer"},
      {"event.duration", "long"},  // nanoseconds
      {"organization.id", "keyword"},
      {"trace.id", "keyword"},
      {"log.level", "keyword"},
      {"log.message", ""},
      {"trace.span_id", ""},
      {"http.method", ""},
      {"http.status_code", ""},
      {"http.duration_ms", ""},
      {"tenant.id", ""},
  };
  for (const FieldCase& c : cases) EXPECT_EQ(typeOf(p.root(), c.path), c.type) << c.path;
}

// Every field the normalizer writes under a canonical name has a type, in
// both layouts: a new documented field cannot be forgotten here.
TEST(IndexTemplateBody, EveryCanonicalFieldIsMapped) {
  for (Schema schema : {Schema::kDocumented, Schema::kEcs}) {
    Parsed p(indexTemplateBody(spec(schema), "0.1.0").json);
    for (size_t i = 0; i < static_cast<size_t>(Canonical::kCount); ++i) {
      const std::string_view path = canonicalPath(schema, static_cast<Canonical>(i));
      if (path.empty()) continue;
      const std::string type = typeOf(p.root(), path);
      EXPECT_FALSE(type.empty() || type == "object") << path << " in schema " << int(schema);
    }
  }
}

TEST(IndexTemplateBody, LabelsAreKeywordsWhateverTheirJsonType) {
  Parsed p(indexTemplateBody(spec(), "0.1.0").json);
  simdjson::dom::array templates;
  ASSERT_EQ(p.root().at_pointer("/template/mappings/dynamic_templates").get(templates),
            simdjson::SUCCESS);
  std::vector<std::string> seen;
  for (simdjson::dom::object entry : templates) {
    for (auto [name, rule] : entry) {
      EXPECT_EQ(stringAt(rule, "/mapping/type"), "keyword") << name;
      seen.push_back(stringAt(rule, "/path_match") + " " + stringAt(rule, "/match_mapping_type"));
    }
  }
  for (std::string_view kind : {"string", "long", "double", "boolean", "date"}) {
    EXPECT_NE(std::find(seen.begin(), seen.end(), "labels.* " + std::string(kind)), seen.end());
    EXPECT_NE(std::find(seen.begin(), seen.end(), "kubernetes.labels.* " + std::string(kind)),
              seen.end());
  }
  // Objects under labels keep Elasticsearch's object mapping.
  EXPECT_EQ(std::find(seen.begin(), seen.end(), "labels.* object"), seen.end());
}

TEST(IndexTemplateBody, DataStreamAndLifecycleSetting) {
  TemplateSpec s = spec();
  s.index_patterns = {"logs-generic-default"};
  s.data_stream = true;
  s.ilm_policy = "sluice-logs";
  Parsed p(indexTemplateBody(s, "0.1.0").json);
  simdjson::dom::object stream;
  EXPECT_EQ(p.root()["data_stream"].get(stream), simdjson::SUCCESS);
  EXPECT_EQ(stringAt(p.root(), "/template/settings/index/lifecycle/name"), "sluice-logs");
  EXPECT_EQ(stringAt(p.root(), "/index_patterns/0"), "logs-generic-default");
}

TEST(IndexTemplateBody, MetaMarksItAsSluicesWithTheChecksum) {
  const SetupBody body = indexTemplateBody(spec(), "0.1.0");
  Parsed p(body.json);
  EXPECT_EQ(stringAt(p.root(), "/_meta/managed_by"), "sluice");
  EXPECT_EQ(stringAt(p.root(), "/_meta/version"), "0.1.0");
  EXPECT_EQ(stringAt(p.root(), "/_meta/checksum"), body.checksum);
  EXPECT_EQ(body.checksum.size(), 16u);
}

TEST(IndexTemplateBody, ChecksumFollowsContentNotVersion) {
  const std::string base = indexTemplateBody(spec(), "0.1.0").checksum;
  EXPECT_EQ(indexTemplateBody(spec(), "0.2.0").checksum, base);
  TemplateSpec other = spec();
  other.priority = 300;
  EXPECT_NE(indexTemplateBody(other, "0.1.0").checksum, base);
  other = spec();
  other.index_patterns = {"app-*"};
  EXPECT_NE(indexTemplateBody(other, "0.1.0").checksum, base);
  other = spec();
  other.ilm_policy = "p";
  EXPECT_NE(indexTemplateBody(other, "0.1.0").checksum, base);
  EXPECT_NE(indexTemplateBody(spec(Schema::kEcs), "0.1.0").checksum, base);
}

TEST(TimeValue, UsesTheLargestExactUnit) {
  EXPECT_EQ(timeValue(milliseconds(0)), "0ms");
  EXPECT_EQ(timeValue(kDay * 30), "30d");
  EXPECT_EQ(timeValue(hours(36)), "36h");
  EXPECT_EQ(timeValue(std::chrono::minutes(90)), "90m");
  EXPECT_EQ(timeValue(std::chrono::seconds(15)), "15s");
  EXPECT_EQ(timeValue(milliseconds(1500)), "1500ms");
}

LifecycleConfig lifecycle(hours hot, hours warm, hours del) { return {hot, warm, del}; }

std::string phaseAge(const simdjson::dom::element& root, std::string_view phase) {
  return stringAt(root, "/policy/phases/" + std::string(phase) + "/min_age");
}

TEST(IlmPolicyBody, PhasesStartAtTheConfiguredAges) {
  const SetupBody body = ilmPolicyBody(lifecycle(kDay * 7, kDay * 14, kDay * 30), false, "0.1.0");
  Parsed p(body.json);
  EXPECT_EQ(phaseAge(p.root(), "hot"), "0ms");
  EXPECT_EQ(phaseAge(p.root(), "warm"), "7d");
  EXPECT_EQ(phaseAge(p.root(), "cold"), "14d");
  EXPECT_EQ(phaseAge(p.root(), "delete"), "30d");
  EXPECT_EQ(p.root().at_pointer("/policy/phases/delete/actions/delete").error(), simdjson::SUCCESS);
  // Daily indices: no rollover.
  EXPECT_NE(p.root().at_pointer("/policy/phases/hot/actions/rollover").error(), simdjson::SUCCESS);
  EXPECT_EQ(stringAt(p.root(), "/policy/_meta/managed_by"), "sluice");
  EXPECT_EQ(stringAt(p.root(), "/policy/_meta/checksum"), body.checksum);
}

TEST(IlmPolicyBody, DataStreamsRollOverAndEqualAgesDropAPhase) {
  Parsed p(ilmPolicyBody(lifecycle(kDay * 7, kDay * 30, kDay * 30), true, "0.1.0").json);
  EXPECT_EQ(stringAt(p.root(), "/policy/phases/hot/actions/rollover/max_age"), "1d");
  EXPECT_EQ(phaseAge(p.root(), "warm"), "7d");
  EXPECT_EQ(phaseAge(p.root(), "cold"), "<missing>");
  EXPECT_EQ(phaseAge(p.root(), "delete"), "30d");

  Parsed q(ilmPolicyBody(lifecycle(kDay * 3, kDay * 3, kDay * 10), false, "0.1.0").json);
  EXPECT_EQ(phaseAge(q.root(), "warm"), "<missing>");
  EXPECT_EQ(phaseAge(q.root(), "cold"), "3d");
}

TEST(IsmPolicyBody, StatesTransitionOnIndexAge) {
  const SetupBody body =
      ismPolicyBody(lifecycle(kDay * 7, kDay * 14, kDay * 30), {"logs-*-*"}, 200, false, "0.1.0");
  Parsed p(body.json);
  EXPECT_EQ(stringAt(p.root(), "/policy/default_state"), "hot");
  const char* names[] = {"hot", "warm", "cold", "delete"};
  const char* next_age[] = {"7d", "14d", "30d"};
  for (size_t i = 0; i < 4; ++i) {
    const std::string state = "/policy/states/" + std::to_string(i);
    EXPECT_EQ(stringAt(p.root(), state + "/name"), names[i]);
    if (i < 3) {
      EXPECT_EQ(stringAt(p.root(), state + "/transitions/0/state_name"), names[i + 1]);
      EXPECT_EQ(stringAt(p.root(), state + "/transitions/0/conditions/min_index_age"), next_age[i]);
    }
  }
  EXPECT_EQ(p.root().at_pointer("/policy/states/3/actions/0/delete").error(), simdjson::SUCCESS);
  EXPECT_NE(p.root().at_pointer("/policy/states/0/actions/1/rollover").error(), simdjson::SUCCESS);
  EXPECT_EQ(stringAt(p.root(), "/policy/ism_template/0/index_patterns/0"), "logs-*-*");
  int64_t priority = 0;
  EXPECT_EQ(p.root().at_pointer("/policy/ism_template/0/priority").get_int64().get(priority),
            simdjson::SUCCESS);
  EXPECT_EQ(priority, 200);

  std::string version, checksum;
  ASSERT_TRUE(parseIsmMarker(stringAt(p.root(), "/policy/description"), version, checksum));
  EXPECT_EQ(version, "0.1.0");
  EXPECT_EQ(checksum, body.checksum);
}

TEST(IsmPolicyBody, DataStreamsRollOver) {
  Parsed p(ismPolicyBody(lifecycle(kDay * 7, kDay * 14, kDay * 30), {"logs-app-default"}, 200, true,
                         "0.1.0")
               .json);
  EXPECT_EQ(stringAt(p.root(), "/policy/states/0/actions/1/rollover/min_index_age"), "1d");
}

TEST(IsmPolicyBody, ChecksumFollowsContent) {
  const LifecycleConfig c = lifecycle(kDay * 7, kDay * 14, kDay * 30);
  const std::string base = ismPolicyBody(c, {"a-*"}, 200, false, "0.1.0").checksum;
  EXPECT_EQ(ismPolicyBody(c, {"a-*"}, 200, false, "9.9.9").checksum, base);
  EXPECT_NE(ismPolicyBody(c, {"b-*"}, 200, false, "0.1.0").checksum, base);
  EXPECT_NE(
      ismPolicyBody(lifecycle(kDay, kDay * 14, kDay * 30), {"a-*"}, 200, false, "0.1.0").checksum,
      base);
}

TEST(IsmMarker, RoundTripsAndRejectsOthers) {
  std::string version, checksum;
  EXPECT_TRUE(parseIsmMarker("x; " + ismMarker("1.2.3", "0123456789abcdef"), version, checksum));
  EXPECT_EQ(version, "1.2.3");
  EXPECT_EQ(checksum, "0123456789abcdef");
  EXPECT_FALSE(parseIsmMarker("hot-warm-delete for logs", version, checksum));
  EXPECT_FALSE(parseIsmMarker("managed by sluice 1.0, checksum 12", version, checksum));
  EXPECT_FALSE(parseIsmMarker("", version, checksum));
}

}  // namespace
}  // namespace sluice
