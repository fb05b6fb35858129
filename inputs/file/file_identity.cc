#include "inputs/file/file_identity.h"

#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <string>
#include <vector>

#define XXH_INLINE_ALL
#include <xxhash.h>

namespace sluice {
namespace {

// Reads up to `length` bytes from offset 0 into `buffer`.
ssize_t readPrefix(int fd, std::vector<char>& buffer, size_t length) {
  buffer.resize(length);
  size_t done = 0;
  while (done < length) {
    ssize_t n = ::pread(fd, buffer.data() + done, length - done, static_cast<off_t>(done));
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return -1;
    if (n == 0) break;
    done += static_cast<size_t>(n);
  }
  return static_cast<ssize_t>(done);
}

}  // namespace

std::optional<Fingerprint> readFingerprint(int fd, uint32_t max_bytes) {
  std::vector<char> buffer;
  ssize_t n = readPrefix(fd, buffer, max_bytes);
  if (n <= 0) return std::nullopt;
  const char* newline =
      static_cast<const char*>(std::memchr(buffer.data(), '\n', static_cast<size_t>(n)));
  size_t length;
  if (newline != nullptr) {
    length = static_cast<size_t>(newline - buffer.data()) + 1;
  } else if (static_cast<size_t>(n) == max_bytes) {
    length = max_bytes;
  } else {
    return std::nullopt;
  }
  return Fingerprint{static_cast<uint32_t>(length), XXH3_64bits(buffer.data(), length)};
}

bool fingerprintMatches(int fd, const Fingerprint& fingerprint) {
  std::vector<char> buffer;
  ssize_t n = readPrefix(fd, buffer, fingerprint.length);
  return n == static_cast<ssize_t>(fingerprint.length) &&
         XXH3_64bits(buffer.data(), fingerprint.length) == fingerprint.hash;
}

SourceKey fileSourceKey(const Fingerprint& fingerprint, dev_t device, ino_t inode) {
  const uint64_t parts[4] = {fingerprint.hash, fingerprint.length, static_cast<uint64_t>(device),
                             static_cast<uint64_t>(inode)};
  return SourceKey::fromParts(std::string_view(reinterpret_cast<const char*>(parts), sizeof parts));
}

}  // namespace sluice
