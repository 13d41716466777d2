#include "node/core/hlc.h"
#include "tests/test_util.h"

using namespace passerelle::core;

TEST_CASE("HLC: timestamps strictly increase even when the wall clock goes back", "[core][hlc]") {
  HlcClock clock;
  Hlc a = clock.Now(1000);
  Hlc b = clock.Now(1000);
  Hlc c = clock.Now(900);  // clock stepped back
  Hlc d = clock.Now(2000);
  CHECK(a < b);
  CHECK(b < c);
  CHECK(c < d);
  CHECK(HlcWallMs(d) == 2000);
  CHECK(HlcCounter(d) == 0);
}

TEST_CASE("HLC: an observed remote timestamp moves the clock forward", "[core][hlc]") {
  HlcClock clock;
  clock.Observe(MakeHlc(5000, 7));
  Hlc next = clock.Now(1000);
  CHECK(next > MakeHlc(5000, 7));
  CHECK(HlcToIso(MakeHlc(0, 0)) == "1970-01-01T00:00:00.000Z");
}

TEST_CASE("HLC: the counter carries into the milliseconds instead of wrapping", "[core][hlc]") {
  HlcClock clock;
  Hlc prev = clock.Now(10);
  for (int i = 0; i < 70000; ++i) {
    Hlc h = clock.Now(10);
    REQUIRE(h > prev);
    prev = h;
  }
}
