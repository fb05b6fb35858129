#pragma once

#include <cstdint>
#include <string_view>

namespace sluice {

// The six levels of the documented schema, from what loggers write. Each
// returns an empty view when the input names no level.

// Words and abbreviations in any case: "warning", "Information", "ERR",
// "crit", "Verbose", klog's "I"/"W"/"E"/"F".
std::string_view levelFromWord(std::string_view word);

// pino/bunyan levels (10..60) and syslog severities (0..7).
std::string_view levelFromNumber(int64_t number);

// OpenTelemetry SeverityNumber (1..24, in four steps per level).
std::string_view levelFromOtelSeverity(int64_t number);

}  // namespace sluice
