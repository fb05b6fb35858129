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

}  // namespace sluice
