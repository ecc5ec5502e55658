// Profiling regions (core/profiling.hpp): without hooks a ScopedRegion
// calls nothing; with hooks, nested regions push and pop in LIFO order; a
// region pops through the hook it pushed with, even if the hooks change or
// are removed while it is open.
#include "resqunn/core/profiling.hpp"

#include <gtest/gtest.h>

#include <string>
#include <thread>
#include <vector>

namespace resqunn {
namespace {

// What the hooks saw: "push NAME" and "pop NAME" (the name of the region
// on top of the hook's own stack), or "B ..." for the second set.
std::vector<std::string> g_events;
std::vector<std::string> g_open;

void push_a(const char* name) {
  g_open.emplace_back(name);
  g_events.push_back("push " + std::string(name));
}

void pop_a() {
  g_events.push_back("pop " + (g_open.empty() ? std::string("<empty>") : g_open.back()));
  if (!g_open.empty()) g_open.pop_back();
}

void push_b(const char* name) { g_events.push_back("B push " + std::string(name)); }
void pop_b() { g_events.push_back("B pop"); }

class ProfilingRegions : public ::testing::Test {
protected:
  void SetUp() override {
    set_region_hooks({});
    g_events.clear();
    g_open.clear();
  }
  void TearDown() override { set_region_hooks({}); }
};

using Events = std::vector<std::string>;

TEST_F(ProfilingRegions, NoHooksNoCalls) {
  {
    ScopedRegion outer("outer");
    ScopedRegion inner("inner");
  }
  EXPECT_TRUE(g_events.empty());
  // Installing hooks afterwards does not pop regions that never pushed.
  {
    ScopedRegion r("before");
    set_region_hooks({push_a, pop_a});
  }
  EXPECT_TRUE(g_events.empty());
}

TEST_F(ProfilingRegions, NestedRegionsPushAndPopInLifoOrder) {
  set_region_hooks({push_a, pop_a});
  {
    ScopedRegion step("resqunn::train::step");
    {
      ScopedRegion fwd("forward");
      ScopedRegion layer("QCL1");
    }
    ScopedRegion bwd("backward");
  }
  const Events expected = {"push resqunn::train::step",
                           "push forward",
                           "push QCL1",
                           "pop QCL1",
                           "pop forward",
                           "push backward",
                           "pop backward",
                           "pop resqunn::train::step"};
  EXPECT_EQ(g_events, expected);
  EXPECT_TRUE(g_open.empty());
}

TEST_F(ProfilingRegions, RemovedHooksStillPopAnOpenRegion) {
  set_region_hooks({push_a, pop_a});
  {
    ScopedRegion r("open");
    set_region_hooks({});
    ScopedRegion later("after removal");  // pushes nothing, pops nothing
  }
  const Events expected = {"push open", "pop open"};
  EXPECT_EQ(g_events, expected);
  EXPECT_TRUE(g_open.empty());
}

TEST_F(ProfilingRegions, ReplacedHooksPopThroughThePushingHook) {
  set_region_hooks({push_a, pop_a});
  {
    ScopedRegion a("first");
    set_region_hooks({push_b, pop_b});
    ScopedRegion b("second");
  }
  // "second" pops through B, then "first" through A.
  const Events expected = {"push first", "B push second", "B pop", "pop first"};
  EXPECT_EQ(g_events, expected);
}

TEST_F(ProfilingRegions, HooksApplyToEveryThread) {
  set_region_hooks({push_a, pop_a});
  std::thread t([] { ScopedRegion r("worker"); });
  t.join();
  const Events expected = {"push worker", "pop worker"};
  EXPECT_EQ(g_events, expected);
}

}  // namespace
}  // namespace resqunn
