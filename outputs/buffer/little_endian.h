#pragma once

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>

namespace sluice {

// Fixed-width little-endian integers for the buffer's on-disk formats. x86
// and ARM are little-endian, so these are plain copies; going through bytes
// keeps the format defined by the code rather than by a struct's padding.
inline void appendU32(std::string& out, uint32_t v) {
  char bytes[4];
  for (int i = 0; i < 4; ++i) bytes[i] = static_cast<char>(v >> (8 * i));
  out.append(bytes, sizeof bytes);
}

inline void appendU64(std::string& out, uint64_t v) {
  char bytes[8];
  for (int i = 0; i < 8; ++i) bytes[i] = static_cast<char>(v >> (8 * i));
  out.append(bytes, sizeof bytes);
}

inline uint32_t loadU32(const char* p) {
  uint32_t v = 0;
  for (int i = 0; i < 4; ++i)
    v |= static_cast<uint32_t>(static_cast<unsigned char>(p[i])) << (8 * i);
  return v;
}

inline uint64_t loadU64(const char* p) {
  uint64_t v = 0;
  for (int i = 0; i < 8; ++i)
    v |= static_cast<uint64_t>(static_cast<unsigned char>(p[i])) << (8 * i);
  return v;
}

// Reads from untrusted bytes: every read is bounds-checked and a failed read
// leaves the reader failed, so a decoder can read a whole structure and check
// ok() once.
class ByteReader {
 public:
  explicit ByteReader(std::string_view data) : rest_(data) {}

  uint8_t u8() { return take(1) ? static_cast<uint8_t>(last_[0]) : 0; }
  uint32_t u32() { return take(4) ? loadU32(last_) : 0; }
  uint64_t u64() { return take(8) ? loadU64(last_) : 0; }
  std::string_view bytes(size_t n) {
    return take(n) ? std::string_view(last_, n) : std::string_view();
  }

  bool ok() const { return ok_; }
  size_t remaining() const { return rest_.size(); }

 private:
  bool take(size_t n) {
    if (!ok_ || rest_.size() < n) {
      ok_ = false;
      return false;
    }
    last_ = rest_.data();
    rest_.remove_prefix(n);
    return true;
  }

  std::string_view rest_;
  const char* last_ = nullptr;
  bool ok_ = true;
};

}  // namespace sluice
