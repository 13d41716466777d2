// Helpers shared by the tests: REQUIRE_OK on a Status/Result, and a fresh temporary
// directory removed at scope exit.
#pragma once

#include <catch2/catch.hpp>
#include <filesystem>
#include <random>
#include <string>

#include "storage/status.h"

#define REQUIRE_OK(expr)                                   \
  do {                                                     \
    auto&& _r = (expr);                                    \
    INFO(::passerelle::testing::StatusText(_r));           \
    REQUIRE(::passerelle::testing::IsOk(_r));              \
  } while (0)

namespace passerelle::testing {

inline bool IsOk(const Status& s) { return s.ok(); }
template <typename T> bool IsOk(const Result<T>& r) { return r.ok(); }
inline std::string StatusText(const Status& s) { return s.ToString(); }
template <typename T> std::string StatusText(const Result<T>& r) { return r.status().ToString(); }

class TempDir {
 public:
  TempDir() {
    std::random_device rd;
    path_ = std::filesystem::temp_directory_path() /
            ("passerelle-test-" + std::to_string(rd()) + std::to_string(rd()));
    std::filesystem::create_directories(path_);
  }
  ~TempDir() {
    std::error_code ec;
    std::filesystem::remove_all(path_, ec);
  }
  const std::filesystem::path& path() const { return path_; }
  std::string str() const { return path_.string(); }

 private:
  std::filesystem::path path_;
};

// Directory of the shared seed data (../shared/seed-data beside the repo), or the
// PASSERELLE_SEED_DIR environment variable.
inline std::string SeedDir() {
  if (const char* env = std::getenv("PASSERELLE_SEED_DIR")) return env;
  return PASSERELLE_SOURCE_DIR "/../shared/seed-data";
}

}  // namespace passerelle::testing
