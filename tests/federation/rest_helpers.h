// Small REST helpers for the multi-node tests: record bodies and checked writes.
#pragma once

#include <chrono>
#include <iostream>
#include <nlohmann/json.hpp>
#include <string>

#include "tests/http/http_client.h"

namespace passerelle::testing {

// An institution record as the REST API takes it.
inline nlohmann::json Institution(const std::string& id, const std::string& name) {
  return {{"id", id}, {"name", name}, {"type", "college"}, {"country", "CA"}};
}

// POST /api/v1/<plural>; returns the HTTP status (the body on failure goes to INFO).
inline unsigned Post(HttpClient& http, const std::string& plural, const nlohmann::json& body,
                     std::string* error = nullptr) {
  auto res = http.Post("/api/v1/" + plural, body);
  if (error && res.result_int() >= 300) *error = res.body();
  return res.result_int();
}

inline unsigned Patch(HttpClient& http, const std::string& plural, const std::string& id,
                      const nlohmann::json& patch, std::string* error = nullptr) {
  auto res = http.Patch("/api/v1/" + plural + "/" + id, patch);
  if (error && res.result_int() >= 300) *error = res.body();
  return res.result_int();
}

// Milliseconds since `start`, for the timings the tests print.
inline long long MsSince(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() -
                                                               start)
      .count();
}

// Timings go to stdout: `test_federation` run by hand shows them; ctest keeps them quiet.
inline void Report(const std::string& line) { std::cout << "[federation] " << line << std::endl; }

}  // namespace passerelle::testing
