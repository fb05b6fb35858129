#pragma once

#include <functional>
#include <string>
#include <string_view>

#include "outputs/elasticsearch/http_client.h"
#include "outputs/elasticsearch/setup_config.h"
#include "pipeline/logger.h"
#include "pipeline/schema.h"

namespace sluice {

// One request to the cluster: `method` is "GET" or "PUT", `path` starts with '/'.
using SetupSend = std::function<HttpResponse(std::string_view method, const std::string& path,
                                             std::string_view body)>;

// Requests through one worker's connection to `host`.
SetupSend setupSendOver(HttpClient& client, std::string host);

enum class SetupResult {
  kInstalled,  // something was created or updated
  kUnchanged,  // everything was in place already (or someone else's was kept)
  kFailed,     // a step was refused for good (logged at ERROR); the others were done
  kRetry,      // the cluster could not be reached or refused us: not done yet
};

// Installs an Elasticsearch output's lifecycle policy and index template
// (`setup:`): detects Elasticsearch or OpenSearch, then for each object reads
// what is installed under its name and writes ours when there is none, when
// the one there is an older sluice's with other content, or when `overwrite`
// allows it. Each run does every step again; they are idempotent. Not
// thread-safe: one caller at a time.
class IndexSetup {
 public:
  IndexSetup(std::string output_id, SetupConfig config, Schema schema);

  // Counted in sluice_output_setup_total{output,result}.
  SetupResult run(const SetupSend& send);

 private:
  struct Cluster {
    bool opensearch = false;
    int major = 0;
    int minor = 0;
  };
  enum class Step { kInstalled, kUnchanged, kUnsupported, kFailed, kRetry };

  Step detect(const SetupSend& send, Cluster& cluster);
  Step installIlmPolicy(const SetupSend& send);
  Step installIsmPolicy(const SetupSend& send);
  Step installTemplate(const SetupSend& send, bool ilm_attached);
  // Whether to write ours over an object found under our name, whose
  // sluice marker (if any) holds `version` and `checksum`.
  bool shouldReplace(std::string_view what, bool by_sluice, std::string_view version,
                     std::string_view checksum, std::string_view wanted);
  // Sorts a failed answer: kRetry for what may pass by itself or needs the
  // operator (no connection, 401/403, 429, 5xx), kFailed for a refusal.
  Step failure(std::string_view action, const HttpResponse& r);
  Step unsupported(std::string_view feature);
  SetupResult finish(SetupResult result);

  std::string output_;
  SetupConfig config_;
  Schema schema_;
  LogRateLimiter retry_log_{3, 60};
};

}  // namespace sluice
