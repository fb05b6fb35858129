#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace sluice {

// What opening a buffer found and repaired.
struct RecoveryReport {
  uint64_t segments = 0;  // kept
  uint64_t records = 0;   // kept and not yet acknowledged
  uint64_t events = 0;    // in those records
  uint64_t bytes = 0;     // on disk after the repair
  // Records cut short by a crash at the end of the newest segment: never
  // acknowledged to an input, so nothing is lost.
  uint64_t torn_tails = 0;
  uint64_t torn_bytes = 0;
  // Damage elsewhere: the segment was copied to quarantine/ and cut before
  // the damage (or moved there whole).
  uint64_t quarantined_segments = 0;
  uint64_t quarantined_bytes = 0;  // bytes no longer in the buffer
  // Unacknowledged records that were in those bytes, where the numbering
  // tells (a lower bound: damage in the newest segment hides its count).
  uint64_t records_lost = 0;
  uint64_t ack_cursor = 0;
  // The ack file was damaged: every record is replayed rather than risk
  // skipping one that was never delivered.
  bool ack_cursor_reset = false;
};

struct RecoveredSegment {
  uint64_t first_record = 0;
  uint64_t size = 0;
  // Records and events at or above the ack cursor.
  uint64_t pending_records = 0;
  uint64_t pending_events = 0;
};

struct RecoveredBuffer {
  std::vector<RecoveredSegment> segments;  // oldest first
  uint64_t ack_cursor = 0;
  // The number for the next record appended: above every number any
  // segment or the cursor has used, so a number is never reused.
  uint64_t next_record = 0;
  RecoveryReport report;
};

// Scans the segments of `dir` (created, with quarantine/, beforehand) and
// repairs them in place: a torn tail of the newest segment is cut off; other
// damage is quarantined and the segment cut before it; segments wholly below
// the ack cursor are deleted. Damage never fails recovery; false, with
// `error`, only when the directory itself cannot be read.
bool recoverBuffer(const std::string& dir, RecoveredBuffer& recovered, std::string& error);

}  // namespace sluice
