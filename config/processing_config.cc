#include "config/processing_config.h"

#include "pipeline/json_escape.h"
#include "pipeline/parsers/dissect_parser.h"
#include "pipeline/parsers/regex_parser.h"

namespace sluice {
namespace {

constexpr std::string_view kParserNames =
    "auto, json, logfmt, regex, dissect, syslog, nginx, apache or none";

ParserSettings parseParser(YamlReader& r) {
  ParserSettings settings;
  if (!r.has("parser")) return settings;
  std::string name;
  std::optional<YamlReader> spec;
  if (r.isMapping("parser")) {
    spec = r.object("parser");
    if (!spec) return settings;
    auto type = spec->requiredString("type");
    if (!type) return settings;
    name = *type;
  } else {
    name = r.string("parser", "auto");
  }
  auto kind = parserKindFromName(name);
  if (!kind) {
    const std::string message =
        "unknown parser \"" + name + "\" (known: " + std::string(kParserNames) + ")";
    spec ? spec->error("type", message) : r.error("parser", message);
    return settings;
  }
  settings.kind = *kind;
  const bool needs_pattern = *kind == ParserKind::kRegex || *kind == ParserKind::kDissect;
  if (needs_pattern && !spec) {
    r.error("parser", "the " + name + " parser needs a pattern: parser: {type: " + name +
                          ", pattern: '...'}");
    return settings;
  }
  if (!spec) return settings;
  if (needs_pattern) {
    if (auto pattern = spec->requiredString("pattern")) {
      std::string error;
      if (*kind == ParserKind::kRegex) {
        settings.pattern = RegexParser::compile(*pattern, error);
      } else {
        settings.pattern = DissectParser::compile(*pattern, error);
      }
      if (!settings.pattern) spec->error("pattern", error);
    }
  }
  spec->rejectUnknownKeys();
  return settings;
}

std::shared_ptr<const MultilineRules> parseMultiline(YamlReader& r) {
  if (!r.has("multiline")) return nullptr;
  MultilineRules defaults;
  std::string type;
  std::optional<YamlReader> spec;
  if (r.isMapping("multiline")) {
    spec = r.object("multiline");
    if (!spec) return nullptr;
    type = spec->string("type", spec->has("pattern") ? "pattern" : "stack");
  } else {
    type = r.string("multiline", "stack");
  }
  auto mode = MultilineRules::modeFromName(type);
  if (!mode) {
    const std::string message =
        "unknown multiline type \"" + type + "\" (known: pattern, java, python, go, node, stack)";
    spec ? spec->error("type", message) : r.error("multiline", message);
    return nullptr;
  }
  std::string pattern;
  bool negate = defaults.negate;
  auto match = defaults.match;
  size_t max_lines = defaults.max_lines, max_bytes = defaults.max_bytes;
  auto timeout = defaults.timeout;
  if (spec) {
    if (*mode == MultilineRules::Mode::kPattern) {
      pattern = spec->requiredString("pattern").value_or("");
      negate = spec->boolean("negate", negate);
      match = spec->oneOf("match", "after", {"after", "before"}) == "before"
                  ? MultilineRules::Match::kBefore
                  : MultilineRules::Match::kAfter;
    }
    max_lines = static_cast<size_t>(
        spec->integer("max_lines", static_cast<int64_t>(max_lines), 2, 100'000));
    max_bytes = static_cast<size_t>(spec->byteSize("max_bytes", max_bytes));
    timeout = spec->duration("timeout", timeout);
    spec->rejectUnknownKeys();
  } else if (*mode == MultilineRules::Mode::kPattern) {
    r.error("multiline",
            "pattern mode needs a pattern: multiline: {pattern: '^\\S', negate: "
            "true, match: after}");
    return nullptr;
  }
  std::string error;
  auto rules =
      MultilineRules::make(*mode, pattern, negate, match, max_lines, max_bytes, timeout, error);
  if (!rules) {
    spec ? spec->errorHere(error) : r.error("multiline", error);
    return nullptr;
  }
  return std::make_shared<const MultilineRules>(std::move(*rules));
}

std::shared_ptr<const TimeZone> parseTimeZone(YamlReader& r) {
  if (!r.has("timezone")) return nullptr;
  std::string name = r.string("timezone", "UTC");
  std::string error;
  auto zone = TimeZone::load(name, error);
  if (!zone) {
    r.error("timezone", error);
    return nullptr;
  }
  return std::make_shared<const TimeZone>(std::move(*zone));
}

}  // namespace

void parseInputProcessing(YamlReader& r, InputSettings& settings) {
  settings.parser = parseParser(r);
  settings.time_zone = parseTimeZone(r);
  settings.multiline = parseMultiline(r);
}

void parsePipelineProcessing(YamlReader& pipeline, PipelineSettings& settings) {
  settings.schema = pipeline.oneOf("schema", "documented", {"documented", "ecs"}) == "ecs"
                        ? Schema::kEcs
                        : Schema::kDocumented;
  settings.time_zone = parseTimeZone(pipeline);
  if (auto trace = pipeline.object("trace")) {
    settings.fill_correlation_from_trace = trace->boolean("fill_correlation_from_trace", true);
    trace->rejectUnknownKeys();
  }
  if (auto centers = pipeline.object("cost_centers")) {
    for (const std::string& tier : centers->keys()) {
      auto center = centers->object(tier);
      if (!center) continue;
      CostCenter c;
      c.tier = tier;
      // cost.center is a keyword and cost.weight a number in the mapping.
      c.center_json = center->jsonScalar("center").value_or("");
      if (c.center_json.empty()) {
        center->error("center", "is required");
      } else if (c.center_json.front() != '"') {
        c.center_json = "\"" + c.center_json + "\"";
      }
      c.weight_json = center->jsonScalar("weight").value_or("");
      if (!c.weight_json.empty() && !isJsonNumber(c.weight_json)) {
        center->error("weight", "must be a number");
      }
      center->rejectUnknownKeys();
      settings.cost_centers.push_back(std::move(c));
    }
  }
  if (pipeline.has("drop")) {
    auto rules = std::make_shared<std::vector<Condition>>();
    const std::vector<std::string> texts = pipeline.stringList("drop");
    for (size_t i = 0; i < texts.size(); ++i) {
      std::string error;
      auto condition = Condition::compile(texts[i], error);
      if (!condition) {
        pipeline.error("drop", "rule " + std::to_string(i + 1) + " \"" + texts[i] + "\": " + error);
        continue;
      }
      rules->push_back(std::move(*condition));
    }
    settings.drop = std::move(rules);
  }
}

}  // namespace sluice
