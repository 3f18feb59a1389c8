#include "bridge/thread_name.h"

#include <pthread.h>

#include <string>
#include <thread>

#include "gtest/gtest.h"

namespace hookbridge {
namespace {

// The name the calling thread has now.
std::string ThisThreadName() {
  char name[kMaxThreadNameLength + 1] = {};
  pthread_getname_np(pthread_self(), name, sizeof name);
  return name;
}

TEST(NameThisThreadTest, NamesTheCallingThreadOnly) {
  const std::string before = ThisThreadName();
  std::string inside;
  std::thread([&] {
    NameThisThread("hb-test");
    inside = ThisThreadName();
  }).join();
  EXPECT_EQ(inside, "hb-test");
  EXPECT_EQ(ThisThreadName(), before);
}

TEST(NameThisThreadTest, KeepsTheFirstFifteenCharacters) {
  std::string inside;
  std::thread([&] {
    NameThisThread("hb-a-name-longer-than-linux-keeps");
    inside = ThisThreadName();
  }).join();
  EXPECT_EQ(inside, "hb-a-name-longe");
}

}  // namespace
}  // namespace hookbridge
