#include "config/processing_config.h"

#include <re2/re2.h>

#include <cctype>

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

std::optional<PiiMode> piiModeFromName(std::string_view name) {
  if (name == "redact") return PiiMode::kRedact;
  if (name == "hash") return PiiMode::kHash;
  if (name == "partial") return PiiMode::kPartial;
  return std::nullopt;
}

// Key names whose values are secrets wherever they appear; `fields:` replaces
// the list.
const std::vector<std::string>& defaultSensitiveKeys() {
  static const std::vector<std::string> kKeys = {
      "password", "passwd",        "pwd",    "secret",     "token",      "api_key",
      "apikey",   "authorization", "cookie", "set-cookie", "credential", "private_key"};
  return kKeys;
}

constexpr size_t kMinHashKeyBytes = 16;

std::shared_ptr<const PiiSettings> parsePii(YamlReader& pipeline) {
  auto pii = pipeline.object("pii");
  if (!pii) return nullptr;
  // A disabled section is still checked, so that turning it back on holds
  // no surprise.
  const bool enabled = pii->boolean("enabled", true);
  auto settings = std::make_shared<PiiSettings>();
  if (pii->has("detectors")) {
    for (const std::string& name : pii->stringList("detectors")) {
      auto kind = piiKindFromName(name);
      if (!kind || *kind == PiiKind::kCustom) {
        pii->error("detectors", "unknown detector \"" + name +
                                    "\" (known: email, ipv4, ipv6, credit_card, iban, phone, ssn, "
                                    "jwt, credentials, secret_token, sensitive_field)");
        continue;
      }
      settings->detectors.set(static_cast<size_t>(*kind));
    }
  } else {
    settings->detectors.set();
    settings->detectors.reset(static_cast<size_t>(PiiKind::kCustom));
  }
  const std::string mode_name = pii->oneOf("mode", "redact", {"redact", "hash", "partial"});
  const PiiMode mode = piiModeFromName(mode_name).value_or(PiiMode::kRedact);
  settings->modes.fill(mode);
  bool uses_hash = mode == PiiMode::kHash;
  if (auto modes = pii->object("modes")) {
    for (const std::string& name : modes->keys()) {
      auto kind = piiKindFromName(name);
      std::string value = modes->string(name, "redact");
      auto per = piiModeFromName(value);
      if (!kind || *kind == PiiKind::kCustom) {
        modes->error(name, "unknown detector \"" + name + "\"");
      } else if (!per) {
        modes->error(name, "must be redact, hash or partial");
      } else {
        settings->modes[static_cast<size_t>(*kind)] = *per;
        uses_hash |= *per == PiiMode::kHash && settings->detectors.test(static_cast<size_t>(*kind));
      }
    }
  }
  settings->sensitive_keys =
      pii->has("fields") ? pii->stringList("fields") : defaultSensitiveKeys();
  for (std::string& key : settings->sensitive_keys) {
    for (char& c : key) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  }
  settings->keep = pii->stringList("keep");
  for (YamlReader& custom : pii->objectList("custom")) {
    CustomPiiDetector detector;
    detector.name = custom.requiredString("name").value_or("");
    if (!detector.name.empty() &&
        (piiKindFromName(detector.name) ||
         detector.name.find_first_not_of("abcdefghijklmnopqrstuvwxyz0123456789_") !=
             std::string::npos)) {
      custom.error("name", "must be lower-case letters, digits and '_', and not a built-in name");
    }
    if (auto pattern = custom.requiredString("pattern")) {
      auto re = std::make_shared<re2::RE2>(*pattern, re2::RE2::Quiet);
      if (!re->ok()) {
        custom.error("pattern", "invalid RE2 pattern: " + re->error());
      } else {
        detector.pattern = std::move(re);
      }
    }
    detector.mode = piiModeFromName(custom.oneOf("mode", mode_name, {"redact", "hash", "partial"}))
                        .value_or(PiiMode::kRedact);
    uses_hash |= detector.mode == PiiMode::kHash;
    custom.rejectUnknownKeys();
    settings->custom.push_back(std::move(detector));
  }
  if (!settings->custom.empty()) settings->detectors.set(static_cast<size_t>(PiiKind::kCustom));
  // Naming sensitive keys means masking their values.
  if (pii->has("fields") && !settings->sensitive_keys.empty()) {
    settings->detectors.set(static_cast<size_t>(PiiKind::kSensitiveField));
  }
  // The key itself is never echoed: errors name the key path only.
  settings->hash_key = pii->string("hash_key", "");
  if (uses_hash && settings->hash_key.size() < kMinHashKeyBytes) {
    pii->error("hash_key", settings->hash_key.empty()
                               ? "is required when a detector uses mode hash"
                               : "must be at least 16 bytes (use a random secret, e.g. from "
                                 "`openssl rand -hex 32`)");
  }
  pii->rejectUnknownKeys();
  return enabled ? settings : nullptr;
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
  settings.pii = parsePii(pipeline);
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
