#include "inputs/container/container_line.h"

#include <gtest/gtest.h>

#include <cstdint>
#include <ostream>
#include <string>
#include <string_view>

#include "tests/inputs/container/padded_line.h"

namespace sluice {
namespace {

using testing_support::PaddedLine;
using testing_support::touchPadding;

constexpr int64_t kS = 1'000'000'000;
// 2024-01-15T10:30:00Z
constexpr TimestampNs kJan15 = 1'705'314'600 * kS;

struct LineCase {
  std::string_view line;
  std::string_view content;
  std::string_view stream;
  TimestampNs time;
  bool partial;
};
void PrintTo(const LineCase& c, std::ostream* os) { *os << c.line; }

struct ErrorCase {
  std::string_view line;
  ContainerLineError error;
};
void PrintTo(const ErrorCase& c, std::ostream* os) {
  *os << c.line << " -> " << errorName(c.error);
}

void expectDecoded(ContainerLineError error, const ContainerLine& out, const LineCase& c) {
  ASSERT_EQ(error, ContainerLineError::kNone) << errorName(error);
  EXPECT_EQ(out.content, c.content);
  EXPECT_EQ(out.stream, c.stream);
  EXPECT_EQ(out.time, c.time);
  EXPECT_EQ(out.partial, c.partial);
  touchPadding(out.content);
}

class ContainerCriLineTest : public testing::TestWithParam<LineCase> {};

TEST_P(ContainerCriLineTest, Decodes) {
  const LineCase& c = GetParam();
  PaddedLine line(c.line);
  ContainerLine out;
  expectDecoded(decodeCriLine(line.view(), out), out, c);
  // Borrowed from the line, never copied.
  EXPECT_TRUE(line.contains(out.content));
}

INSTANTIATE_TEST_SUITE_P(
    ContainerCri, ContainerCriLineTest,
    testing::Values(
        // containerd, a JSON app log.
        LineCase{R"(2024-01-15T10:30:00.123456789Z stdout F {"level":"info","msg":"hi"})",
                 R"({"level":"info","msg":"hi"})", kStdoutStream, kJan15 + 123'456'789, false},
        // zap's production encoder.
        LineCase{R"(2024-01-15T10:30:00.000000001Z stdout F {"level":"info","ts":1705314600.0,)"
                 R"("caller":"server/main.go:42","msg":"listening","addr":":8080"})",
                 R"({"level":"info","ts":1705314600.0,"caller":"server/main.go:42",)"
                 R"("msg":"listening","addr":":8080"})",
                 kStdoutStream, kJan15 + 1, false},
        // klog on stderr: spaces inside the content are kept.
        LineCase{"2024-01-15T10:30:00.5Z stderr F I0115 10:30:00.500000       1 "
                 "leaderelection.go:250] attempting to acquire leader lease",
                 "I0115 10:30:00.500000       1 leaderelection.go:250] attempting to acquire "
                 "leader lease",
                 kStderrStream, kJan15 + 500'000'000, false},
        // A piece of a line longer than the runtime's 16 KiB buffer.
        LineCase{R"(2024-01-15T10:30:00.123456789Z stdout P {"msg":"a very long)",
                 R"({"msg":"a very long)", kStdoutStream, kJan15 + 123'456'789, true},
        // CRI-O writes local time with its offset.
        LineCase{"2024-01-15T11:30:00.250+01:00 stdout F hello", "hello", kStdoutStream,
                 kJan15 + 250'000'000, false},
        LineCase{"2024-01-15T10:30:00.000000000+00:00 stderr F x", "x", kStderrStream, kJan15,
                 false},
        LineCase{"2024-01-15T05:00:00-05:30 stdout F x", "x", kStdoutStream, kJan15, false},
        // An empty line of the application, as written and with the space trimmed.
        LineCase{"2024-01-15T10:30:00Z stdout F ", "", kStdoutStream, kJan15, false},
        LineCase{"2024-01-15T10:30:00Z stdout F", "", kStdoutStream, kJan15, false},
        LineCase{"2024-01-15T10:30:00Z stdout P ", "", kStdoutStream, kJan15, true},
        // Only the one separating space is the runtime's.
        LineCase{"2024-01-15T10:30:00Z stdout F   indented", "  indented", kStdoutStream, kJan15,
                 false},
        LineCase{"2024-01-15T10:30:00Z stdout F \tat com.example.App.main(App.java:17)",
                 "\tat com.example.App.main(App.java:17)", kStdoutStream, kJan15, false},
        LineCase{"2024-01-15T10:30:00Z stdout F F P F", "F P F", kStdoutStream, kJan15, false},
        LineCase{"2024-01-15T10:30:00Z stdout F Gr\xc3\xbc\xc3\x9f"
                 "e \xe2\x98\x83",
                 "Gr\xc3\xbc\xc3\x9f"
                 "e \xe2\x98\x83",
                 kStdoutStream, kJan15, false},
        // A progress bar redrawn with carriage returns, never ended.
        LineCase{"2024-01-15T10:30:00Z stdout P 10%\r20%\r30%", "10%\r20%\r30%", kStdoutStream,
                 kJan15, true},
        // Tags are `:`-separated for forward compatibility; the first decides.
        LineCase{"2024-01-15T10:30:00Z stdout P:future more", "more", kStdoutStream, kJan15, true},
        LineCase{"2024-01-15T10:30:00Z stdout F:future more", "more", kStdoutStream, kJan15, false},
        // Kubelets before 1.10 wrote no tag: the line is full.
        LineCase{"2024-01-15T10:30:00.123Z stdout hello world", "hello world", kStdoutStream,
                 kJan15 + 123'000'000, false},
        LineCase{R"(2024-01-15T10:30:00Z stderr {"msg":"x"})", R"({"msg":"x"})", kStderrStream,
                 kJan15, false},
        LineCase{"2024-01-15T10:30:00Z stdout Policy", "Policy", kStdoutStream, kJan15, false},
        LineCase{"2024-01-15T10:30:00Z stdout FP x", "FP x", kStdoutStream, kJan15, false},
        LineCase{"2024-01-15T10:30:00Z stderr", "", kStderrStream, kJan15, false}));

class ContainerCriErrorTest : public testing::TestWithParam<ErrorCase> {};

TEST_P(ContainerCriErrorTest, Rejects) {
  const ErrorCase& c = GetParam();
  PaddedLine line(c.line);
  ContainerLine out;
  EXPECT_EQ(decodeCriLine(line.view(), out), c.error);
}

INSTANTIATE_TEST_SUITE_P(
    ContainerCri, ContainerCriErrorTest,
    testing::Values(ErrorCase{"", ContainerLineError::kBadTimestamp},
                    ErrorCase{"hello world", ContainerLineError::kBadTimestamp},
                    ErrorCase{"2024-01-15T10:30:00Z", ContainerLineError::kBadTimestamp},
                    ErrorCase{"I0115 10:30:00.500000 1 main.go:42] raw klog",
                              ContainerLineError::kBadTimestamp},
                    ErrorCase{"1705314600 stdout F x", ContainerLineError::kBadTimestamp},
                    ErrorCase{"2024-13-15T10:30:00Z stdout F x", ContainerLineError::kBadTimestamp},
                    ErrorCase{"2024-01-15 10:30:00Z stdout F x", ContainerLineError::kBadTimestamp},
                    ErrorCase{" 2024-01-15T10:30:00Z stdout F x",
                              ContainerLineError::kBadTimestamp},
                    ErrorCase{"2024-01-15T10:30:00Z stdin F x", ContainerLineError::kBadStream},
                    ErrorCase{"2024-01-15T10:30:00Z STDOUT F x", ContainerLineError::kBadStream},
                    ErrorCase{"2024-01-15T10:30:00Z stdoutF x", ContainerLineError::kBadStream},
                    ErrorCase{"2024-01-15T10:30:00Z  stdout F x", ContainerLineError::kBadStream},
                    ErrorCase{"2024-01-15T10:30:00Z ", ContainerLineError::kBadStream}));

class ContainerDockerLineTest : public testing::TestWithParam<LineCase> {};

TEST_P(ContainerDockerLineTest, Decodes) {
  const LineCase& c = GetParam();
  PaddedLine line(c.line);
  ContainerLineDecoder decoder;
  std::string buffer;
  ContainerLine out;
  expectDecoded(decoder.decodeDocker(line.view(), buffer, out), out, c);
  // The dispatching entry point agrees.
  ContainerLine again;
  expectDecoded(decoder.decode(ContainerFormat::kDocker, line.view(), buffer, again), again, c);
}

INSTANTIATE_TEST_SUITE_P(
    ContainerDocker, ContainerDockerLineTest,
    testing::Values(
        // A JSON app log, its quotes escaped by Docker.
        LineCase{R"({"log":"{\"level\":\"info\",\"msg\":\"hi\"}\n","stream":"stdout",)"
                 R"("time":"2024-01-15T10:30:00.123456789Z"})",
                 R"({"level":"info","msg":"hi"})", kStdoutStream, kJan15 + 123'456'789, false},
        // Escaped quotes inside the app's own JSON string: escaped twice.
        LineCase{R"({"log":"{\"msg\":\"say \\\"hi\\\"\",\"n\":1}\n","stream":"stderr",)"
                 R"("time":"2024-01-15T10:30:00Z"})",
                 R"({"msg":"say \"hi\"","n":1})", kStderrStream, kJan15, false},
        LineCase{R"({"log":"GET /healthz HTTP/1.1 200\n","stream":"stdout",)"
                 R"("time":"2024-01-15T10:30:00.000000001Z"})",
                 "GET /healthz HTTP/1.1 200", kStdoutStream, kJan15 + 1, false},
        // \u escapes, a surrogate pair among them.
        LineCase{R"({"log":"caf\u00e9 \u2603 \ud83d\ude00\n","stream":"stdout",)"
                 R"("time":"2024-01-15T10:30:00Z"})",
                 "caf\xc3\xa9 \xe2\x98\x83 \xf0\x9f\x98\x80", kStdoutStream, kJan15, false},
        // Docker escapes <, > and & as Go's encoding/json does.
        LineCase{R"({"log":"GET /search?q=a\u0026b \u003cscript\u003e 400\n","stream":"stdout",)"
                 R"("time":"2024-01-15T10:30:00Z"})",
                 "GET /search?q=a&b <script> 400", kStdoutStream, kJan15, false},
        // Other non-ASCII text is written as UTF-8.
        LineCase{"{\"log\":\"Gr\xc3\xbc\xc3\x9f"
                 "e\\n\",\"stream\":\"stdout\","
                 "\"time\":\"2024-01-15T10:30:00Z\"}",
                 "Gr\xc3\xbc\xc3\x9f"
                 "e",
                 kStdoutStream, kJan15, false},
        LineCase{R"({"log":"\tat com.example.App.main(App.java:17)\n","stream":"stderr",)"
                 R"("time":"2024-01-15T10:30:00Z"})",
                 "\tat com.example.App.main(App.java:17)", kStderrStream, kJan15, false},
        // A Windows-style line loses its \r with the \n, as with plain files.
        LineCase{R"({"log":"windows line\r\n","stream":"stdout","time":"2024-01-15T10:30:00Z"})",
                 "windows line", kStdoutStream, kJan15, false},
        // Only one newline is the runtime's.
        LineCase{R"({"log":"two\n\n","stream":"stdout","time":"2024-01-15T10:30:00Z"})", "two\n",
                 kStdoutStream, kJan15, false},
        LineCase{R"({"log":"a\\nb\n","stream":"stdout","time":"2024-01-15T10:30:00Z"})", "a\\nb",
                 kStdoutStream, kJan15, false},
        // An escaped backslash followed by `n` is no newline: still a piece.
        LineCase{R"({"log":"C:\\new\\n","stream":"stdout","time":"2024-01-15T10:30:00Z"})",
                 "C:\\new\\n", kStdoutStream, kJan15, true},
        // An empty line of the application.
        LineCase{R"({"log":"\n","stream":"stdout","time":"2024-01-15T10:30:00Z"})", "",
                 kStdoutStream, kJan15, false},
        // Pieces of a line over 16 KiB carry no newline.
        LineCase{R"({"log":"aaaaaaaaaaaaaaaa","stream":"stdout","time":"2024-01-15T10:30:00Z"})",
                 "aaaaaaaaaaaaaaaa", kStdoutStream, kJan15, true},
        LineCase{R"({"log":"{\"msg\":\"lo","stream":"stderr","time":"2024-01-15T10:30:00Z"})",
                 R"({"msg":"lo)", kStderrStream, kJan15, true},
        LineCase{R"({"log":"","stream":"stdout","time":"2024-01-15T10:30:00Z"})", "", kStdoutStream,
                 kJan15, true},
        // `--log-opt labels=...` adds attrs; members in any order and spacing.
        LineCase{R"({"log":"hi\n","stream":"stdout","attrs":{"tag":"web","env":"prod"},)"
                 R"("time":"2024-01-15T10:30:00Z"})",
                 "hi", kStdoutStream, kJan15, false},
        LineCase{R"({"time":"2024-01-15T10:30:00Z","stream":"stderr","log":"x\n"})", "x",
                 kStderrStream, kJan15, false},
        LineCase{R"({ "log" : "x\n" , "stream" : "stdout" , "time" : "2024-01-15T10:30:00Z" })",
                 "x", kStdoutStream, kJan15, false},
        LineCase{R"({"log":"x\n","stream":"stdout","time":"2024-01-15T11:30:00+01:00"})", "x",
                 kStdoutStream, kJan15, false}));

