#pragma once

#include <simdjson.h>

#include <cstdint>
#include <string>
#include <string_view>

#include "pipeline/timestamp.h"

namespace sluice {

// The two streams a container runtime writes into one log file. Views of a
// decoded line point at these constants, never into the line.
inline constexpr std::string_view kStdoutStream = "stdout";
inline constexpr std::string_view kStderrStream = "stderr";

// The tag a line that decodes as neither format is shipped with, raw.
inline constexpr std::string_view kContainerParseErrorTag = "container_parse_error";

// How the runtime wrote the file: CRI (containerd, CRI-O) or Docker's
// json-file driver. Found from a file's first line and kept for the file.
enum class ContainerFormat : uint8_t { kUnknown, kCri, kDocker };

// One physical line of a container log. A long line or one the application
// did not end with a newline arrives in several pieces, all but the last
// `partial`; PartialJoiner puts them back together.
struct ContainerLine {
  std::string_view content;  // without the runtime's trailing newline
  std::string_view stream;   // kStdoutStream or kStderrStream
  TimestampNs time = 0;      // when the runtime read it
  bool partial = false;
};

enum class ContainerLineError : uint8_t {
  kNone,
  kUnknownFormat,  // decode() called with kUnknown
  kBadTimestamp,   // CRI first field or Docker `time` is not an RFC 3339 time
  kBadStream,      // neither stdout nor stderr
  kBadJson,        // Docker: not one JSON object
  kBadField,       // Docker: `log`, `stream` or `time` missing or not a string
};

std::string_view errorName(ContainerLineError error);

// `<RFC 3339 time> <stdout|stderr> <P|F>[:more tags] <content>`, or the
// untagged `<time> <stream> <content>` of kubelets before 1.10 (then the line
// is full). Pure; `out.content` views `line`.
[[nodiscard]] ContainerLineError decodeCriLine(std::string_view line, ContainerLine& out);

// Kubelet's rule: a first line starting with `{` is Docker json-file, one
// that decodes as CRI is CRI. kUnknown (a garbage first line): ship that line
// as a parse error and try again with the next one.
ContainerFormat detectFormat(std::string_view line);

// Decodes lines of either format. Holds a simdjson parser (its buffers grow
// to the longest line once), so keep one per input thread, not one per line.
//
// Precondition: `line` is followed by SIMDJSON_PADDING readable bytes, as
// LineReader guarantees. The decoded content then is too (it is a suffix of
// the line, a span inside it, or in `buffer` with that much spare capacity),
// so it can go to Normalizer::normalize() as is.
class ContainerLineDecoder {
 public:
  // `buffer` receives a Docker `log` that had to be unescaped; `out.content`
  // views `line` or `buffer` and is valid while both are unchanged.
  [[nodiscard]] ContainerLineError decode(ContainerFormat format, std::string_view line,
                                          std::string& buffer, ContainerLine& out);

  // `{"log":"...\n","stream":"stdout","time":"<RFC 3339>"}`, other members
  // (`attrs`) ignored. A `log` without its trailing "\n" is a piece of a
  // longer line: Docker cuts lines at 16 KiB.
  [[nodiscard]] ContainerLineError decodeDocker(std::string_view line, std::string& buffer,
                                                ContainerLine& out);

 private:
  simdjson::ondemand::parser parser_;
};

}  // namespace sluice
