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
  std::string tap_config;
  auto* parse = app.add_subcommand("parse", "Normalize lines from stdin, print NDJSON events");
  auto* tap =
      app.add_subcommand("tap", "Like parse, with the first input's settings from a config");
  tap->add_option("-c,--config", tap_config, "Config file")->required();

  CLI11_PARSE(app, argc, argv);
  if (run->parsed()) return sluice::commandRun(config_path);
  if (validate->parsed()) return sluice::commandValidate(config_path);
  if (version->parsed()) return sluice::commandVersion();
  if (parse->parsed()) return sluice::commandParse("");
  if (tap->parsed()) return sluice::commandParse(tap_config);
  return 2;
}
