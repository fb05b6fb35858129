// Whole container log files, decoded and joined as the container input does
// it: the format found from the first line that decodes, pieces joined per
// stream, lines that decode as neither format kept as raw errors.

#include <gtest/gtest.h>

#include <cstdint>
#include <ostream>
#include <string>
#include <string_view>
#include <vector>

#include "inputs/container/container_line.h"
#include "inputs/container/partial_joiner.h"
#include "pipeline/json_escape.h"
#include "tests/inputs/container/padded_line.h"

namespace sluice {
namespace {

using testing_support::PaddedLine;
using testing_support::touchPadding;

constexpr int64_t kS = 1'000'000'000;
constexpr TimestampNs kJan15 = 1'705'314'600 * kS;  // 2024-01-15T10:30:00Z

struct Shipped {
  std::string content;
  std::string stream;  // "error" for a line shipped raw
  TimestampNs time;
  uint64_t offset;
  bool truncated;
  bool operator==(const Shipped&) const = default;
};
std::ostream& operator<<(std::ostream& os, const Shipped& s) {
  os << "{" << s.stream << " \"";
  if (s.content.size() > 60) {
    os << s.content.substr(0, 30) << "...\" (" << s.content.size() << " bytes)";
  } else {
    os << s.content << '"';
  }
  return os << " @" << s.offset << " t=" << s.time << (s.truncated ? " truncated" : "") << "}";
}
using ShippedList = std::vector<Shipped>;

class FileReplay {
 public:
  explicit FileReplay(size_t max_line_bytes) : joiner_(max_line_bytes) {}

  // Feeds every "\n"-terminated line of `file`, offsets counted from 0.
  ShippedList feed(std::string_view file, bool flush_at_end = false) {
    ShippedList shipped;
    uint64_t offset = 0;
    while (!file.empty()) {
      const size_t nl = file.find('\n');
      const std::string_view text = file.substr(0, nl);
      PaddedLine line(text);
      if (format_ == ContainerFormat::kUnknown) format_ = detectFormat(line.view());
      ContainerLine piece;
      if (decoder_.decode(format_, line.view(), buffer_, piece) != ContainerLineError::kNone) {
        shipped.push_back({std::string(text), "error", 0, offset, false});
      } else {
        take(joiner_.add(piece, offset), shipped);
      }
      offset += text.size() + 1;
      file.remove_prefix(nl == std::string_view::npos ? file.size() : nl + 1);
    }
    if (flush_at_end) {
      take(joiner_.flush(kStdoutStream), shipped);
      take(joiner_.flush(kStderrStream), shipped);
    }
    return shipped;
  }

  ContainerFormat format() const { return format_; }
  const PartialJoiner& joiner() const { return joiner_; }

 private:
  static void take(const std::optional<JoinedLine>& line, ShippedList& shipped) {
    if (!line) return;
    touchPadding(line->content);
    shipped.push_back({std::string(line->content), std::string(line->stream), line->time,
                       line->offset, line->truncated});
  }

  ContainerLineDecoder decoder_;
  std::string buffer_;
  ContainerFormat format_ = ContainerFormat::kUnknown;
  PartialJoiner joiner_;
};

// Offset of the `n`th line of `file`.
uint64_t lineOffset(std::string_view file, int n) {
  uint64_t offset = 0;
  for (int i = 0; i < n; ++i) offset = file.find('\n', offset) + 1;
  return offset;
}

// How Docker's json-file driver writes `content` on `stream`: cut into 16 KiB
// pieces, all but the last without their "\n".
std::string dockerLines(std::string_view content, std::string_view stream, std::string_view time) {
  constexpr size_t kPiece = 16 * 1024;
  std::string lines;
  do {
    const std::string_view chunk = content.substr(0, kPiece);
    content.remove_prefix(chunk.size());
    lines += R"({"log":")";
    appendJsonEscaped(lines, chunk);
    if (content.empty()) lines += "\\n";
    lines += R"(","stream":")";
    lines += stream;
    lines += R"(","time":")";
    lines += time;
    lines += "\"}\n";
  } while (!content.empty());
  return lines;
}

// How containerd writes it: pieces of 16 KiB tagged P, the last F.
std::string criLines(std::string_view content, std::string_view stream, std::string_view time) {
  constexpr size_t kPiece = 16 * 1024;
  std::string lines;
  do {
    const std::string_view chunk = content.substr(0, kPiece);
    content.remove_prefix(chunk.size());
    lines += std::string(time) + " " + std::string(stream) + (content.empty() ? " F " : " P ");
    lines += chunk;
    lines += '\n';
  } while (!content.empty());
  return lines;
}

std::string bigJsonLog(size_t size) {
  std::string log = R"({"level":"info","msg":"response body","body":")";
  while (log.size() < size - 2) log += static_cast<char>('a' + log.size() % 26);
  return log + "\"}";
}

