// Hybrid logical clock. An Hlc packs wall-clock milliseconds (high 48 bits) and a
// logical counter (low 16 bits) into one integer, so timestamps compare with <.
// HlcClock is pure: the caller passes physical time in; nothing here reads a clock.
#pragma once

#include <cstdint>
#include <string>

namespace passerelle::core {

using Hlc = uint64_t;

inline uint64_t HlcWallMs(Hlc h) { return h >> 16; }
inline uint32_t HlcCounter(Hlc h) { return static_cast<uint32_t>(h & 0xffff); }
inline Hlc MakeHlc(uint64_t wall_ms, uint32_t counter) { return (wall_ms << 16) | (counter & 0xffff); }
// "2026-11-24T05:45:12.123Z" (the counter is not shown).
std::string HlcToIso(Hlc h);

class HlcClock {
 public:
  // A timestamp for a local event: greater than every timestamp issued or observed.
  Hlc Now(uint64_t physical_ms);
  // Takes a timestamp received from a peer into account (call after validating it).
  void Observe(Hlc remote);
  Hlc last() const { return last_; }

 private:
  Hlc last_ = 0;
};

}  // namespace passerelle::core
