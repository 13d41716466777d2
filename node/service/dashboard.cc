// RecordService::Dashboard: the web client's front page, from the indexes (families.cc)
// and the change feed. Definitions (node/README.md "Dashboard"): a date of year or month
// precision stands for the LAST day of that year or month, except where said.
//  - expiring agreement: an end_date whose period (the day, month or year it names)
//    overlaps [today, today + 90 days], status not expired/terminated; soonest last day
//    first; end_date_imprecise when the end is a month or a year.
//  - late deliverable: due_date before today and status not delivered/cancelled, or
//    status "late" (set by its owner) whatever the date; earliest due first.
//  - indicator behind target: a numeric target and a latest value below it, the latest
//    value being the measurement of the latest period (PeriodBefore), else the
//    indicator's value.
#include <algorithm>
#include <cstdio>
#include <set>
#include <tuple>

#include "node/core/fold.h"
#include "node/records/family.h"
#include "node/service/change_feed.h"
#include "node/service/keys.h"
#include "node/service/record_service.h"
#include "node/service/record_store.h"
#include "node/service/search_index.h"
#include "storage/kv_store.h"

namespace passerelle::service {

using nlohmann::json;
using storage::Column;

namespace {

constexpr int kExpiringDays = 90;
constexpr size_t kRecentRemoteChanges = 20;
constexpr size_t kMaxListed = 500;  // entries per dashboard list

// Days since 1970-01-01 of a civil date, and back (H. Hinnant's algorithms).
int64_t DaysFromCivil(int64_t y, unsigned m, unsigned d) {
  y -= m <= 2;
  const int64_t era = (y >= 0 ? y : y - 399) / 400;
  const unsigned yoe = static_cast<unsigned>(y - era * 400);
  const unsigned doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
  const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + static_cast<int64_t>(doe) - 719468;
}
std::string CivilFromDays(int64_t z) {
  z += 719468;
  const int64_t era = (z >= 0 ? z : z - 146096) / 146097;
  const unsigned doe = static_cast<unsigned>(z - era * 146097);
  const unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  int64_t y = static_cast<int64_t>(yoe) + era * 400;
  const unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const unsigned mp = (5 * doy + 2) / 153;
  const unsigned d = doy - (153 * mp + 2) / 5 + 1;
  const unsigned m = mp < 10 ? mp + 3 : mp - 9;
  y += m <= 2;
  char buf[32];
  std::snprintf(buf, sizeof buf, "%04lld-%02u-%02u", static_cast<long long>(y), m, d);
  return buf;
}
unsigned DaysInMonth(int64_t y, unsigned m) {
  static const unsigned kDays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
  return m == 2 && leap ? 29 : kDays[m - 1];
}

// "YYYY-MM-DD" -> days; false unless a real calendar date in that exact form.
bool ParseDay(std::string_view s, int64_t* days) {
  if (s.size() != 10 || s[4] != '-' || s[7] != '-') return false;
  for (size_t i : {0, 1, 2, 3, 5, 6, 8, 9})
    if (s[i] < '0' || s[i] > '9') return false;
  int y = std::stoi(std::string(s.substr(0, 4)));
  unsigned m = std::stoul(std::string(s.substr(5, 2))), d = std::stoul(std::string(s.substr(8, 2)));
  if (m < 1 || m > 12 || d < 1 || d > DaysInMonth(y, m)) return false;
  *days = DaysFromCivil(y, m, d);
  return true;
}

// The last day a date of year, month or day precision stands for ("" if malformed).
std::string LastDay(const std::string& date) {
  if (date.size() == 10) return date;
  if (date.size() == 4) return date + "-12-31";
  if (date.size() == 7) {
    int y = std::atoi(date.c_str());
    unsigned m = static_cast<unsigned>(std::atoi(date.c_str() + 5));
    if (m < 1 || m > 12) return "";
    char buf[16];
    std::snprintf(buf, sizeof buf, "%02u", DaysInMonth(y, m));
    return date + "-" + buf;
  }
  return "";
}

// The first day a date of year, month or day precision stands for.
std::string FirstDay(const std::string& date) {
  if (date.size() == 4) return date + "-01-01";
  if (date.size() == 7) return date + "-01";
  return date;
}

// Order of measurement periods, the latest last: ISO dates (YYYY, YYYY-MM, YYYY-MM-DD) by
// the last day they stand for (a year is its 31 December), the finer period later when
// those are equal ("2024" < "2024-12" < "2024-12-31"); any other text ("S1 2025",
// "2023-2024") before every ISO date, and by its text among such periods.
bool PeriodBefore(const std::string& a, const std::string& b) {
  auto key = [](const std::string& p) {
    bool iso = records::IsValidDate(p);
    return std::make_tuple(iso, iso ? LastDay(p) : std::string(), p);
  };
  return key(a) < key(b);
}

std::string Str(const json& fields, const char* name) {
  auto it = fields.find(name);
  return it != fields.end() && it->is_string() ? it->get<std::string>() : "";
}
json OrNull(const json& fields, const char* name) {
  auto it = fields.find(name);
  return it == fields.end() ? json() : *it;
}

// Calls `visit(value, id)` for the entries of a family's index with values from
// `from` on, until it returns false.
template <typename Visit>
Status ScanIndex(const storage::KvStore& kv, const std::string& kind, const std::string& index,
                 const std::string& from, Visit visit) {
  std::string prefix = keys::IndexPrefix(kind, index);
  auto it = kv.Scan(Column::kIndex, prefix, prefix + from);
  for (; it->Valid(); it->Next()) {
    std::string_view rest = it->key().substr(prefix.size());
    size_t sep = rest.rfind('\0');
    if (sep == std::string_view::npos) continue;
    if (!visit(std::string(rest.substr(0, sep)), std::string(rest.substr(sep + 1)))) break;
  }
  return it->status();
}

}  // namespace

Result<json> RecordService::Dashboard(std::string_view today_param) const {
  int64_t today_days = 0;
  std::string today(today_param);
  if (today.empty()) {
    today = CivilFromDays(static_cast<int64_t>(now_ms_() / 86'400'000));
    ParseDay(today, &today_days);
  } else if (!ParseDay(today, &today_days)) {
    return Status::Invalid("today", "must be a date YYYY-MM-DD");
  }
  const std::string horizon = CivilFromDays(today_days + kExpiringDays);
  json out = {{"today", today}};

  json counts = json::object();
  for (const auto& family : records::Families()) {
    size_t n = 0;
    auto it = kv_->Scan(Column::kRecords, keys::RecordPrefix(family.kind));
    for (; it->Valid(); it->Next()) n += core::EncodedStateIsLive(it->value());
    if (!it->status().ok()) return it->status();
    counts[family.plural] = n;
  }
  out["counts"] = std::move(counts);

  // Agreements: end dates from today's year (a year-precision date sorts before its days).
  // An end of month or year precision may fall on any day of it: listed when that period
  // overlaps [today, horizon]. Index values sort as their first days do, so the scan
  // stops at the first value whose first day is past the horizon.
  struct Dated {
    std::string last_day, id;
    json item;
  };
  std::vector<Dated> expiring;
  Status s = ScanIndex(*kv_, "agreement", "end_date", today.substr(0, 4),
                       [&](const std::string& end, const std::string& id) {
                         if (FirstDay(end) > horizon) return false;  // and every later value
                         std::string last = LastDay(end);
                         if (last < today) return true;
                         auto rec = store_->Get("agreement", id);
                         if (!rec.ok() || !rec->live()) return true;
                         std::string status = Str(rec->fields, "status");
                         if (status == "expired" || status == "terminated") return true;
                         expiring.push_back({last, id,
                                             {{"id", id},
                                              {"title", Str(rec->fields, "title")},
                                              {"end_date", end},
                                              {"end_date_imprecise", end.size() != 10},
                                              {"parties", OrNull(rec->fields, "parties")}}});
                         return expiring.size() < kMaxListed;
                       });
  if (!s.ok()) return s;
  std::sort(expiring.begin(), expiring.end(),
            [](const Dated& a, const Dated& b) { return std::tie(a.last_day, a.id) < std::tie(b.last_day, b.id); });
  out["expiring_agreements"] = json::array();
  for (auto& e : expiring) out["expiring_agreements"].push_back(std::move(e.item));

  // Deliverables: due before today (by the due_date index) or marked late.
  std::vector<Dated> late;
  std::set<std::string> seen;
  auto consider = [&](const std::string& id) {
    if (!seen.insert(id).second) return;
    auto rec = store_->Get("deliverable", id);
    if (!rec.ok() || !rec->live()) return;
    std::string status = Str(rec->fields, "status");
    std::string due = Str(rec->fields, "due_date");
    std::string last = LastDay(due);
    bool overdue = !last.empty() && last < today && status != "delivered" && status != "cancelled";
    if (!overdue && status != "late") return;
    late.push_back({last.empty() ? "9999" : last, id,
                    {{"id", id},
                     {"project_id", OrNull(rec->fields, "project")},
                     {"title", Str(rec->fields, "title")},
                     {"due_date", OrNull(rec->fields, "due_date")},
                     {"country", OrNull(rec->fields, "country")},
                     {"status", OrNull(rec->fields, "status")}}});
  };
  s = ScanIndex(*kv_, "deliverable", "due_date", "", [&](const std::string& due, const std::string& id) {
    if (due > today) return false;
    consider(id);
    return late.size() < kMaxListed;
  });
  if (!s.ok()) return s;
  s = ScanIndex(*kv_, "deliverable", "status", "late", [&](const std::string& status, const std::string& id) {
    if (status != "late") return false;
    consider(id);
    return late.size() < kMaxListed;
  });
  if (!s.ok()) return s;
  std::sort(late.begin(), late.end(),
            [](const Dated& a, const Dated& b) { return std::tie(a.last_day, a.id) < std::tie(b.last_day, b.id); });
  out["late_deliverables"] = json::array();
  for (auto& e : late) out["late_deliverables"].push_back(std::move(e.item));

  // Indicators: every one is looked at (a small family; no date makes one behind).
  json behind = json::array();
  auto it = kv_->Scan(Column::kRecords, keys::RecordPrefix("indicator"));
  for (; it->Valid() && behind.size() < kMaxListed; it->Next()) {
    if (!core::EncodedStateIsLive(it->value())) continue;
    auto rec = core::DecodeRecordState(it->value());
    if (!rec.ok()) return rec.status();
    const json& f = rec->fields;
    auto target = f.find("target");
    if (target == f.end() || !target->is_number()) continue;
    json latest, period;
    if (auto ms = f.find("measurements"); ms != f.end() && ms->is_array() && !ms->empty()) {
      const json* best = nullptr;
      for (const auto& m : *ms)
        if (best == nullptr || PeriodBefore(best->value("period", ""), m.value("period", ""))) best = &m;
      latest = OrNull(*best, "value");
      period = OrNull(*best, "period");
    } else if (auto v = f.find("value"); v != f.end()) {
      latest = *v;
      if (auto p = f.find("period"); p != f.end() && p->is_object()) period = OrNull(*p, "end");
    }
    if (!latest.is_number() || latest.get<double>() >= target->get<double>()) continue;
    behind.push_back({{"id", rec->id}, {"project_id", OrNull(f, "project")},
                      {"name", Str(f, "description")}, {"target", *target}, {"latest", latest},
                      {"period", period}});
  }
  if (!it->status().ok()) return it->status();
  out["indicators_behind"] = std::move(behind);

  json recent = json::array();
  for (const auto& c : changes_->Recent(kChangeRingSize)) {
    if (!c.remote) continue;
    recent.push_back({{"kind", c.kind}, {"id", c.id}, {"title", c.title}, {"origin", c.origin},
                      {"user", c.user}, {"at", c.at}});
    if (recent.size() == kRecentRemoteChanges) break;
  }
  out["recent_remote_changes"] = std::move(recent);
  return out;
}

}  // namespace passerelle::service
