#include "inputs/line_reader.h"

#include <algorithm>

namespace sluice {

LineReader::LineReader(size_t max_line_bytes, size_t read_size)
    : max_line_bytes_(std::max<size_t>(max_line_bytes, 16)),
      read_size_(read_size),
      capacity_(std::min(read_size, kInitialCapacity)) {
  // Default-initialized (not zero-filled): pages are touched only when read
  // into, so an idle file costs little memory.
  buffer_.reset(new char[capacity_ + simdjson::SIMDJSON_PADDING]);
}

void LineReader::makeRoom() {
  const bool busy = last_read_filled_ && capacity_ < read_size_;
  if (capacity_ - end_ >= capacity_ / 2 && !busy) return;
  const size_t pending = end_ - begin_;
  if (begin_ > 0) {
    std::memmove(buffer_.get(), buffer_.get() + begin_, pending);
    begin_ = 0;
    end_ = pending;
  }
  // Grow for a file that keeps the buffer full (fewer, larger reads), or for
  // an unfinished line that fills half of it (bounded: at max_line_bytes the
  // line is cut).
  const bool crowded = capacity_ - end_ < capacity_ / 2;
  if (!crowded && !busy) return;
  const size_t wanted = capacity_ * 2;
  std::unique_ptr<char[]> bigger(new char[wanted + simdjson::SIMDJSON_PADDING]);
  std::memcpy(bigger.get(), buffer_.get(), end_);
  buffer_ = std::move(bigger);
  capacity_ = wanted;
}

void LineReader::reset(uint64_t offset) {
  begin_ = end_ = 0;
  end_offset_ = offset;
  skipping_ = false;
}

}  // namespace sluice
