#include "pipeline/event_id.h"

#define XXH_INLINE_ALL
#include <xxhash.h>

namespace sluice {

SourceKey SourceKey::fromParts(std::string_view parts) {
  XXH128_hash_t h = XXH3_128bits(parts.data(), parts.size());
  return {h.high64, h.low64};
}

EventId EventId::forOffset(const SourceKey& source, uint64_t offset) {
  const uint64_t words[3] = {source.high, source.low, offset};
  XXH128_hash_t h = XXH3_128bits(words, sizeof words);
  return {h.high64, h.low64};
}

void EventId::appendTo(std::string& out) const {
  static constexpr char kAlphabet[] =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
  char buf[22];
  // 128 bits = 21 groups of 6 bits plus 2 bits.
  uint64_t h = high, l = low;
  for (int i = 0; i < 22; ++i) {
    buf[i] = kAlphabet[l & 63];
    l = (l >> 6) | (h << 58);
    h >>= 6;
  }
  out.append(buf, sizeof buf);
}

bool EventId::parse(std::string_view text, EventId& id) {
  if (text.size() != 22) return false;
  auto digit = [](char c) -> int {
    if (c >= 'A' && c <= 'Z') return c - 'A';
    if (c >= 'a' && c <= 'z') return c - 'a' + 26;
    if (c >= '0' && c <= '9') return c - '0' + 52;
    if (c == '-') return 62;
    if (c == '_') return 63;
    return -1;
  };
  // The last character carries the top 2 bits only: any higher value is not
  // an id appendTo could have written.
  if (digit(text[21]) < 0 || digit(text[21]) > 3) return false;
  uint64_t h = 0, l = 0;
  for (int i = 21; i >= 0; --i) {
    const int v = digit(text[static_cast<size_t>(i)]);
    if (v < 0) return false;
    h = (h << 6) | (l >> 58);
    l = (l << 6) | static_cast<uint64_t>(v);
  }
  id = {h, l};
  return true;
}

}  // namespace sluice
