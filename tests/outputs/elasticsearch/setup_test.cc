#include "outputs/elasticsearch/setup.h"

#include <gtest/gtest.h>
#include <simdjson.h>

#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "outputs/elasticsearch/index_mappings.h"
#include "pipeline/metrics.h"

namespace sluice {
namespace {

constexpr std::string_view kOpenSearch =
    R"({"version":{"distribution":"opensearch","number":"2.19.6"}})";
constexpr std::string_view kElasticsearch = R"({"version":{"number":"8.11.1"}})";

constexpr std::string_view kTemplate = "/_index_template/sluice-logs";
constexpr std::string_view kIsm = "/_plugins/_ism/policies/sluice-logs";
constexpr std::string_view kIlm = "/_ilm/policy/sluice-logs";

HttpResponse answer(long status, std::string body) { return {status, std::move(body), {}}; }

// Templates and policies kept as their bodies, answered in the shapes
// Elasticsearch and OpenSearch answer GETs; faults injected per request.
struct FakeCluster {
  std::string root{kOpenSearch};
  bool lifecycle_plugin = true;
  std::map<std::string, std::string, std::less<>> stored;   // path -> body as PUT
  std::map<std::string, int64_t, std::less<>> seq_no;       // ISM policies
  std::map<std::string, HttpResponse, std::less<>> faults;  // "METHOD path" -> answer
  std::vector<std::string> requests;                        // "METHOD path"

  HttpResponse operator()(std::string_view method, const std::string& path, std::string_view body) {
    const std::string request = std::string(method) + " " + path;
    requests.push_back(request);
    if (auto fault = faults.find(request); fault != faults.end()) return fault->second;
    if (path == "/") return answer(200, root);
    const bool lifecycle = path.starts_with("/_ilm/") || path.starts_with("/_plugins/_ism/");
    if (lifecycle && !lifecycle_plugin) {
      return answer(400, R"({"error":"no handler found for uri [)" + path + "]\"}");
    }
    const std::string key = path.substr(0, path.find('?'));
    auto found = stored.find(key);
    if (method == "GET") {
      if (found == stored.end()) return answer(404, R"({"error":{"reason":"not found"}})");
      return answer(200, getBody(key, found->second));
    }
    if (key.starts_with("/_plugins/_ism/") && found != stored.end() &&
        path.find("if_seq_no=" + std::to_string(seq_no[key])) == std::string::npos) {
      return answer(409, R"({"error":{"reason":"version_conflict_engine_exception"}})");
    }
    const bool created = found == stored.end();
    stored[key] = std::string(body);
    ++seq_no[key];
    return answer(created && key.starts_with("/_plugins/") ? 201 : 200, R"({"acknowledged":true})");
  }

  std::string getBody(const std::string& key, const std::string& body) {
    const std::string name = key.substr(key.rfind('/') + 1);
    if (key.starts_with("/_index_template/")) {
      return R"({"index_templates":[{"name":")" + name + R"(","index_template":)" + body + "}]}";
    }
    if (key.starts_with("/_ilm/"))
      return "{\"" + name + R"(":{"version":1,)" + body.substr(1) + "}";
    return R"({"_id":")" + name + R"(","_seq_no":)" + std::to_string(seq_no[key]) +
           R"(,"_primary_term":1,)" + body.substr(1);
  }

  int puts() const {
    int n = 0;
    for (const std::string& r : requests) n += r.starts_with("PUT ");
    return n;
  }
};

SetupConfig config() {
  SetupConfig c;
  c.name = "sluice-logs";
  c.index_patterns = {"logs-*-*"};
  return c;
}

SetupResult run(FakeCluster& cluster, const SetupConfig& c = config(),
                Schema schema = Schema::kDocumented) {
  IndexSetup setup("es", c, schema);
  return setup.run([&cluster](std::string_view m, const std::string& p, std::string_view b) {
    return cluster(m, p, b);
  });
}

std::string stringAt(std::string_view json, std::string_view pointer) {
  simdjson::dom::parser parser;
  std::string_view value;
  if (parser.parse(json).at_pointer(pointer).get_string().get(value) != simdjson::SUCCESS) {
    return "<missing>";
  }
  return std::string(value);
}

std::vector<std::string> paths(std::initializer_list<std::string_view> requests) {
  return {requests.begin(), requests.end()};
}

std::string req(std::string_view method, std::string_view path) {
  return std::string(method) + " " + std::string(path);
}

