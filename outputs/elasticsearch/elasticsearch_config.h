#pragma once

#include <chrono>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "config/yaml_reader.h"
#include "outputs/elasticsearch/index_template.h"
#include "outputs/elasticsearch/setup_config.h"
#include "outputs/queue/buffer_config.h"
#include "pipeline/registry.h"

namespace sluice {

// `tls:` of an output. Files are absolute paths checked readable at load.
struct ElasticsearchTls {
  std::string ca;    // PEM CAs that replace the system store; empty: the system's
  std::string cert;  // PEM client certificate for mutual TLS, with key
  std::string key;
  std::string key_password;  // secret: never logged
  std::string server_name;   // name the certificate must carry, instead of the URL's host
  bool verify = true;
};

struct ElasticsearchConfig : ComponentConfig {
  std::vector<std::string> hosts;  // base URLs, no trailing slash
  std::string index = "logs-{service.name}-{+yyyy.MM.dd}";
  IndexTemplate index_template;
  // `data_stream: {type, dataset, namespace}`: index is then the stream's
  // name; every event goes as a `create` action, which data streams require.
  bool data_stream = false;
  size_t flush_events = 5000;
  uint64_t flush_bytes = 5 * 1024 * 1024;
  std::chrono::milliseconds flush_interval{1000};
  int workers = 2;
  // Each event's _id from its source and offset: replays overwrite nothing
  // and duplicate nothing. Off: Elasticsearch assigns ids (no protection).
  bool deterministic_ids = true;
  // Batches waiting for a worker. Bytes in flight are bounded by the
  // pipeline's budget (pipeline.max_in_flight); this count only keeps the
  // queue finite.
  size_t queue_batches = 1024;
  std::chrono::milliseconds request_timeout{60'000};
  std::chrono::milliseconds retry_initial{250};
  std::chrono::milliseconds retry_max{30'000};
  // 0: forever. Otherwise an event whose item keeps failing with 429/5xx
  // for this long (while the request itself succeeds) is rejected as
  // `retries_exhausted`, to the dead-letter destination. Requests that fail
  // as a whole (Elasticsearch down) are retried forever regardless.
  std::chrono::milliseconds retry_max_elapsed{0};
  std::string username;
  std::string password;
  std::string api_key;
  std::string bearer;
  ElasticsearchTls tls;
  // Events Elasticsearch refuses for good (mapping errors, too large) are
  // appended here; empty: they are counted, logged and left out.
  std::string dead_letter_path;
  // `dead_letter: {type: index}`: they are indexed here instead (the event as
  // text), next to the events that made it.
  std::optional<IndexTemplate> dead_letter_index;
  // gzip level of request bodies; 0: sent uncompressed.
  int gzip_level = 0;
  // `buffer:` in memory (default) or a disk buffer.
  BufferConfig buffer;
  // `setup:` index template and lifecycle policy, installed before the first bulk.
  SetupConfig setup;

  std::vector<std::string> routeFields() const override {
    std::vector<std::string> fields = index_template.fields();
    if (dead_letter_index) {
      for (const std::string& f : dead_letter_index->fields()) fields.push_back(f);
    }
    return fields;
  }
  static std::unique_ptr<ComponentConfig> parse(YamlReader& r);
};

}  // namespace sluice
