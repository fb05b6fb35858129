#pragma once

#include <cstdint>
#include <optional>
#include <ostream>
#include <string>
#include <vector>

namespace sluice {

// `sluice buffer inspect PATH`: what a disk buffer holds and whether any of
// it is damaged. Read-only and lock-free, so it is safe beside the agent that
// owns the buffer: it never truncates, quarantines or writes.
struct SegmentInspection {
  std::string name;
  uint64_t size = 0;
  uint64_t records = 0;
  uint64_t events = 0;
  uint64_t raw_bytes = 0;
  uint64_t stored_bytes = 0;
  uint64_t first_record = 0;  // of the valid records, when records > 0
  uint64_t last_record = 0;
  uint64_t unacknowledged_records = 0;
  uint64_t unacknowledged_events = 0;
  struct Problem {
    uint64_t offset = 0;
    std::string reason;
    // An incomplete record at the end of the newest segment: a write in
    // progress, or one a crash cut short (recovery removes it). Not damage.
    bool torn_tail = false;
  };
  std::optional<Problem> problem;
};

struct BufferInspection {
  std::string path;
  std::optional<uint64_t> ack_cursor;
  std::string ack_problem;  // the ack file is damaged or unreadable
  std::vector<SegmentInspection> segments;

  bool damaged() const;
};

// False, with `error`, when `path` is not a readable directory.
bool inspectBuffer(const std::string& path, BufferInspection& inspection, std::string& error);

void printInspection(const BufferInspection& inspection, std::ostream& out);
void printInspectionJson(const BufferInspection& inspection, std::ostream& out);

}  // namespace sluice
