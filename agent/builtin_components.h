#pragma once

#include "pipeline/registry.h"

namespace sluice {

// Every input and output type this binary knows, registered explicitly in
// one place (no static initialisers that a linker may drop).
void registerBuiltinComponents(Registry& registry);

}  // namespace sluice