TEST(ContainerSamples, ContainerdFileWithInterleavedPieces) {
  const std::string file =
      R"(2024-01-15T10:30:00.000000001Z stdout F {"level":"info","msg":"starting server","port":8080})"
      "\n"
      "2024-01-15T10:30:00.100000000Z stderr F W0115 10:30:00.100000       1 "
      "client_config.go:618] Neither --kubeconfig nor --master was specified.\n"
      R"(2024-01-15T10:30:00.200000000Z stdout P {"level":"debug","msg":"payload","body":"AAAA)"
      "\n"
      "2024-01-15T10:30:00.200000100Z stderr P panic: runtime error: \n"
      "2024-01-15T10:30:00.200000200Z stdout P BBBB\n"
      "2024-01-15T10:30:00.200000300Z stderr F index out of range [3] with length 3\n"
      "2024-01-15T10:30:00.200000400Z stderr F \n"
      R"(2024-01-15T10:30:00.200000500Z stdout F CCCC"})"
      "\n"
      "2024-01-15T10:30:01Z stdout F plain text after\n";
  FileReplay replay(1024 * 1024);
  EXPECT_EQ(
      replay.feed(file),
      (ShippedList{{R"({"level":"info","msg":"starting server","port":8080})", "stdout", kJan15 + 1,
                    0, false},
                   {"W0115 10:30:00.100000       1 client_config.go:618] Neither --kubeconfig nor "
                    "--master was specified.",
                    "stderr", kJan15 + 100'000'000, lineOffset(file, 1), false},
                   {"panic: runtime error: index out of range [3] with length 3", "stderr",
                    kJan15 + 200'000'100, lineOffset(file, 3), false},
                   {"", "stderr", kJan15 + 200'000'400, lineOffset(file, 6), false},
                   {R"({"level":"debug","msg":"payload","body":"AAAABBBBCCCC"})", "stdout",
                    kJan15 + 200'000'000, lineOffset(file, 2), false},
                   {"plain text after", "stdout", kJan15 + kS, lineOffset(file, 8), false}}));
  EXPECT_EQ(replay.format(), ContainerFormat::kCri);
  EXPECT_FALSE(replay.joiner().pendingOffset());
}

TEST(ContainerSamples, ContainerdLongLineInManyPieces) {
  const std::string big = bigJsonLog(100 * 1024);
  const std::string file =
      criLines(big, "stdout", "2024-01-15T10:30:00.5Z") + "2024-01-15T10:30:01Z stdout F next\n";
  FileReplay replay(1024 * 1024);
  ShippedList shipped = replay.feed(file);
  ASSERT_EQ(shipped.size(), 2u);
  EXPECT_EQ(shipped[0], (Shipped{big, "stdout", kJan15 + kS / 2, 0, false}));
  EXPECT_EQ(shipped[1].content, "next");
  EXPECT_EQ(shipped[1].offset, lineOffset(file, 7));  // after 6 P pieces and the F
}

