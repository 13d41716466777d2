// Dashboard: counts per family, agreements expiring within 90 days, late deliverables,
// indicators behind target, recent changes from other nodes (GET /api/v1/dashboard) and
// the partnership map. Where the node has no dashboard route it is worked out here from
// the record lists (without the remote changes). The first time it is on screen it sets
// window.passerelleDashboardMs = performance.now() (the browser test's first-render time).
import { getDashboard, localToday, listAll, institutionIndex, institutionName } from "../api.js";
import { h } from "../dom.js";
import { t, tv, fmtDate, fmtNum, fmtDateTime } from "../i18n.js";
import { partnershipMap } from "../map.js";

export const name = "dashboard";
export const live = ["agreement", "deliverable", "indicator", "project", "institution", "forum", "event",
                     "framework", "qualification", "mapping"];
const FAMILIES = ["agreements", "institutions", "projects", "deliverables", "indicators", "forums", "events",
                  "frameworks", "qualifications", "mappings"];

const plusDays = (d, n) => new Date(Date.parse(d) + n * 86400000).toISOString().slice(0, 10);

async function computed() {
  const lists = Object.fromEntries(await Promise.all(FAMILIES.map(async (f) => [f, await listAll(f)])));
  const d = localToday(), limit = plusDays(d, 90);
  const latest = (i) => (i.measurements || []).slice().sort((a, b) => String(a.period).localeCompare(String(b.period))).pop();
  return {
    today: d,
    counts: Object.fromEntries(FAMILIES.map((f) => [f, lists[f].length])),
    expiring_agreements: lists.agreements.filter((a) => a.end_date && a.end_date >= d && a.end_date <= limit)
      .sort((a, b) => a.end_date.localeCompare(b.end_date))
      .map((a) => ({ id: a.id, title: a.title, end_date: a.end_date, parties: a.parties })),
    late_deliverables: lists.deliverables.filter((x) => x.due_date && x.due_date < d && !["delivered", "cancelled"].includes(x.status))
      .map((x) => ({ id: x.id, project_id: x.project, title: x.title, due_date: x.due_date, country: x.country, status: x.status })),
    indicators_behind: lists.indicators.filter((i) => typeof i.target === "number" && latest(i) && latest(i).value < i.target)
      .map((i) => ({ id: i.id, project_id: i.project, name: i.description, target: i.target, latest: latest(i).value, period: latest(i).period })),
    recent_remote_changes: null,
    _lists: lists,
  };
}

function section(id, title, count, body, wide = false) {
  return h("section", { class: wide ? "card wide" : "card", "aria-labelledby": id },
    h("h2", { id }, title, count === undefined ? null : h("span", { class: "badge", id: `${id}-count` }, fmtNum(count))), body);
}

export async function render(box) {
  let data;
  try {
    data = await getDashboard();
  } catch (e) {
    if (e.status !== 404 && e.status !== 501) throw e;
    data = await computed();
  }
  const idx = await institutionIndex();
  box.appendChild(h("h1", {}, t("nav_dashboard")));
  const counts = h("ul", { class: "counts" }, Object.entries(data.counts || {}).map(([f, n]) =>
    h("li", {}, h("span", { class: "n" }, fmtNum(n)), " ", h("span", {}, tv("family", f)))));
  const expiring = data.expiring_agreements.length ? h("ul", {}, data.expiring_agreements.map((a) =>
    h("li", {}, h("a", { href: `#/agreements/${encodeURIComponent(a.id)}` }, a.title), " — ", fmtDate(a.end_date),
      " — ", (a.parties || []).map((p) => institutionName(idx, p)).join(", ")))) : h("p", { class: "muted" }, t("none"));
  const late = data.late_deliverables.length ? h("ul", {}, data.late_deliverables.map((d) =>
    h("li", {}, h("a", { href: `#/projects/${encodeURIComponent(d.project_id)}` }, d.title), " — ", fmtDate(d.due_date),
      d.country ? ` — ${d.country}` : ""))) : h("p", { class: "muted" }, t("none"));
  const behind = data.indicators_behind.length ? h("ul", {}, data.indicators_behind.map((i) =>
    h("li", {}, h("a", { href: `#/projects/${encodeURIComponent(i.project_id || "")}` }, i.name), " — ",
      `${fmtNum(i.latest)} / ${fmtNum(i.target)}`, i.period ? ` (${i.period})` : ""))) : h("p", { class: "muted" }, t("none"));
  const grid = h("div", { class: "grid" },
    section("counts-h", t("counts"), undefined, counts, true),
    section("expiring", t("expiring"), data.expiring_agreements.length, expiring),
    section("late", t("late"), data.late_deliverables.length, late),
    section("behind", t("behind"), data.indicators_behind.length, behind));
  box.appendChild(grid);
  const lists = data._lists || {};
  const [insts, agrs] = [[...idx.values()], lists.agreements || await listAll("agreements")];
  grid.appendChild(section("map-h", t("map_title"), undefined, await partnershipMap(insts, agrs), true));
  if (Array.isArray(data.recent_remote_changes)) {
    const rows = data.recent_remote_changes.map((c) => h("tr", {},
      h("td", {}, fmtDateTime(c.at)), h("td", {}, tv("kindname", c.kind)), h("td", {}, c.title || c.id),
      h("td", {}, c.origin), h("td", {}, c.user || "—")));
    grid.appendChild(section("remote", t("recent_remote"), undefined, rows.length
      ? h("table", { class: "list" }, h("thead", {}, h("tr", {}, [t("f_when"), t("f_kind"), t("f_title"), t("f_node"), t("f_user")].map((x) => h("th", { scope: "col" }, x)))), h("tbody", {}, rows))
      : h("p", { class: "muted" }, t("none")), true));
  }
  if (window.passerelleDashboardMs === undefined) window.passerelleDashboardMs = performance.now();
  document.getElementById("view").dataset.rendered = "dashboard";
}
