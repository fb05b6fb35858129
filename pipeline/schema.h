#pragma once

#include <string_view>

#include "pipeline/field_aliases.h"

namespace sluice {

// The names events are written with: the documented layout of the
// platform's log structure, or strict ECS.
enum class Schema { kDocumented, kEcs };

// The dotted path a canonical field is written at; empty for entries that
// are not fields of their own (traceparent, b3, log4j2's instant parts).
std::string_view canonicalPath(Schema schema, Canonical field);

}  // namespace sluice
