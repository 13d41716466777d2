// libFuzzer target over protobuf record decoding. An input is
//   <message name>\n<wire bytes>        e.g. "Agreement\n\x0a\x07agr-one…"
// where the name picks one of the passerelle.v1 record messages (an unknown name picks
// one by the input's first byte). Bytes that parse must print as JSON, and that JSON must
// parse back to the same message (unknown fields aside); bytes that look like JSON are
// also given to the JSON parser. Record messages are found in the generated descriptor
// pool: every passerelle.v1 message with an `id` and an `owners` field.
#include <google/protobuf/descriptor.h>
#include <google/protobuf/descriptor_database.h>
#include <google/protobuf/message.h>
#include <google/protobuf/stubs/logging.h>
#include <google/protobuf/util/field_comparator.h>
#include <google/protobuf/util/json_util.h>
#include <google/protobuf/util/message_differencer.h>

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "tests/fuzz/fuzz_check.h"

namespace {

namespace pb = google::protobuf;

constexpr std::string_view kPackage = "passerelle.v1";

std::vector<const pb::Message*> FindRecordPrototypes() {
  std::vector<std::string> files;
  pb::DescriptorPool::internal_generated_database()->FindAllFileNames(&files);
  std::vector<const pb::Message*> out;
  for (const auto& name : files) {
    const pb::FileDescriptor* file = pb::DescriptorPool::generated_pool()->FindFileByName(name);
    if (file == nullptr || file->package() != kPackage) continue;
    for (int i = 0; i < file->message_type_count(); ++i) {
      const pb::Descriptor* type = file->message_type(i);
      if (type->FindFieldByName("id") == nullptr || type->FindFieldByName("owners") == nullptr)
        continue;
      out.push_back(pb::MessageFactory::generated_factory()->GetPrototype(type));
    }
  }
  std::sort(out.begin(), out.end(), [](const pb::Message* a, const pb::Message* b) {
    return a->GetDescriptor()->full_name() < b->GetDescriptor()->full_name();
  });
  return out;
}

const std::vector<const pb::Message*>& RecordPrototypes() {
  static const std::vector<const pb::Message*> kPrototypes = FindRecordPrototypes();
  return kPrototypes;
}

// JSON printing may refuse a message (a value JSON cannot hold); what it prints must read
// back as the same message.
void CheckJsonRoundTrip(pb::Message* message) {
  message->DiscardUnknownFields();
  pb::util::JsonPrintOptions print;
  print.preserve_proto_field_names = true;
  std::string json;
  if (!pb::util::MessageToJsonString(*message, &json, print).ok()) return;

  std::unique_ptr<pb::Message> copy(message->New());
  auto parsed = pb::util::JsonStringToMessage(json, copy.get());
  FUZZ_CHECK(parsed.ok(), parsed.ToString() + " in " + json);
  pb::util::DefaultFieldComparator comparator;
  comparator.set_treat_nan_as_equal(true);
  pb::util::MessageDifferencer differencer;
  differencer.set_field_comparator(&comparator);
  std::string difference;
  differencer.ReportDifferencesToString(&difference);
  FUZZ_CHECK(differencer.Compare(*message, *copy), difference + " after " + json);

  std::string wire;
  FUZZ_CHECK(copy->SerializeToString(&wire), "cannot serialise");
  std::unique_ptr<pb::Message> again(message->New());
  FUZZ_CHECK(again->ParseFromString(wire), "cannot parse its own serialisation");
}

}  // namespace

extern "C" int LLVMFuzzerInitialize(int*, char***) {
  pb::SetLogHandler(nullptr);  // invalid UTF-8 in a string field is logged; keep stderr quiet
  FUZZ_CHECK(!RecordPrototypes().empty(),
             "no passerelle.v1 record messages linked in (whole-archive link missing?)");
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const auto& prototypes = RecordPrototypes();
  std::string_view in(reinterpret_cast<const char*>(data), size);
  size_t eol = in.find('\n');
  std::string_view name = eol == std::string_view::npos ? std::string_view() : in.substr(0, eol);
  std::string_view bytes = eol == std::string_view::npos ? in : in.substr(eol + 1);

  const pb::Message* prototype = prototypes[size == 0 ? 0 : data[0] % prototypes.size()];
  for (const auto* p : prototypes)
    if (p->GetDescriptor()->name() == name) prototype = p;

  std::unique_ptr<pb::Message> message(prototype->New());
  if (message->ParseFromArray(bytes.data(), static_cast<int>(bytes.size())))
    CheckJsonRoundTrip(message.get());

  size_t first = bytes.find_first_not_of(" \t\r\n");
  if (first != std::string_view::npos && bytes[first] == '{') {
    std::unique_ptr<pb::Message> from_json(prototype->New());
    if (pb::util::JsonStringToMessage(std::string(bytes), from_json.get()).ok())
      CheckJsonRoundTrip(from_json.get());
  }
  return 0;
}
