#include "outputs/elasticsearch/setup.h"

#include <simdjson.h>

#include <charconv>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "outputs/elasticsearch/index_mappings.h"
#include "pipeline/metrics.h"

namespace sluice {
namespace {

constexpr std::string_view kVersion = SLUICE_VERSION;

std::string_view stringAt(const simdjson::dom::element& root, std::string_view pointer) {
  std::string_view value;
  if (root.at_pointer(pointer).get_string().get(value) != simdjson::SUCCESS) return {};
  return value;
}

// Elasticsearch's explanation of a refusal: error.reason, or the error
// string, else the start of the body.
std::string reasonOf(const HttpResponse& r) {
  if (r.status == 0) return r.error;
  simdjson::dom::parser parser;
  simdjson::dom::element root;
  if (parser.parse(r.body).get(root) == simdjson::SUCCESS) {
    if (std::string_view reason = stringAt(root, "/error/reason"); !reason.empty()) {
      return std::string(reason.substr(0, 500));
    }
    if (std::string_view error = stringAt(root, "/error"); !error.empty()) {
      return std::string(error.substr(0, 500));
    }
  }
  return r.body.substr(0, 300);
}

// A cluster without the ILM or ISM plugin has no route for its paths.
bool noHandler(const HttpResponse& r) {
  return (r.status == 400 || r.status == 404 || r.status == 405) &&
         r.body.find("no handler found") != std::string::npos;
}

int versionPart(std::string_view& text) {
  int value = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc()) value = 0;
  size_t dot = text.find('.');
  text = dot == std::string_view::npos ? std::string_view{} : text.substr(dot + 1);
  return value;
}

// Dotted numeric versions: <0, 0, >0 as a is older, equal, newer than b.
int compareVersions(std::string_view a, std::string_view b) {
  while (!a.empty() || !b.empty()) {
    int x = versionPart(a);
    int y = versionPart(b);
    if (x != y) return x < y ? -1 : 1;
  }
  return 0;
}

// The sluice marker under `pointer` (a `_meta` object): whether it is one,
// and its version and checksum.
bool sluiceMeta(const simdjson::dom::element& root, const std::string& pointer,
                std::string_view& version, std::string_view& checksum) {
  version = stringAt(root, pointer + "/version");
  checksum = stringAt(root, pointer + "/checksum");
  return stringAt(root, pointer + "/managed_by") == "sluice";
}

std::string joined(const std::vector<std::string>& values) {
  std::string out;
  for (const std::string& v : values) out += (out.empty() ? "" : ",") + v;
  return out;
}

}  // namespace

SetupSend setupSendOver(HttpClient& client, std::string host) {
  return [&client, host = std::move(host)](std::string_view method, const std::string& path,
                                           std::string_view body) {
    if (method == "PUT") return client.put(host + path, body, "application/json");
    return client.get(host + path);
  };
}

IndexSetup::IndexSetup(std::string output_id, SetupConfig config, Schema schema)
    : output_(std::move(output_id)), config_(std::move(config)), schema_(schema) {}

SetupResult IndexSetup::run(const SetupSend& send) {
  Cluster cluster;
  Step step = detect(send, cluster);
  if (step == Step::kRetry) return finish(SetupResult::kRetry);
  if (step == Step::kFailed) return finish(SetupResult::kFailed);
  bool installed = false;
  bool failed = false;
  bool ilm_attached = false;
  if (config_.lifecycle) {
    step = cluster.opensearch ? installIsmPolicy(send) : installIlmPolicy(send);
    if (step == Step::kRetry) return finish(SetupResult::kRetry);
    installed |= step == Step::kInstalled;
    failed |= step == Step::kFailed;
    // A policy of our name that someone else installed is still the one
    // the configuration names: the template refers to it too.
    ilm_attached = !cluster.opensearch && (step == Step::kInstalled || step == Step::kUnchanged);
  }
  if (config_.install_template) {
    step = installTemplate(send, ilm_attached);
    if (step == Step::kRetry) return finish(SetupResult::kRetry);
    installed |= step == Step::kInstalled;
    failed |= step == Step::kFailed;
  }
  return finish(failed      ? SetupResult::kFailed
                : installed ? SetupResult::kInstalled
                            : SetupResult::kUnchanged);
}

