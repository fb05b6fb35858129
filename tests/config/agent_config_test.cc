#include "config/agent_config.h"

#include <gtest/gtest.h>

#include <chrono>
#include <cstdlib>
#include <string>
#include <string_view>
#include <vector>

#include "agent/builtin_components.h"
#include "inputs/file/file_input_config.h"
#include "inputs/stdin/stdin_input.h"
#include "outputs/elasticsearch/elasticsearch_config.h"

namespace sluice {
namespace {

using std::chrono::milliseconds;

std::string str(const ConfigError& e) {
  return std::to_string(e.line) + ":" + std::to_string(e.column) + ": " + e.key + ": " + e.message;
}

std::string describe(const std::vector<ConfigError>& errors) {
  std::string out;
  for (const ConfigError& e : errors) out += str(e) + "\n";
  return out;
}

class AgentConfigTest : public testing::Test {
 protected:
  AgentConfigTest() { registerBuiltinComponents(registry_); }

  AgentConfig parse(std::string_view yaml) { return parseConfig(yaml, "test.yml", registry_); }

  // The errors a config must produce; fails the test when it parses.
  std::vector<ConfigError> errorsOf(std::string_view yaml) {
    try {
      parse(yaml);
    } catch (const ConfigException& e) {
      EXPECT_EQ(e.errors().file(), "test.yml");
      EXPECT_FALSE(e.errors().all().empty());
      return e.errors().all();
    }
    ADD_FAILURE() << "expected errors for:\n" << yaml;
    return {};
  }

  // The one error about `key`; fails when there is none or several.
  static ConfigError errorFor(const std::vector<ConfigError>& errors, std::string_view key) {
    std::vector<ConfigError> found;
    for (const ConfigError& e : errors) {
      if (e.key == key) found.push_back(e);
    }
    EXPECT_EQ(found.size(), 1u) << "errors for " << key << " in:\n" << describe(errors);
    return found.empty() ? ConfigError{-1, -1, "", "<none>"} : found.front();
  }

  static void expectError(const std::vector<ConfigError>& errors, std::string_view key, int line,
                          int column, std::string_view message_part) {
    ConfigError e = errorFor(errors, key);
    EXPECT_EQ(e.line, line) << str(e);
    EXPECT_EQ(e.column, column) << str(e);
    EXPECT_NE(e.message.find(message_part), std::string::npos) << str(e);
  }

