#include "pipeline/memory_budget.h"

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <thread>

#include "pipeline/batch.h"
#include "pipeline/fanout.h"

namespace sluice {
namespace {

using namespace std::chrono_literals;

TEST(MemoryBudget, WaitsUntilReleased) {
  MemoryBudget budget(100);
  ASSERT_TRUE(budget.acquire(60));
  std::atomic<bool> got{false};
  std::thread waiter([&] { got = budget.acquire(60); });
  std::this_thread::sleep_for(50ms);
  EXPECT_FALSE(got.load()) << "60 + 60 exceeds 100: the second acquire must wait";
  budget.release(60);
  waiter.join();
  EXPECT_TRUE(got.load());
  EXPECT_EQ(budget.inUse(), 60u);
}

TEST(MemoryBudget, WaitIsReportedWhileItLasts) {
  MemoryBudget budget(100);
  ASSERT_TRUE(budget.acquire(100));
  Counter waited;
  std::atomic<int> ticks{0};
  WaitReport report{waited, [&] { ++ticks; }};
  std::thread waiter([&] { EXPECT_TRUE(budget.acquire(50, report)); });
  std::this_thread::sleep_for(450ms);
  // Still waiting, yet the time and the ticks are already visible.
  EXPECT_GE(waited.value(), 250'000u);
  EXPECT_GE(ticks.load(), 3);
  budget.release(100);
  waiter.join();
  EXPECT_GE(waited.value(), 400'000u);
}

TEST(MemoryBudget, OversizedRequestGoesAloneWhenIdle) {
  MemoryBudget budget(100);
  ASSERT_TRUE(budget.acquire(500));
  EXPECT_EQ(budget.inUse(), 500u);
  budget.release(500);
  EXPECT_EQ(budget.inUse(), 0u);
}

TEST(MemoryBudget, CloseReleasesWaiters) {
  MemoryBudget budget(10);
  ASSERT_TRUE(budget.acquire(10));
  std::atomic<int> result{-1};
  std::thread waiter([&] { result = budget.acquire(5) ? 1 : 0; });
  std::this_thread::sleep_for(20ms);
  budget.close();
  waiter.join();
  EXPECT_EQ(result.load(), 0);
}

TEST(MemoryBudget, BatchReturnsBytesOnceEveryOutputCompleted) {
  auto budget = std::make_shared<MemoryBudget>(1000);
  auto batch = std::make_shared<Batch>(0);
  batch->documents = std::string(300, 'x');
  const uint64_t bytes = batch->memoryBytes();
  EXPECT_GE(bytes, 300u);
  ASSERT_TRUE(budget->acquire(bytes));
  batch->holdBudget(budget, bytes);
  batch->setConsumers(2);
  batch->complete();
  EXPECT_EQ(budget->inUse(), bytes) << "one of two outputs is still sending";
  batch->complete();
  EXPECT_EQ(budget->inUse(), 0u);
  batch.reset();
  EXPECT_EQ(budget->inUse(), 0u) << "released once, not again on destruction";
}

TEST(MemoryBudget, AbandonedBatchReturnsBytesWhenDestroyed) {
  auto budget = std::make_shared<MemoryBudget>(1000);
  {
    auto batch = std::make_shared<Batch>(0);
    batch->documents = std::string(200, 'x');
    ASSERT_TRUE(budget->acquire(200));
    batch->holdBudget(budget, 200);
    batch->setConsumers(1);
  }
  EXPECT_EQ(budget->inUse(), 0u);
}

// Holds what it is given, for the test to look at.
class HoldingOutput : public Output {
 public:
  const std::string& id() const override { return id_; }
  void start() override {}
  bool push(BatchPtr batch) override {
    held.push_back(std::move(batch));
    return true;
  }
  void stop(Deadline) override {}
  std::vector<BatchPtr> held;

 private:
  std::string id_ = "holding";
};

TEST(MemoryBudget, AHalfEmptyBatchIsChargedWithoutItsSpareRoom) {
  auto budget = std::make_shared<MemoryBudget>(64ULL << 20);
  HoldingOutput output;
  Fanout fanout({&output}, budget);
  auto batch = std::make_shared<Batch>(0);
  batch->documents.reserve(2 << 20);  // as a builder reserves a whole batch
  batch->documents = "{\"a\":1}";
  Counter waited;
  WaitReport report{waited, {}};
  ASSERT_TRUE(fanout.send(batch, report));
  EXPECT_LT(budget->inUse(), 4096u) << "a trickle batch must not hold 2 MiB of the budget";
  EXPECT_EQ(output.held.front()->documents, "{\"a\":1}");
}

}  // namespace
}  // namespace sluice
