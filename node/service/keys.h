// Key layout of the node's store (one place, so every reader agrees):
//   ops      origin \0 seq(be64)                        -> encoded op
//   records  kind \0 id                                 -> encoded record state
//   index    'i' kind \0 index \0 value \0 id           -> ""
//            'h' kind \0 id \0 hlc(be64) origin \0 seq(be64) -> ops key (a record's history)
//            'w' kind \0 id                              -> a record's search entry (search_index.h;
//                                                     every 'w' key is its own; 's' was version 2's)
//   meta     "format"                                    -> on-disk format version
//            "user/" name                                -> account JSON (accounts.h; this node only)
//            "search_index"                              -> search index version (rebuilt when not current)
#pragma once

#include <string>
#include <string_view>

#include "node/core/coding.h"

namespace passerelle::service::keys {

// 3: CBOR ops/records, head hlc, seq in history keys. 4: no "vv\0" origin entries in
// meta: the version vector is read from the op log's last key of each origin at open
// (one entry less per local write). Format 3 is migrated on open.
constexpr int kFormatVersion = 4;
// Secondary index definitions (families.cc); a store with another version in meta has its
// index entries rebuilt at open. 2: an agreement's status index holds its shown status.
// 3: a project's partner index holds lead_partner and partner_institutions too.
constexpr int kIndexVersion = 3;
inline constexpr std::string_view kIndexVersionKey = "index_version";
// Present while this member's own op chain is unconfirmed (a restore): local writes wait
// until every peer has shown it holds no newer op of this member (RecordService::ConfirmOwnHead).
inline constexpr std::string_view kOwnHeadUnconfirmedKey = "own_head_unconfirmed";

inline std::string OpPrefix(std::string_view origin) {
  std::string k(origin);
  k.push_back('\0');
  return k;
}
inline std::string Op(std::string_view origin, uint64_t seq) {
  std::string k = OpPrefix(origin);
  core::PutBigEndian64(&k, seq);
  return k;
}
inline std::string Record(std::string_view kind, std::string_view id) {
  std::string k(kind);
  k.push_back('\0');
  k.append(id);
  return k;
}
inline std::string RecordPrefix(std::string_view kind) { return std::string(kind) + '\0'; }
inline std::string IndexPrefix(std::string_view kind, std::string_view index) {
  std::string k = "i";
  k.append(kind).push_back('\0');
  k.append(index).push_back('\0');
  return k;
}
inline std::string Index(std::string_view kind, std::string_view index, std::string_view value,
                         std::string_view id) {
  std::string k = IndexPrefix(kind, index);
  k.append(value).push_back('\0');
  k.append(id);
  return k;
}
inline std::string HistoryPrefix(std::string_view kind, std::string_view id) {
  std::string k = "h";
  k.append(kind).push_back('\0');
  k.append(id).push_back('\0');
  return k;
}
inline std::string History(std::string_view kind, std::string_view id, uint64_t hlc,
                           std::string_view origin, uint64_t seq) {
  std::string k = HistoryPrefix(kind, id);
  core::PutBigEndian64(&k, hlc);
  k.append(origin).push_back('\0');
  core::PutBigEndian64(&k, seq);  // two ops never share a key, whatever their clocks
  return k;
}
// Format 3's version-vector entries (deleted when a format 3 store is opened).
inline constexpr std::string_view kFormat3VersionVectorPrefix{"vv\0", 3};
inline constexpr std::string_view kFormat = "format";
inline constexpr std::string_view kUserPrefix = "user/";
inline std::string User(std::string_view name) { return std::string(kUserPrefix) + std::string(name); }

}  // namespace passerelle::service::keys
