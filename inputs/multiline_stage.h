#pragma once

#include <chrono>
#include <cstdint>
#include <limits>
#include <memory>
#include <string_view>

#include "pipeline/multiline.h"
#include "pipeline/normalizer.h"

namespace sluice {

// Sits between a source's lines and the batch builder when an input has
// multiline rules: holds lines until their event is complete, then ships the
// joined text with the origin of its first line and the end of its last.
class MultilineStage {
 public:
  using Clock = std::chrono::steady_clock;

  explicit MultilineStage(std::shared_ptr<const MultilineRules> rules)
      : assembler_(std::move(rules)) {}

  // `ship(text, origin)` receives each complete event.
  template <class Ship>
  void add(std::string_view text, const LineOrigin& origin, Clock::time_point now, Ship&& ship) {
    // A line that arrives with nothing pending starts the next event, which
    // may also end at once (match: before).
    if (!assembler_.pending()) first_ = origin;
    assembler_.push(LinePiece{text, origin.offset, origin.end_offset, origin.truncated}, now,
                    [&](const AssembledEvent& event) { emit(event, ship); });
    if (assembler_.pending() && assembler_.pendingOffset() == origin.offset) first_ = origin;
  }

  template <class Ship>
  void flushIfStale(Clock::time_point now, Ship&& ship) {
    if (now < assembler_.deadline()) return;
    assembler_.flushIfStale(now, [&](const AssembledEvent& event) { emit(event, ship); });
  }

  template <class Ship>
  void flush(Ship&& ship) {
    assembler_.flush([&](const AssembledEvent& event) { emit(event, ship); });
  }

  // A checkpoint must not pass the first line of a pending event.
  uint64_t pendingOffset() const { return assembler_.pendingOffset(); }
  Clock::time_point deadline() const { return assembler_.deadline(); }

 private:
  template <class Ship>
  void emit(const AssembledEvent& event, Ship& ship) {
    LineOrigin origin = first_;
    origin.offset = event.offset;
    origin.end_offset = event.end_offset;
    origin.truncated = event.truncated;
    origin.multiline = event.lines > 1;
    ship(event.text, origin);
  }

  MultilineAssembler assembler_;
  LineOrigin first_;
};

}  // namespace sluice
