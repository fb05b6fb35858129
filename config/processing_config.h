#pragma once

#include "config/yaml_reader.h"
#include "pipeline/registry.h"

namespace sluice {

// The keys every input has for turning lines into events: `parser`
// (a name, or {type, pattern} for regex and dissect), `timezone` and
// `multiline` (a built-in detector's name, or {pattern, negate, match, ...}).
void parseInputProcessing(YamlReader& input, InputSettings& settings);

// `pipeline:` keys that shape events: schema, timezone, trace, cost_centers,
// drop.
void parsePipelineProcessing(YamlReader& pipeline, PipelineSettings& settings);

}  // namespace sluice
