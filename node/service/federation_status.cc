#include "node/service/federation_status.h"

#include "node/core/coding.h"
#include "node/service/record_service.h"

namespace passerelle::service {

nlohmann::json LoneNodeStatus(const RecordService& service) {
  std::map<std::string, uint64_t> vv;
  auto digest = service.Digest(&vv);  // of the state `vv` describes, as peers compare them
  return {{"member_id", service.member_id()},
          {"version_vector", vv},
          {"digest", digest.ok() ? core::ToHex(*digest) : ""},
          {"peers", nlohmann::json::array()},
          {"refused", nlohmann::json::object()},
          {"refused_total", 0},
          {"own_chain_confirmed", service.own_head_confirmed()}};
}

}  // namespace passerelle::service
