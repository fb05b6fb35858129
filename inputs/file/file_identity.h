#pragma once

#include <sys/types.h>

#include <cstdint>
#include <optional>

#include "pipeline/event_id.h"

namespace sluice {

// What tells files apart: the first line (up to `max_bytes`), which an
// append-only log never changes, hashed, together with device and inode.
// Rename keeps all three (same file); copytruncate and inode reuse change
// the first line (a new file); a copy has a new inode (a new file).
struct Fingerprint {
  uint32_t length = 0;  // bytes hashed: the first line with its newline, or max_bytes
  uint64_t hash = 0;
};

// Reads the start of the file with pread (the read position is untouched).
// nullopt while the first line is incomplete and shorter than max_bytes: such
// a file has no events yet, and no identity.
std::optional<Fingerprint> readFingerprint(int fd, uint32_t max_bytes);

// True when the file still starts with the bytes `fingerprint` was made of.
bool fingerprintMatches(int fd, const Fingerprint& fingerprint);

// The source of a file's events: the base of their ids.
SourceKey fileSourceKey(const Fingerprint& fingerprint, dev_t device, ino_t inode);

}  // namespace sluice
