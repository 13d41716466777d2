// The federation's members file: who runs a node (a member), which institutions each
// member acts for, where its node listens and its public key. Loaded once at start;
// read-only afterwards, so safe to share between threads.
#pragma once

#include <map>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "storage/status.h"

namespace passerelle::service {

struct Member {
  std::string id;                     // "quebec-consortium"
  std::string name;
  std::vector<std::string> acts_for;  // institution ids
  std::string node_address;           // host:port of its gRPC peer endpoint
  std::string public_key;             // Ed25519, hex (64 chars); may be empty until keys exist
};

class Members {
 public:
  // Parses {"federation": "...", "members": [{id, name, acts_for, node_address, public_key}]};
  // errors name the offending field ("members[1].acts_for[0]").
  static Result<Members> FromJson(const nlohmann::json& j);
  static Result<Members> Load(const std::string& path);

  const Member* Find(const std::string& member_id) const;
  // Members acting for an institution (usually one; none for institutions without a node).
  std::vector<std::string> ActingFor(const std::string& institution_id) const;
  const std::vector<Member>& all() const { return members_; }
  const std::string& federation() const { return federation_; }

 private:
  std::string federation_;
  std::vector<Member> members_;
  std::map<std::string, std::vector<std::string>> by_institution_;
};

}  // namespace passerelle::service
