#include "config/agent_config.h"

#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <charconv>
#include <cstring>
#include <fstream>
#include <set>
#include <sstream>

#include "config/processing_config.h"

namespace sluice {
namespace {

bool validComponentId(std::string_view id) {
  return !id.empty() && id.size() <= 64 && std::all_of(id.begin(), id.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' ||
           c == '_' || c == '.';
  });
}

// Reads `id` and `type`, reporting bad or duplicate ids and unknown types.
// Returns whether the type is known: its own keys are then parsed even when
// the id is wrong, so that they are not reported as unknown.
bool readIdentity(YamlReader& r, std::set<std::string>& ids, const std::vector<std::string>& types,
                  std::string& id, std::string& type) {
  if (auto id_value = r.requiredString("id")) {
    id = *id_value;
    if (!validComponentId(id)) {
      r.error("id", "must be 1-64 characters of letters, digits, '-', '_' or '.'");
    } else if (!ids.insert(id).second) {
      r.error("id", "\"" + id + "\" is used by another component");
    }
  }
  auto type_value = r.requiredString("type");
  if (!type_value) return false;
  type = *type_value;
  if (std::find(types.begin(), types.end(), type) != types.end()) return true;
  static const std::set<std::string, std::less<>> kPlanned = {"syslog", "otlp", "file"};
  if (kPlanned.count(type)) {
    r.error("type", "\"" + type + "\" is not supported by this version of sluice yet");
  } else {
    std::string list;
    for (const auto& t : types) list += (list.empty() ? "" : ", ") + t;
    r.error("type", "unknown type \"" + type + "\" (known: " + list + ")");
  }
  return false;
}

// A list of components that must not be empty.
std::vector<YamlReader> componentList(YamlReader& root, std::string_view key,
                                      std::string_view noun) {
  const size_t errors_before = root.errors().all().size();
  std::vector<YamlReader> list = root.objectList(key);
  if (list.empty() && root.errors().all().size() == errors_before) {
    std::string message = "at least one " + std::string(noun) + " is required";
    if (root.has(key)) {
      root.error(key, message);
    } else {
      root.errorHere(message + " under \"" + std::string(key) + "\"");
    }
  }
  return list;
}

void parseInputs(YamlReader& root, const Registry& registry, std::set<std::string>& ids,
                 AgentConfig& config) {
  for (YamlReader& r : componentList(root, "inputs", "input")) {
    InputSettings input;
    bool known = readIdentity(r, ids, registry.inputNames(), input.id, input.type);
    for (auto& [key, json] : r.jsonEntries("fields")) input.fields.push_back({key, json});
    parseInputProcessing(r, input);
    if (known) input.config = registry.input(input.type)->parse(r);
    r.rejectUnknownKeys();
    config.inputs.push_back(std::move(input));
  }
}

void parseOutputs(YamlReader& root, const Registry& registry, std::set<std::string>& ids,
                  AgentConfig& config) {
  for (YamlReader& r : componentList(root, "outputs", "output")) {
    OutputSettings output;
    bool known = readIdentity(r, ids, registry.outputNames(), output.id, output.type);
    if (known) output.config = registry.output(output.type)->parse(r);
    r.rejectUnknownKeys();
    config.outputs.push_back(std::move(output));
  }
}

void parsePipeline(YamlReader& root, AgentConfig& config) {
  auto pipeline = root.object("pipeline");
  if (!pipeline) return;
  parsePipelineProcessing(*pipeline, config.pipeline);
  config.max_in_flight = pipeline->byteSize("max_in_flight", config.max_in_flight);
  if (config.max_in_flight < (1ULL << 20)) {
    pipeline->error("max_in_flight", "must be at least 1MiB");
  }
  if (auto batch = pipeline->object("batch")) {
    config.batch.max_events = static_cast<size_t>(
        batch->integer("events", static_cast<int64_t>(config.batch.max_events), 1, 1'000'000));
    config.batch.max_bytes = static_cast<size_t>(batch->byteSize("bytes", config.batch.max_bytes));
    if (config.batch.max_bytes < 1024 || config.batch.max_bytes > (1ULL << 30)) {
      batch->error("bytes", "must be between 1KiB and 1GiB");
    }
    config.batch.linger = batch->duration("linger", config.batch.linger);
    batch->rejectUnknownKeys();
  }
  pipeline->rejectUnknownKeys();
}

void parseHttp(YamlReader& root, AgentConfig& config) {
  auto http = root.object("http");
  if (!http) return;
  config.http.enabled = http->boolean("enabled", true);
  std::string listen = http->string("listen", "127.0.0.1:5066");
  size_t colon = listen.rfind(':');
  unsigned port = 0;
  auto [ptr, ec] =
      colon == std::string::npos
          ? std::from_chars(listen.data(), listen.data(), port)
          : std::from_chars(listen.data() + colon + 1, listen.data() + listen.size(), port);
  if (colon == std::string::npos || colon == 0 || ec != std::errc() ||
      ptr != listen.data() + listen.size() || port > 65535) {
    http->error("listen", "expected HOST:PORT such as 127.0.0.1:5066 (port 0 picks a free one)");
  } else {
    config.http.host = listen.substr(0, colon);
    if (config.http.host.size() > 2 && config.http.host.front() == '[') {
      config.http.host = config.http.host.substr(1, config.http.host.size() - 2);
    }
    config.http.port = static_cast<uint16_t>(port);
  }
  http->rejectUnknownKeys();
}

}  // namespace

std::vector<std::string> AgentConfig::routeFields() const {
  std::vector<std::string> fields;
  for (const OutputSettings& o : outputs) {
    if (!o.config) continue;
    for (std::string& f : o.config->routeFields()) {
      if (std::find(fields.begin(), fields.end(), f) == fields.end())
        fields.push_back(std::move(f));
    }
  }
  return fields;
}

AgentConfig parseConfig(std::string_view yaml, const std::string& file_name,
                        const Registry& registry) {
  ConfigErrors errors(file_name);
  YAML::Node root_node;
  try {
    root_node = YAML::Load(std::string(yaml));
  } catch (const YAML::Exception& e) {
    errors.add(e.mark.is_null() ? 0 : e.mark.line + 1, e.mark.is_null() ? 0 : e.mark.column + 1, "",
               "invalid YAML: " + e.msg);
    throw ConfigException(std::move(errors));
  }
  AgentConfig config;
  if (!root_node.IsMap()) {
    errors.add(1, 1, "", "the config must be a mapping with inputs and outputs");
    throw ConfigException(std::move(errors));
  }
  YamlReader root(root_node, "", &errors);
  std::set<std::string> ids;
  parseInputs(root, registry, ids, config);
  parseOutputs(root, registry, ids, config);
  parsePipeline(root, config);
  parseHttp(root, config);
  config.state_dir = root.string("state_dir", config.state_dir);
  config.shutdown_timeout = root.duration("shutdown_timeout", config.shutdown_timeout);
  if (auto log = root.object("log")) {
    config.log_level = log->oneOf("level", "info", {"trace", "debug", "info", "warn", "error"});
    log->rejectUnknownKeys();
  }
  root.rejectUnknownKeys();
  if (!errors.empty()) throw ConfigException(std::move(errors));
  return config;
}

AgentConfig loadConfig(const std::string& path, const Registry& registry) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    ConfigErrors errors(path);
    errors.add(0, 0, "", "cannot read the config file: " + std::string(std::strerror(errno)));
    throw ConfigException(std::move(errors));
  }
  std::stringstream text;
  text << in.rdbuf();
  return parseConfig(text.str(), path, registry);
}

}  // namespace sluice
