#include "outputs/buffer/disk_buffer.h"

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <filesystem>
#include <future>
#include <mutex>
#include <random>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "disk_buffer_fixture.h"

namespace sluice {
namespace {

using namespace std::chrono_literals;
using testing_support::DiskBufferTest;
using testing_support::filesIn;
using testing_support::payloadFor;
using testing_support::readFile;
using testing_support::soon;
using testing_support::TempDir;

TEST_F(DiskBufferTest, RoundTripsAcrossManySegments) {
  auto buffer = open(options());
  appendRange(*buffer, 0, 200);
  EXPECT_GT(segmentFiles(), 10u);
  EXPECT_EQ(buffer->records(), 200u);
  uint64_t events = 0;
  for (uint64_t n = 0; n < 200; ++n) events += n % 7 + 1;
  EXPECT_EQ(buffer->events(), events);
  for (uint64_t n : take(*buffer, 0, 200)) buffer->acknowledge(n);
  EXPECT_EQ(buffer->next(std::chrono::steady_clock::now() + 10ms), std::nullopt);
  EXPECT_EQ(buffer->records(), 0u);
  EXPECT_EQ(buffer->events(), 0u);
  EXPECT_EQ(segmentFiles(), 1u);  // the one being written
}

TEST_F(DiskBufferTest, DeletesASegmentOnceAllItsRecordsAreAcknowledged) {
  auto buffer = open(options());
  appendRange(*buffer, 0, 100);
  const size_t files = segmentFiles();
  const uint64_t bytes = buffer->bytes();
  std::vector<uint64_t> numbers = take(*buffer, 0, 100);
  // Acknowledging everything but record 0 frees nothing: the oldest segment
  // still holds an unacknowledged record, and deletion goes oldest first.
  for (size_t i = 1; i < numbers.size(); ++i) buffer->acknowledge(numbers[i]);
  EXPECT_EQ(segmentFiles(), files);
  EXPECT_EQ(buffer->bytes(), bytes);
  EXPECT_EQ(buffer->records(), 1u);
  buffer->acknowledge(0);
  EXPECT_EQ(segmentFiles(), 1u);
  EXPECT_LT(buffer->bytes(), 4096u + 1000);
  buffer->acknowledge(0);  // twice: ignored
  EXPECT_EQ(buffer->records(), 0u);
}

TEST_F(DiskBufferTest, UnacknowledgedRecordsComeBackAfterReopen) {
  {
    auto buffer = open(options());
    appendRange(*buffer, 0, 40);
    std::vector<uint64_t> taken = take(*buffer, 0, 30);
    for (uint64_t n = 0; n < 20; ++n) buffer->acknowledge(n);
    buffer->acknowledge(25);  // above the cursor: comes back, harmlessly
    buffer->close();
  }
  auto buffer = open(options());
  EXPECT_EQ(buffer->recoveryReport().ack_cursor, 20u);
  EXPECT_EQ(buffer->recoveryReport().records, 20u);
  EXPECT_EQ(buffer->records(), 20u);
  take(*buffer, 20, 20);
  EXPECT_EQ(buffer->next(std::chrono::steady_clock::now() + 10ms), std::nullopt);
  // Numbers are never reused.
  std::string error;
  uint64_t number = 0;
  ASSERT_EQ(buffer->append("after", 1, error, &number), AppendResult::kOk);
  EXPECT_EQ(number, 40u);
}

TEST_F(DiskBufferTest, NumbersStayAboveTheCursorWhenEverySegmentIsGone) {
  {
    auto buffer = open(options());
    appendRange(*buffer, 0, 50);
    for (uint64_t n : take(*buffer, 0, 50)) buffer->acknowledge(n);
  }
  // Even with every segment removed by hand, new records are numbered above
  // the cursor: numbered below, they would be taken as delivered.
  for (const std::string& name : filesIn(options().path, ".seg")) {
    std::filesystem::remove(options().path + "/" + name);
  }
  auto buffer = open(options());
  std::string error;
  uint64_t number = 0;
  ASSERT_EQ(buffer->append("x", 1, error, &number), AppendResult::kOk);
  EXPECT_EQ(number, 50u);
  std::optional<BufferedRecord> record = buffer->next(soon());
  ASSERT_TRUE(record);
  EXPECT_EQ(record->number, 50u);
}

TEST_F(DiskBufferTest, PersistsTheCursorWhileRunning) {
  auto buffer = open(options());
  appendRange(*buffer, 0, 10);
  for (uint64_t n : take(*buffer, 0, 10)) buffer->acknowledge(n);
  // An idle reader writes the cursor within ~250 ms.
  const auto deadline = std::chrono::steady_clock::now() + 5s;
  while (readFile(options().path + "/ack").rfind("10 ", 0) != 0 &&
         std::chrono::steady_clock::now() < deadline) {
    (void)buffer->next(std::chrono::steady_clock::now() + 50ms);
  }
  EXPECT_EQ(readFile(options().path + "/ack").substr(0, 3), "10 ");
}

TEST_F(DiskBufferTest, NextWaitsForAppendsAndStop) {
  auto buffer = open(options());
  EXPECT_EQ(buffer->next(std::chrono::steady_clock::now() + 20ms), std::nullopt);
  auto reader = std::async(std::launch::async, [&] { return buffer->next(soon() + 10s); });
  std::string error;
  ASSERT_EQ(buffer->append("hello", 3, error), AppendResult::kOk);
  std::optional<BufferedRecord> record = reader.get();
  ASSERT_TRUE(record);
  EXPECT_EQ(record->payload, "hello");
  auto waiting = std::async(std::launch::async, [&] { return buffer->next(soon() + 60s); });
  buffer->stop();
  EXPECT_EQ(waiting.get(), std::nullopt);
}

TEST_F(DiskBufferTest, ASecondOpenOfTheSameDirectoryIsRefused) {
  auto first = open(options());
  std::string error;
  EXPECT_EQ(DiskBuffer::open(options(), error), nullptr);
  EXPECT_NE(error.find("in use"), std::string::npos) << error;
  first->close();
  EXPECT_NE(DiskBuffer::open(options(), error), nullptr) << error;
}

TEST_F(DiskBufferTest, RejectsBadOptions) {
  std::string error;
  DiskBufferOptions o = options();
  o.max_size = 6000;  // under twice the segment size
  EXPECT_EQ(DiskBuffer::open(o, error), nullptr);
  EXPECT_NE(error.find("twice"), std::string::npos) << error;
  o = options();
  o.zstd_level = 1000;
  EXPECT_EQ(DiskBuffer::open(o, error), nullptr);
  EXPECT_NE(error.find("zstd"), std::string::npos) << error;
}

// The cache serves readers that keep up; without it every record is read
// back and decompressed from its segment. Both must hand out the same bytes,
// and so must a small cache that serves some records and not others.
TEST_F(DiskBufferTest, CacheAndDiskHandOutIdenticalRecords) {
  for (uint64_t cache_bytes : {uint64_t{32} << 20, uint64_t{0}, uint64_t{2000}}) {
    TempDir dir;
    DiskBufferOptions o = options();
    o.path = dir / "buffer";
    o.memory_cache_bytes = cache_bytes;
    auto buffer = open(o);
    appendRange(*buffer, 0, 30);
    for (uint64_t n : take(*buffer, 0, 15)) buffer->acknowledge(n);
    appendRange(*buffer, 30, 60);
    for (uint64_t n : take(*buffer, 15, 45)) buffer->acknowledge(n);
    EXPECT_EQ(buffer->records(), 0u) << "cache " << cache_bytes;
  }
}

// Proof that readers that keep up never touch the files: with the segments
// damaged behind its back, the buffer still hands out the right payloads.
TEST_F(DiskBufferTest, ReadersThatKeepUpAreServedFromMemory) {
  auto buffer = open(options());
  appendRange(*buffer, 0, 20);
  for (const std::string& name : filesIn(options().path, ".seg")) {
    const std::string path = options().path + "/" + name;
    std::string content = readFile(path);
    for (size_t i = 20; i < content.size(); ++i) content[i] = '\0';
    testing_support::writeFile(path, content);
  }
  for (uint64_t n : take(*buffer, 0, 20)) buffer->acknowledge(n);
  EXPECT_EQ(buffer->stats().quarantined_segments, 0u);
}

TEST_F(DiskBufferTest, ConcurrentReadersGetEveryRecordOnce) {
  DiskBufferOptions o = options();
  o.max_size = 64 << 10;
  o.memory_cache_bytes = 8000;                    // some from the cache, some from disk
  o.fsync = DiskBufferOptions::Fsync::kInterval;  // durability is not the point here
  auto buffer = open(o);
  constexpr uint64_t kRecords = 2000;
  std::mutex mutex;
  std::set<uint64_t> seen;
  std::atomic<bool> duplicate{false};
  std::atomic<bool> wrong{false};
  std::vector<std::thread> readers;
  for (int r = 0; r < 3; ++r) {
    readers.emplace_back([&] {
      while (std::optional<BufferedRecord> record = buffer->next(soon() + 10s)) {
        if (record->payload != payloadFor(record->number, 200)) wrong = true;
        {
          std::lock_guard lock(mutex);
          if (!seen.insert(record->number).second) duplicate = true;
        }
        buffer->acknowledge(record->number);
      }
    });
  }
  std::thread writer([&] {
    std::string error;
    for (uint64_t n = 0; n < kRecords; ++n) {
      ASSERT_EQ(buffer->append(payloadFor(n, 200), 1, error), AppendResult::kOk) << error;
    }
  });
  writer.join();
  const auto deadline = std::chrono::steady_clock::now() + 30s;
  while (buffer->records() > 0 && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(5ms);
  }
  buffer->stop();
  for (std::thread& t : readers) t.join();
  EXPECT_EQ(seen.size(), kRecords);
  EXPECT_FALSE(duplicate);
  EXPECT_FALSE(wrong);
  EXPECT_EQ(buffer->records(), 0u);
}

TEST_F(DiskBufferTest, IntervalSyncTellsWhatIsDurable) {
  DiskBufferOptions o = options();
  o.fsync = DiskBufferOptions::Fsync::kInterval;
  o.fsync_interval = 1h;
  auto buffer = open(o);
  EXPECT_EQ(buffer->durableEnd(), 0u);
  appendRange(*buffer, 0, 3);
  std::string error;
  ASSERT_TRUE(buffer->syncIfDue(error)) << error;
  EXPECT_EQ(buffer->durableEnd(), 0u);  // not due for an hour
  ASSERT_TRUE(buffer->sync(error)) << error;
  EXPECT_EQ(buffer->durableEnd(), 3u);
  // Rolling to a new segment syncs the old one, and with it every record.
  appendRange(*buffer, 3, 30);
  EXPECT_GE(buffer->durableEnd(), 3u);
  EXPECT_LT(buffer->durableEnd(), 30u);

  o.fsync_interval = 1ms;
  TempDir dir;
  o.path = dir / "buffer";
  auto quick = open(o);
  appendRange(*quick, 0, 1);
  const auto deadline = std::chrono::steady_clock::now() + 5s;
  while (quick->durableEnd() < 1 && std::chrono::steady_clock::now() < deadline) {
    ASSERT_TRUE(quick->syncIfDue(error)) << error;
  }
  EXPECT_EQ(quick->durableEnd(), 1u);
}

TEST_F(DiskBufferTest, EveryAppendIsDurableAtOnceByDefault) {
  auto buffer = open(options());
  appendRange(*buffer, 0, 5);
  EXPECT_EQ(buffer->durableEnd(), 5u);
}

}  // namespace
}  // namespace sluice