  Registry registry_;
};

constexpr std::string_view kMinimal = R"(inputs:
  - id: app
    type: file
    paths: [/var/log/app/*.json]
outputs:
  - id: debug
    type: stdout
)";

TEST_F(AgentConfigTest, FullValidConfig) {
  const std::string yaml = R"(inputs:
  - id: app
    type: file
    paths: ["/var/log/app/*.json", /var/log/app/*.log]
    exclude: ["*.gz"]
    start_at: end
    parser: json
    max_line_bytes: 64KiB
    scan_interval: 5s
    fields: {service.name: api-gateway, service.tier: gateway, cost.weight: 2, debug: true, quoted: "2"}
  - id: in
    type: stdin
    max_line_bytes: 2MiB
pipeline:
  schema: documented
  batch: {events: 500, bytes: 1MiB, linger: 50ms}
outputs:
  - id: es
    type: elasticsearch
    hosts: ["http://localhost:9200/", "https://es-2.internal:9200"]
    index: "logs-{service.name}-{+yyyy.MM.dd}"
    auth: {username: elastic, password: changeme}
    flush: {events: 1000, bytes: 2MiB, interval: 2s}
    workers: 4
    timeout: 30s
    retry: {initial: 100ms, max: 10s}
  - id: debug
    type: stdout
http: {listen: "0.0.0.0:0"}
state_dir: /tmp/sluice-state
shutdown_timeout: 10s
log: {level: debug}
)";
  AgentConfig c;
  try {
    c = parse(yaml);
  } catch (const ConfigException& e) {
    FAIL() << e.what();
  }
  ASSERT_EQ(c.inputs.size(), 2u);
  EXPECT_EQ(c.inputs[0].id, "app");
  EXPECT_EQ(c.inputs[0].type, "file");
  const auto& file = dynamic_cast<const FileInputConfig&>(*c.inputs[0].config);
  EXPECT_EQ(file.paths, (std::vector<std::string>{"/var/log/app/*.json", "/var/log/app/*.log"}));
  EXPECT_EQ(file.exclude, std::vector<std::string>{"*.gz"});
  EXPECT_TRUE(file.start_at_end);
  EXPECT_EQ(file.max_line_bytes, 65'536u);
  EXPECT_EQ(file.scan_interval, milliseconds(5'000));
  ASSERT_EQ(c.inputs[0].fields.size(), 5u);
  EXPECT_EQ(c.inputs[0].fields[0].path, "service.name");
  EXPECT_EQ(c.inputs[0].fields[0].json, R"("api-gateway")");
  EXPECT_EQ(c.inputs[0].fields[1].json, R"("gateway")");
  EXPECT_EQ(c.inputs[0].fields[2].path, "cost.weight");
  EXPECT_EQ(c.inputs[0].fields[2].json, "2");
  EXPECT_EQ(c.inputs[0].fields[3].json, "true");
  EXPECT_EQ(c.inputs[0].fields[4].json, R"("2")");  // quoted in YAML: stays a string
  EXPECT_EQ(c.inputs[1].type, "stdin");
  EXPECT_EQ(dynamic_cast<const StdinInputConfig&>(*c.inputs[1].config).max_line_bytes, 2'097'152u);

  EXPECT_EQ(c.batch.max_events, 500u);
  EXPECT_EQ(c.batch.max_bytes, 1'048'576u);
  EXPECT_EQ(c.batch.linger, milliseconds(50));

  ASSERT_EQ(c.outputs.size(), 2u);
  EXPECT_EQ(c.outputs[0].id, "es");
  const auto& es = dynamic_cast<const ElasticsearchConfig&>(*c.outputs[0].config);
  EXPECT_EQ(es.hosts,
            (std::vector<std::string>{"http://localhost:9200", "https://es-2.internal:9200"}));
  EXPECT_EQ(es.index, "logs-{service.name}-{+yyyy.MM.dd}");
  EXPECT_EQ(es.index_template.fields(), std::vector<std::string>{"service.name"});
  EXPECT_EQ(es.username, "elastic");
  EXPECT_EQ(es.password, "changeme");
  EXPECT_EQ(es.flush_events, 1000u);
  EXPECT_EQ(es.flush_bytes, 2'097'152u);
  EXPECT_EQ(es.flush_interval, milliseconds(2'000));
  EXPECT_EQ(es.workers, 4);
  EXPECT_EQ(es.request_timeout, milliseconds(30'000));
  EXPECT_EQ(es.retry_initial, milliseconds(100));
  EXPECT_EQ(es.retry_max, milliseconds(10'000));
  EXPECT_EQ(c.outputs[1].type, "stdout");

  EXPECT_TRUE(c.http.enabled);
  EXPECT_EQ(c.http.host, "0.0.0.0");
  EXPECT_EQ(c.http.port, 0);
  EXPECT_EQ(c.state_dir, "/tmp/sluice-state");
  EXPECT_EQ(c.shutdown_timeout, milliseconds(10'000));
  EXPECT_EQ(c.log_level, "debug");
  EXPECT_EQ(c.routeFields(), std::vector<std::string>{"service.name"});
}

TEST_F(AgentConfigTest, MinimalConfigGetsDefaults) {
  AgentConfig c = parse(kMinimal);
  const auto& file = dynamic_cast<const FileInputConfig&>(*c.inputs.at(0).config);
  EXPECT_FALSE(file.start_at_end);
  EXPECT_EQ(file.max_line_bytes, 1'048'576u);
  EXPECT_EQ(file.exclude, (std::vector<std::string>{"*.gz", "*.bz2", "*.xz", "*.zst", "*.zip"}));
  EXPECT_TRUE(c.inputs[0].fields.empty());
  EXPECT_EQ(c.http.host, "127.0.0.1");
  EXPECT_EQ(c.http.port, 5066);
  EXPECT_EQ(c.state_dir, "/var/lib/sluice");
  EXPECT_EQ(c.shutdown_timeout, milliseconds(30'000));
  EXPECT_EQ(c.log_level, "info");
  EXPECT_TRUE(c.routeFields().empty());
}

TEST_F(AgentConfigTest, RouteFieldsAreTheUnionInOutputOrder) {
  AgentConfig c = parse(R"(inputs:
  - {id: app, type: stdin}
outputs:
  - id: es1
    type: elasticsearch
    hosts: [http://a:9200]
    index: "logs-{service.name}-{service.tier}-{+yyyy.MM}"
  - {id: out, type: stdout}
  - id: es2
    type: elasticsearch
    hosts: [http://b:9200]
    index: "{kubernetes.namespace}-{service.name}"
)");
  EXPECT_EQ(c.routeFields(),
            (std::vector<std::string>{"service.name", "service.tier", "kubernetes.namespace"}));
}

TEST_F(AgentConfigTest, UnknownKeysAreLocatedByLineAndColumn) {
  auto errors = errorsOf(R"(inputs:
  - id: app
    type: file
    paths: [/var/log/app/*.json]
    pathz: [/typo]
outputs:
  - id: es
    type: elasticsearch
    hosts: [http://localhost:9200]
    flush: {events: 10, intreval: 1s}
    auth:
      username: elastic
      passwd: x
  - id: debug
    type: stdout
    colour: true
pipeline:
  batch:
    events: 10
    linger_ms: 5
http:
  listen: 127.0.0.1:5066
  tls: true
log: {level: info, format: json}
statedir: /tmp
)");
  expectError(errors, "inputs[0].pathz", 5, 5, "unknown key");
  expectError(errors, "outputs[0].flush.intreval", 10, 25, "unknown key");
  expectError(errors, "outputs[0].auth.passwd", 13, 7, "unknown key");
  expectError(errors, "outputs[1].colour", 16, 5, "unknown key");
  expectError(errors, "pipeline.batch.linger_ms", 20, 5, "unknown key");
  expectError(errors, "http.tls", 23, 3, "unknown key");
  expectError(errors, "log.format", 24, 20, "unknown key");
  expectError(errors, "statedir", 25, 1, "unknown key");
  EXPECT_EQ(errors.size(), 8u) << describe(errors);
}

TEST_F(AgentConfigTest, WrongTypes) {
  auto errors = errorsOf(R"(inputs:
  - id: app
    type: file
    paths: {a: b}
    fields: [x]
  - id: in
    type: stdin
    max_line_bytes: lots
outputs:
  - id: es
    type: elasticsearch
    hosts: [http://localhost:9200]
    workers: many
    flush: 5
    timeout: [1s]
http:
  enabled: yes
shutdown_timeout: soon
)");
  expectError(errors, "inputs[0].paths", 4, 12, "expected a list of strings");
  expectError(errors, "inputs[0].fields", 5, 13, "expected a mapping");
  expectError(errors, "inputs[1].max_line_bytes", 8, 21, "expected a size");
  expectError(errors, "outputs[0].workers", 13, 14, "expected an integer");
  expectError(errors, "outputs[0].flush", 14, 12, "expected a mapping");
  expectError(errors, "outputs[0].timeout", 15, 14, "expected a scalar");
  expectError(errors, "http.enabled", 17, 12, "expected true or false");
  expectError(errors, "shutdown_timeout", 18, 19, "expected a duration");
}

TEST_F(AgentConfigTest, BadValues) {
  auto errors = errorsOf(R"(inputs:
  - id: app
    type: file
    paths: [relative/*.log]
    start_at: middle
    parser: xml
    max_line_bytes: 10B
outputs:
  - id: es
    type: elasticsearch
    hosts: [localhost:9200]
    index: "Logs-{service.name}"
    workers: 0
http: {listen: "localhost"}
)");
  expectError(errors, "inputs[0].paths", 4, 12, "not an absolute path");
  expectError(errors, "inputs[0].start_at", 5, 15, "is not one of: beginning, end");
  expectError(errors, "inputs[0].parser", 6, 13, "unknown parser \"xml\" (known: auto, json");
  expectError(errors, "inputs[0].max_line_bytes", 7, 21, "between 1KiB and 1GiB");
  expectError(errors, "outputs[0].hosts", 11, 12, "must start with http:// or https://");
  expectError(errors, "outputs[0].index", 12, 12, "upper case");
  expectError(errors, "outputs[0].workers", 13, 14, "between 1 and 64");
  expectError(errors, "http.listen", 14, 16, "HOST:PORT");
}

TEST_F(AgentConfigTest, MissingRequiredKeys) {
  auto errors = errorsOf(R"(inputs:
  - id: app
    paths: [/var/log/*.log]
  - type: file
    paths: [/var/log/*.log]
  - id: nopaths
    type: file
outputs:
  - id: es
    type: elasticsearch
)");
  expectError(errors, "inputs[0]", 2, 5, "missing required key \"type\"");
  expectError(errors, "inputs[1]", 4, 5, "missing required key \"id\"");
  expectError(errors, "inputs[2]", 6, 5, "at least one pattern in \"paths\"");
  expectError(errors, "outputs[0]", 9, 5, "at least one URL in \"hosts\"");
}

TEST_F(AgentConfigTest, InputsAndOutputsAreRequired) {
  auto errors = errorsOf("state_dir: /tmp\n");
  bool inputs = false, outputs = false;
  for (const ConfigError& e : errors) {
    inputs |= e.message.find("at least one input") != std::string::npos;
    outputs |= e.message.find("at least one output") != std::string::npos;
  }
  EXPECT_TRUE(inputs) << describe(errors);
  EXPECT_TRUE(outputs) << describe(errors);
}

TEST_F(AgentConfigTest, NonMappingDocuments) {
  for (std::string_view yaml : {"- a\n- b\n", "just a string\n", "42\n"}) {
    auto errors = errorsOf(yaml);
    ASSERT_EQ(errors.size(), 1u) << describe(errors);
    EXPECT_EQ(errors[0].line, 1);
    EXPECT_NE(errors[0].message.find("mapping"), std::string::npos) << str(errors[0]);
  }
  auto list = errorsOf("inputs: {id: app}\noutputs: []\n");
  expectError(list, "inputs", 1, 9, "expected a list");
}

TEST_F(AgentConfigTest, DuplicateIds) {
  auto errors = errorsOf(R"(inputs:
  - id: app
    type: file
    paths: [/var/log/a.log]
  - id: app
    type: file
    paths: [/var/log/b.log]
outputs:
  - id: app
    type: stdout
)");
  expectError(errors, "inputs[1].id", 5, 9, "\"app\" is used by another component");
  expectError(errors, "outputs[0].id", 9, 9, "\"app\" is used by another component");
  for (const ConfigError& e : errors) EXPECT_NE(e.key, "inputs[0].id") << "the first use is fine";
}

TEST_F(AgentConfigTest, EmptyInputOrOutputListIsAnError) {
  auto no_outputs = errorsOf(R"(inputs:
  - {id: app, type: stdin}
outputs: []
)");
  EXPECT_NE(describe(no_outputs).find("at least one output"), std::string::npos)
      << describe(no_outputs);
  auto no_inputs = errorsOf(R"(inputs: []
outputs:
  - {id: out, type: stdout}
)");
  EXPECT_NE(describe(no_inputs).find("at least one input"), std::string::npos)
      << describe(no_inputs);
}

TEST_F(AgentConfigTest, DuplicateIdDoesNotMakeTheComponentsOwnKeysUnknown) {
  // The type is known, so its keys (paths) are valid: the only problem is the id.
  auto errors = errorsOf(R"(inputs:
  - id: app
    type: file
    paths: [/var/log/a.log]
  - id: app
    type: file
    paths: [/var/log/b.log]
    start_at: end
outputs:
  - {id: out, type: stdout}
)");
  EXPECT_EQ(errors.size(), 1u) << describe(errors);
  for (const ConfigError& e : errors)
    EXPECT_EQ(e.message.find("unknown key"), std::string::npos) << str(e);
}

TEST_F(AgentConfigTest, InvalidIdCharacters) {
  auto errors = errorsOf(R"(inputs:
  - id: "my app"
    type: stdin
outputs:
  - {id: out, type: stdout}
)");
  expectError(errors, "inputs[0].id", 2, 9, "letters, digits");
}

TEST_F(AgentConfigTest, UnknownTypeListsKnownTypes) {
  auto errors = errorsOf(R"(inputs:
  - id: app
    type: files
outputs:
  - id: es
    type: elastic
)");
  expectError(errors, "inputs[0].type", 3, 11,
              "unknown type \"files\" (known: file, container, stdin, kafka)");
  expectError(errors, "outputs[0].type", 6, 11,
              "unknown type \"elastic\" (known: elasticsearch, kafka, stdout)");
}

TEST_F(AgentConfigTest, SeveralErrorsReportedAtOnce) {
  try {
    parse(R"(inputs:
  - id: app
    type: file
    paths: [relative]
    bogus: 1
outputs:
  - id: es
    type: elasticsearch
    hosts: [ftp://x]
    workers: 100
extra: 1
)");
    FAIL() << "expected errors";
  } catch (const ConfigException& e) {
    EXPECT_EQ(e.errors().all().size(), 5u) << e.what();
    // what() lists them all as FILE:LINE:COLUMN: KEY: MESSAGE.
    std::string text = e.what();
    EXPECT_NE(text.find("test.yml:4:12: inputs[0].paths: "), std::string::npos) << text;
    EXPECT_NE(text.find("test.yml:5:5: inputs[0].bogus: unknown key"), std::string::npos) << text;
    EXPECT_NE(text.find("test.yml:9:12: outputs[0].hosts: "), std::string::npos) << text;
    EXPECT_NE(text.find("test.yml:10:14: outputs[0].workers: "), std::string::npos) << text;
    EXPECT_NE(text.find("test.yml:11:1: extra: unknown key"), std::string::npos) << text;
  }
}

TEST_F(AgentConfigTest, EnvironmentSubstitution) {
  setenv("SLUICE_CFG_T_HOST", "http://es.internal:9200", 1);
  setenv("SLUICE_CFG_T_PASSWORD", "s3cr:t", 1);
  setenv("SLUICE_CFG_T_TIER", "gateway", 1);
  unsetenv("SLUICE_CFG_T_UNSET");
  unsetenv("SLUICE_CFG_T_DIR");
  AgentConfig c = parse(R"(inputs:
  - id: app
    type: file
    paths: ["${SLUICE_CFG_T_DIR:-/var/log/app}/*.json"]
    fields: {service.tier: "${SLUICE_CFG_T_TIER}", note: "$${literal}"}
outputs:
  - id: es
    type: elasticsearch
    hosts: ["${SLUICE_CFG_T_HOST}"]
    auth: {username: elastic, password: "${SLUICE_CFG_T_PASSWORD}"}
state_dir: ${SLUICE_CFG_T_UNSET:-/var/lib/sluice-test}
)");
  const auto& file = dynamic_cast<const FileInputConfig&>(*c.inputs.at(0).config);
  EXPECT_EQ(file.paths, std::vector<std::string>{"/var/log/app/*.json"});
  ASSERT_EQ(c.inputs[0].fields.size(), 2u);
  EXPECT_EQ(c.inputs[0].fields[0].json, R"("gateway")");
  EXPECT_EQ(c.inputs[0].fields[1].json, R"("${literal}")");
  const auto& es = dynamic_cast<const ElasticsearchConfig&>(*c.outputs.at(0).config);
  EXPECT_EQ(es.hosts, std::vector<std::string>{"http://es.internal:9200"});
  EXPECT_EQ(es.password, "s3cr:t");
  EXPECT_EQ(c.state_dir, "/var/lib/sluice-test");
  unsetenv("SLUICE_CFG_T_HOST");
  unsetenv("SLUICE_CFG_T_PASSWORD");
  unsetenv("SLUICE_CFG_T_TIER");
}

TEST_F(AgentConfigTest, UnsetVariableIsALocatedError) {
  unsetenv("SLUICE_CFG_T_UNSET");
  auto errors = errorsOf(R"(inputs:
  - {id: app, type: stdin}
outputs:
  - id: es
    type: elasticsearch
    hosts: [http://localhost:9200]
    auth:
      username: elastic
      password: ${SLUICE_CFG_T_UNSET}
)");
  expectError(errors, "outputs[0].auth.password", 9, 17, "SLUICE_CFG_T_UNSET");
}

TEST_F(AgentConfigTest, UnsupportedYetTypesSayNotSupported) {
  auto errors = errorsOf(R"(inputs:
  - id: app
    type: file
    paths: [/var/log/app/*.log]
    multiline: {pattern: '^\S', negate: true, match: after}
    close_inactive: 5m
    rotate_wait: 10s
outputs:
  - id: es
    type: elasticsearch
    hosts: [http://localhost:9200]
    buffer: {type: disk, path: /var/lib/sluice/buffer}
    dead_letter: {type: index}
  - id: bus
    type: syslog
pipeline:
  pii: {detectors: [email], mode: redact}
  drop: ['log.level == "DEBUG"']
)");
  expectError(errors, "outputs[1].type", 15, 11, "not supported");
  // buffer, dead_letter index, multiline, pii, drop, close_inactive and
  // rotate_wait are supported: no error names them.
  EXPECT_EQ(errors.size(), 1u) << describe(errors);
  for (const ConfigError& e : errors)
    EXPECT_EQ(e.message.find("unknown key"), std::string::npos) << str(e);
}

TEST_F(AgentConfigTest, DiskBuffer) {
  AgentConfig config = parse(R"(inputs:
  - {id: app, type: stdin}
outputs:
  - id: es
    type: elasticsearch
    hosts: [http://localhost:9200]
    buffer: {type: disk, path: /var/lib/sluice/buffer/es, max_size: 2GiB, when_full: drop_newest,
             fsync: interval, fsync_interval: 250ms, compression: none}
  - {id: mem, type: elasticsearch, hosts: [http://localhost:9200]}
)");
  const auto& es = static_cast<const ElasticsearchConfig&>(*config.outputs[0].config);
  EXPECT_EQ(es.buffer.type, BufferConfig::Type::kDisk);
  EXPECT_EQ(es.buffer.path, "/var/lib/sluice/buffer/es");
  EXPECT_EQ(es.buffer.max_size, 2ULL << 30);
  EXPECT_EQ(es.buffer.when_full, BufferConfig::WhenFull::kDropNewest);
  EXPECT_FALSE(es.buffer.sync_every_batch);
  EXPECT_EQ(es.buffer.fsync_interval, std::chrono::milliseconds(250));
  EXPECT_EQ(es.buffer.zstd_level, 0);
  const auto& mem = static_cast<const ElasticsearchConfig&>(*config.outputs[1].config);
  EXPECT_EQ(mem.buffer.type, BufferConfig::Type::kMemory);

  auto errors = errorsOf(R"(inputs:
  - {id: app, type: stdin}
outputs:
  - id: es
    type: elasticsearch
    hosts: [http://localhost:9200]
    buffer: {type: disk, path: buffer, max_size: 10KiB, when_full: wait}
  - id: es2
    type: elasticsearch
    hosts: [http://localhost:9200]
    buffer: {type: disk}
)");
  expectError(errors, "outputs[0].buffer.path", 7, 32, "absolute path");
  expectError(errors, "outputs[0].buffer.max_size", 7, 50, "at least 1MiB");
  expectError(errors, "outputs[0].buffer.when_full", 7, 68, "block");
  expectError(errors, "outputs[1].buffer", 11, 13, "missing required key \"path\"");
}

TEST_F(AgentConfigTest, ProcessingKeysAreParsed) {
  AgentConfig config = parse(R"(inputs:
  - id: app
    type: file
    paths: [/var/log/app/*.log]
    parser: {type: dissect, pattern: '%{ts} %{level} %{msg}'}
    timezone: Europe/Paris
    multiline: {pattern: '^\s', match: after, max_lines: 50, timeout: 500ms}
  - id: java
    type: file
    paths: [/var/log/java/*.log]
    parser: logfmt
    multiline: java
outputs:
  - id: debug
    type: stdout
pipeline:
  schema: ecs
  timezone: "+02:00"
  trace: {fill_correlation_from_trace: false}
  cost_centers: {gateway: {center: gw, weight: 2}, ai-ml: {center: ai}}
  drop: ['log.level == "DEBUG" && service.tier == "gateway"', 'http.path == "/health"']
)");
  ASSERT_EQ(config.inputs.size(), 2u);
  const InputSettings& app = config.inputs[0];
  EXPECT_EQ(app.parser.kind, ParserKind::kDissect);
  ASSERT_NE(app.parser.pattern, nullptr);
  ASSERT_NE(app.time_zone, nullptr);
  EXPECT_EQ(app.time_zone->name(), "Europe/Paris");
  ASSERT_NE(app.multiline, nullptr);
  EXPECT_EQ(app.multiline->mode, MultilineRules::Mode::kPattern);
  EXPECT_EQ(app.multiline->max_lines, 50u);
  EXPECT_EQ(app.multiline->timeout, std::chrono::milliseconds(500));
  const InputSettings& java = config.inputs[1];
  EXPECT_EQ(java.parser.kind, ParserKind::kLogfmt);
  EXPECT_EQ(java.time_zone, nullptr);
  ASSERT_NE(java.multiline, nullptr);
  EXPECT_EQ(java.multiline->mode, MultilineRules::Mode::kJava);
  EXPECT_EQ(config.pipeline.schema, Schema::kEcs);
  ASSERT_NE(config.pipeline.time_zone, nullptr);
  EXPECT_FALSE(config.pipeline.fill_correlation_from_trace);
  ASSERT_EQ(config.pipeline.cost_centers.size(), 2u);
  EXPECT_EQ(config.pipeline.cost_centers[0].tier, "gateway");
  EXPECT_EQ(config.pipeline.cost_centers[0].center_json, "\"gw\"");
  EXPECT_EQ(config.pipeline.cost_centers[0].weight_json, "2");
  EXPECT_EQ(config.pipeline.cost_centers[1].weight_json, "");
  ASSERT_NE(config.pipeline.drop, nullptr);
  EXPECT_EQ(config.pipeline.drop->size(), 2u);
}

TEST_F(AgentConfigTest, DeadLetter) {
  AgentConfig config = parse(R"(inputs:
  - {id: app, type: stdin}
outputs:
  - id: es
    type: elasticsearch
    hosts: [http://localhost:9200]
    dead_letter: {type: file, path: /var/lib/sluice/dead-letter/es.ndjson}
)");
  const auto& es = static_cast<const ElasticsearchConfig&>(*config.outputs[0].config);
  EXPECT_EQ(es.dead_letter_path, "/var/lib/sluice/dead-letter/es.ndjson");
  auto errors = errorsOf(R"(inputs:
  - {id: app, type: stdin}
outputs:
  - id: es
    type: elasticsearch
    hosts: [http://localhost:9200]
    dead_letter: {type: file, path: dead.ndjson}
  - id: es2
    type: elasticsearch
    hosts: [http://localhost:9200]
    dead_letter: {type: index, index: "dead-{service.name"}
)");
  expectError(errors, "outputs[0].dead_letter.path", 7, 37, "absolute path");
  expectError(errors, "outputs[1].dead_letter.index", 11, 39, "unclosed {");

  AgentConfig indexed = parse(R"(inputs:
  - {id: app, type: stdin}
outputs:
  - id: es
    type: elasticsearch
    hosts: [http://localhost:9200]
    index: "logs-{service.name}"
    dead_letter: {type: index, index: "dead-{service.tier}-{+yyyy.MM}"}
)");
  const auto& dl = static_cast<const ElasticsearchConfig&>(*indexed.outputs[0].config);
  ASSERT_TRUE(dl.dead_letter_index.has_value());
  EXPECT_TRUE(dl.dead_letter_path.empty());
  EXPECT_EQ(indexed.routeFields(), (std::vector<std::string>{"service.name", "service.tier"}));

  AgentConfig gzip = parse(R"(inputs:
  - {id: app, type: stdin}
outputs:
  - {id: a, type: elasticsearch, hosts: [http://h:9200], compression: gzip}
  - {id: b, type: elasticsearch, hosts: [http://h:9200], compression: {type: gzip, level: 6}}
  - {id: c, type: elasticsearch, hosts: [http://h:9200]}
)");
  EXPECT_EQ(static_cast<const ElasticsearchConfig&>(*gzip.outputs[0].config).gzip_level, 1);
  EXPECT_EQ(static_cast<const ElasticsearchConfig&>(*gzip.outputs[1].config).gzip_level, 6);
  EXPECT_EQ(static_cast<const ElasticsearchConfig&>(*gzip.outputs[2].config).gzip_level, 0);
}

TEST_F(AgentConfigTest, DataStreams) {
  AgentConfig config = parse(R"(inputs:
  - {id: app, type: stdin}
outputs:
  - {id: a, type: elasticsearch, hosts: [http://h:9200], data_stream: {dataset: nginx.access}}
  - {id: b, type: elasticsearch, hosts: [http://h:9200], data_stream: {}}
)");
  const auto& a = static_cast<const ElasticsearchConfig&>(*config.outputs[0].config);
  EXPECT_TRUE(a.data_stream);
  EXPECT_EQ(a.index, "logs-nginx.access-default");
  EXPECT_EQ(static_cast<const ElasticsearchConfig&>(*config.outputs[1].config).index,
            "logs-generic-default");
  auto errors = errorsOf(R"(inputs:
  - {id: app, type: stdin}
outputs:
  - id: a
    type: elasticsearch
    hosts: [http://h:9200]
    index: logs-x
    data_stream: {dataset: My-App, namespace: "prod env"}
)");
  expectError(errors, "outputs[0].data_stream", 8, 18, "either index or data_stream");
  expectError(errors, "outputs[0].data_stream.dataset", 8, 28, "lower case");
  expectError(errors, "outputs[0].data_stream.namespace", 8, 47, "must not contain ' '");
}

TEST_F(AgentConfigTest, PiiSettings) {
  setenv("SLUICE_TEST_PII_KEY", "0123456789abcdef0123456789abcdef", 1);
  AgentConfig config = parse(R"(inputs:
  - id: app
    type: stdin
outputs:
  - id: debug
    type: stdout
pipeline:
  pii:
    detectors: [email, ipv4, credit_card, sensitive_field]
    mode: hash
    hash_key: ${SLUICE_TEST_PII_KEY}
    modes: {ipv4: partial}
    fields: [Password, x-api-key]
    keep: [client.ip]
    custom: [{name: order_ref, pattern: 'ORD-[0-9]{8}', mode: redact}]
)");
  ASSERT_NE(config.pipeline.pii, nullptr);
  const PiiSettings& pii = *config.pipeline.pii;
  EXPECT_TRUE(pii.detectors.test(static_cast<size_t>(PiiKind::kEmail)));
  EXPECT_FALSE(pii.detectors.test(static_cast<size_t>(PiiKind::kPhone)));
  EXPECT_TRUE(pii.detectors.test(static_cast<size_t>(PiiKind::kCustom)));
  EXPECT_EQ(pii.modes[static_cast<size_t>(PiiKind::kEmail)], PiiMode::kHash);
  EXPECT_EQ(pii.modes[static_cast<size_t>(PiiKind::kIpv4)], PiiMode::kPartial);
  EXPECT_EQ(pii.hash_key, "0123456789abcdef0123456789abcdef");
  EXPECT_EQ(pii.sensitive_keys, (std::vector<std::string>{"password", "x-api-key"}));
  EXPECT_EQ(pii.keep, (std::vector<std::string>{"client.ip"}));
  ASSERT_EQ(pii.custom.size(), 1u);
  EXPECT_EQ(pii.custom[0].name, "order_ref");
  EXPECT_EQ(pii.custom[0].mode, PiiMode::kRedact);

  AgentConfig defaults = parse(std::string(kMinimal) + "pipeline:\n  pii: {}\n");
  ASSERT_NE(defaults.pipeline.pii, nullptr);
  EXPECT_TRUE(defaults.pipeline.pii->detectors.test(static_cast<size_t>(PiiKind::kSsn)));
  EXPECT_FALSE(defaults.pipeline.pii->detectors.test(static_cast<size_t>(PiiKind::kCustom)));
  EXPECT_FALSE(defaults.pipeline.pii->sensitive_keys.empty());
  AgentConfig off =
      parse(std::string(kMinimal) + "pipeline:\n  pii: {enabled: false, mode: partial}\n");
  EXPECT_EQ(off.pipeline.pii, nullptr);
  // Naming sensitive keys turns their detector on even when a list leaves it out.
  AgentConfig keyed =
      parse(std::string(kMinimal) + "pipeline:\n  pii: {detectors: [email], fields: [password]}\n");
  ASSERT_NE(keyed.pipeline.pii, nullptr);
  EXPECT_TRUE(keyed.pipeline.pii->detectors.test(static_cast<size_t>(PiiKind::kSensitiveField)));
}

TEST_F(AgentConfigTest, PiiErrorsNeverEchoTheKey) {
  auto errors = errorsOf(std::string(kMinimal) + R"(pipeline:
  pii:
    detectors: [email, passport]
    mode: hash
    hash_key: short-secret-x
    modes: {ipv4: scramble}
    custom: [{name: email, pattern: '(unclosed'}]
)");
  expectError(errors, "pipeline.pii.detectors", 10, 16, "unknown detector \"passport\"");
  expectError(errors, "pipeline.pii.hash_key", 12, 15, "at least 16 bytes");
  expectError(errors, "pipeline.pii.modes.ipv4", 13, 19, "redact, hash or partial");
  expectError(errors, "pipeline.pii.custom[0].name", 14, 21, "not a built-in name");
  expectError(errors, "pipeline.pii.custom[0].pattern", 14, 37, "invalid RE2 pattern");
  for (const ConfigError& e : errors) {
    EXPECT_EQ(e.message.find("short-secret-x"), std::string::npos) << str(e);
  }
}

TEST_F(AgentConfigTest, ProcessingKeyErrorsAreLocated) {
  auto errors = errorsOf(R"(inputs:
  - id: a
    type: stdin
    parser: yaml
  - id: b
    type: stdin
    parser: regex
  - id: c
    type: stdin
    parser: {type: regex, pattern: '(unclosed'}
    multiline: cobol
    timezone: Mars/Olympus
  - id: d
    type: stdin
    parser: {type: dissect, pattern: '%{a'}
    multiline: {pattern: '(', negate: maybe}
outputs:
  - id: debug
    type: stdout
pipeline:
  schema: strict
  cost_centers: {gateway: {weight: "2"}}
  drop: ['log.level === "DEBUG"']
)");
  expectError(errors, "inputs[0].parser", 4, 13, "unknown parser \"yaml\"");
  expectError(errors, "inputs[1].parser", 7, 13, "needs a pattern");
  expectError(errors, "inputs[2].parser.pattern", 10, 36, "");
  expectError(errors, "inputs[2].multiline", 11, 16, "unknown multiline type \"cobol\"");
  expectError(errors, "inputs[2].timezone", 12, 15, "");
  expectError(errors, "inputs[3].parser.pattern", 15, 38, "");
  expectError(errors, "inputs[3].multiline.negate", 16, 39, "expected true or false");
  expectError(errors, "pipeline.schema", 21, 11, "");
  expectError(errors, "pipeline.cost_centers.gateway.center", 22, 27, "is required");
  expectError(errors, "pipeline.cost_centers.gateway.weight", 22, 36, "must be a number");
  expectError(errors, "pipeline.drop", 23, 9, "rule 1");
}

TEST_F(AgentConfigTest, InvalidYamlIsLocated) {
  auto errors = errorsOf(R"(inputs:
  - id: app
    type: file
    paths: [/var/log/app/*.log
outputs:
  - {id: out, type: stdout}
)");
  ASSERT_EQ(errors.size(), 1u) << describe(errors);
  EXPECT_GT(errors[0].line, 0);
  EXPECT_GT(errors[0].column, 0);
  EXPECT_NE(errors[0].message.find("invalid YAML"), std::string::npos) << str(errors[0]);

  auto tabs = errorsOf("inputs:\n\t- id: app\n");
  ASSERT_EQ(tabs.size(), 1u) << describe(tabs);
  EXPECT_EQ(tabs[0].line, 2);
  EXPECT_NE(tabs[0].message.find("invalid YAML"), std::string::npos) << str(tabs[0]);
}

TEST_F(AgentConfigTest, HttpListen) {
  struct Case {
    std::string_view listen;
    std::string_view host;
    uint16_t port;
  };
  for (const Case& c : {Case{"127.0.0.1:5066", "127.0.0.1", 5066}, Case{"0.0.0.0:0", "0.0.0.0", 0},
                        Case{"[::1]:9000", "::1", 9000}, Case{"localhost:80", "localhost", 80}}) {
    AgentConfig config =
        parse(std::string(kMinimal) + "http: {listen: \"" + std::string(c.listen) + "\"}\n");
    EXPECT_EQ(config.http.host, c.host) << c.listen;
    EXPECT_EQ(config.http.port, c.port) << c.listen;
  }
  for (std::string_view bad : {"5066", ":5066", "host:", "host:99999", "host:port"}) {
    auto errors =
        errorsOf(std::string(kMinimal) + "http: {listen: \"" + std::string(bad) + "\"}\n");
    EXPECT_EQ(errorFor(errors, "http.listen").line, 8) << bad;
  }
}

TEST_F(AgentConfigTest, ElasticsearchAuthRules) {
  auto errors = errorsOf(R"(inputs:
  - {id: app, type: stdin}
outputs:
  - id: es
    type: elasticsearch
    hosts: [http://localhost:9200]
    auth: {username: elastic, api_key: abc}
  - id: es2
    type: elasticsearch
    hosts: [http://localhost:9200]
    auth: {password: x}
  - id: es3
    type: elasticsearch
    hosts: [http://localhost:9200]
    retry: {initial: 5s, max: 1s}
)");
  expectError(errors, "outputs[0].auth", 7, 11, "use one of");
  expectError(errors, "outputs[1].auth.password", 11, 22, "needs a username");
  expectError(errors, "outputs[2].retry", 15, 12, "retry.initial");
}

TEST_F(AgentConfigTest, LoadConfigReportsAnUnreadableFile) {
  try {
    loadConfig("/nonexistent/sluice-test.yml", registry_);
    FAIL() << "expected an error";
  } catch (const ConfigException& e) {
    EXPECT_EQ(e.errors().file(), "/nonexistent/sluice-test.yml");
    ASSERT_EQ(e.errors().all().size(), 1u);
    EXPECT_NE(e.errors().all()[0].message.find("cannot read"), std::string::npos);
  }
}

}  // namespace
}  // namespace sluice
