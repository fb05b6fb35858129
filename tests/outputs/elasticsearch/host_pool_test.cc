#include "outputs/elasticsearch/host_pool.h"

#include <gtest/gtest.h>

#include <map>

namespace sluice {
namespace {

using namespace std::chrono_literals;
using Clock = HostPool::Clock;

TEST(HostPool, RotatesOverHealthyHosts) {
  HostPool pool({"http://a", "http://b", "http://c"}, "pool-rotate");
  std::map<std::string, int> seen;
  for (int i = 0; i < 30; ++i) ++seen[pool.pick()];
  EXPECT_EQ(seen["http://a"], 10);
  EXPECT_EQ(seen["http://b"], 10);
  EXPECT_EQ(seen["http://c"], 10);
}

TEST(HostPool, FailedHostIsSetAsideThenTriedAgain) {
  HostPool pool({"http://a", "http://b"}, "pool-aside");
  auto t0 = Clock::now();
  pool.failed("http://a", "connection refused", t0);
  EXPECT_EQ(pool.up(), 1u);
  for (int i = 0; i < 5; ++i) EXPECT_EQ(pool.pick(t0 + 100ms), "http://b");
  // The first pause is one second; afterwards a is tried again.
  std::map<std::string, int> seen;
  for (int i = 0; i < 4; ++i) ++seen[pool.pick(t0 + 1500ms)];
  EXPECT_EQ(seen["http://a"], 2);
  pool.succeeded("http://a");
  EXPECT_EQ(pool.up(), 2u);
}

TEST(HostPool, PauseDoublesWithFailuresInARowAndIsCapped) {
  HostPool pool({"http://a", "http://b"}, "pool-double");
  auto t = Clock::now();
  pool.failed("http://a", "x", t);  // 1 s
  pool.failed("http://a", "x", t);  // 2 s
  pool.failed("http://a", "x", t);  // 4 s
  EXPECT_EQ(pool.pick(t + 3s), "http://b");
  EXPECT_EQ(pool.pick(t + 3s), "http://b");
  bool a_again = false;
  for (int i = 0; i < 2; ++i) a_again |= pool.pick(t + 4s + 1ms) == "http://a";
  EXPECT_TRUE(a_again);
  for (int i = 0; i < 20; ++i) pool.failed("http://a", "x", t);
  EXPECT_EQ(pool.pick(t + 59s), "http://b");
  a_again = false;
  for (int i = 0; i < 2; ++i) a_again |= pool.pick(t + 60s + 1ms) == "http://a";
  EXPECT_TRUE(a_again) << "the pause is capped at 60 s";
}

TEST(HostPool, AllDownPicksTheOneBackSoonest) {
  HostPool pool({"http://a", "http://b"}, "pool-all-down");
  auto t = Clock::now();
  pool.failed("http://a", "x", t);
  pool.failed("http://a", "x", t);  // a: back at t+2s
  pool.failed("http://b", "x", t);  // b: back at t+1s
  EXPECT_EQ(pool.up(), 0u);
  EXPECT_EQ(pool.pick(t + 10ms), "http://b");
}

TEST(HostPool, SingleHostIsNeverSetAside) {
  HostPool pool({"http://only"}, "pool-single");
  pool.failed("http://only", "x");
  EXPECT_EQ(pool.pick(), "http://only");
  EXPECT_EQ(pool.up(), 0u);
  pool.succeeded("http://only");
  EXPECT_EQ(pool.up(), 1u);
}

}  // namespace
}  // namespace sluice
