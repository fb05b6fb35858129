#include "outputs/buffer/disk_buffer.h"

#include <gtest/gtest.h>
#include <signal.h>
#include <sys/resource.h>

#include <chrono>
#include <filesystem>
#include <future>
#include <random>
#include <string>
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

TEST_F(DiskBufferTest, BlocksWhenFullUntilAnAcknowledgementFreesASegment) {
  DiskBufferOptions o = options();
  o.max_size = 16 << 10;
  o.segment_size = 4 << 10;
  auto buffer = open(o);
  uint64_t appended = 0;
  std::string error;
  // Fill it: the last append that fits is followed by one that would block,
  // so stop at the first that would not fit.
  while (buffer->bytes() + 1000 < o.max_size) {
    ASSERT_EQ(buffer->append(payloadFor(appended), 1, error), AppendResult::kOk) << error;
    ++appended;
  }
  auto blocked = std::async(std::launch::async, [&] {
    std::string e;
    AppendResult result = AppendResult::kError;
    for (int i = 0;
         i < 10 && (result = buffer->append(payloadFor(appended + i), 1, e)) == AppendResult::kOk;
         ++i) {
    }
    return result;
  });
  // The writer cannot finish while nothing is acknowledged.
  EXPECT_EQ(blocked.wait_for(200ms), std::future_status::timeout);
  while (blocked.wait_for(0ms) == std::future_status::timeout) {
    std::optional<BufferedRecord> record = buffer->next(std::chrono::steady_clock::now() + 50ms);
    if (record) buffer->acknowledge(record->number);
  }
  EXPECT_EQ(blocked.get(), AppendResult::kOk);
  EXPECT_LE(buffer->bytes(), o.max_size);
}

TEST_F(DiskBufferTest, StopReleasesABlockedAppend) {
  DiskBufferOptions o = options();
  o.max_size = 16 << 10;
  auto buffer = open(o);
  auto writer = std::async(std::launch::async, [&] {
    std::string e;
    for (uint64_t n = 0;; ++n) {
      AppendResult result = buffer->append(payloadFor(n), 1, e);
      if (result != AppendResult::kOk) return result;
    }
  });
  EXPECT_EQ(writer.wait_for(200ms), std::future_status::timeout);
  buffer->stop();
  EXPECT_EQ(writer.get(), AppendResult::kStopped);
  EXPECT_LE(buffer->bytes(), o.max_size);
}

TEST_F(DiskBufferTest, DropsTheNewestWhenFullAndToldTo) {
  DiskBufferOptions o = options();
  o.max_size = 16 << 10;
  o.when_full = DiskBufferOptions::WhenFull::kDropNewest;
  auto buffer = open(o);
  std::string error;
  uint64_t appended = 0;
  AppendResult result;
  while ((result = buffer->append(payloadFor(appended), 1, error)) == AppendResult::kOk) {
    ++appended;
  }
  EXPECT_EQ(result, AppendResult::kDropped);
  const uint64_t bytes = buffer->bytes();
  EXPECT_EQ(buffer->append(payloadFor(999), 1, error), AppendResult::kDropped);
  EXPECT_EQ(buffer->bytes(), bytes);
  EXPECT_EQ(buffer->records(), appended);
  EXPECT_EQ(buffer->stats().dropped_records, 2u);
}

TEST_F(DiskBufferTest, AcceptsARecordOverTheLimitWhenEmpty) {
  DiskBufferOptions o = options();
  o.max_size = 16 << 10;
  o.when_full = DiskBufferOptions::WhenFull::kDropNewest;
  auto buffer = open(o);
  std::string error;
  std::mt19937_64 random(1);
  std::string big(64 << 10, '\0');
  for (char& c : big) c = static_cast<char>(random());
  ASSERT_EQ(buffer->append(big, 1, error), AppendResult::kOk) << error;
  EXPECT_EQ(buffer->append(big, 1, error), AppendResult::kDropped);
  std::optional<BufferedRecord> record = buffer->next(soon());
  ASSERT_TRUE(record);
  EXPECT_EQ(record->payload, big);
}

// A write the file system refuses (here: the file size limit, standing in
// for a full disk) is undone: kError, nothing handed out, and the next
// append after the condition passes lands in a consistent segment.
TEST_F(DiskBufferTest, AFailedWriteIsUndone) {
  DiskBufferOptions o = options();
  o.segment_size = 256 << 10;
  o.memory_cache_bytes = 0;
  auto buffer = open(o);
  appendRange(*buffer, 0, 3);
  const std::string segment = o.path + "/" + filesIn(o.path, ".seg").back();
  const uint64_t size = std::filesystem::file_size(segment);

  struct sigaction ignore {};
  struct sigaction previous {};
  ignore.sa_handler = SIG_IGN;
  ASSERT_EQ(::sigaction(SIGXFSZ, &ignore, &previous), 0);
  rlimit saved{};
  ASSERT_EQ(::getrlimit(RLIMIT_FSIZE, &saved), 0);
  rlimit limited = saved;
  limited.rlim_cur = size + 100;  // room for part of the next record only
  ASSERT_EQ(::setrlimit(RLIMIT_FSIZE, &limited), 0);
  std::string error;
  const AppendResult result = buffer->append(payloadFor(3), 4, error);
  ASSERT_EQ(::setrlimit(RLIMIT_FSIZE, &saved), 0);
  ASSERT_EQ(::sigaction(SIGXFSZ, &previous, nullptr), 0);

  EXPECT_EQ(result, AppendResult::kError);
  EXPECT_NE(error.find("cannot write"), std::string::npos) << error;
  EXPECT_EQ(std::filesystem::file_size(segment), size);
  EXPECT_EQ(buffer->records(), 3u);
  appendRange(*buffer, 3, 5);
  for (uint64_t n : take(*buffer, 0, 5)) buffer->acknowledge(n);
  buffer->close();
  // Nothing for recovery to repair either.
  auto reopened = open(o);
  EXPECT_EQ(reopened->recoveryReport().torn_tails, 0u);
  EXPECT_EQ(reopened->recoveryReport().quarantined_segments, 0u);
}

}  // namespace
}  // namespace sluice