class ContainerDockerErrorTest : public testing::TestWithParam<ErrorCase> {};

TEST_P(ContainerDockerErrorTest, Rejects) {
  const ErrorCase& c = GetParam();
  PaddedLine line(c.line);
  ContainerLineDecoder decoder;
  std::string buffer;
  ContainerLine out;
  EXPECT_EQ(decoder.decodeDocker(line.view(), buffer, out), c.error);
}

INSTANTIATE_TEST_SUITE_P(
    ContainerDocker, ContainerDockerErrorTest,
    testing::Values(
        ErrorCase{"", ContainerLineError::kBadJson},
        ErrorCase{"{garbage", ContainerLineError::kBadJson},
        ErrorCase{R"({"log":"abc)", ContainerLineError::kBadJson},
        // Cut by a LineReader limit or a crash mid-write.
        ErrorCase{R"({"log":"x\n","stream":"stdout","time":"2024-01-15T10:30:00Z")",
                  ContainerLineError::kBadJson},
        ErrorCase{R"({"log":"x\n","stream":"stdout","time":"2024-01-15T10:30:00Z"} extra)",
                  ContainerLineError::kBadJson},
        ErrorCase{R"({"log":"x\n","stream":"stdout","time":"2024-01-15T10:30:00Z"}{})",
                  ContainerLineError::kBadJson},
        ErrorCase{"[1,2,3]", ContainerLineError::kBadJson},
        ErrorCase{R"("just a string")", ContainerLineError::kBadJson},
        ErrorCase{R"({"log":"bad escape \q\n","stream":"stdout","time":"2024-01-15T10:30:00Z"})",
                  ContainerLineError::kBadJson},
        ErrorCase{R"({"log":"lone \ud800\n","stream":"stdout","time":"2024-01-15T10:30:00Z"})",
                  ContainerLineError::kBadJson},
        ErrorCase{"{}", ContainerLineError::kBadField},
        ErrorCase{R"({"log":"x\n","stream":"stdout"})", ContainerLineError::kBadField},
        ErrorCase{R"({"stream":"stdout","time":"2024-01-15T10:30:00Z"})",
                  ContainerLineError::kBadField},
        ErrorCase{R"({"log":"x\n","time":"2024-01-15T10:30:00Z"})", ContainerLineError::kBadField},
        ErrorCase{R"({"log":42,"stream":"stdout","time":"2024-01-15T10:30:00Z"})",
                  ContainerLineError::kBadField},
        ErrorCase{R"({"log":null,"stream":"stdout","time":"2024-01-15T10:30:00Z"})",
                  ContainerLineError::kBadField},
        ErrorCase{R"({"log":"x\n","stream":"stdout","time":1705314600})",
                  ContainerLineError::kBadField},
        ErrorCase{R"({"log":"x\n","stream":"stdin","time":"2024-01-15T10:30:00Z"})",
                  ContainerLineError::kBadStream},
        ErrorCase{R"({"log":"x\n","stream":"stdout","time":"yesterday"})",
                  ContainerLineError::kBadTimestamp}));

