#pragma once

#include <algorithm>
#include <memory>
#include <string_view>
#include <vector>

namespace sluice {

// One field a plaintext parser found in a line.
struct ParsedField {
  // A name of the documented schema ("@timestamp", "log.level",
  // "http.status_code", ...) or the line's own key (logfmt, named groups).
  // Dotted names become nested objects; the normalizer maps aliases.
  std::string_view key;
  // Text, borrowed from the line or from ParsedLine::store().
  std::string_view value;
  // The value is a JSON number ("200", "0.25") and is written unquoted.
  bool number = false;
};

// The fields of one line. Reused from line to line without allocating once
// warm; views handed out by store() stay valid until reset().
class ParsedLine {
 public:
  void reset() {
    fields.clear();
    used_ = 0;
    chunk_ = 0;
  }
  void add(std::string_view key, std::string_view value, bool number = false) {
    fields.push_back({key, value, number});
  }
  // Copies text that is not in the line as it stands (unescaped values,
  // joined pieces) into storage that does not move.
  std::string_view store(std::string_view text);

  std::vector<ParsedField> fields;

 private:
  static constexpr size_t kChunkSize = 16 * 1024;
  std::vector<std::unique_ptr<char[]>> chunks_;
  std::vector<size_t> chunk_sizes_;
  size_t chunk_ = 0;  // the chunk being filled
  size_t used_ = 0;   // bytes used in it
};

inline std::string_view ParsedLine::store(std::string_view text) {
  if (text.empty()) return {};
  while (chunk_ < chunks_.size() && used_ + text.size() > chunk_sizes_[chunk_]) {
    ++chunk_;
    used_ = 0;
  }
  if (chunk_ == chunks_.size()) {
    size_t size = std::max(kChunkSize, text.size());
    chunks_.push_back(std::make_unique<char[]>(size));
    chunk_sizes_.push_back(size);
    used_ = 0;
  }
  char* dst = chunks_[chunk_].get() + used_;
  std::copy(text.begin(), text.end(), dst);
  used_ += text.size();
  return {dst, text.size()};
}

// A plaintext format. Parsers are built once per input from validated
// configuration and are then immutable: parse() may run on many threads.
class LineParser {
 public:
  virtual ~LineParser() = default;
  // Appends the line's fields to `out` and returns true, or returns false
  // (leaving `out` as it was) when the line does not have this shape. Must
  // decide quickly on lines of other shapes: auto-detection tries parsers in
  // turn.
  virtual bool parse(std::string_view line, ParsedLine& out) const = 0;
};

}  // namespace sluice
