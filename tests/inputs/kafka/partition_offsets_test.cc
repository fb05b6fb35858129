#include "inputs/kafka/partition_offsets.h"

#include <gtest/gtest.h>

#include <atomic>
#include <string>
#include <thread>
#include <vector>

namespace sluice {
namespace {

struct StoredOffset {
  std::string topic;
  int32_t partition;
  int64_t next_offset;
  bool operator==(const StoredOffset&) const = default;
};

std::ostream& operator<<(std::ostream& os, const StoredOffset& s) {
  return os << s.topic << "[" << s.partition << "]@" << s.next_offset;
}

class PartitionOffsetsTest : public testing::Test {
 protected:
  // Reach of a batch that read `offsets` (slot, offset) in that order.
  std::vector<PartitionOffsets::Reach> batch(
      std::initializer_list<std::pair<PartitionOffsets::Slot, int64_t>> offsets) {
    std::vector<PartitionOffsets::Reach> reach;
    for (auto [slot, offset] : offsets) PartitionOffsets::extend(reach, slot, offset);
    return reach;
  }
  std::vector<StoredOffset> acknowledge(uint64_t sequence) {
    std::vector<StoredOffset> out;
    offsets_.acknowledged(sequence, [&](std::span<const PartitionOffsets::Stored> stored) {
      for (const auto& s : stored) {
        out.push_back({s.partition->topic, s.partition->partition, s.next_offset});
      }
    });
    return out;
  }

  PartitionOffsets offsets_;
};

TEST_F(PartitionOffsetsTest, SlotsAreStablePerPartition) {
  auto a0 = offsets_.slot("a", 0);
  auto a1 = offsets_.slot("a", 1);
  auto b0 = offsets_.slot("b", 0);
  EXPECT_NE(a0, a1);
  EXPECT_NE(a0, b0);
  EXPECT_EQ(offsets_.slot("a", 1), a1);
  EXPECT_EQ(offsets_.partition(b0).topic, "b");
  EXPECT_EQ(offsets_.partition(a1).partition, 1);
}

TEST_F(PartitionOffsetsTest, ReachIsTheLastOffsetPlusOnePerPartition) {
  auto a = offsets_.slot("t", 0);
  auto b = offsets_.slot("t", 1);
  auto reach = batch({{a, 10}, {a, 11}, {b, 3}, {a, 12}, {b, 4}});
  ASSERT_EQ(reach.size(), 2u);
  EXPECT_EQ(reach[0].slot, a);
  EXPECT_EQ(reach[0].next_offset, 13);
  EXPECT_EQ(reach[1].slot, b);
  EXPECT_EQ(reach[1].next_offset, 5);
}

TEST_F(PartitionOffsetsTest, BatchesCompletingInOrderStoreTheirReach) {
  auto p0 = offsets_.slot("t", 0);
  auto p1 = offsets_.slot("t", 1);
  offsets_.batchSent(0, batch({{p0, 0}, {p0, 1}, {p1, 0}}));
  offsets_.batchSent(1, batch({{p1, 1}, {p1, 2}}));
  offsets_.batchSent(2, batch({{p0, 2}}));
  EXPECT_EQ(offsets_.stored(p0), -1);
  EXPECT_EQ(acknowledge(0), (std::vector<StoredOffset>{{"t", 0, 2}, {"t", 1, 1}}));
  EXPECT_EQ(acknowledge(1), (std::vector<StoredOffset>{{"t", 1, 3}}));
  EXPECT_EQ(acknowledge(2), (std::vector<StoredOffset>{{"t", 0, 3}}));
  EXPECT_EQ(offsets_.stored(p0), 3);
  EXPECT_EQ(offsets_.stored(p1), 3);
  EXPECT_EQ(offsets_.pendingBatches(), 0u);
}

TEST_F(PartitionOffsetsTest, NothingIsStoredTwiceOrBackwards) {
  auto p0 = offsets_.slot("t", 0);
  offsets_.batchSent(0, batch({{p0, 5}}));
  offsets_.batchSent(1, batch({{p0, 5}}));  // a message seen again cannot move the offset back
  EXPECT_EQ(acknowledge(0), (std::vector<StoredOffset>{{"t", 0, 6}}));
  EXPECT_TRUE(acknowledge(1).empty());
}

TEST_F(PartitionOffsetsTest, RevokeForgetsBatchesNotYetAcknowledged) {
  auto p0 = offsets_.slot("t", 0);
  offsets_.batchSent(0, batch({{p0, 0}}));
  offsets_.batchSent(1, batch({{p0, 1}}));
  EXPECT_FALSE(acknowledge(0).empty());
  // Batch 1 is still in the outputs when the partition goes to another
  // consumer: storing its offset later would commit for the new owner.
  offsets_.forgetPending();
  EXPECT_EQ(offsets_.stored(p0), -1);
  // Assigned again, reading resumes at the committed offset 1.
  offsets_.batchSent(2, batch({{p0, 1}, {p0, 2}}));
  EXPECT_TRUE(acknowledge(1).empty()) << "the forgotten batch stores nothing when it completes";
  EXPECT_EQ(acknowledge(2), (std::vector<StoredOffset>{{"t", 0, 3}}));
}

TEST_F(PartitionOffsetsTest, ConcurrentAcknowledgementsWhileBatchesAreSent) {
  // AckTracker calls acknowledged() in order from output threads while the
  // input thread records new batches.
  auto p0 = offsets_.slot("t", 0);
  constexpr uint64_t kBatches = 20000;
  std::atomic<uint64_t> sent{0};
  std::thread outputs([&] {
    int64_t last = -1;
    for (uint64_t seq = 0; seq < kBatches; ++seq) {
      while (sent.load() <= seq) std::this_thread::yield();
      for (const StoredOffset& s : acknowledge(seq)) {
        EXPECT_GT(s.next_offset, last);
        last = s.next_offset;
      }
    }
    EXPECT_EQ(last, static_cast<int64_t>(kBatches));
  });
  for (uint64_t seq = 0; seq < kBatches; ++seq) {
    offsets_.batchSent(seq, batch({{p0, static_cast<int64_t>(seq)}}));
    sent.store(seq + 1);
  }
  outputs.join();
  EXPECT_EQ(offsets_.stored(p0), static_cast<int64_t>(kBatches));
}

}  // namespace
}  // namespace sluice
