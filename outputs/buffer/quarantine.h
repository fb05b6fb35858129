#pragma once

#include <string>

namespace sluice {

// Damaged segments go to <dir>/quarantine/<name>.<unix time> for forensics
// before the buffer cuts or drops them: an operator can inspect what was
// lost, and the buffer goes on with what it could keep.
std::string quarantineDirectory(const std::string& dir);

// Copies the segment aside and leaves it in place (the caller keeps its
// valid prefix). Returns the copy's path, or empty with `error`.
std::string copyToQuarantine(const std::string& dir, const std::string& name, std::string& error);
// Moves the whole segment aside (nothing in it could be kept).
std::string moveToQuarantine(const std::string& dir, const std::string& name, std::string& error);

}  // namespace sluice
