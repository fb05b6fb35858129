#include "outputs/buffer/crc32c.h"

#include <gtest/gtest.h>

#include <boost/crc.hpp>
#include <cstdint>
#include <random>
#include <string>

namespace sluice {
namespace {

using BoostCrc32c = boost::crc_optimal<32, 0x1EDC6F41, 0xFFFFFFFF, 0xFFFFFFFF, true, true>;

uint32_t boostCrc32c(const char* data, size_t size) {
  BoostCrc32c crc;
  crc.process_bytes(data, size);
  return crc.checksum();
}

TEST(Crc32c, KnownVectors) {
  EXPECT_EQ(crc32c(""), 0x00000000u);
  EXPECT_EQ(crc32c("a"), 0xC1D04330u);
  EXPECT_EQ(crc32c("123456789"), 0xE3069283u);
  // RFC 3720 (iSCSI), appendix B.4.
  EXPECT_EQ(crc32c(std::string(32, '\0')), 0x8A9136AAu);
  EXPECT_EQ(crc32c(std::string(32, '\xFF')), 0x62A8AB43u);
  std::string ascending;
  for (int i = 0; i < 32; ++i) ascending += static_cast<char>(i);
  EXPECT_EQ(crc32c(ascending), 0x46DD794Eu);
}

TEST(Crc32c, MatchesBoostOnRandomBuffersOfEveryLengthAndAlignment) {
  std::mt19937_64 random(20240611);
  std::string buffer(4096 + 16, '\0');
  for (char& c : buffer) c = static_cast<char>(random());
  for (size_t alignment = 0; alignment < 16; ++alignment) {
    for (size_t length = 0; length <= 300; ++length) {
      const char* data = buffer.data() + alignment;
      ASSERT_EQ(crc32c(data, length), boostCrc32c(data, length))
          << "length " << length << " alignment " << alignment;
    }
  }
  for (int i = 0; i < 200; ++i) {
    const size_t alignment = random() % 16;
    const size_t length = random() % 4096;
    const char* data = buffer.data() + alignment;
    ASSERT_EQ(crc32c(data, length), boostCrc32c(data, length)) << "length " << length;
  }
}

TEST(Crc32c, ContinuesAcrossPieces) {
  const std::string text = "the quick brown fox jumps over the lazy dog, twice over";
  for (size_t split = 0; split <= text.size(); ++split) {
    const std::string_view a(text.data(), split);
    const std::string_view b(text.data() + split, text.size() - split);
    EXPECT_EQ(crc32c(b, crc32c(a)), crc32c(text)) << "split at " << split;
  }
}

}  // namespace
}  // namespace sluice
