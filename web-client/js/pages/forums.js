// Forums: list, detail (participants by gender, themes, policies and practices shared,
// outcomes, recommendations, history) and create / edit for the roles that write forums.
import { api, get, listAll, institutionIndex, institutionName } from "../api.js";
import { h, facts } from "../dom.js";
import { t, tv, fmtDate, fmtNum, countryName } from "../i18n.js";
import { field, input, textarea, select, showError, clearErrors, lines, changedFields, presentFields, keepEditsOnConflict } from "../forms.js";
import { canWrite } from "../roles.js";
import { historyTable } from "./agreements.js";

export const name = "forums";
export const live = ["forum", "institution"];
const FORMATS = ["in_person", "virtual", "hybrid"];

export function render(box, ctx) {
  const [id, action] = ctx.params;
  if (id === "new") return form(box, ctx, null);
  if (id && action === "edit") return form(box, ctx, id);
  if (id) return detail(box, ctx, id);
  return list(box, ctx);
}

const dates = (f) => [fmtDate(f.start_date), f.end_date && f.end_date !== f.start_date ? fmtDate(f.end_date) : ""].filter(Boolean).join(" – ");

async function list(box, ctx) {
  const all = (await listAll("forums")).sort((a, b) => (a.start_date || "").localeCompare(b.start_date || ""));
  box.append(h("div", { class: "title-row" }, h("h1", {}, t("forums_title")),
      canWrite(ctx.user.role, "forum") ? h("a", { class: "button primary", href: "#/forums/new", id: "new-forum" }, t("new_forum")) : null),
    h("table", { class: "list", id: "forums-table" },
      h("thead", {}, h("tr", {}, [t("f_title"), t("f_start_date"), t("f_location"), t("f_participants")].map((x) => h("th", { scope: "col" }, x)))),
      h("tbody", {}, all.map((f) => h("tr", { dataset: { id: f.id } },
        h("td", {}, h("a", { href: `#/forums/${encodeURIComponent(f.id)}` }, f.title)),
        h("td", {}, dates(f)), h("td", {}, [f.location, countryName(f.country)].filter(Boolean).join(", ")),
        h("td", { class: "num" }, fmtNum(f.participants_total)))))));
}

function genderBar(f) {
  if (typeof f.participants_total !== "number") return null;
  const w = f.participants_women || 0, m = f.participants_men || 0, tot = Math.max(f.participants_total, 1);
  const text = t("by_gender", { w: fmtNum(w), m: fmtNum(m), t: fmtNum(f.participants_total) });
  return h("div", { class: "gender" }, h("p", {}, text),
    h("div", { class: "gbar", role: "img", "aria-label": text },
      h("span", { class: "women", style: { width: `${(100 * w) / tot}%` } }),
      h("span", { class: "men", style: { width: `${(100 * m) / tot}%` } })));
}

async function detail(box, ctx, id) {
  const [f, idx, hist] = await Promise.all([get(`/api/v1/forums/${encodeURIComponent(id)}`), institutionIndex(),
    get(`/api/v1/forums/${encodeURIComponent(id)}/history`).catch(() => ({ history: [] }))]);
  const listOf = (title, items) => (items && items.length ? [h("h2", {}, title), h("ul", {}, items.map((x) => h("li", {}, x)))] : []);
  box.append(h("p", {}, h("a", { href: "#/forums" }, `← ${t("forums_title")}`)),
    h("div", { class: "title-row" }, h("h1", { id: "forum-title" }, f.title),
      canWrite(ctx.user.role, "forum") ? h("a", { class: "button", href: `#/forums/${encodeURIComponent(id)}/edit`, id: "edit" }, t("edit")) : null),
    facts([[t("f_start_date"), dates(f)], [t("f_location"), [f.location, countryName(f.country)].filter(Boolean).join(", ")],
      [t("f_format"), f.format ? tv("format", f.format) : ""], [t("f_policies"), fmtNum(f.policies_shared)],
      [t("f_owner"), (f.organizers || []).map((o) => institutionName(idx, o)).join(", ")]]),
    h("h2", {}, t("f_participants")), genderBar(f) || h("p", { class: "muted" }, "—"),
    listOf(t("f_themes"), f.themes), listOf(t("f_outcomes"), f.outcomes), listOf(t("f_recommendations"), f.recommendations),
    h("h2", {}, t("history")), historyTable(hist.history || []));
}