TEST(IndexSetup, OpenSearchFreshClusterGetsPolicyThenTemplate) {
  FakeCluster cluster;
  Counter& installed = metrics().counter("sluice_output_setup_total", "",
                                         {{"output", "es"}, {"result", "installed"}});
  const uint64_t before = installed.value();
  EXPECT_EQ(run(cluster), SetupResult::kInstalled);
  EXPECT_EQ(installed.value(), before + 1);
  EXPECT_EQ(cluster.requests, paths({"GET /", req("GET", kIsm), req("PUT", kIsm),
                                     req("GET", kTemplate), req("PUT", kTemplate)}));
  const std::string& policy = cluster.stored[std::string(kIsm)];
  EXPECT_EQ(stringAt(policy, "/policy/ism_template/0/index_patterns/0"), "logs-*-*");
  const std::string& tmpl = cluster.stored[std::string(kTemplate)];
  EXPECT_EQ(stringAt(tmpl, "/_meta/managed_by"), "sluice");
  // OpenSearch attaches ISM policies through ism_template, not a setting.
  EXPECT_EQ(stringAt(tmpl, "/template/settings/index/lifecycle/name"), "<missing>");
  EXPECT_EQ(stringAt(tmpl, "/template/mappings/properties/http/properties/status_code/type"),
            "integer");
}

TEST(IndexSetup, SecondRunFindsEverythingInPlace) {
  FakeCluster cluster;
  ASSERT_EQ(run(cluster), SetupResult::kInstalled);
  cluster.requests.clear();
  EXPECT_EQ(run(cluster), SetupResult::kUnchanged);
  EXPECT_EQ(cluster.puts(), 0);
}

TEST(IndexSetup, ElasticsearchGetsIlmAndTheTemplateNamesIt) {
  FakeCluster cluster;
  cluster.root = kElasticsearch;
  EXPECT_EQ(run(cluster), SetupResult::kInstalled);
  EXPECT_EQ(cluster.requests, paths({"GET /", req("GET", kIlm), req("PUT", kIlm),
                                     req("GET", kTemplate), req("PUT", kTemplate)}));
  EXPECT_EQ(stringAt(cluster.stored[std::string(kIlm)], "/policy/phases/delete/min_age"), "30d");
  EXPECT_EQ(
      stringAt(cluster.stored[std::string(kTemplate)], "/template/settings/index/lifecycle/name"),
      "sluice-logs");
  cluster.requests.clear();
  EXPECT_EQ(run(cluster), SetupResult::kUnchanged);
  EXPECT_EQ(cluster.puts(), 0);
}

TEST(IndexSetup, SomeoneElsesTemplateIsLeftUnlessOverwrite) {
  FakeCluster cluster;
  const std::string theirs = R"({"index_patterns":["logs-*-*"],"priority":7})";
  cluster.stored[std::string(kTemplate)] = theirs;
  EXPECT_EQ(run(cluster), SetupResult::kInstalled);  // the policy was new
  EXPECT_EQ(cluster.stored[std::string(kTemplate)], theirs);
  EXPECT_EQ(run(cluster), SetupResult::kUnchanged);
  EXPECT_EQ(cluster.stored[std::string(kTemplate)], theirs);

  SetupConfig c = config();
  c.overwrite = true;
  EXPECT_EQ(run(cluster, c), SetupResult::kInstalled);
  EXPECT_EQ(stringAt(cluster.stored[std::string(kTemplate)], "/_meta/managed_by"), "sluice");
}

TEST(IndexSetup, OlderSluiceOrOtherContentIsUpdatedNewerSluiceIsKept) {
  const std::string old_meta =
      R"({"index_patterns":["logs-*-*"],"_meta":{"managed_by":"sluice","version":"0.0.9","checksum":"0000000000000000"}})";
  const std::string same_version_other_config =
      R"({"index_patterns":["x-*"],"_meta":{"managed_by":"sluice","version":")" SLUICE_VERSION
      R"(","checksum":"0000000000000000"}})";
  const std::string newer =
      R"({"index_patterns":["logs-*-*"],"_meta":{"managed_by":"sluice","version":"99.0.0","checksum":"0000000000000000"}})";
  for (const std::string& installed : {old_meta, same_version_other_config}) {
    FakeCluster cluster;
    cluster.stored[std::string(kTemplate)] = installed;
    run(cluster);
    EXPECT_EQ(stringAt(cluster.stored[std::string(kTemplate)], "/_meta/version"), SLUICE_VERSION)
        << installed;
  }
  FakeCluster cluster;
  cluster.stored[std::string(kTemplate)] = newer;
  run(cluster);
  EXPECT_EQ(cluster.stored[std::string(kTemplate)], newer);
}

TEST(IndexSetup, IsmUpdateCarriesTheVersionItReplaces) {
  FakeCluster cluster;
  ASSERT_EQ(run(cluster), SetupResult::kInstalled);
  SetupConfig c = config();
  c.lifecycle->delete_after = std::chrono::hours(24 * 60);
  cluster.requests.clear();
  EXPECT_EQ(run(cluster, c), SetupResult::kInstalled);
  EXPECT_EQ(cluster.requests[2], req("PUT", kIsm) + "?if_seq_no=1&if_primary_term=1");
  EXPECT_NE(cluster.stored[std::string(kIsm)].find("\"60d\""), std::string::npos);
}

