#pragma once

#include <chrono>
#include <memory>
#include <string>
#include <vector>

#include "config/yaml_reader.h"
#include "outputs/elasticsearch/index_template.h"
#include "pipeline/registry.h"

namespace sluice {

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
  size_t queue_batches = 4;
  std::chrono::milliseconds request_timeout{60'000};
  std::chrono::milliseconds retry_initial{250};
  std::chrono::milliseconds retry_max{30'000};
  std::string username;
  std::string password;
  std::string api_key;
  std::string bearer;
  // Events Elasticsearch refuses for good (mapping errors, too large) are
  // appended here; empty: they are counted, logged and left out.
  std::string dead_letter_path;
  // gzip level of request bodies; 0: sent uncompressed.
  int gzip_level = 0;

  std::vector<std::string> routeFields() const override { return index_template.fields(); }
  static std::unique_ptr<ComponentConfig> parse(YamlReader& r);
};

}  // namespace sluice
