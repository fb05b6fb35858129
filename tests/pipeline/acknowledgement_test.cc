#include "pipeline/acknowledgement.h"

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <memory>
#include <mutex>
#include <thread>
#include <vector>

#include "pipeline/batch.h"

namespace sluice {
namespace {

using namespace std::chrono_literals;

class AckTrackerTest : public testing::Test {
 protected:
  std::vector<uint64_t> completed() {
    std::lock_guard lock(mutex_);
    return completed_;
  }

  std::mutex mutex_;
  std::vector<uint64_t> completed_;
  AckTracker tracker_{[this](uint64_t s) {
    std::lock_guard lock(mutex_);
    completed_.push_back(s);
  }};
};

TEST_F(AckTrackerTest, OpenHandsOutConsecutiveSequences) {
  EXPECT_EQ(tracker_.outstanding(), 0u);
  EXPECT_EQ(tracker_.open(), 0u);
  EXPECT_EQ(tracker_.open(), 1u);
  EXPECT_EQ(tracker_.open(), 2u);
  EXPECT_EQ(tracker_.outstanding(), 3u);
}

struct AckOrderCase {
  int opened;
  std::vector<uint64_t> acks;
  // The callbacks seen after each acknowledgement, cumulatively.
  std::vector<std::vector<uint64_t>> completed_after;
};

class AckOrderTest : public AckTrackerTest, public testing::WithParamInterface<AckOrderCase> {};

TEST_P(AckOrderTest, CompletesOnlyContiguousPrefixesInOrder) {
  const AckOrderCase& c = GetParam();
  for (int i = 0; i < c.opened; ++i) tracker_.open();
  ASSERT_EQ(c.acks.size(), c.completed_after.size());
  for (size_t i = 0; i < c.acks.size(); ++i) {
    tracker_.acknowledge(c.acks[i]);
    EXPECT_EQ(completed(), c.completed_after[i]) << "after acknowledging " << c.acks[i];
  }
}

INSTANTIATE_TEST_SUITE_P(
    Orders, AckOrderTest,
    testing::Values(AckOrderCase{3, {0, 1, 2}, {{0}, {0, 1}, {0, 1, 2}}},
                    AckOrderCase{3, {2, 1, 0}, {{}, {}, {0, 1, 2}}},
                    AckOrderCase{4, {1, 3, 0, 2}, {{}, {}, {0, 1}, {0, 1, 2, 3}}},
                    AckOrderCase{5, {4, 2, 0, 3, 1}, {{}, {}, {0}, {0}, {0, 1, 2, 3, 4}}},
                    // Duplicates and unknown sequences are ignored.
                    AckOrderCase{2, {0, 0, 7, 1, 1}, {{0}, {0}, {0}, {0, 1}, {0, 1}}}));

TEST_F(AckTrackerTest, OutstandingCountsUntilThePrefixCompletes) {
  for (int i = 0; i < 3; ++i) tracker_.open();
  tracker_.acknowledge(1);
  EXPECT_EQ(tracker_.outstanding(), 3u);
  tracker_.acknowledge(0);
  EXPECT_EQ(tracker_.outstanding(), 1u);
  tracker_.acknowledge(2);
  EXPECT_EQ(tracker_.outstanding(), 0u);
  // Sequences keep counting after the tracker drained.
  EXPECT_EQ(tracker_.open(), 3u);
  tracker_.acknowledge(3);
  EXPECT_EQ(completed(), (std::vector<uint64_t>{0, 1, 2, 3}));
}

TEST_F(AckTrackerTest, WaitForAllReturnsAtOnceWhenNothingIsOpen) {
  EXPECT_TRUE(tracker_.waitForAll(std::chrono::steady_clock::now()));
}

TEST_F(AckTrackerTest, WaitForAllTimesOutWhileAGapRemains) {
  tracker_.open();
  tracker_.open();
  tracker_.acknowledge(1);
  EXPECT_FALSE(tracker_.waitForAll(std::chrono::steady_clock::now() + 20ms));
}

TEST_F(AckTrackerTest, WaitForAllWakesWhenTheLastBatchIsAcknowledged) {
  for (int i = 0; i < 3; ++i) tracker_.open();
  std::thread acker([this] {
    tracker_.acknowledge(2);
    tracker_.acknowledge(1);
    tracker_.acknowledge(0);
  });
  EXPECT_TRUE(tracker_.waitForAll(std::chrono::steady_clock::now() + 10s));
  acker.join();
  EXPECT_EQ(completed(), (std::vector<uint64_t>{0, 1, 2}));
}

TEST(AckTracker, WorksWithoutACallback) {
  AckTracker tracker;
  tracker.open();
  tracker.acknowledge(0);
  EXPECT_EQ(tracker.outstanding(), 0u);
}

TEST(AckTracker, ConcurrentAcknowledgementsReportEachSequenceOnceInOrder) {
  std::mutex mutex;
  std::vector<uint64_t> seen;
  AckTracker tracker([&](uint64_t s) {
    std::lock_guard lock(mutex);
    seen.push_back(s);
  });
  constexpr uint64_t kBatches = 2000;
  for (uint64_t i = 0; i < kBatches; ++i) tracker.open();
  std::vector<std::thread> threads;
  for (uint64_t t = 0; t < 4; ++t) {
    threads.emplace_back([&tracker, t] {
      for (uint64_t s = t; s < kBatches; s += 4) tracker.acknowledge(s);
    });
  }
  for (auto& th : threads) th.join();
  ASSERT_TRUE(tracker.waitForAll(std::chrono::steady_clock::now() + 10s));
  ASSERT_EQ(seen.size(), kBatches);
  // Callbacks run outside the lock, so two threads may interleave their runs;
  // each sequence must still be reported exactly once.
  std::vector<bool> once(kBatches, false);
  for (uint64_t s : seen) {
    ASSERT_LT(s, kBatches);
    EXPECT_FALSE(once[s]) << s;
    once[s] = true;
  }
}

// The header promises callbacks "in sequence order": a checkpoint written
// from the callback must never move backwards. Here sequence 0's callback is
// still running (slow checkpoint write) when another output acknowledges 1.
TEST(AckTracker, CallbackForALaterSequenceDoesNotOvertakeARunningOne) {
  std::mutex mutex;
  std::condition_variable changed;
  bool in_first = false;
  std::vector<uint64_t> finished;  // order in which callbacks returned
  AckTracker tracker([&](uint64_t s) {
    std::unique_lock lock(mutex);
    if (s == 0) {
      in_first = true;
      changed.notify_all();
      // Give a racing callback for 1 the chance to run and finish first.
      changed.wait_for(lock, 300ms, [&] { return !finished.empty(); });
    }
    finished.push_back(s);
    changed.notify_all();
  });
  tracker.open();
  tracker.open();
  std::thread first([&] { tracker.acknowledge(0); });
  {
    std::unique_lock lock(mutex);
    EXPECT_TRUE(changed.wait_for(lock, 10s, [&] { return in_first; }));
  }
  tracker.acknowledge(1);
  first.join();
  EXPECT_EQ(finished, (std::vector<uint64_t>{0, 1}));
}

TEST(BatchCompletion, AcknowledgedOnlyAfterTheLastConsumer) {
  std::vector<uint64_t> completed;
  auto tracker = std::make_shared<AckTracker>([&](uint64_t s) { completed.push_back(s); });
  auto batch = std::make_shared<Batch>(0);
  batch->setAcknowledgement(tracker, tracker->open());
  batch->setConsumers(3);
  batch->complete();
  EXPECT_TRUE(completed.empty());
  batch->complete();
  EXPECT_TRUE(completed.empty());
  EXPECT_EQ(tracker->outstanding(), 1u);
  batch->complete();
  EXPECT_EQ(completed, std::vector<uint64_t>{0});
  EXPECT_EQ(tracker->outstanding(), 0u);
  EXPECT_EQ(batch->sequence(), 0u);
}

TEST(BatchCompletion, BatchesCompletedOutOfOrderCheckpointInOrder) {
  std::vector<uint64_t> completed;
  auto tracker = std::make_shared<AckTracker>([&](uint64_t s) { completed.push_back(s); });
  std::vector<std::shared_ptr<Batch>> batches;
  for (int i = 0; i < 3; ++i) {
    auto b = std::make_shared<Batch>(0);
    b->setAcknowledgement(tracker, tracker->open());
    b->setConsumers(2);  // e.g. elasticsearch + stdout
    batches.push_back(b);
  }
  batches[2]->complete();
  batches[2]->complete();
  batches[1]->complete();
  EXPECT_TRUE(completed.empty());
  batches[0]->complete();
  batches[0]->complete();
  EXPECT_EQ(completed, std::vector<uint64_t>{0});
  batches[1]->complete();
  EXPECT_EQ(completed, (std::vector<uint64_t>{0, 1, 2}));
}

TEST(BatchCompletion, ConcurrentConsumersAcknowledgeOnce) {
  std::atomic<int> calls{0};
  auto tracker = std::make_shared<AckTracker>([&](uint64_t) { calls.fetch_add(1); });
  for (int round = 0; round < 200; ++round) {
    Batch batch(0);
    batch.setAcknowledgement(tracker, tracker->open());
    batch.setConsumers(4);
    std::vector<std::thread> threads;
    for (int t = 0; t < 4; ++t) threads.emplace_back([&batch] { batch.complete(); });
    for (auto& th : threads) th.join();
  }
  EXPECT_EQ(calls.load(), 200);
  EXPECT_EQ(tracker->outstanding(), 0u);
}

TEST(BatchCompletion, CompleteWithoutATrackerIsHarmless) {
  Batch batch(0);
  batch.setConsumers(1);
  batch.complete();
  SUCCEED();
}

TEST(Batch, RoutesAndClear) {
  Batch batch(2);
  batch.documents = R"({"a":1}{"b":2})";
  batch.events.push_back({0, 7, 0, {}});
  batch.events.push_back({7, 7, 0, {}});
  batch.route_text = "apigw";
  batch.routes = {{0, 3}, {}, {3, 2}, {3, 0}};
  EXPECT_EQ(batch.size(), 2u);
  EXPECT_EQ(batch.bytes(), 14u);
  EXPECT_EQ(batch.routeFieldCount(), 2u);
  EXPECT_EQ(batch.document(batch.events[1]), R"({"b":2})");
  EXPECT_EQ(batch.route(0, 0), "api");
  EXPECT_EQ(batch.route(0, 1), std::nullopt);
  EXPECT_EQ(batch.route(1, 0), "gw");
  EXPECT_EQ(batch.route(1, 1), "");
  batch.clear();
  EXPECT_TRUE(batch.empty());
  EXPECT_EQ(batch.bytes(), 0u);
  EXPECT_TRUE(batch.routes.empty());
  EXPECT_TRUE(batch.route_text.empty());
}

}  // namespace
}  // namespace sluice
