#pragma once

#include <simdjson.h>

#include <cstring>
#include <memory>
#include <string_view>

namespace sluice::testing_support {

// A line as LineReader hands it out: SIMDJSON_PADDING readable bytes past
// its end, and not one more, so a sanitizer build catches reads beyond.
class PaddedLine {
 public:
  explicit PaddedLine(std::string_view text)
      : storage_(new char[text.size() + simdjson::SIMDJSON_PADDING]()), size_(text.size()) {
    if (!text.empty()) std::memcpy(storage_.get(), text.data(), text.size());
  }
  std::string_view view() const { return {storage_.get(), size_}; }
  bool contains(std::string_view part) const {
    return part.data() >= storage_.get() && part.data() + part.size() <= storage_.get() + size_;
  }

 private:
  std::unique_ptr<char[]> storage_;
  size_t size_;
};

// What Normalizer::normalize() will do with decoded content: read up to
// SIMDJSON_PADDING bytes past its end.
inline void touchPadding(std::string_view content) {
  volatile char last = content.data()[content.size() + simdjson::SIMDJSON_PADDING - 1];
  (void)last;
}

}  // namespace sluice::testing_support
