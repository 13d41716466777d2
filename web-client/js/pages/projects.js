// Projects: list grouped by country (filters country and theme); a project page with its
// deliverables grouped by country and status (status and evidence editable by the roles
// that write deliverables) and its indicators (baseline, target, actuals per period,
// women/men split) drawn as SVG charts.
import { api, get, listAll, institutionIndex, institutionName } from "../api.js";
import { h, facts, nextId } from "../dom.js";
import { t, tv, fmtDate, fmtNum, countryName, fieldName, errorText } from "../i18n.js";
import { select, changedFields, adoptOnConflict } from "../forms.js";
import { canWrite } from "../roles.js";
import { indicatorChart } from "../charts.js";

export const name = "projects";
export const live = ["project", "deliverable", "indicator", "institution"];
const DSTATUS = ["planned", "in_progress", "delivered", "late", "cancelled"];

export function render(box, ctx) {
  return ctx.params[0] ? project(box, ctx, ctx.params[0]) : list(box, ctx);
}

async function list(box, ctx) {
  const all = await listAll("projects");
  const q = ctx.query;
  const countries = [...new Set(all.flatMap((p) => p.countries || []))].sort();
  const themes = [...new Set(all.map((p) => p.theme).filter(Boolean))].sort();
  const shown = all.filter((p) => (!q.get("country") || (p.countries || []).includes(q.get("country"))) &&
                                  (!q.get("theme") || p.theme === q.get("theme")));
  const any = ["", t("all")];
  const cSel = select([any, ...countries.map((c) => [c, countryName(c)])], q.get("country"), { id: "pf-country", name: "country" });
  const thSel = select([any, ...themes.map((x) => [x, x])], q.get("theme"), { id: "pf-theme", name: "theme" });
  const filters = h("form", { class: "filters", role: "search", "aria-label": t("filters") },
    h("div", { class: "field" }, h("label", { for: "pf-country" }, t("f_country")), cSel),
    h("div", { class: "field" }, h("label", { for: "pf-theme" }, t("f_theme")), thSel));
  filters.addEventListener("change", () => {
    const p = new URLSearchParams();
    if (cSel.value) p.set("country", cSel.value);
    if (thSel.value) p.set("theme", thSel.value);
    ctx.go(`#/projects?${p}`);
  });
  box.append(h("h1", {}, t("projects_title")), filters);
  const groups = new Map();
  for (const p of shown) for (const c of (p.countries && p.countries.length ? p.countries : [""])) {
    if (q.get("country") && c !== q.get("country")) continue;
    if (!groups.has(c)) groups.set(c, []);
    groups.get(c).push(p);
  }
  for (const [c, ps] of [...groups].sort((a, b) => a[0].localeCompare(b[0]))) {
    box.append(h("section", { class: "group" }, h("h2", {}, c ? countryName(c) : t("no_country")),
      h("ul", { class: "cards" }, ps.sort((a, b) => a.id.localeCompare(b.id)).map((p) => h("li", {},
        h("a", { href: `#/projects/${encodeURIComponent(p.id)}` }, `${p.id} — ${p.title}`),
        h("span", { class: "muted" }, p.theme ? ` · ${p.theme}` : ""))))));
  }
}

