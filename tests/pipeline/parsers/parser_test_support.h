#pragma once

#include <gtest/gtest.h>

#include <cstddef>
#include <cstring>
#include <memory>
#include <ostream>
#include <random>
#include <span>
#include <string>
#include <string_view>
#include <tuple>
#include <utility>
#include <vector>

#include "pipeline/parsers/parsed_line.h"

namespace sluice::parser_test {

// "key=value", or "key=#value" for a JSON number, from the field at `from` on.
inline std::vector<std::string> render(const ParsedLine& line, size_t from = 0) {
  std::vector<std::string> fields;
  for (size_t i = from; i < line.fields.size(); ++i) {
    const ParsedField& field = line.fields[i];
    std::string text(field.key);
    text += field.number ? "=#" : "=";
    text += field.value;
    fields.push_back(std::move(text));
  }
  return fields;
}

// A field as a value to compare: key, value, and whether it is a JSON number.
using Field = std::tuple<std::string, std::string, bool>;
using Fields = std::vector<Field>;

inline Field S(std::string key, std::string value) {
  return {std::move(key), std::move(value), false};
}
inline Field N(std::string key, std::string value) {
  return {std::move(key), std::move(value), true};
}

inline Fields fieldsOf(const ParsedLine& parsed, size_t from = 0) {
  Fields fields;
  for (size_t i = from; i < parsed.fields.size(); ++i) {
    const ParsedField& f = parsed.fields[i];
    fields.emplace_back(std::string(f.key), std::string(f.value), f.number);
  }
  return fields;
}

// The line in a heap block of its exact size, so that AddressSanitizer
// reports any read past its end.
class ExactBuffer {
 public:
  explicit ExactBuffer(std::string_view text)
      : data_(std::make_unique<char[]>(text.size())), size_(text.size()) {
    if (size_ > 0) std::memcpy(data_.get(), text.data(), size_);
  }
  std::string_view view() const { return {data_.get(), size_}; }

