#pragma once

#include <string>
#include <string_view>

namespace sluice {

// Replaces `path` with `content` so that a crash at any moment leaves either
// the old or the new file, never a mix: write a temporary file beside it,
// fsync it, rename it over the old one, fsync the directory. Returns an
// error message, empty on success.
std::string writeFileAtomically(const std::string& path, std::string_view content);

// mkdir -p; returns an error message, empty on success.
std::string makeDirectories(const std::string& path);

}  // namespace sluice
