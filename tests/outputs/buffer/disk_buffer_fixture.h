#pragma once

#include <gtest/gtest.h>

#include <chrono>
#include <memory>
#include <optional>
#include <random>
#include <string>
#include <vector>

#include "buffer_test_support.h"
#include "outputs/buffer/disk_buffer.h"

namespace sluice::testing_support {

using namespace std::chrono_literals;

// Half text, half noise: compresses, but not to nothing, so segments fill.
inline std::string payloadFor(uint64_t n, size_t size = 600) {
  std::mt19937_64 random(n);
  std::string text = "record " + std::to_string(n) + " ";
  while (text.size() < size / 2) text += "GET /api/orders 200 ";
  while (text.size() < size) text += static_cast<char>('a' + random() % 26);
  return text;
}

inline std::chrono::steady_clock::time_point soon() {
  return std::chrono::steady_clock::now() + 2s;
}

class DiskBufferTest : public testing::Test {
 protected:
  DiskBufferOptions options() const {
    DiskBufferOptions o;
    o.path = dir_ / "buffer";
    o.max_size = 1 << 20;
    o.segment_size = 4096;
    return o;
  }

  std::unique_ptr<DiskBuffer> open(const DiskBufferOptions& o) {
    std::string error;
    std::unique_ptr<DiskBuffer> buffer = DiskBuffer::open(o, error);
    EXPECT_NE(buffer, nullptr) << error;
    return buffer;
  }

  void appendRange(DiskBuffer& buffer, uint64_t from, uint64_t to, size_t size = 600) {
    for (uint64_t n = from; n < to; ++n) {
      std::string error;
      uint64_t number = 0;
      ASSERT_EQ(
          buffer.append(payloadFor(n, size), static_cast<uint32_t>(n % 7 + 1), error, &number),
          AppendResult::kOk)
          << error;
      ASSERT_EQ(number, n);
    }
  }

  // Takes `count` records and checks they are the next ones in order.
  std::vector<uint64_t> take(DiskBuffer& buffer, uint64_t from, uint64_t count) {
    std::vector<uint64_t> numbers;
    for (uint64_t n = from; n < from + count; ++n) {
      std::optional<BufferedRecord> record = buffer.next(soon());
      EXPECT_TRUE(record.has_value()) << "record " << n << " missing";
      if (!record) break;
      EXPECT_EQ(record->number, n);
      EXPECT_EQ(record->events, n % 7 + 1);
      EXPECT_EQ(record->payload, payloadFor(n)) << "record " << n;
      numbers.push_back(record->number);
    }
    return numbers;
  }

  size_t segmentFiles() const { return filesIn(options().path, ".seg").size(); }

  TempDir dir_;
};

}  // namespace sluice::testing_support
