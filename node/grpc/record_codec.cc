#include "node/grpc/record_codec.h"

#include <google/protobuf/message.h>
#include <google/protobuf/util/json_util.h>

#include "node/core/json_text.h"

namespace passerelle::grpcapi {

namespace pbutil = google::protobuf::util;

Result<nlohmann::json> MessageToRecord(const google::protobuf::Message& message) {
  pbutil::JsonPrintOptions options;
  options.preserve_proto_field_names = true;
  std::string text;
  auto st = pbutil::MessageToJsonString(message, &text, options);
  if (!st.ok()) return Status::Invalid("body", std::string(st.message()));
  return core::ParseJson(text, "body");
}

Status RecordToMessage(const nlohmann::json& record, google::protobuf::Message* message) {
  pbutil::JsonParseOptions options;  // unknown fields refused: the schemas must agree
  auto st = pbutil::JsonStringToMessage(core::DumpJson(record), message, options);
  if (!st.ok())
    return Status::Internal("record does not fit " + message->GetTypeName() + ": " +
                            std::string(st.message()));
  return Status::Ok();
}

}  // namespace passerelle::grpcapi
