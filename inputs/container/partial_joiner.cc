#include "inputs/container/partial_joiner.h"

#include <simdjson.h>

#include <algorithm>

namespace sluice {
namespace {

// Joined lines are rare (only lines over 16 KiB are cut by the runtime), and
// a file holds two buffers: past this size one is freed after use rather
// than kept for the next long line, so hundreds of tailed files do not each
// hold two buffers of max_line_bytes.
constexpr size_t kRetainedCapacity = 64 * 1024;

}  // namespace

PartialJoiner::PartialJoiner(size_t max_line_bytes) : max_line_bytes_(max_line_bytes) {
  streams_[0].stream = kStdoutStream;
  streams_[1].stream = kStderrStream;
}

PartialJoiner::Pending& PartialJoiner::slot(std::string_view stream) {
  return stream == kStderrStream ? streams_[1] : streams_[0];
}

std::optional<JoinedLine> PartialJoiner::add(const ContainerLine& piece, uint64_t offset,
                                             bool piece_truncated) {
  releaseEmitted();
  Pending& pending = slot(piece.stream);
  if (pending.skipping) {
    // Until the last piece of the line that went out cut.
    if (!piece.partial) pending.skipping = false;
    return std::nullopt;
  }
  if (!pending.active) {
    if (!piece.partial) {
      // The common case, a line in one piece: borrowed, not copied.
      const bool cut = piece.content.size() > max_line_bytes_;
      if (cut) ++truncated_lines_;
      return JoinedLine{piece.content.substr(0, max_line_bytes_), pending.stream, piece.time,
                        offset, cut || piece_truncated};
    }
    pending.active = true;
    pending.text.clear();
    pending.offset = offset;
    pending.time = piece.time;
    pending.truncated = false;
  }
  pending.truncated |= piece_truncated;
  const size_t room = max_line_bytes_ - pending.text.size();
  if (piece.content.size() > room) {
    append(pending, piece.content.substr(0, room));
    ++truncated_lines_;
    pending.skipping = piece.partial;
    return emit(pending, true);
  }
  append(pending, piece.content);
  if (piece.partial) return std::nullopt;
  return emit(pending, pending.truncated);
}

std::optional<JoinedLine> PartialJoiner::flush(std::string_view stream) {
  releaseEmitted();
  Pending& pending = slot(stream);
  pending.skipping = false;
  if (!pending.active) return std::nullopt;
  return emit(pending, pending.truncated);
}

std::optional<uint64_t> PartialJoiner::pendingOffset() const {
  std::optional<uint64_t> earliest;
  for (const Pending& pending : streams_) {
    if (pending.active && (!earliest || pending.offset < *earliest)) earliest = pending.offset;
  }
  return earliest;
}

void PartialJoiner::reset() {
  for (Pending& pending : streams_) {
    pending.text.clear();
    pending.active = false;
    pending.skipping = false;
    pending.truncated = false;
  }
  emitted_ = nullptr;
}

void PartialJoiner::append(Pending& pending, std::string_view text) {
  // Spare capacity for simdjson to read past the end of the joined line.
  pending.text.reserve(pending.text.size() + text.size() + simdjson::SIMDJSON_PADDING);
  pending.text.append(text);
}

JoinedLine PartialJoiner::emit(Pending& pending, bool truncated) {
  pending.active = false;
  emitted_ = &pending;
  return JoinedLine{pending.text, pending.stream, pending.time, pending.offset, truncated};
}

void PartialJoiner::releaseEmitted() {
  if (emitted_ == nullptr) return;
  if (emitted_->text.capacity() > kRetainedCapacity) {
    std::string().swap(emitted_->text);
  } else {
    emitted_->text.clear();
  }
  emitted_ = nullptr;
}

}  // namespace sluice