async function form(box, ctx, id) {
  ctx.editing = true;
  const f0 = id ? await get(`/api/v1/forums/${encodeURIComponent(id)}`) : {};
  const num = (v) => input({ type: "number", min: 0, step: 1, inputmode: "numeric", value: v ?? "" });
  const f = {
    id: input({ value: f0.id || "", disabled: !!id, required: true }),
    title: input({ value: f0.title || "", required: true }),
    start_date: input({ type: "date", value: f0.start_date || "" }),
    end_date: input({ type: "date", value: f0.end_date || "" }),
    location: input({ value: f0.location || "" }),
    country: input({ value: f0.country || "", maxlength: 2, size: 3, autocapitalize: "characters" }),
    format: select([["", "—"], ...FORMATS.map((x) => [x, tv("format", x)])], f0.format),
    participants_total: num(f0.participants_total), participants_women: num(f0.participants_women), participants_men: num(f0.participants_men),
    policies_shared: num(f0.policies_shared),
    themes: textarea({ value: (f0.themes || []).join("\n") }),
    recommendations: textarea({ value: (f0.recommendations || []).join("\n") }),
  };
  const labels = { id: "f_id", title: "f_title", start_date: "f_start_date", end_date: "f_end_date", location: "f_location",
    country: "f_country", format: "f_format", participants_total: "f_participants", participants_women: "f_women",
    participants_men: "f_men", policies_shared: "f_policies", themes: "f_themes", recommendations: "f_recommendations" };
  const form = h("form", { class: "card edit", novalidate: true, id: "forum-form" },
    h("h1", {}, id ? t("edit_forum") : t("new_forum")), h("p", { class: "form-error", role: "alert" }),
    Object.entries(f).map(([k, c]) => field(t(labels[k]), c, k, k === "themes" || k === "recommendations" ? t("f_themes_help") : undefined)),
    h("div", { class: "actions" }, h("button", { type: "submit", class: "primary" }, t("save")),
      h("a", { class: "button", href: id ? `#/forums/${encodeURIComponent(id)}` : "#/forums" }, t("cancel"))));
  // The form's values; a count that is not a whole number >= 0 (or that the browser cannot
  // read as a number: its value is then "", like an empty field) is NaN, refused below.
  const read = () => {
    const v = {};
    for (const k of ["title", "start_date", "end_date", "location", "country", "format"]) v[k] = f[k].value.trim();
    v.country = v.country.toUpperCase();
    for (const k of ["participants_total", "participants_women", "participants_men", "policies_shared"])
      v[k] = f[k].validity.badInput ? NaN : f[k].value === "" ? null : Number(f[k].value);
    for (const k of ["themes", "recommendations"]) v[k] = lines(f[k].value);
    return v;
  };
  const before = read();
  form.addEventListener("submit", async (e) => {
    e.preventDefault();
    clearErrors(form);
    const values = read();
    for (const k of ["participants_total", "participants_women", "participants_men", "policies_shared"])
      if (values[k] !== null && !(Number.isInteger(values[k]) && values[k] >= 0)) return showError(form, { field: k, message: t("f_count_invalid") });
    if (!id && !f.id.value.trim()) return showError(form, { field: "id", message: t("required") });
    if (!values.title) return showError(form, { field: "title", message: t("required") });
    try {
      const patch = id ? changedFields(before, values) : null;
      const saved = !id ? await api("POST", "/api/v1/forums", { id: f.id.value.trim(), ...presentFields(values) })
        : Object.keys(patch).length ? await api("PATCH", `/api/v1/forums/${encodeURIComponent(id)}?expected_version=${f0.version}`, patch)
        : f0;
      ctx.editing = false;
      ctx.go(`#/forums/${encodeURIComponent(saved.id)}`);
    } catch (err) {
      if (id && await keepEditsOnConflict(form, err, () => get(`/api/v1/forums/${encodeURIComponent(id)}`),
                                          (latest) => { f0.version = latest.version; })) return;
      showError(form, err);
    }
  });
  box.appendChild(form);
}
