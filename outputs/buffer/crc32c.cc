#include "outputs/buffer/crc32c.h"

#include <array>
#include <cstring>

#if defined(__SSE4_2__)
#include <nmmintrin.h>
#endif

namespace sluice {

#if defined(__SSE4_2__)

// The build targets x86-64-v3 (see SLUICE_MARCH), which implies SSE4.2: the
// hardware instruction needs no runtime dispatch. memcpy makes the 8-byte
// loads legal at any alignment; it compiles to one unaligned mov.
uint32_t crc32c(const void* data, size_t size, uint32_t previous) {
  const auto* p = static_cast<const unsigned char*>(data);
  uint64_t crc = ~previous;
  for (; size >= 8; size -= 8, p += 8) {
    uint64_t word;
    std::memcpy(&word, p, sizeof word);
    crc = _mm_crc32_u64(crc, word);
  }
  auto crc32 = static_cast<uint32_t>(crc);
  for (; size > 0; --size, ++p) crc32 = _mm_crc32_u8(crc32, *p);
  return ~crc32;
}

#else

// Bytewise table for builds with a lower -march (or another architecture):
// slower, but the same checksum, so buffers stay readable across builds.
namespace {

constexpr uint32_t kReflectedPolynomial = 0x82F63B78;

constexpr std::array<uint32_t, 256> makeTable() {
  std::array<uint32_t, 256> table{};
  for (uint32_t i = 0; i < 256; ++i) {
    uint32_t crc = i;
    for (int bit = 0; bit < 8; ++bit) crc = (crc >> 1) ^ ((crc & 1) ? kReflectedPolynomial : 0);
    table[i] = crc;
  }
  return table;
}

constexpr std::array<uint32_t, 256> kTable = makeTable();

}  // namespace

uint32_t crc32c(const void* data, size_t size, uint32_t previous) {
  const auto* p = static_cast<const unsigned char*>(data);
  uint32_t crc = ~previous;
  for (; size > 0; --size, ++p) crc = kTable[(crc ^ *p) & 0xFF] ^ (crc >> 8);
  return ~crc;
}

#endif

}  // namespace sluice
