// The federation status a node shows through every adapter (REST
// /api/v1/federation/status, gRPC NodeService.GetFederationStatus, `passerelle
// status`): {member_id, version_vector, digest (hex), peers: [{member_id, address,
// connected, last_contact_ms_ago, behind, ops_received, last_error}], refused:
// {reason: ops}, refused_total}. The node sets the provider; replication fills it.
#pragma once

#include <functional>
#include <nlohmann/json.hpp>

namespace passerelle::service {

class RecordService;

using FederationStatusFn = std::function<nlohmann::json()>;

// The status of a node without peers (or before replication starts).
nlohmann::json LoneNodeStatus(const RecordService& service);

}  // namespace passerelle::service
