#include "node/core/hlc.h"

#include <ctime>

namespace passerelle::core {

Hlc HlcClock::Now(uint64_t physical_ms) {
  Hlc candidate = MakeHlc(physical_ms, 0);
  // Past or equal wall time: tick the logical part (carrying into the ms part when
  // the 16-bit counter is full, which keeps the order total).
  last_ = candidate > last_ ? candidate : last_ + 1;
  return last_;
}

void HlcClock::Observe(Hlc remote) {
  if (remote > last_) last_ = remote;
}

std::string HlcToIso(Hlc h) {
  uint64_t ms = HlcWallMs(h);
  std::time_t secs = static_cast<std::time_t>(ms / 1000);
  std::tm tm{};
  gmtime_r(&secs, &tm);
  char buf[40];
  std::snprintf(buf, sizeof buf, "%04d-%02d-%02dT%02d:%02d:%02d.%03uZ", tm.tm_year + 1900,
                tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec,
                static_cast<unsigned>(ms % 1000));
  return buf;
}

}  // namespace passerelle::core
