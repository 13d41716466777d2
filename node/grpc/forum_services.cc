// gRPC services of forums and events (proto/passerelle/v1/forums.proto).
#include "node/grpc/record_adapter.h"
#include "passerelle/v1/forums.grpc.pb.h"

namespace passerelle::grpcapi {

void AddForumServices(service::RecordService* service, ServiceList* out) {
  AddRecordService<v1::ForumService, v1::Forum, v1::UpdateForumRequest, v1::ListForumsResponse>(
      service, "forum", out);
  AddRecordService<v1::EventService, v1::Event, v1::UpdateEventRequest, v1::ListEventsResponse>(
      service, "event", out);
}

}  // namespace passerelle::grpcapi
