#include "agent/commands.h"

#include <unistd.h>

#include <cstdio>
#include <iostream>

#include "agent/builtin_components.h"
#include "agent/runner.h"
#include "agent/version.h"
#include "config/agent_config.h"
#include "inputs/line_reader.h"
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

int commandVersion() {
  std::cout << versionReport();
  return 0;
}

int commandParse(const std::string& config_path) {
  NormalizerOptions options;
  char host[256] = {};
  ::gethostname(host, sizeof host - 1);
  options.host_name = host;
  options.agent_version = SLUICE_VERSION;
  if (!config_path.empty()) {
    Registry registry = builtinRegistry();
    try {
      AgentConfig config = loadConfig(config_path, registry);
      if (!config.inputs.empty()) options.fields = config.inputs.front().fields;
    } catch (const ConfigException& e) {
      std::cerr << e.errors().format();
      return 1;
    }
  }
  Normalizer normalizer(options);
  LineReader reader(1024 * 1024);
  SourceKey source = SourceKey::fromParts("parse");
  Batch batch(0);
  auto on_line = [&](const LineReader::Line& line) {
    normalizer.normalize(line.text,
                         LineOrigin{source, {}, line.offset, line.end_offset, line.truncated},
                         ingestTimeNow(), batch);
  };
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
      write_out();
      return status == LineReader::Status::kError ? 1 : 0;
    }
    write_out();
  }
}

}  // namespace sluice
