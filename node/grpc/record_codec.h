// Record messages <-> record JSON (by reflection). Proto field names are the JSON keys (see
// proto/passerelle/v1/common.proto), so the protobuf JSON mapping with preserved field
// names converts losslessly; int32/double print as plain JSON numbers.
#pragma once

#include <nlohmann/json.hpp>

#include "storage/status.h"

namespace google::protobuf {
class Message;
}

namespace passerelle::grpcapi {

// The message as a JSON object (only the fields that are set).
Result<nlohmann::json> MessageToRecord(const google::protobuf::Message& message);

// Fills `message` from a JSON object. INTERNAL when the JSON does not fit the schema
// (a field the proto lacks, an integer beyond int32): the service returned something
// this API cannot express.
Status RecordToMessage(const nlohmann::json& record, google::protobuf::Message* message);

}  // namespace passerelle::grpcapi
