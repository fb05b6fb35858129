#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "inputs/container/container_line.h"

namespace sluice {

// A logical line of a container, put back together from its pieces.
struct JoinedLine {
  std::string_view content;  // valid until the joiner's next call (and while the piece is)
  std::string_view stream;   // kStdoutStream or kStderrStream
  TimestampNs time = 0;      // of the first piece
  uint64_t offset = 0;       // of the first piece: the event's identity
  bool truncated = false;    // cut at max_line_bytes, or a piece was cut by the LineReader
};

// Joins the pieces of long lines (CRI `P` ... `F`, Docker pieces without
// their "\n") for one file. stdout and stderr are interleaved in the file, so
// each stream has its own pending line.
//
// Memory is bounded: a logical line is kept up to `max_line_bytes`; when more
// arrives it is emitted at once, cut and flagged `truncated`, and the rest of
// it is dropped as it comes (a progress bar redrawn with `\r` and never ended
// would otherwise grow without limit). A line that is one piece is handed out
// without a copy.
//
// Emitted content keeps the pieces' SIMDJSON_PADDING: it can go to the
// Normalizer as is.
class PartialJoiner {
 public:
  explicit PartialJoiner(size_t max_line_bytes);

  // The next piece of the file, whose physical line starts at `offset`
  // (`piece_truncated`: LineReader cut that physical line). Returns the
  // logical line this piece completes or that reached the cap, if any.
  std::optional<JoinedLine> add(const ContainerLine& piece, uint64_t offset,
                                bool piece_truncated = false);

  // Ends the pending line of `stream` as it is: a container that exited
  // without a final newline leaves a last `P` (or "\n"-less Docker piece) that
  // nothing will complete. Call at end of file once the file is rotated away
  // or idle for a while, or before closing it.
  std::optional<JoinedLine> flush(std::string_view stream);

  // Offset of the first piece of the earliest line still pending. A
  // checkpoint must not move past it, or a restart loses that line's head.
  std::optional<uint64_t> pendingOffset() const;

  // Forgets everything pending (the file was truncated or replaced).
  void reset();

  // Lines emitted cut at max_line_bytes.
  uint64_t truncatedLines() const { return truncated_lines_; }

 private:
  struct Pending {
    std::string text;
    std::string_view stream;
    uint64_t offset = 0;
    TimestampNs time = 0;
    bool active = false;    // a line has begun and is not emitted yet
    bool skipping = false;  // emitted at the cap; its remaining pieces are dropped
    bool truncated = false;
  };

  Pending& slot(std::string_view stream);
  void append(Pending& pending, std::string_view text);
  JoinedLine emit(Pending& pending, bool truncated);
  void releaseEmitted();

  size_t max_line_bytes_;
  std::array<Pending, 2> streams_;
  // Its text is what the last result viewed: cleared on the next call.
  Pending* emitted_ = nullptr;
  uint64_t truncated_lines_ = 0;
};

}  // namespace sluice