TEST(ContainerDockerDecoder, PlainTextIsBorrowedFromTheLine) {
  ContainerLineDecoder decoder;
  std::string buffer;
  ContainerLine out;
  PaddedLine full(R"({"log":"GET / 200\n","stream":"stdout","time":"2024-01-15T10:30:00Z"})");
  ASSERT_EQ(decoder.decodeDocker(full.view(), buffer, out), ContainerLineError::kNone);
  EXPECT_TRUE(full.contains(out.content));
  PaddedLine piece(R"({"log":"GET / 200","stream":"stdout","time":"2024-01-15T10:30:00Z"})");
  ASSERT_EQ(decoder.decodeDocker(piece.view(), buffer, out), ContainerLineError::kNone);
  EXPECT_TRUE(piece.contains(out.content));
  EXPECT_TRUE(buffer.empty());
}

TEST(ContainerDockerDecoder, EscapedTextGoesToTheBufferWhichIsReused) {
  ContainerLineDecoder decoder;
  std::string buffer;
  ContainerLine out;
  PaddedLine first(
      R"({"log":"{\"msg\":\"a longer first message\"}\n","stream":"stdout","time":"2024-01-15T10:30:00Z"})");
  ASSERT_EQ(decoder.decodeDocker(first.view(), buffer, out), ContainerLineError::kNone);
  EXPECT_EQ(out.content.data(), buffer.data());
  EXPECT_GE(buffer.capacity(), buffer.size() + simdjson::SIMDJSON_PADDING);
  const char* storage = buffer.data();
  PaddedLine second(
      R"({"log":"{\"msg\":\"short\"}\n","stream":"stdout","time":"2024-01-15T10:30:00Z"})");
  ASSERT_EQ(decoder.decodeDocker(second.view(), buffer, out), ContainerLineError::kNone);
  EXPECT_EQ(out.content, R"({"msg":"short"})");
  EXPECT_EQ(buffer.data(), storage);  // no allocation for a line that fits
}