TEST(ContainerSamples, ContainerdLongLineOverTheCap) {
  const std::string big = bigJsonLog(100 * 1024);
  const std::string file =
      criLines(big, "stderr", "2024-01-15T10:30:00Z") + "2024-01-15T10:30:01Z stderr F next\n";
  FileReplay replay(20'000);
  ShippedList shipped = replay.feed(file);
  ASSERT_EQ(shipped.size(), 2u);
  EXPECT_EQ(shipped[0], (Shipped{big.substr(0, 20'000), "stderr", kJan15, 0, true}));
  EXPECT_EQ(shipped[1].content, "next");
  EXPECT_EQ(replay.joiner().truncatedLines(), 1u);
}

TEST(ContainerSamples, DockerFileWithEscapesAndSplitLine) {
  const std::string big = bigJsonLog(40'000);  // three pieces: 16 KiB, 16 KiB, the rest
  std::string file =
      R"({"log":"{\"level\":\"info\",\"msg\":\"user \\\"bob\\\" logged in\",\"city\":\"Z\u00fcrich\"}\n","stream":"stdout","time":"2024-01-15T10:30:00.000000001Z"})"
      "\n";
  const std::string pieces = dockerLines(big, "stdout", "2024-01-15T10:30:00.2Z");
  const size_t first_piece_end = pieces.find('\n') + 1;
  // stderr writes between the pieces of the stdout line.
  file += pieces.substr(0, first_piece_end);
  file +=
      R"({"log":"Traceback (most recent call last):\n","stream":"stderr","time":"2024-01-15T10:30:00.3Z"})"
      "\n";
  file += pieces.substr(first_piece_end);
  file += R"({"log":"done\n","stream":"stdout","time":"2024-01-15T10:30:01Z"})"
          "\n";
  FileReplay replay(1024 * 1024);
  EXPECT_EQ(replay.feed(file),
            (ShippedList{{R"({"level":"info","msg":"user \"bob\" logged in","city":"Z)"
                          "\xc3\xbc"
                          R"(rich"})",
                          "stdout", kJan15 + 1, 0, false},
                         {"Traceback (most recent call last):", "stderr", kJan15 + 300'000'000,
                          lineOffset(file, 2), false},
                         {big, "stdout", kJan15 + 200'000'000, lineOffset(file, 1), false},
                         {"done", "stdout", kJan15 + kS, lineOffset(file, 5), false}}));
  EXPECT_EQ(replay.format(), ContainerFormat::kDocker);
}

TEST(ContainerSamples, DockerLastLineWithoutNewlineIsFlushed) {
  const std::string file =
      R"({"log":"Downloading... 10%\r20%\r","stream":"stdout","time":"2024-01-15T10:30:00Z"})"
      "\n"
      R"({"log":"error: ","stream":"stderr","time":"2024-01-15T10:30:01Z"})"
      "\n";
  FileReplay replay(1024);
  EXPECT_EQ(replay.feed(file), ShippedList{});
  EXPECT_EQ(replay.joiner().pendingOffset(), 0u);
  EXPECT_EQ(replay.feed("", /*flush_at_end=*/true),
            (ShippedList{{"Downloading... 10%\r20%\r", "stdout", kJan15, 0, false},
                         {"error: ", "stderr", kJan15 + kS, lineOffset(file, 1), false}}));
}

TEST(ContainerSamples, BadLinesAreKeptRaw) {
  // A node crash leaves NUL bytes; a tool appends a line of its own.
  const std::string nul_line = std::string(8, '\0') + "2024-01-15T10:30:01Z stdout F lost?";
  const std::string file = "2024-01-15T10:30:00Z stdout F before\n" + nul_line +
                           "\n"
                           "### logrotate was here\n"
                           "2024-01-15T10:30:02Z stdout F after\n";
  FileReplay replay(1024);
  EXPECT_EQ(replay.feed(file),
            (ShippedList{{"before", "stdout", kJan15, 0, false},
                         {nul_line, "error", 0, lineOffset(file, 1), false},
                         {"### logrotate was here", "error", 0, lineOffset(file, 2), false},
                         {"after", "stdout", kJan15 + 2 * kS, lineOffset(file, 3), false}}));
}

TEST(ContainerSamples, FormatIsFoundFromTheFirstLineThatDecodes) {
  const std::string file =
      "garbage first line\n"
      "2024-01-15T10:30:00Z stdout F hello\n"
      R"({"log":"a docker line in a CRI file\n","stream":"stdout","time":"2024-01-15T10:30:00Z"})"
      "\n";
  FileReplay replay(1024);
  EXPECT_EQ(replay.feed(file),
            (ShippedList{{"garbage first line", "error", 0, 0, false},
                         {"hello", "stdout", kJan15, lineOffset(file, 1), false},
                         {R"({"log":"a docker line in a CRI file\n","stream":"stdout",)"
                          R"("time":"2024-01-15T10:30:00Z"})",
                          "error", 0, lineOffset(file, 2), false}}));
  EXPECT_EQ(replay.format(), ContainerFormat::kCri);
}

}  // namespace
}  // namespace sluice
