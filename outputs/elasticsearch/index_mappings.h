#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "outputs/elasticsearch/setup_config.h"
#include "pipeline/schema.h"

namespace sluice {

// The bodies `setup:` installs, as JSON text. Each builder also gives the
// checksum of what it describes (without the marker that carries it): the
// installed copy is up to date when its checksum is the same.
struct SetupBody {
  std::string json;
  std::string checksum;  // 16 hex digits
};

struct TemplateSpec {
  std::vector<std::string> index_patterns;
  int priority = 200;
  bool data_stream = false;
  Schema schema = Schema::kDocumented;
  std::string ilm_policy;  // Elasticsearch: index.lifecycle.name; empty: none
};

// A composable index template (`PUT _index_template/<name>`) with the
// mappings of the schema's fields; `_meta` marks it as sluice's.
SetupBody indexTemplateBody(const TemplateSpec& spec, std::string_view version);

// Elasticsearch ILM (`PUT _ilm/policy/<name>`). Data streams roll over daily
// in the hot phase; daily indices need no rollover.
SetupBody ilmPolicyBody(const LifecycleConfig& lifecycle, bool data_stream,
                        std::string_view version);

// OpenSearch ISM (`PUT _plugins/_ism/policies/<name>`), with an ism_template
// that attaches it to new indices of `index_patterns`. ISM policies have no
// `_meta`: the marker is in the description (ismMarker).
SetupBody ismPolicyBody(const LifecycleConfig& lifecycle, const std::vector<std::string>& patterns,
                        int priority, bool data_stream, std::string_view version);

// "managed by sluice <version>, checksum <hex>", and reading it back.
std::string ismMarker(std::string_view version, std::string_view checksum);
bool parseIsmMarker(std::string_view description, std::string& version, std::string& checksum);

// An age as Elasticsearch writes time values: 7d, 36h, 90m, 15s, 250ms.
std::string timeValue(std::chrono::milliseconds age);

}  // namespace sluice