SetupResult IndexSetup::finish(SetupResult result) {
  std::string_view name;
  switch (result) {
    case SetupResult::kInstalled:
      name = "installed";
      break;
    case SetupResult::kUnchanged:
      name = "unchanged";
      break;
    case SetupResult::kFailed:
      name = "failed";
      break;
    case SetupResult::kRetry:
      name = "retry";
      break;
  }
  metrics()
      .counter("sluice_output_setup_total",
               "Runs of an output's setup (index template, lifecycle policy), by result",
               {{"output", output_}, {"result", std::string(name)}})
      .add();
  if (result != SetupResult::kRetry) {
    logInfo("elasticsearch", "setup done", {{"output", output_}, {"result", name}});
  }
  return result;
}

IndexSetup::Step IndexSetup::detect(const SetupSend& send, Cluster& cluster) {
  HttpResponse r = send("GET", "/", {});
  if (r.status != 200) return failure("read the cluster's version (GET /)", r);
  simdjson::dom::parser parser;
  simdjson::dom::element root;
  std::string_view number;
  if (parser.parse(r.body).get(root) == simdjson::SUCCESS) {
    number = stringAt(root, "/version/number");
  }
  if (number.empty()) {
    logError("elasticsearch", "GET / did not answer with a version: setup skipped",
             {{"output", output_}, {"body", r.body.substr(0, 300)}});
    return Step::kFailed;
  }
  cluster.opensearch = stringAt(root, "/version/distribution") == "opensearch";
  const std::string version(number);
  cluster.major = versionPart(number);
  cluster.minor = versionPart(number);
  if (!cluster.opensearch && (cluster.major < 7 || (cluster.major == 7 && cluster.minor < 8))) {
    logError("elasticsearch",
             "setup needs Elasticsearch 7.8 or later (composable index templates): skipped",
             {{"output", output_}, {"version", version}});
    return Step::kFailed;
  }
  return Step::kUnchanged;
}

IndexSetup::Step IndexSetup::installIlmPolicy(const SetupSend& send) {
  const std::string path = "/_ilm/policy/" + config_.name;
  const SetupBody body = ilmPolicyBody(*config_.lifecycle, config_.data_stream, kVersion);
  HttpResponse got = send("GET", path, {});
  if (got.status == 200) {
    simdjson::dom::parser parser;
    simdjson::dom::element root;
    std::string_view version, checksum;
    bool by_sluice = parser.parse(got.body).get(root) == simdjson::SUCCESS &&
                     sluiceMeta(root, "/" + config_.name + "/policy/_meta", version, checksum);
    if (!shouldReplace("lifecycle policy", by_sluice, version, checksum, body.checksum)) {
      return Step::kUnchanged;
    }
  } else if (got.status != 404) {
    if (noHandler(got)) return unsupported("ILM (index lifecycle management)");
    return failure("read the lifecycle policy", got);
  }
  HttpResponse put = send("PUT", path, body.json);
  if (put.status != 200) return failure("install the lifecycle policy", put);
  logInfo("elasticsearch", "lifecycle policy installed",
          {{"output", output_}, {"policy", config_.name}, {"kind", "ilm"}});
  return Step::kInstalled;
}

IndexSetup::Step IndexSetup::installIsmPolicy(const SetupSend& send) {
  std::string path = "/_plugins/_ism/policies/" + config_.name;
  const SetupBody body = ismPolicyBody(*config_.lifecycle, config_.index_patterns, config_.priority,
                                       config_.data_stream, kVersion);
  HttpResponse got = send("GET", path, {});
  if (got.status == 200) {
    simdjson::dom::parser parser;
    simdjson::dom::element root;
    std::string version, checksum;
    int64_t seq_no = -1, primary_term = -1;
    // Without both numbers the policy cannot be replaced: it is treated as
    // someone else's.
    if (parser.parse(got.body).get(root) == simdjson::SUCCESS &&
        (root.at_pointer("/_seq_no").get_int64().get(seq_no) != simdjson::SUCCESS ||
         root.at_pointer("/_primary_term").get_int64().get(primary_term) != simdjson::SUCCESS)) {
      seq_no = -1;
    }
    bool by_sluice =
        seq_no >= 0 && parseIsmMarker(stringAt(root, "/policy/description"), version, checksum);
    if (!shouldReplace("lifecycle policy", by_sluice, version, checksum, body.checksum)) {
      return Step::kUnchanged;
    }
    // ISM refuses an update without the version it replaces.
    path +=
        "?if_seq_no=" + std::to_string(seq_no) + "&if_primary_term=" + std::to_string(primary_term);
  } else if (got.status != 404) {
    if (noHandler(got)) return unsupported("ISM plugin (index state management)");
    return failure("read the lifecycle policy", got);
  }
  HttpResponse put = send("PUT", path, body.json);
  // Another agent wrote it between our read and our write: theirs stays.
  if (put.status == 409) return Step::kUnchanged;
  if (put.status != 200 && put.status != 201) return failure("install the lifecycle policy", put);
  logInfo("elasticsearch", "lifecycle policy installed",
          {{"output", output_},
           {"policy", config_.name},
           {"kind", "ism"},
           {"index_patterns", joined(config_.index_patterns)}});
  return Step::kInstalled;
}