TEST(ContainerDockerDecoder, LongLineNearDockersPieceSize) {
  // 16 KiB of an app's JSON, every quote escaped: the size Docker cuts at.
  std::string message(16 * 1024, 'x');
  std::string line = R"({"log":"{\"msg\":\")" + message +
                     R"(\"}\n","stream":"stdout","time":"2024-01-15T10:30:00Z"})";
  PaddedLine padded(line);
  ContainerLineDecoder decoder;
  std::string buffer;
  ContainerLine out;
  ASSERT_EQ(decoder.decodeDocker(padded.view(), buffer, out), ContainerLineError::kNone);
  EXPECT_EQ(out.content, R"({"msg":")" + message + R"("})");
  EXPECT_FALSE(out.partial);
  touchPadding(out.content);
}

TEST(ContainerLineDecoder, UnknownFormatIsAnError) {
  ContainerLineDecoder decoder;
  std::string buffer;
  ContainerLine out;
  PaddedLine line("2024-01-15T10:30:00Z stdout F x");
  EXPECT_EQ(decoder.decode(ContainerFormat::kUnknown, line.view(), buffer, out),
            ContainerLineError::kUnknownFormat);
  ASSERT_EQ(decoder.decode(ContainerFormat::kCri, line.view(), buffer, out),
            ContainerLineError::kNone);
  EXPECT_EQ(out.content, "x");
}