TEST(IndexSetup, RefusedTemplateFailsForGoodAfterThePolicy) {
  FakeCluster cluster;
  cluster.faults[req("PUT", kTemplate)] = answer(
      400,
      R"({"error":{"root_cause":[],"type":"illegal_argument_exception","reason":"same priority"}})");
  EXPECT_EQ(run(cluster), SetupResult::kFailed);
  EXPECT_TRUE(cluster.stored.contains(kIsm));
  EXPECT_FALSE(cluster.stored.contains(kTemplate));
}

TEST(IndexSetup, UnreachableOrForbiddenIsRetried) {
  for (long status : {0L, 401L, 403L, 429L, 503L}) {
    FakeCluster cluster;
    cluster.faults["GET /"] = answer(status, "");
    Counter& retries = metrics().counter(
        "sluice_output_retries_total", "",
        {{"output", "es"}, {"status", status == 0 ? "transport" : std::to_string(status)}});
    const uint64_t before = retries.value();
    EXPECT_EQ(run(cluster), SetupResult::kRetry) << status;
    EXPECT_EQ(cluster.requests.size(), 1u);
    EXPECT_EQ(retries.value(), before + 1) << status;
  }
  FakeCluster cluster;
  cluster.faults[req("PUT", kTemplate)] = answer(403, R"({"error":{"reason":"no privilege"}})");
  EXPECT_EQ(run(cluster), SetupResult::kRetry);
  cluster.faults.clear();
  EXPECT_EQ(run(cluster), SetupResult::kInstalled);  // the policy is in place, the template new
  EXPECT_TRUE(cluster.stored.contains(kTemplate));
}

TEST(IndexSetup, ClusterWithoutLifecyclePluginStillGetsTheTemplate) {
  for (std::string_view root : {kOpenSearch, kElasticsearch}) {
    FakeCluster cluster;
    cluster.root = root;
    cluster.lifecycle_plugin = false;
    EXPECT_EQ(run(cluster), SetupResult::kInstalled) << root;
    EXPECT_EQ(cluster.stored.size(), 1u);
    EXPECT_EQ(
        stringAt(cluster.stored[std::string(kTemplate)], "/template/settings/index/lifecycle/name"),
        "<missing>");
  }
}

TEST(IndexSetup, RefusedIlmPolicyIsNotNamedByTheTemplate) {
  FakeCluster cluster;
  cluster.root = kElasticsearch;
  cluster.faults[req("PUT", kIlm)] = answer(400, R"({"error":{"reason":"unknown field [_meta]"}})");
  EXPECT_EQ(run(cluster), SetupResult::kFailed);
  EXPECT_EQ(
      stringAt(cluster.stored[std::string(kTemplate)], "/template/settings/index/lifecycle/name"),
      "<missing>");
}

TEST(IndexSetup, TooOldOrUnknownServerSkipsSetup) {
  for (std::string_view root : {R"({"version":{"number":"6.8.0"}})",
                                R"({"version":{"number":"7.7.1"}})", R"({"hello":"world"})"}) {
    FakeCluster cluster;
    cluster.root = root;
    EXPECT_EQ(run(cluster), SetupResult::kFailed) << root;
    EXPECT_EQ(cluster.requests.size(), 1u);
  }
}

TEST(IndexSetup, StepsCanBeTurnedOff) {
  FakeCluster cluster;
  SetupConfig c = config();
  c.lifecycle.reset();
  EXPECT_EQ(run(cluster, c), SetupResult::kInstalled);
  EXPECT_EQ(cluster.requests, paths({"GET /", req("GET", kTemplate), req("PUT", kTemplate)}));
  FakeCluster policy_only;
  c = config();
  c.install_template = false;
  EXPECT_EQ(run(policy_only, c), SetupResult::kInstalled);
  EXPECT_EQ(policy_only.requests, paths({"GET /", req("GET", kIsm), req("PUT", kIsm)}));
}

TEST(IndexSetup, EcsSchemaInstallsEcsNames) {
  FakeCluster cluster;
  EXPECT_EQ(run(cluster, config(), Schema::kEcs), SetupResult::kInstalled);
  EXPECT_EQ(stringAt(cluster.stored[std::string(kTemplate)],
                     "/template/mappings/properties/http/properties/response/properties/"
                     "status_code/type"),
            "integer");
}

TEST(IndexSetup, PolicyCreatedByAnotherAgentMeanwhileIsKept) {
  FakeCluster cluster;
  cluster.faults[req("PUT", kIsm)] = answer(409, R"({"error":{"reason":"exists"}})");
  EXPECT_EQ(run(cluster), SetupResult::kInstalled);  // the template
  EXPECT_FALSE(cluster.stored.contains(kIsm));
}

}  // namespace
}  // namespace sluice