IndexSetup::Step IndexSetup::installTemplate(const SetupSend& send, bool ilm_attached) {
  TemplateSpec spec;
  spec.index_patterns = config_.index_patterns;
  spec.priority = config_.priority;
  spec.data_stream = config_.data_stream;
  spec.schema = schema_;
  if (ilm_attached) spec.ilm_policy = config_.name;
  const SetupBody body = indexTemplateBody(spec, kVersion);
  const std::string path = "/_index_template/" + config_.name;
  HttpResponse got = send("GET", path, {});
  if (got.status == 200) {
    simdjson::dom::parser parser;
    simdjson::dom::element root;
    std::string_view version, checksum;
    bool by_sluice = parser.parse(got.body).get(root) == simdjson::SUCCESS &&
                     sluiceMeta(root, "/index_templates/0/index_template/_meta", version, checksum);
    if (!shouldReplace("index template", by_sluice, version, checksum, body.checksum)) {
      return Step::kUnchanged;
    }
  } else if (got.status != 404) {
    return failure("read the index template", got);
  }
  HttpResponse put = send("PUT", path, body.json);
  if (put.status != 200) return failure("install the index template", put);
  logInfo("elasticsearch", "index template installed",
          {{"output", output_},
           {"template", config_.name},
           {"index_patterns", joined(config_.index_patterns)},
           {"schema", schema_ == Schema::kEcs ? "ecs" : "documented"}});
  return Step::kInstalled;
}

bool IndexSetup::shouldReplace(std::string_view what, bool by_sluice, std::string_view version,
                               std::string_view checksum, std::string_view wanted) {
  if (by_sluice && checksum == wanted) return false;
  if (config_.overwrite) return true;
  if (!by_sluice) {
    logWarn("elasticsearch",
            "an object of the same name exists that sluice did not install: left as it is "
            "(setup.overwrite: true replaces it)",
            {{"output", output_}, {"kind", what}, {"name", config_.name}});
    return false;
  }
  if (compareVersions(version, kVersion) > 0) {
    logInfo(
        "elasticsearch", "installed by a newer sluice: left as it is",
        {{"output", output_}, {"kind", what}, {"name", config_.name}, {"installed_by", version}});
    return false;
  }
  return true;
}

IndexSetup::Step IndexSetup::failure(std::string_view action, const HttpResponse& r) {
  const bool operator_needed = r.status == 401 || r.status == 403;
  const bool passing = r.status == 0 || r.status == 408 || r.status == 429 || r.status >= 500;
  if (operator_needed || passing) {
    // Counted with the bulk requests' retries: an unreachable cluster shows
    // there even before the first bulk request.
    metrics()
        .counter("sluice_output_retries_total", "Events or requests an output sent again",
                 {{"output", output_},
                  {"status", r.status == 0 ? "transport" : std::to_string(r.status)}})
        .add();
    uint64_t suppressed = 0;
    if (retry_log_.allow(suppressed)) {
      logMessage(operator_needed ? LogLevel::kError : LogLevel::kWarn, "elasticsearch",
                 operator_needed
                     ? "setup is not allowed: bulk requests wait for it (grant the index "
                       "template and lifecycle privileges, or set setup: false)"
                     : "setup could not be completed: bulk requests wait for it, retrying",
                 {{"output", output_},
                  {"action", action},
                  {"status", static_cast<int64_t>(r.status)},
                  {"error", reasonOf(r)},
                  {"suppressed", suppressed}});
    }
    return Step::kRetry;
  }
  logError("elasticsearch", "setup step refused: shipping goes on without it",
           {{"output", output_},
            {"action", action},
            {"status", static_cast<int64_t>(r.status)},
            {"reason", reasonOf(r)}});
  return Step::kFailed;
}

IndexSetup::Step IndexSetup::unsupported(std::string_view feature) {
  logWarn("elasticsearch",
          "the cluster has no lifecycle management: no lifecycle policy installed, indices are "
          "kept until deleted",
          {{"output", output_}, {"missing", feature}});
  return Step::kUnsupported;
}

}  // namespace sluice
