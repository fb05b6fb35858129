#include "inputs/line_reader.h"

#include <algorithm>

namespace sluice {

LineReader::LineReader(size_t max_line_bytes, size_t read_size)
    : max_line_bytes_(std::max<size_t>(max_line_bytes, 16)),
      read_size_(read_size),
      capacity_(std::max(read_size * 2, std::min(max_line_bytes_ + read_size, read_size * 4))) {
  buffer_ = std::make_unique<char[]>(capacity_ + simdjson::SIMDJSON_PADDING);
}

void LineReader::makeRoom() {
  if (capacity_ - end_ >= read_size_) return;
  size_t pending = end_ - begin_;
  if (begin_ > 0) {
    std::memmove(buffer_.get(), buffer_.get() + begin_, pending);
    begin_ = 0;
    end_ = pending;
    if (capacity_ - end_ >= read_size_ / 2) return;
  }
  // A line longer than the buffer, but within max_line_bytes: grow.
  size_t wanted = std::max(capacity_ * 2, pending + read_size_);
  auto bigger = std::make_unique<char[]>(wanted + simdjson::SIMDJSON_PADDING);
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
