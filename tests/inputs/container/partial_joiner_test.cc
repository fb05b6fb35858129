#include "inputs/container/partial_joiner.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cstdint>
#include <optional>
#include <ostream>
#include <string>
#include <string_view>

#include "tests/inputs/container/padded_line.h"

namespace sluice {
namespace {

using testing_support::touchPadding;

constexpr TimestampNs kT0 = 1'705'314'600'000'000'000;

// A decoded piece whose content, like that of a real one, is followed by
// SIMDJSON_PADDING readable bytes. Converts to the ContainerLine it holds and
// lives, as a temporary, until the end of the statement that makes it.
class Piece {
 public:
  Piece(std::string_view stream, std::string_view content, bool partial, TimestampNs time)
      : storage_(content), line_{storage_.view(), stream, time, partial} {}
  operator const ContainerLine&() const { return line_; }
  const ContainerLine& line() const { return line_; }

 private:
  testing_support::PaddedLine storage_;
  ContainerLine line_;
};

Piece out(std::string_view content, bool partial = false, TimestampNs time = kT0) {
  return Piece(kStdoutStream, content, partial, time);
}
Piece err(std::string_view content, bool partial = false, TimestampNs time = kT0) {
  return Piece(kStderrStream, content, partial, time);
}

// A copy of what the joiner emitted, which it only lends until its next call.
struct Emitted {
  std::string content;
  std::string stream;
  TimestampNs time;
  uint64_t offset;
  bool truncated;
  bool operator==(const Emitted&) const = default;
};
std::ostream& operator<<(std::ostream& os, const Emitted& e) {
  os << "{" << e.stream << " \"";
  if (e.content.size() > 40) {
    os << e.content.substr(0, 20) << "...\" (" << e.content.size() << " bytes)";
  } else {
    os << e.content << '"';
  }
  return os << " @" << e.offset << " t=" << e.time << (e.truncated ? " truncated" : "") << "}";
}

std::optional<Emitted> copy(const std::optional<JoinedLine>& line) {
  if (!line) return std::nullopt;
  touchPadding(line->content);
  return Emitted{std::string(line->content), std::string(line->stream), line->time, line->offset,
                 line->truncated};
}

TEST(ContainerPartialJoiner, WholeLineIsBorrowedNotCopied) {
  PartialJoiner joiner(1024);
  const Piece whole = out(R"({"msg":"hi"})");
  std::optional<JoinedLine> joined = joiner.add(whole, 42);
  ASSERT_TRUE(joined);
  EXPECT_EQ(joined->content.data(), whole.line().content.data());
  EXPECT_EQ(copy(joined), (Emitted{R"({"msg":"hi"})", "stdout", kT0, 42, false}));
  EXPECT_FALSE(joiner.pendingOffset());
}

TEST(ContainerPartialJoiner, CriPiecesJoinWithTheFirstPiecesOffsetAndTime) {
  PartialJoiner joiner(1024);
  EXPECT_FALSE(joiner.add(out(R"({"msg":"a )", true, kT0), 100));
  EXPECT_EQ(joiner.pendingOffset(), 100u);
  EXPECT_FALSE(joiner.add(out("very long ", true, kT0 + 1), 180));
  EXPECT_EQ(joiner.pendingOffset(), 100u);
  EXPECT_EQ(copy(joiner.add(out(R"(line"})", false, kT0 + 2), 250)),
            (Emitted{R"({"msg":"a very long line"})", "stdout", kT0, 100, false}));
  EXPECT_FALSE(joiner.pendingOffset());
  EXPECT_EQ(joiner.truncatedLines(), 0u);
}

TEST(ContainerPartialJoiner, ManyPiecesOfSixteenKibibytes) {
  // What containerd writes for a 1 MiB line: 64 `P` pieces, then an `F`.
  PartialJoiner joiner(2 * 1024 * 1024);
  std::string expected;
  std::string chunk(16 * 1024, ' ');
  uint64_t offset = 0;
  for (int i = 0; i < 64; ++i) {
    std::fill(chunk.begin(), chunk.end(), static_cast<char>('a' + i % 26));
    expected += chunk;
    EXPECT_FALSE(joiner.add(out(chunk, true), offset));
    offset += chunk.size() + 40;
  }
  std::optional<JoinedLine> joined = joiner.add(out("end"), offset);
  expected += "end";
  ASSERT_TRUE(joined);
  touchPadding(joined->content);
  EXPECT_EQ(joined->content, expected);
  EXPECT_EQ(joined->offset, 0u);
  EXPECT_FALSE(joined->truncated);
}

TEST(ContainerPartialJoiner, StreamsArePendingIndependently) {
  PartialJoiner joiner(1024);
  EXPECT_FALSE(joiner.add(out("o1-", true), 0));
  // A whole line of the other stream passes while stdout is pending.
  EXPECT_EQ(copy(joiner.add(err("whole", false, kT0 + 5), 10)),
            (Emitted{"whole", "stderr", kT0 + 5, 10, false}));
  EXPECT_FALSE(joiner.add(err("e1-", true, kT0 + 6), 20));
  EXPECT_EQ(joiner.pendingOffset(), 0u);
  EXPECT_FALSE(joiner.add(out("o2-", true, kT0 + 7), 30));
  EXPECT_EQ(copy(joiner.add(err("e2", false, kT0 + 8), 40)),
            (Emitted{"e1-e2", "stderr", kT0 + 6, 20, false}));
  EXPECT_EQ(joiner.pendingOffset(), 0u);
  EXPECT_EQ(copy(joiner.add(out("o3", false, kT0 + 9), 50)),
            (Emitted{"o1-o2-o3", "stdout", kT0, 0, false}));
  EXPECT_FALSE(joiner.pendingOffset());
}

TEST(ContainerPartialJoiner, PendingOffsetIsTheEarliestOfBothStreams) {
  PartialJoiner joiner(1024);
  EXPECT_FALSE(joiner.add(err("e", true), 7));
  EXPECT_FALSE(joiner.add(out("o", true), 20));
  EXPECT_EQ(joiner.pendingOffset(), 7u);
  EXPECT_TRUE(joiner.add(err("", false), 30));
  EXPECT_EQ(joiner.pendingOffset(), 20u);
}

TEST(ContainerPartialJoiner, LineOverTheCapIsEmittedOnceCutAndTheRestDropped) {
  PartialJoiner joiner(10);
  EXPECT_FALSE(joiner.add(out("123456", true), 0));
  EXPECT_EQ(copy(joiner.add(out("7890ab", true), 10)),
            (Emitted{"1234567890", "stdout", kT0, 0, true}));
  EXPECT_EQ(joiner.truncatedLines(), 1u);
  // Already shipped: nothing holds the checkpoint back.
  EXPECT_FALSE(joiner.pendingOffset());
  EXPECT_FALSE(joiner.add(out("more", true), 20));
  EXPECT_FALSE(joiner.add(out("end", false), 30));
  EXPECT_EQ(copy(joiner.add(out("next", false), 40)), (Emitted{"next", "stdout", kT0, 40, false}));
  EXPECT_EQ(joiner.truncatedLines(), 1u);
}

TEST(ContainerPartialJoiner, CapReachedByTheLastPieceEndsTheLineThere) {
  PartialJoiner joiner(6);
  EXPECT_FALSE(joiner.add(out("123", true), 0));
  EXPECT_EQ(copy(joiner.add(out("4567", false), 10)), (Emitted{"123456", "stdout", kT0, 0, true}));
  // Nothing left to skip.
  EXPECT_EQ(copy(joiner.add(out("x", false), 20)), (Emitted{"x", "stdout", kT0, 20, false}));
}

TEST(ContainerPartialJoiner, LineOfExactlyTheCapIsNotTruncated) {
  PartialJoiner joiner(6);
  EXPECT_FALSE(joiner.add(out("123", true), 0));
  EXPECT_FALSE(joiner.add(out("456", true), 10));
  EXPECT_EQ(copy(joiner.add(out("", false), 20)), (Emitted{"123456", "stdout", kT0, 0, false}));
  EXPECT_EQ(copy(joiner.add(out("abcdef", false), 30)),
            (Emitted{"abcdef", "stdout", kT0, 30, false}));
  EXPECT_EQ(joiner.truncatedLines(), 0u);
}

TEST(ContainerPartialJoiner, WholeLineOverTheCapIsCut) {
  PartialJoiner joiner(4);
  EXPECT_EQ(copy(joiner.add(err("abcdefgh"), 0)), (Emitted{"abcd", "stderr", kT0, 0, true}));
  EXPECT_EQ(joiner.truncatedLines(), 1u);
}

TEST(ContainerPartialJoiner, ProgressBarWithoutNewlineCannotExhaustMemory) {
  PartialJoiner joiner(1024);
  const std::string frame = "\r[=========>          ] 42% 1.2MB/s eta 0:03";
  std::string bar;
  while (bar.size() < 16 * 1024) bar += frame;
  int emitted = 0;
  uint64_t offset = 0;
  for (int i = 0; i < 10'000; ++i) {
    if (std::optional<JoinedLine> line = joiner.add(out(bar, true), offset)) {
      ++emitted;
      EXPECT_EQ(line->content.size(), 1024u);
      EXPECT_TRUE(line->truncated);
      EXPECT_EQ(line->offset, 0u);
    }
    offset += bar.size() + 40;
  }
  EXPECT_EQ(emitted, 1);
  EXPECT_EQ(joiner.truncatedLines(), 1u);
  // The container exits; the bar was already shipped.
  EXPECT_FALSE(joiner.flush(kStdoutStream));
  EXPECT_EQ(copy(joiner.add(out("done"), offset)), (Emitted{"done", "stdout", kT0, offset, false}));
}

TEST(ContainerPartialJoiner, FlushEndsAPendingLine) {
  PartialJoiner joiner(1024);
  EXPECT_FALSE(joiner.flush(kStdoutStream));
  EXPECT_FALSE(joiner.add(out("last words", true), 5));
  EXPECT_FALSE(joiner.add(err("other", true), 30));
  EXPECT_EQ(copy(joiner.flush(kStdoutStream)), (Emitted{"last words", "stdout", kT0, 5, false}));
  EXPECT_FALSE(joiner.flush(kStdoutStream));
  EXPECT_EQ(joiner.pendingOffset(), 30u);
  EXPECT_EQ(copy(joiner.flush(kStderrStream)), (Emitted{"other", "stderr", kT0, 30, false}));
  EXPECT_FALSE(joiner.pendingOffset());
}

TEST(ContainerPartialJoiner, ResetForgetsPendingLines) {
  PartialJoiner joiner(10);
  EXPECT_FALSE(joiner.add(out("old", true), 0));
  EXPECT_TRUE(joiner.add(err("0123456789abc", true), 10));  // emitted cut, now skipping
  joiner.reset();
  EXPECT_FALSE(joiner.pendingOffset());
  EXPECT_EQ(copy(joiner.add(out("new"), 0)), (Emitted{"new", "stdout", kT0, 0, false}));
  EXPECT_EQ(copy(joiner.add(err("fresh"), 5)), (Emitted{"fresh", "stderr", kT0, 5, false}));
}

TEST(ContainerPartialJoiner, APieceCutByTheLineReaderMarksItsLine) {
  PartialJoiner joiner(1024);
  EXPECT_EQ(copy(joiner.add(out("cut"), 0, /*piece_truncated=*/true)),
            (Emitted{"cut", "stdout", kT0, 0, true}));
  EXPECT_FALSE(joiner.add(out("a", true), 10, /*piece_truncated=*/true));
  EXPECT_EQ(copy(joiner.add(out("b"), 20)), (Emitted{"ab", "stdout", kT0, 10, true}));
  EXPECT_EQ(copy(joiner.add(out("c"), 30)), (Emitted{"c", "stdout", kT0, 30, false}));
  // Only lines cut at the joiner's own cap are counted here.
  EXPECT_EQ(joiner.truncatedLines(), 0u);
}

TEST(ContainerPartialJoiner, EmptyLinesAreLinesToo) {
  PartialJoiner joiner(1024);
  EXPECT_EQ(copy(joiner.add(out(""), 0)), (Emitted{"", "stdout", kT0, 0, false}));
  EXPECT_FALSE(joiner.add(out("", true), 10));
  EXPECT_EQ(copy(joiner.add(out(""), 20)), (Emitted{"", "stdout", kT0, 10, false}));
}

TEST(ContainerPartialJoiner, BufferIsReusedAcrossJoinedLines) {
  PartialJoiner joiner(1024);
  EXPECT_FALSE(joiner.add(out("first ", true), 0));
  std::optional<JoinedLine> a = joiner.add(out("line"), 10);
  ASSERT_TRUE(a);
  const char* storage = a->content.data();
  EXPECT_FALSE(joiner.add(out("second ", true), 20));
  std::optional<JoinedLine> b = joiner.add(out("one"), 30);
  ASSERT_TRUE(b);
  EXPECT_EQ(b->content, "second one");
  EXPECT_EQ(b->content.data(), storage);
}

}  // namespace
}  // namespace sluice