TEST(ContainerLineDecoder, ErrorsHaveDistinctNames) {
  const ContainerLineError all[] = {
      ContainerLineError::kNone,         ContainerLineError::kUnknownFormat,
      ContainerLineError::kBadTimestamp, ContainerLineError::kBadStream,
      ContainerLineError::kBadJson,      ContainerLineError::kBadField};
  for (ContainerLineError a : all) {
    EXPECT_FALSE(errorName(a).empty());
    for (ContainerLineError b : all) {
      if (a != b) {
        EXPECT_NE(errorName(a), errorName(b));
      }
    }
  }
}

struct DetectCase {
  std::string_view line;
  ContainerFormat format;
};
void PrintTo(const DetectCase& c, std::ostream* os) { *os << c.line; }

class ContainerDetectFormatTest : public testing::TestWithParam<DetectCase> {};

TEST_P(ContainerDetectFormatTest, Detects) {
  PaddedLine line(GetParam().line);
  EXPECT_EQ(detectFormat(line.view()), GetParam().format);
}

INSTANTIATE_TEST_SUITE_P(
    ContainerDetect, ContainerDetectFormatTest,
    testing::Values(
        DetectCase{R"({"log":"hi\n","stream":"stdout","time":"2024-01-15T10:30:00Z"})",
                   ContainerFormat::kDocker},
        // Docker by its first byte, as the kubelet decides; the line itself
        // then fails to decode and is shipped as an error.
        DetectCase{"{not json", ContainerFormat::kDocker},
        DetectCase{R"(2024-01-15T10:30:00.123456789Z stdout F {"msg":"hi"})",
                   ContainerFormat::kCri},
        DetectCase{"2024-01-15T10:30:00.123456789Z stderr P piece", ContainerFormat::kCri},
        DetectCase{"2024-01-15T10:30:00Z stdout untagged", ContainerFormat::kCri},
        DetectCase{"", ContainerFormat::kUnknown}, DetectCase{"hello", ContainerFormat::kUnknown},
        DetectCase{"2024 was a good year", ContainerFormat::kUnknown},
        DetectCase{"2024-01-15T10:30:00Z stdin F x", ContainerFormat::kUnknown},
        DetectCase{"I0115 10:30:00.500000 1 main.go:42] raw klog", ContainerFormat::kUnknown},
        DetectCase{R"( {"log":"hi\n"})", ContainerFormat::kUnknown}));

}  // namespace
}  // namespace sluice
