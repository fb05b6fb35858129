#include "agent/commands.h"

#include <unistd.h>

#include <cstdio>
#include <iostream>
#include <optional>

#include "agent/builtin_components.h"
#include "agent/runner.h"
#include "agent/version.h"
#include "config/agent_config.h"
#include "inputs/line_reader.h"
#include "inputs/multiline_stage.h"
#include "outputs/buffer/buffer_inspect.h"
#include "outputs/elasticsearch/http_client.h"
#include "pipeline/logger.h"
#include "pipeline/normalizer.h"

namespace sluice {
namespace {

Registry builtinRegistry() {
  Registry registry;
  registerBuiltinComponents(registry);
  return registry;
}

}  // namespace

int commandRun(const std::string& config_path) {
  Registry registry = builtinRegistry();
  AgentConfig config;
  try {
    config = loadConfig(config_path, registry);
  } catch (const ConfigException& e) {
    for (const ConfigError& err : e.errors().all()) {
      logError("config", err.message,
               {{"file", e.errors().file()},
                {"line", err.line},
                {"column", err.column},
                {"key", err.key}});
    }
    std::cerr << e.errors().format();
    return 1;
  }
  initHttpClients();
  blockAgentSignals();
  return runAgent(config, registry);
}

int commandValidate(const std::string& config_path) {
  Registry registry = builtinRegistry();
  try {
    AgentConfig config = loadConfig(config_path, registry);
    std::cout << config_path << ": valid (" << config.inputs.size() << " inputs, "
              << config.outputs.size() << " outputs)\n";
    return 0;
  } catch (const ConfigException& e) {
    std::cerr << e.errors().format();
    return 1;
  }
}

int commandBufferInspect(const std::string& path, bool json) {
  BufferInspection inspection;
  std::string error;
  if (!inspectBuffer(path, inspection, error)) {
    std::cerr << "sluice buffer inspect: " << error << "\n";
    return 2;
  }
  if (json) {
    printInspectionJson(inspection, std::cout);
  } else {
    printInspection(inspection, std::cout);
  }
  return inspection.damaged() ? 1 : 0;
}

int commandVersion() {
  std::cout << versionReport();
  return 0;
}

namespace {

// The YAML `sluice parse` flags stand for, so that they are validated and
// explained exactly as a config file would be.
std::string yamlQuoted(std::string_view text) {
  std::string out = "'";
  for (char c : text) out += c == '\'' ? std::string("''") : std::string(1, c);
  return out + "'";
}

std::string parseFlagsConfig(const ParseOptions& o) {
  std::string yaml = "inputs:\n  - id: parse\n    type: stdin\n";
  if (o.pattern.empty()) {
    yaml += "    parser: " + yamlQuoted(o.parser) + "\n";
  } else {
    yaml += "    parser: {type: " + yamlQuoted(o.parser) + ", pattern: " + yamlQuoted(o.pattern) +
            "}\n";
  }
  if (!o.multiline.empty()) yaml += "    multiline: " + yamlQuoted(o.multiline) + "\n";
  if (!o.timezone.empty()) yaml += "    timezone: " + yamlQuoted(o.timezone) + "\n";
  yaml += "outputs:\n  - id: stdout\n    type: stdout\n";
  yaml += "pipeline:\n  schema: " + yamlQuoted(o.schema) + "\n";
  return yaml;
}

}  // namespace

int commandParse(const ParseOptions& o) {
  Registry registry = builtinRegistry();
  AgentConfig config;
  try {
    config = o.config_path.empty() ? parseConfig(parseFlagsConfig(o), "sluice parse", registry)
                                   : loadConfig(o.config_path, registry);
  } catch (const ConfigException& e) {
    std::cerr << e.errors().format();
    return 1;
  }
  const InputSettings* input = &config.inputs.front();
  if (!o.input_id.empty()) {
    input = nullptr;
    for (const InputSettings& i : config.inputs) {
      if (i.id == o.input_id) input = &i;
    }
    if (input == nullptr) {
      std::cerr << o.config_path << ": no input with id \"" << o.input_id << "\"\n";
      return 1;
    }
  }
  char host[256] = {};
  ::gethostname(host, sizeof host - 1);
  BuildContext context{host, config.routeFields(), config.batch, config.state_dir, config.pipeline};
  Normalizer normalizer(context.normalizerOptions(*input));
  std::optional<MultilineStage> multiline;
  if (input->multiline) multiline.emplace(input->multiline);
  SourceKey source = SourceKey::fromParts("parse");
  Batch batch(static_cast<uint32_t>(context.route_fields.size()));
  uint64_t dropped = 0;
  auto ship = [&](std::string_view text, const LineOrigin& origin) {
    if (!normalizer.normalize(text, origin, ingestTimeNow(), batch)) ++dropped;
  };
  auto on_line = [&](const LineReader::Line& line) {
    LineOrigin origin{source, {}, line.offset, line.end_offset, line.truncated};
    if (multiline) {
      multiline->add(line.text, origin, MultilineStage::Clock::now(), ship);
    } else {
      ship(line.text, origin);
    }
  };
  LineReader reader(1024 * 1024);
  auto write_out = [&] {
    for (const EventRecord& e : batch.events) {
      std::string_view doc = batch.document(e);
      std::fwrite(doc.data(), 1, doc.size(), stdout);
      std::fputc('\n', stdout);
    }
    std::fflush(stdout);
    batch.clear();
  };
  for (;;) {
    size_t n = 0;
    LineReader::Status status = reader.readLines(STDIN_FILENO, n, on_line);
    if (status != LineReader::Status::kData) {
      reader.flushPartial(on_line);
      if (multiline) multiline->flush(ship);
      write_out();
      if (dropped > 0) std::cerr << dropped << " events dropped by pipeline.drop rules\n";
      return status == LineReader::Status::kError ? 1 : 0;
    }
    write_out();
  }
}

}  // namespace sluice
