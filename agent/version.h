#pragma once

#include <string>

namespace sluice {

// `sluice version`: the version, how this binary was built, and the versions
// of the libraries it runs with.
std::string versionReport();

}  // namespace sluice
