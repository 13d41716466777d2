#include "node/service/federation_status.h"

#include "node/core/coding.h"
#include "node/service/record_service.h"

namespace passerelle::service {

nlohmann::json LoneNodeStatus(const RecordService& service) {
  auto digest = service.Digest();
  return {{"member_id", service.member_id()},
          {"version_vector", service.VersionVector()},
          {"digest", digest.ok() ? core::ToHex(*digest) : ""},
          {"peers", nlohmann::json::array()},
          {"refused", nlohmann::json::object()},
          {"refused_total", 0},
          {"own_chain_confirmed", service.own_head_confirmed()}};
}

}  // namespace passerelle::service
