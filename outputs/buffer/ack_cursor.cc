#include "outputs/buffer/ack_cursor.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <charconv>
#include <cstdio>
#include <cstring>

#include "outputs/buffer/crc32c.h"
#include "pipeline/atomic_file.h"
#include "pipeline/unique_fd.h"

namespace sluice {
namespace {

constexpr size_t kMaxFileSize = 64;

std::string checksumHex(std::string_view digits) {
  char hex[9];
  std::snprintf(hex, sizeof hex, "%08x", crc32c(digits));
  return hex;
}

}  // namespace

std::optional<uint64_t> readAckCursor(const std::string& dir, std::string& problem) {
  const std::string path = dir + "/ack";
  UniqueFd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
  std::string text(kMaxFileSize + 1, '\0');
  ssize_t n = -1;
  if (fd.valid()) {
    do n = ::read(fd.get(), text.data(), text.size());
    while (n < 0 && errno == EINTR);
  }
  if (n < 0) {
    if (errno != ENOENT) problem = "cannot read " + path + ": " + std::strerror(errno);
    return std::nullopt;
  }
  text.resize(static_cast<size_t>(n));
  const size_t space = text.find(' ');
  uint64_t cursor = 0;
  const char* digits_end = text.data() + (space == std::string::npos ? 0 : space);
  const auto parsed = std::from_chars(text.data(), digits_end, cursor);
  if (text.size() > kMaxFileSize || space == std::string::npos || parsed.ec != std::errc() ||
      parsed.ptr != digits_end ||
      text.substr(space + 1) != checksumHex(text.substr(0, space)) + "\n") {
    problem = path + " is damaged";
    return std::nullopt;
  }
  return cursor;
}

std::string writeAckCursor(const std::string& dir, uint64_t cursor) {
  const std::string digits = std::to_string(cursor);
  return writeFileAtomically(dir + "/ack", digits + " " + checksumHex(digits) + "\n");
}

}  // namespace sluice
