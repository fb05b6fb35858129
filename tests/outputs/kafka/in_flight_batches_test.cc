#include "outputs/kafka/in_flight_batches.h"

#include <gtest/gtest.h>

#include "batch_with_routes.h"

namespace sluice {
namespace {

using State = InFlightBatches::State;

OutputQueue::Taken taken(size_t events) {
  return {batchWithRoutes(std::vector<std::vector<std::optional<std::string>>>(events)), 0};
}

TEST(InFlightBatchesTest, ABatchSettlesWithItsLastMessage) {
  InFlightBatches in_flight;
  InFlightBatches::Entry& entry = in_flight.add(taken(3));
  EXPECT_EQ(in_flight.unsettledMessages(), 3u);
  in_flight.settle(entry.messages[2]);
  in_flight.settle(entry.messages[0]);
  EXPECT_TRUE(in_flight.settled().empty());
  in_flight.settle(entry.messages[0]);  // a second report changes nothing
  EXPECT_TRUE(in_flight.settled().empty());
  in_flight.settle(entry.messages[1]);
  ASSERT_EQ(in_flight.settled().size(), 1u);
  EXPECT_EQ(in_flight.settled().front(), &entry);
  EXPECT_EQ(in_flight.unsettledMessages(), 0u);
  in_flight.remove(entry);
  in_flight.settled().clear();
  EXPECT_TRUE(in_flight.empty());
}

TEST(InFlightBatchesTest, BatchesSettleInAnyOrder) {
  InFlightBatches in_flight;
  InFlightBatches::Entry& first = in_flight.add(taken(1));
  InFlightBatches::Entry& second = in_flight.add(taken(1));
  in_flight.settle(second.messages[0]);
  in_flight.settle(first.messages[0]);
  ASSERT_EQ(in_flight.settled().size(), 2u);
  EXPECT_EQ(in_flight.settled()[0], &second);
  EXPECT_EQ(in_flight.settled()[1], &first);
}

TEST(InFlightBatchesTest, AnEmptyBatchIsSettledAtOnce) {
  InFlightBatches in_flight;
  InFlightBatches::Entry& entry = in_flight.add(taken(0));
  ASSERT_EQ(in_flight.settled().size(), 1u);
  EXPECT_EQ(in_flight.settled().front(), &entry);
}

TEST(InFlightBatchesTest, UnsettledMessagesComeInTakeAndEventOrder) {
  InFlightBatches in_flight;
  InFlightBatches::Entry& a = in_flight.add(taken(3));
  InFlightBatches::Entry& b = in_flight.add(taken(2));
  for (auto* e : {&a, &b}) {
    for (auto& m : e->messages) m.state = State::kInKafka;
  }
  in_flight.settle(a.messages[1]);
  in_flight.settle(b.messages[0]);
  std::vector<InFlightBatches::Message*> unsettled = in_flight.unsettled();
  ASSERT_EQ(unsettled.size(), 3u);
  EXPECT_EQ(unsettled[0], &a.messages[0]);
  EXPECT_EQ(unsettled[1], &a.messages[2]);
  EXPECT_EQ(unsettled[2], &b.messages[1]);
  EXPECT_EQ(unsettled[2]->entry, &b);
  EXPECT_EQ(unsettled[2]->event, 1u);
}

TEST(InFlightBatchesTest, RemovingAnUnsettledBatchForgetsItsMessages) {
  InFlightBatches in_flight;
  InFlightBatches::Entry& a = in_flight.add(taken(2));
  in_flight.add(taken(4));
  in_flight.remove(a);
  EXPECT_EQ(in_flight.unsettledMessages(), 4u);
  EXPECT_EQ(in_flight.batches(), 1u);
  in_flight.clear();
  EXPECT_TRUE(in_flight.empty());
  EXPECT_EQ(in_flight.unsettledMessages(), 0u);
}

}  // namespace
}  // namespace sluice
