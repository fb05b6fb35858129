#pragma once

#include <string>

namespace sluice {

// Process-level series read from /proc at scrape time: resident memory, CPU
// time, open file descriptors, build info.
void appendProcessMetrics(std::string& out);

}  // namespace sluice