async function project(box, ctx, id) {
  const base = `/api/v1/projects/${encodeURIComponent(id)}`;
  const [p, dels, inds, idx] = await Promise.all([get(base), listAll("deliverables", {}, `${base}/deliverables`),
    listAll("indicators", {}, `${base}/indicators`), institutionIndex()]);
  box.append(h("p", {}, h("a", { href: "#/projects" }, `← ${t("projects_title")}`)),
    h("h1", {}, `${p.id} — ${p.title}`),
    facts([[t("f_theme"), p.theme], [t("f_countries"), (p.countries || []).map((c) => countryName(c)).join(", ")],
      [t("f_lead_partner"), p.lead_partner ? institutionName(idx, p.lead_partner) : ""],
      [t("f_start_date"), fmtDate(p.start_date)], [t("f_end_date"), fmtDate(p.end_date)]]));
  box.append(h("h2", {}, t("deliverables")));
  const editable = canWrite(ctx.user.role, "deliverable");
  const groups = new Map();
  for (const d of dels) {
    const key = `${d.country || ""}|${d.status || ""}`;
    if (!groups.has(key)) groups.set(key, []);
    groups.get(key).push(d);
  }
  if (!dels.length) box.append(h("p", { class: "muted" }, t("none")));
  for (const [key, ds] of [...groups].sort((a, b) => a[0].localeCompare(b[0]))) {
    const [c, s] = key.split("|");
    box.append(h("section", { class: "group" },
      h("h3", {}, `${c ? countryName(c) : t("no_country")} · ${s ? tv("dstatus", s) : tv("dstatus", "none")}`),
      h("table", { class: "deliverables" },
        h("thead", {}, h("tr", {}, [t("f_title"), t("f_owner"), t("f_due_date"), t("f_status"), t("f_evidence"), ""].map((x) => h("th", { scope: "col" }, x)))),
        h("tbody", {}, ds.sort((a, b) => (a.position || 0) - (b.position || 0)).map((d) => deliverableRow(d, idx, editable, ctx))))));
  }
  box.append(h("h2", {}, t("indicators")));
  if (!inds.length) box.append(h("p", { class: "muted" }, t("none")));
  box.append(h("div", { class: "indicators" }, inds.map((i) => h("article", { class: "card indicator" },
    h("h3", {}, i.description),
    facts([[t("f_baseline"), fmtNum(i.baseline)], [t("f_target"), fmtNum(i.target)], [t("f_value"), fmtNum(i.value)], [t("f_unit"), i.unit]]),
    indicatorChart(i)))));
}

// Ids of the deliverable rows edited and not saved yet.
const unsaved = (ctx) => (ctx.unsaved ||= new Set());

function deliverableRow(d, idx, editable, ctx) {
  const row = h("tr", { dataset: { id: d.id } });
  const sid = nextId("st"), eid = nextId("ev");
  const label = (text, forId) => h("label", { for: forId, class: "visually-hidden" }, `${text} — ${d.title}`);
  if (!editable) {
    row.append(h("td", {}, d.title), h("td", {}, d.owner_institution ? institutionName(idx, d.owner_institution) : "—"),
      h("td", {}, fmtDate(d.due_date)), h("td", {}, d.status ? tv("dstatus", d.status) : "—"),
      h("td", {}, /^https?:\/\//i.test(d.evidence_url || "") ? h("a", { href: d.evidence_url, rel: "noopener noreferrer" }, d.evidence || d.evidence_url) : d.evidence || "—"), h("td"));
    return row;
  }
  const status = select([["", "—"], ...DSTATUS.map((s) => [s, tv("dstatus", s)])], d.status, { id: sid, name: "status", class: "status-select" });
  const evidence = h("input", { type: "text", id: eid, name: "evidence", value: d.evidence || "" });
  let before = { status: status.value, evidence: evidence.value.trim() };  // as shown, not as stored
  let version = d.version;
  const err = h("p", { class: "field-error", "aria-live": "polite" });
  const save = h("button", { type: "button", class: "save-deliverable" }, t("save"));
  save.addEventListener("click", async () => {
    err.textContent = "";
    const body = changedFields(before, { status: status.value, evidence: evidence.value.trim() });
    try {
      if (Object.keys(body).length) {
        const saved = await api("PATCH", `/api/v1/deliverables/${encodeURIComponent(d.id)}?expected_version=${version}`, body);
        version = saved.version;  // a second save of this row is not a conflict with the first
        before = { status: status.value, evidence: evidence.value.trim() };
      }
      err.textContent = t("saved");
      // Live refresh resumes (the page then shows the saved state) once no row has unsaved changes.
      unsaved(ctx).delete(d.id);
      ctx.editing = unsaved(ctx).size > 0;
    } catch (e) {
      if (await adoptOnConflict(e, () => get(`/api/v1/deliverables/${encodeURIComponent(d.id)}`),
                                (latest) => { version = latest.version; })) {
        err.textContent = t("conflict_kept");
        return;
      }
      err.textContent = `${e.field ? fieldName(e.field) + ": " : ""}${errorText(e)}`;
    }
  });
  // Editing a row pauses live refresh of the page until saved.
  for (const c of [status, evidence]) c.addEventListener("input", () => { unsaved(ctx).add(d.id); ctx.editing = true; });
  row.append(h("td", {}, d.title), h("td", {}, d.owner_institution ? institutionName(idx, d.owner_institution) : "—"),
    h("td", {}, fmtDate(d.due_date)), h("td", {}, label(t("f_status"), sid), status),
    h("td", {}, label(t("f_evidence"), eid), evidence), h("td", {}, save, err));
  return row;
}