 private:
  std::unique_ptr<char[]> data_;
  size_t size_;
};

// Whether `value` lies inside `line`: borrowed, not copied into the
// ParsedLine's own storage.
inline bool borrowedFrom(std::string_view line, std::string_view value) {
  return value.data() >= line.data() && value.data() + value.size() <= line.data() + line.size();
}

// Names each instance of a parameterised test after its case's `name`.
template <typename Case>
std::string caseName(const testing::TestParamInfo<Case>& info) {
  return std::string(info.param.name);
}

// Names instances whose parameter is a bare line: "Line0", "Line1", ...
inline std::string lineIndexName(const testing::TestParamInfo<std::string_view>& info) {
  return "Line" + std::to_string(info.index);
}

// A parser runs on a ParsedLine that may already hold fields: the input's
// own, or what an earlier step found. Tests put this one there first.
inline constexpr std::string_view kEarlierKey = "earlier";
inline constexpr std::string_view kEarlierValue = "field";

// Parses `line` into `out` after the earlier field and checks what every
// LineParser promises: a refused line leaves `out` as it was, an accepted one
// only appends to it. Rendering copies every byte each field points at, so a
// view past the line or into freed memory shows under AddressSanitizer.
// Returns whether the parser accepted the line.
inline bool parseAfterEarlierField(const LineParser& parser, std::string_view line,
                                   ParsedLine& out) {
  out.reset();
  out.add(kEarlierKey, kEarlierValue);
  const bool accepted = parser.parse(line, out);
  const std::vector<std::string> fields = render(out);
  const std::string earlier = std::string(kEarlierKey) + "=" + std::string(kEarlierValue);
  if (!accepted) {
    EXPECT_EQ(fields, std::vector<std::string>{earlier})
        << "refused " << testing::PrintToString(line) << " but changed the fields";
  } else if (fields.empty() || fields.front() != earlier) {
    ADD_FAILURE() << "accepted " << testing::PrintToString(line)
                  << " but did not keep the earlier field first";
  }
  return accepted;
}

// parseAfterEarlierField on a copy of `bytes` in a block of their exact size,
// for input that may be anything.
inline bool tryParse(const LineParser& parser, std::string_view bytes) {
  ExactBuffer line(bytes);
  ParsedLine out;
  return parseAfterEarlierField(parser, line.view(), out);
}

// The parser refuses `line` and leaves the fields as they were.
inline void expectRefused(const LineParser& parser, std::string_view line) {
  EXPECT_FALSE(tryParse(parser, line)) << testing::PrintToString(line);
}

// The parser accepts `line` and appends `expected` after the earlier field;
// `out` holds the result for further checks.
inline void expectAppends(const LineParser& parser, std::string_view line, const Fields& expected,
                          ParsedLine& out) {
  ASSERT_TRUE(parseAfterEarlierField(parser, line, out)) << testing::PrintToString(line);
  EXPECT_EQ(fieldsOf(out, 1), expected);
}

// The same for a copy of `line` in a block of its exact size.
inline void expectAppends(const LineParser& parser, std::string_view line, const Fields& expected) {
  ExactBuffer copy(line);
  ParsedLine out;
  expectAppends(parser, copy.view(), expected, out);
}

// The same, with the expected fields rendered as render() writes them.
inline void expectAppends(const LineParser& parser, std::string_view line,
                          const std::vector<std::string>& expected) {
  ExactBuffer copy(line);
  ParsedLine out;
  ASSERT_TRUE(parseAfterEarlierField(parser, copy.view(), out)) << testing::PrintToString(line);
  EXPECT_EQ(render(out, 1), expected);
}

// Calls check(prefix, accepted, out) for every prefix of `line`, shortest
// first, each parsed after the earlier field from a block of its exact size:
// the line as it stands when a write or a read stops part-way.
template <typename Check>
void forEachPrefix(const LineParser& parser, std::string_view line, Check check) {
  for (size_t size = 0; size <= line.size(); ++size) {
    ExactBuffer prefix(line.substr(0, size));
    ParsedLine out;
    const bool accepted = parseAfterEarlierField(parser, prefix.view(), out);
    check(prefix.view(), accepted, out);
  }
}

// Tries every prefix and every suffix of `sample`: lines cut short, and
// lines picked up part-way. Returns how many the parser accepted.
inline size_t tryEveryCut(const LineParser& parser, std::string_view sample) {
  size_t accepted = 0;
  for (size_t size = 0; size <= sample.size(); ++size) {
    accepted += tryParse(parser, sample.substr(0, size));
    accepted += tryParse(parser, sample.substr(size));
  }
  return accepted;
}

// A ParsedLine that is reset and reused gives, line after line, the same
// fields as a fresh one.
inline void expectReuseMatchesFresh(const LineParser& parser,
                                    std::span<const std::string_view> lines) {
  ParsedLine reused;
  for (int round = 0; round < 100; ++round) {
    for (std::string_view line : lines) {
      reused.reset();
      ParsedLine fresh;
      ASSERT_TRUE(parser.parse(line, reused)) << line;
      ASSERT_TRUE(parser.parse(line, fresh)) << line;
      EXPECT_EQ(render(reused), render(fresh));
    }
  }
}

// Up to `max_length` bytes of any value.
inline std::string randomBytes(std::mt19937& random, size_t max_length) {
  std::uniform_int_distribution<int> byte(0, 255);
  std::uniform_int_distribution<size_t> length(0, max_length);
  std::string bytes(length(random), '\0');
  for (char& c : bytes) c = static_cast<char>(byte(random));
  return bytes;
}

// Up to `max_pieces` pieces drawn at random and joined: fragments of a
// format's syntax reach a parser's deeper states far more often than random
// bytes do.
inline std::string randomJoin(std::mt19937& random, std::span<const std::string_view> pieces,
                              int max_pieces) {
  std::string joined;
  const int count = std::uniform_int_distribution<int>(0, max_pieces)(random);
  for (int i = 0; i < count; ++i) {
    joined += pieces[std::uniform_int_distribution<size_t>(0, pieces.size() - 1)(random)];
  }
  return joined;
}

// `sample`, which must not be empty, with one byte set to a random value.
inline std::string withRandomByte(std::mt19937& random, std::string_view sample) {
  std::string bytes(sample);
  const char value = static_cast<char>(std::uniform_int_distribution<int>(0, 255)(random));
  bytes[std::uniform_int_distribution<size_t>(0, bytes.size() - 1)(random)] = value;
  return bytes;
}

// `sample` after one to four edits, each replacing a byte with one of
// `interesting`, inserting one of them, or erasing up to eight bytes.
inline std::string mutate(std::mt19937& random, std::string_view sample,
                          std::span<const char> interesting) {
  std::string bytes(sample);
  const int edits = 1 + static_cast<int>(random() % 4);
  for (int e = 0; e < edits && !bytes.empty(); ++e) {
    const size_t at = random() % bytes.size();
    const char c = interesting[random() % interesting.size()];
    switch (random() % 3) {
      case 0:
        bytes[at] = c;
        break;
      case 1:
        bytes.insert(bytes.begin() + static_cast<std::ptrdiff_t>(at), c);
        break;
      default:
        bytes.erase(at, 1 + random() % 8);
        break;
    }
  }
  return bytes;
}

// A named sample line and the fields it gives, as render() writes them.
struct RenderedCase {
  std::string_view name;
  std::string_view line;
  std::vector<std::string> fields;
};
inline void PrintTo(const RenderedCase& c, std::ostream* os) { *os << c.line; }

// A named sample line and the fields it gives.
struct LineCase {
  std::string_view name;
  std::string line;
  Fields fields;
};
inline void PrintTo(const LineCase& c, std::ostream* os) { *os << c.name << ": " << c.line; }

// A named line the parser must refuse.
struct BadLine {
  std::string_view name;
  std::string line;
};
inline void PrintTo(const BadLine& c, std::ostream* os) { *os << c.name << ": " << c.line; }

struct TruncationCase {
  std::string_view line;
  // The shortest prefix that is a whole line of this shape.
  std::string_view valid_from;
};

// Parsers built from a configured pattern (dissect, regex) are made by a
// static compile(pattern, error) that returns nullptr and says why.
template <typename Parser>
std::unique_ptr<Parser> mustCompile(std::string_view pattern) {
  std::string error;
  auto parser = Parser::compile(pattern, error);
  EXPECT_NE(parser, nullptr) << pattern << ": " << error;
  EXPECT_EQ(error, "");
  return parser;
}

struct PatternCase {
  std::string_view name;
  std::string pattern;
  std::string line;
  Fields fields;
};
inline void PrintTo(const PatternCase& c, std::ostream* os) {
  *os << c.name << ": " << c.pattern << " on " << c.line;
}

struct BadPattern {
  std::string pattern;
  std::string_view error_part;
};
inline void PrintTo(const BadPattern& c, std::ostream* os) { *os << c.pattern; }

// compile() refuses the pattern with a message that holds `error_part`.
template <typename Parser>
void expectBadPattern(const BadPattern& c) {
  std::string error;
  EXPECT_EQ(Parser::compile(c.pattern, error), nullptr);
  EXPECT_NE(error.find(c.error_part), std::string::npos) << error;
}

// A valid pattern and a line it does not match.
struct PatternMismatch {
  std::string pattern;
  std::string line;
};
inline void PrintTo(const PatternMismatch& c, std::ostream* os) {
  *os << c.pattern << " on " << c.line;
}

template <typename Parser>
void expectMismatch(const PatternMismatch& c) {
  auto parser = mustCompile<Parser>(c.pattern);
  ASSERT_NE(parser, nullptr);
  expectRefused(*parser, c.line);
}

}  // namespace sluice::parser_test
