#pragma once

#include "config/agent_config.h"

namespace sluice {

// Runs a validated config until SIGINT/SIGTERM, or until every input has
// finished (a stdin-only run at end of input); then drains within
// shutdown_timeout. Returns the process exit code.
int runAgent(const AgentConfig& config, const Registry& registry);

// Blocks the signals the agent handles, so that threads started afterwards
// inherit the mask and only the main thread receives them.
void blockAgentSignals();

}  // namespace sluice
