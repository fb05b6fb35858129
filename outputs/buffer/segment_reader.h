#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "outputs/buffer/segment_format.h"
#include "pipeline/unique_fd.h"

namespace sluice {

// Reads one segment file by offset, checking everything it reads. Used by
// recovery, by the buffer's readers and by `sluice buffer inspect`, so all
// three agree on what a valid record is. Not thread-safe.
class SegmentReader {
 public:
  enum class Status {
    kOk,       // a valid header or record
    kEnd,      // `offset` is the end of the readable part
    kCorrupt,  // the bytes at `offset` are not a valid record
    kIoError,  // the system failed to read; the bytes may be fine
  };

  // Opens read-only; false with the system's reason.
  bool open(const std::string& path, std::string& error);
  bool isOpen() const { return fd_.valid(); }
  void close() { fd_.reset(); }
  const std::string& path() const { return path_; }
  // The file's size now (it may grow while the agent writes it).
  std::optional<uint64_t> size(std::string& error) const;

  Status readHeader(uint64_t& first_record, std::string& reason);
  // Reads the record at `offset`, which must end by `limit`, into `header`
  // and `stored` (its stored bytes, checksum verified).
  Status readRecord(uint64_t offset, uint64_t limit, RecordHeader& header, std::string& stored,
                    std::string& reason);
  // Whether any valid record starts after `offset` (and ends by `limit`):
  // what tells a torn tail (nothing follows) from damage in the middle.
  bool validRecordAfter(uint64_t offset, uint64_t limit);

 private:
  // Exactly `n` bytes at `offset`; kCorrupt if the file ends first.
  Status readAt(uint64_t offset, size_t n, std::string& out, std::string& reason);

  UniqueFd fd_;
  std::string path_;
  std::string scratch_;
};

// What a full pass over one segment found.
struct SegmentScan {
  uint64_t file_size = 0;
  bool header_ok = false;
  // Where the valid records end: the segment can be cut here.
  uint64_t valid_end = 0;
  uint64_t records = 0;
  uint64_t events = 0;
  uint64_t raw_bytes = 0;
  uint64_t stored_bytes = 0;
  uint64_t first_number = 0;  // of the valid records, when records > 0
  uint64_t last_number = 0;
  // Records numbered at or above the `count_from` the scan was given.
  uint64_t records_from = 0;
  uint64_t events_from = 0;

  struct Problem {
    uint64_t offset = 0;
    std::string reason;
    bool io_error = false;
    // A valid record starts somewhere after the problem: damage, not a tail
    // cut short by a crash.
    bool valid_data_follows = false;
  };
  std::optional<Problem> problem;
};

// Scans the segment `path`, named for `first_record`. Record numbers must
// rise and lie in [lowest, below). With a decoder, every payload is also
// decompressed (inspect); without, only checksums are verified (recovery,
// where decompression errors surface when a record is read).
SegmentScan scanSegment(const std::string& path, uint64_t first_record, uint64_t lowest,
                        uint64_t below, uint64_t count_from, RecordDecoder* decoder);

}  // namespace sluice
