#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "pipeline/unique_fd.h"

namespace sluice {

// Appends framed records to the segment being written. The file always ends
// at a record boundary as far as this process can make it: a write cut short
// is truncated away before append() returns.
class SegmentWriter {
 public:
  // Creates `dir`/<name of first_record> with its header and makes the new
  // file durable (the file and the directory entry), so that a crash cannot
  // leave records in a segment whose name the directory forgot.
  bool create(const std::string& dir, uint64_t first_record, std::string& error);
  // Continues a segment that recovery found valid up to `size`.
  bool reopen(const std::string& path, uint64_t first_record, uint64_t size, std::string& error);

  bool append(std::string_view bytes, std::string& error);
  // One record from two pieces, written together (pwritev).
  bool append(std::string_view head, std::string_view body, std::string& error);
  // Cuts the file back to `size` (a record boundary), to take back records
  // whose sync failed.
  void truncateTo(uint64_t size);
  // fdatasync: the records appended so far survive a crash.
  bool sync(std::string& error);
  void close() { fd_.reset(); }

  bool isOpen() const { return fd_.valid(); }
  uint64_t firstRecord() const { return first_record_; }
  uint64_t size() const { return size_; }
  // An append failed and could not be undone: the file may end in a partial
  // record, so nothing more may be written to it.
  bool damaged() const { return damaged_; }

 private:
  UniqueFd fd_;
  std::string path_;
  uint64_t first_record_ = 0;
  uint64_t size_ = 0;
  bool damaged_ = false;
};

// fsync of a directory, after creating a file in it.
bool syncDirectory(const std::string& dir, std::string& error);

}  // namespace sluice
