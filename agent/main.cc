#include <CLI/CLI.hpp>

#include "agent/commands.h"

int main(int argc, char** argv) {
  CLI::App app{"sluice: tails logs, normalizes them to one schema, ships them to Elasticsearch"};
  app.require_subcommand(1);
  std::string config_path = "/etc/sluice/sluice.yml";

  auto* run = app.add_subcommand("run", "Run the pipeline of a config file");
  run->add_option("-c,--config", config_path, "Config file")->capture_default_str();
  auto* validate =
      app.add_subcommand("validate", "Check a config file; errors name file, line, column and key");
  validate->add_option("-c,--config", config_path, "Config file")->capture_default_str();
  auto* version = app.add_subcommand("version", "Print version, build flags and library versions");
  sluice::ParseOptions parse_options;
  auto* parse = app.add_subcommand("parse", "Normalize lines from stdin, print NDJSON events");
  parse
      ->add_option("--parser", parse_options.parser,
                   "auto, json, logfmt, regex, dissect, syslog, nginx, apache or none")
      ->capture_default_str();
  parse->add_option("--pattern", parse_options.pattern,
                    "The pattern of the regex or dissect parser");
  parse->add_option("--multiline", parse_options.multiline,
                    "Join stack traces: java, python, go, node or stack");
  parse->add_option("--schema", parse_options.schema, "documented or ecs")->capture_default_str();
  parse->add_option("--timezone", parse_options.timezone,
                    "Zone of timestamps that carry none (UTC, Local, +02:00, Europe/Paris)");
  sluice::ParseOptions tap_options;
  auto* tap = app.add_subcommand(
      "tap", "Like parse, with an input's settings and the pipeline of a config file");
  tap->add_option("-c,--config", tap_options.config_path, "Config file")->required();
  tap->add_option("--input", tap_options.input_id, "The input to take (default: the first)");

  auto* buffer = app.add_subcommand("buffer", "Disk buffers");
  buffer->require_subcommand(1);
  std::string buffer_path;
  bool buffer_json = false;
  auto* buffer_inspect = buffer->add_subcommand(
      "inspect", "Describe a disk buffer and check it for damage (read-only, safe while running)");
  buffer_inspect->add_option("PATH", buffer_path, "The buffer's directory")->required();
  buffer_inspect->add_flag("--json", buffer_json, "Machine-readable output");

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    const int code = app.exit(e);
    // Scripts tell "damaged" (1) from "could not look" (2) by exit code.
    return code != 0 && buffer->parsed() ? 2 : code;
  }
  if (run->parsed()) return sluice::commandRun(config_path);
  if (validate->parsed()) return sluice::commandValidate(config_path);
  if (version->parsed()) return sluice::commandVersion();
  if (parse->parsed()) return sluice::commandParse(parse_options);
  if (tap->parsed()) return sluice::commandParse(tap_options);
  if (buffer_inspect->parsed()) return sluice::commandBufferInspect(buffer_path, buffer_json);
  return 2;
}
