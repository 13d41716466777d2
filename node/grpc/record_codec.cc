// Record messages <-> record JSON by protobuf reflection. Field names are the JSON
// keys, so this gives what the protobuf JSON mapping with preserved names would, without
// its detour through JSON text (which cost more than the store write itself).
#include "node/grpc/record_codec.h"

#include <cmath>
#include <google/protobuf/descriptor.h>
#include <google/protobuf/message.h>

namespace passerelle::grpcapi {
namespace {

namespace pb = google::protobuf;
using nlohmann::json;
using FD = pb::FieldDescriptor;

json Double(double d) {
  // An integral value prints as an integer, as the JSON mapping does ("16000000").
  if (std::isfinite(d) && d == std::floor(d) && std::fabs(d) < 9e15) return static_cast<int64_t>(d);
  return d;
}

json Scalar(const pb::Message& m, const FD* f, int index) {
  const pb::Reflection* r = m.GetReflection();
  bool rep = index >= 0;
  switch (f->cpp_type()) {
    case FD::CPPTYPE_INT32: return rep ? r->GetRepeatedInt32(m, f, index) : r->GetInt32(m, f);
    case FD::CPPTYPE_INT64: return rep ? r->GetRepeatedInt64(m, f, index) : r->GetInt64(m, f);
    case FD::CPPTYPE_UINT32: return rep ? r->GetRepeatedUInt32(m, f, index) : r->GetUInt32(m, f);
    case FD::CPPTYPE_UINT64: return rep ? r->GetRepeatedUInt64(m, f, index) : r->GetUInt64(m, f);
    case FD::CPPTYPE_DOUBLE: return Double(rep ? r->GetRepeatedDouble(m, f, index) : r->GetDouble(m, f));
    case FD::CPPTYPE_FLOAT: return Double(rep ? r->GetRepeatedFloat(m, f, index) : r->GetFloat(m, f));
    case FD::CPPTYPE_BOOL: return rep ? r->GetRepeatedBool(m, f, index) : r->GetBool(m, f);
    case FD::CPPTYPE_STRING: return rep ? r->GetRepeatedString(m, f, index) : r->GetString(m, f);
    case FD::CPPTYPE_ENUM:
      return rep ? r->GetRepeatedEnum(m, f, index)->name() : r->GetEnum(m, f)->name();
    case FD::CPPTYPE_MESSAGE: break;
  }
  return nullptr;
}

json ToJson(const pb::Message& m) {
  json out = json::object();
  const pb::Reflection* r = m.GetReflection();
  std::vector<const FD*> fields;
  r->ListFields(m, &fields);  // set fields only: presence is kept
  for (const FD* f : fields) {
    if (f->is_map()) {
      json obj = json::object();
      const FD* key = f->message_type()->map_key();
      const FD* value = f->message_type()->map_value();
      for (int i = 0; i < r->FieldSize(m, f); ++i) {
        const pb::Message& entry = r->GetRepeatedMessage(m, f, i);
        obj[entry.GetReflection()->GetString(entry, key)] =
            value->cpp_type() == FD::CPPTYPE_MESSAGE
                ? ToJson(entry.GetReflection()->GetMessage(entry, value))
                : Scalar(entry, value, -1);
      }
      out[f->name()] = std::move(obj);
    } else if (f->is_repeated()) {
      json arr = json::array();
      for (int i = 0; i < r->FieldSize(m, f); ++i)
        arr.push_back(f->cpp_type() == FD::CPPTYPE_MESSAGE ? ToJson(r->GetRepeatedMessage(m, f, i))
                                                           : Scalar(m, f, i));
      out[f->name()] = std::move(arr);
    } else if (f->cpp_type() == FD::CPPTYPE_MESSAGE) {
      out[f->name()] = ToJson(r->GetMessage(m, f));
    } else {
      out[f->name()] = Scalar(m, f, -1);
    }
  }
  return out;
}

Status Misfit(const pb::Message& m, const std::string& path, const std::string& why) {
  return Status::Internal("record does not fit " + m.GetTypeName() + ": " + path + ": " + why);
}

Status SetScalar(pb::Message* m, const FD* f, const json& v, bool add, const std::string& path) {
  const pb::Reflection* r = m->GetReflection();
  auto int_in = [&](double lo, double hi) { return v.is_number_integer() && v.get<double>() >= lo && v.get<double>() <= hi; };
  switch (f->cpp_type()) {
    case FD::CPPTYPE_INT32:
      if (!int_in(INT32_MIN, INT32_MAX)) return Misfit(*m, path, "not an int32");
      add ? r->AddInt32(m, f, v.get<int32_t>()) : r->SetInt32(m, f, v.get<int32_t>());
      return Status::Ok();
    case FD::CPPTYPE_INT64:
      if (!v.is_number_integer()) return Misfit(*m, path, "not an integer");
      add ? r->AddInt64(m, f, v.get<int64_t>()) : r->SetInt64(m, f, v.get<int64_t>());
      return Status::Ok();
    case FD::CPPTYPE_UINT32:
      if (!int_in(0, UINT32_MAX)) return Misfit(*m, path, "not a uint32");
      add ? r->AddUInt32(m, f, v.get<uint32_t>()) : r->SetUInt32(m, f, v.get<uint32_t>());
      return Status::Ok();
    case FD::CPPTYPE_UINT64:
      if (!v.is_number_unsigned() && !int_in(0, 1.8e19)) return Misfit(*m, path, "not a uint64");
      add ? r->AddUInt64(m, f, v.get<uint64_t>()) : r->SetUInt64(m, f, v.get<uint64_t>());
      return Status::Ok();
    case FD::CPPTYPE_DOUBLE:
    case FD::CPPTYPE_FLOAT:
      if (!v.is_number()) return Misfit(*m, path, "not a number");
      if (f->cpp_type() == FD::CPPTYPE_DOUBLE)
        add ? r->AddDouble(m, f, v.get<double>()) : r->SetDouble(m, f, v.get<double>());
      else
        add ? r->AddFloat(m, f, v.get<float>()) : r->SetFloat(m, f, v.get<float>());
      return Status::Ok();
    case FD::CPPTYPE_BOOL:
      if (!v.is_boolean()) return Misfit(*m, path, "not a boolean");
      add ? r->AddBool(m, f, v.get<bool>()) : r->SetBool(m, f, v.get<bool>());
      return Status::Ok();
    case FD::CPPTYPE_STRING:
      if (!v.is_string()) return Misfit(*m, path, "not a string");
      add ? r->AddString(m, f, v.get<std::string>()) : r->SetString(m, f, v.get<std::string>());
      return Status::Ok();
    default:
      return Misfit(*m, path, "unsupported field type");
  }
}

Status FromJson(const json& j, pb::Message* m, const std::string& path) {
  if (!j.is_object()) return Misfit(*m, path, "not an object");
  const pb::Reflection* r = m->GetReflection();
  for (const auto& [name, v] : j.items()) {
    const FD* f = m->GetDescriptor()->FindFieldByName(name);
    std::string at = path.empty() ? name : path + "." + name;
    if (f == nullptr) return Misfit(*m, at, "no such field");
    if (v.is_null()) continue;
    if (f->is_map()) {
      if (!v.is_object()) return Misfit(*m, at, "not an object");
      const FD* key = f->message_type()->map_key();
      const FD* value = f->message_type()->map_value();
      for (const auto& [k, x] : v.items()) {
        pb::Message* entry = r->AddMessage(m, f);
        entry->GetReflection()->SetString(entry, key, k);
        Status s = value->cpp_type() == FD::CPPTYPE_MESSAGE
                       ? FromJson(x, entry->GetReflection()->MutableMessage(entry, value), at + "." + k)
                       : SetScalar(entry, value, x, false, at + "." + k);
        PASSERELLE_RETURN_IF_ERROR(s);
      }
    } else if (f->is_repeated()) {
      if (!v.is_array()) return Misfit(*m, at, "not a list");
      for (size_t i = 0; i < v.size(); ++i) {
        std::string item = at + "[" + std::to_string(i) + "]";
        Status s = f->cpp_type() == FD::CPPTYPE_MESSAGE ? FromJson(v[i], r->AddMessage(m, f), item)
                                                        : SetScalar(m, f, v[i], true, item);
        PASSERELLE_RETURN_IF_ERROR(s);
      }
    } else if (f->cpp_type() == FD::CPPTYPE_MESSAGE) {
      PASSERELLE_RETURN_IF_ERROR(FromJson(v, r->MutableMessage(m, f), at));
    } else {
      PASSERELLE_RETURN_IF_ERROR(SetScalar(m, f, v, false, at));
    }
  }
  return Status::Ok();
}

}  // namespace

Result<nlohmann::json> MessageToRecord(const google::protobuf::Message& message) {
  return ToJson(message);
}

Status RecordToMessage(const nlohmann::json& record, google::protobuf::Message* message) {
  return FromJson(record, message, "");
}

}  // namespace passerelle::grpcapi
