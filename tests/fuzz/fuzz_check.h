// FUZZ_CHECK: an invariant of a fuzz target. On failure it prints the condition and a
// detail, then aborts, so libFuzzer records the input as a crash. Fuzz targets only.
#pragma once

#include <cstdio>
#include <cstdlib>
#include <string>

#define FUZZ_CHECK(cond, detail)                                                                \
  do {                                                                                          \
    if (!(cond)) {                                                                              \
      std::fprintf(stderr, "FUZZ_CHECK failed at %s:%d: %s\n  %s\n", __FILE__, __LINE__, #cond, \
                   std::string(detail).c_str());                                                \
      std::abort();                                                                             \
    }                                                                                           \
  } while (0)
