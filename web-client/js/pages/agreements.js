// Agreements: list with filters (party, country, kind, status, expiring within 90 days),
// detail (parties and their approval, dates, documents, history with user and node),
// create and edit forms, and approve for the parties' own node (POST …/approve with the
// terms_hash as read).
import { api, get, getDashboard, listAll, session, institutionIndex, institutionName } from "../api.js";
import { h, facts } from "../dom.js";
import { t, tv, fmtDate, fmtDateTime, countryName, fieldName, errorText } from "../i18n.js";
import { field, input, textarea, select, showError, clearErrors, lines, changedFields, presentFields, keepEditsOnConflict } from "../forms.js";
import { canWrite } from "../roles.js";

export const name = "agreements";
export const live = ["agreement", "institution"];
const KINDS = ["cooperation", "consortium", "partnership", "mou", "other"];
const STATUSES = ["draft", "proposed", "signed", "active", "expired", "terminated"];
const EDITABLE_STATUSES = ["draft", "proposed", "active", "expired", "terminated"];

export function render(box, ctx) {
  const [id, action] = ctx.params;
  if (id === "new") return form(box, ctx, null);
  if (id && action === "edit") return form(box, ctx, id);
  if (id) return detail(box, ctx, id);
  return list(box, ctx);
}

const countryOf = (idx, p) => (idx.get(p) ? idx.get(p).country || "" : "");

async function list(box, ctx) {
  const q = ctx.query;
  // "Expiring" is the node's rule (the dashboard's list: partial dates, closed statuses).
  const [all, idx, dash] = await Promise.all([listAll("agreements"), institutionIndex(),
    q.get("expiring") ? getDashboard() : null]);
  const expiring = new Set(((dash && dash.expiring_agreements) || []).map((x) => x.id));
  const shown = all.filter((a) =>
    (!q.get("party") || (a.parties || []).includes(q.get("party"))) &&
    (!q.get("country") || (a.parties || []).some((p) => countryOf(idx, p) === q.get("country"))) &&
    (!q.get("kind") || a.kind === q.get("kind")) &&
    (!q.get("status") || a.status === q.get("status")) &&
    (!q.get("expiring") || expiring.has(a.id)))
    .sort((a, b) => a.title.localeCompare(b.title));
  const parties = [...new Set(all.flatMap((a) => a.parties || []))].sort((a, b) => institutionName(idx, a).localeCompare(institutionName(idx, b)));
  const countries = [...new Set(parties.map((p) => countryOf(idx, p)).filter(Boolean))].sort();
  const any = ["", t("all")];
  const filters = h("form", { class: "filters", role: "search", "aria-label": t("filters") },
    field(t("f_party"), select([any, ...parties.map((p) => [p, institutionName(idx, p)])], q.get("party")), "party"),
    field(t("f_country"), select([any, ...countries.map((c) => [c, countryName(c)])], q.get("country")), "country"),
    field(t("f_kind"), select([any, ...KINDS.map((k) => [k, tv("kind", k)])], q.get("kind")), "kind"),
    field(t("f_status"), select([any, ...STATUSES.map((k) => [k, tv("status", k)])], q.get("status")), "status"),
    h("div", { class: "field check" }, h("label", {}, h("input", { type: "checkbox", name: "expiring", checked: !!q.get("expiring") }), " ", t("expiring_only"))));
  filters.addEventListener("change", () => {
    const p = new URLSearchParams();
    for (const el of filters.elements) {
      if (el.type === "checkbox") { if (el.checked) p.set(el.name, "1"); } else if (el.value) p.set(el.name, el.value);
    }
    ctx.go(`#/agreements?${p}`);
  });
  box.append(
    h("div", { class: "title-row" }, h("h1", {}, t("agreements_title")),
      canWrite(ctx.user.role, "agreement") ? h("a", { class: "button primary", href: "#/agreements/new", id: "new-agreement" }, t("new_agreement")) : null),
    filters,
    h("p", { class: "muted", "aria-live": "polite" }, t("n_results", { n: shown.length })),
    h("table", { class: "list", id: "agreements-table" },
      h("thead", {}, h("tr", {}, [t("f_title"), t("f_kind"), t("f_status"), t("f_parties"), t("f_end_date")].map((x) => h("th", { scope: "col" }, x)))),
      h("tbody", {}, shown.map((a) => h("tr", { dataset: { id: a.id } },
        h("td", {}, h("a", { href: `#/agreements/${encodeURIComponent(a.id)}` }, a.title)),
        h("td", {}, tv("kind", a.kind)),
        h("td", {}, h("span", { class: `status status-${a.status || "none"}` }, a.status ? tv("status", a.status) : "—")),
        h("td", {}, (a.parties || []).map((p) => institutionName(idx, p)).join(", ")),
        h("td", {}, fmtDate(a.end_date)))))));
}

async function detail(box, ctx, id) {
  const [a, idx, hist] = await Promise.all([
    get(`/api/v1/agreements/${encodeURIComponent(id)}`), institutionIndex(),
    get(`/api/v1/agreements/${encodeURIComponent(id)}/history`).catch(() => ({ history: [] }))]);
  const approvals = a.approvals || {};
  const msg = h("p", { class: "form-error", role: "alert" });
  const mine = session.member && (a.owners || []).includes(session.member);
  const myApproval = approvals[session.member];
  const canApprove = mine && canWrite(ctx.user.role, "agreement") && !(myApproval && myApproval.current);
  const approve = canApprove ? h("button", { type: "button", class: "primary", id: "approve" }, t("approve", { member: session.member })) : null;
  if (approve) approve.addEventListener("click", async () => {
    approve.disabled = true;
    try {
      await api("POST", `/api/v1/agreements/${encodeURIComponent(id)}/approve`, { terms_hash: a.terms_hash });
      ctx.go(location.hash);
    } catch (e) { msg.textContent = t("error", { msg: errorText(e) }); approve.disabled = false; }
  });
  const approvalText = (m) => (!approvals[m] ? t("approval_pending") : approvals[m].current ? t("approved") : t("approval_stale"));
  box.append(
    h("p", {}, h("a", { href: "#/agreements" }, `← ${t("agreements_title")}`)),
    h("div", { class: "title-row" }, h("h1", {}, a.title),
      h("span", { class: `status status-${a.status || "none"}`, id: "agreement-status" }, a.status ? tv("status", a.status) : "—")),
    facts([[t("f_id"), a.id], [t("f_kind"), tv("kind", a.kind)], [t("f_start_date"), fmtDate(a.start_date)],
      [t("f_end_date"), fmtDate(a.end_date)], [t("f_signed_on"), fmtDate(a.signed_on)],
      [t("f_place"), [a.place, countryName(a.place_country)].filter(Boolean).join(", ")], [t("f_purpose"), a.purpose]]),
    h("h2", {}, t("f_parties")),
    h("table", { id: "parties" }, h("thead", {}, h("tr", {}, [t("f_party"), t("f_country"), t("f_role")].map((x) => h("th", { scope: "col" }, x)))),
      h("tbody", {}, (a.parties || []).map((p) => h("tr", {}, h("td", {}, institutionName(idx, p)),
        h("td", {}, countryName(countryOf(idx, p))), h("td", {}, (a.party_roles || {})[p] || "—"))))),
    h("h2", {}, t("f_approval")),
    h("ul", { id: "approvals" }, (a.owners || []).map((m) => h("li", { dataset: { member: m } }, h("strong", {}, m), " — ", approvalText(m),
      approvals[m] && approvals[m].at ? ` — ${fmtDateTime(approvals[m].at)}` : "", approvals[m] && approvals[m].user ? ` (${approvals[m].user})` : ""))),
    h("div", { class: "actions" }, approve,
      canWrite(ctx.user.role, "agreement") ? h("a", { class: "button", href: `#/agreements/${encodeURIComponent(id)}/edit`, id: "edit" }, t("edit")) : null),
    msg);
  if ((a.documents || []).length)
    box.append(h("h2", {}, t("f_documents")), h("ul", {}, a.documents.map((d) =>
      h("li", {}, /^https?:\/\//i.test(d.url || "") ? h("a", { href: d.url, rel: "noopener noreferrer" }, d.title) : d.title))));
  box.append(h("h2", {}, t("history")), historyTable(hist.history || []));
}

export function historyTable(history) {
  return h("table", { class: "history" },
    h("thead", {}, h("tr", {}, [t("f_when"), t("f_change"), t("f_user"), t("f_node")].map((x) => h("th", { scope: "col" }, x)))),
    h("tbody", {}, history.slice().reverse().map((e) => h("tr", {},
      h("td", {}, fmtDateTime(e.at)), h("td", {}, tv("op", e.type), h("span", { class: "muted" }, ` ${Object.keys(e.fields || {}).filter((k) => !["id", "owners"].includes(k)).map((k) => fieldName(k)).join(", ")}`)),
      h("td", {}, e.user || "—"), h("td", {}, e.origin || e.author || "—")))));
}

async function form(box, ctx, id) {
  ctx.editing = true;
  const [a, idx] = await Promise.all([id ? get(`/api/v1/agreements/${encodeURIComponent(id)}`) : {}, institutionIndex()]);
  const insts = [...idx.values()].sort((x, y) => (x.short_name || x.name).localeCompare(y.short_name || y.name));
  const f = {
    id: input({ value: a.id || "", required: true, disabled: !!id, pattern: "[A-Za-z0-9._-]+" }),
    title: input({ value: a.title || "", required: true }),
    parties: h("select", { multiple: true, size: 8, required: true }, insts.map((i) =>
      h("option", { value: i.id, selected: (a.parties || []).includes(i.id) }, `${i.short_name || i.name}${i.country ? ` (${i.country})` : ""}`))),
    kind: select(KINDS.map((k) => [k, tv("kind", k)]), a.kind || "cooperation"),
    status: select([["", "—"], ...EDITABLE_STATUSES.map((k) => [k, tv("status", k)])], a.status === "signed" ? "" : a.status),
    start_date: input({ type: "date", value: a.start_date || "" }),
    end_date: input({ type: "date", value: a.end_date || "" }),
    place: input({ value: a.place || "" }),
    purpose: textarea({ value: a.purpose || "" }),
    documents: textarea({ value: (a.documents || []).map((d) => [d.title, d.url].filter(Boolean).join(" | ")).join("\n") }),
  };
  const form = h("form", { class: "card edit", novalidate: true, id: "agreement-form" },
    h("h1", {}, id ? t("edit_agreement") : t("new_agreement")),
    h("p", { class: "form-error", role: "alert" }),
    field(t("f_id"), f.id, "id"), field(t("f_title"), f.title, "title"), field(t("f_parties"), f.parties, "parties"),
    field(t("f_kind"), f.kind, "kind"), field(t("f_status"), f.status, "status"),
    field(t("f_start_date"), f.start_date, "start_date"), field(t("f_end_date"), f.end_date, "end_date"),
    field(t("f_place"), f.place, "place"), field(t("f_purpose"), f.purpose, "purpose"),
    field(t("f_documents"), f.documents, "documents", t("f_documents_help")),
    h("div", { class: "actions" }, h("button", { type: "submit", class: "primary" }, t("save")),
      h("a", { class: "button", href: id ? `#/agreements/${encodeURIComponent(id)}` : "#/agreements" }, t("cancel"))));
  // The form's values. Parties still chosen keep their stored order and new ones follow;
  // a document line that still reads "title | url" keeps its stored object (and sha256).
  const read = () => {
    const chosen = [...f.parties.selectedOptions].map((o) => o.value);
    const stored = a.parties || [];
    const docs = lines(f.documents.value).map((l) => {
      const [title, url] = l.split("|").map((x) => x.trim());
      return (a.documents || []).find((d) => d.title === title && (d.url || "") === (url || "")) || (url ? { title, url } : { title });
    });
    const v = { title: f.title.value.trim(), parties: [...stored.filter((p) => chosen.includes(p)), ...chosen.filter((p) => !stored.includes(p))],
      kind: f.kind.value, documents: docs };
    // A removed party's role goes with it (the node refuses a role for a non-party).
    if (a.party_roles) {
      const kept = Object.entries(a.party_roles).filter(([p]) => v.parties.includes(p));
      v.party_roles = kept.length ? Object.fromEntries(kept) : null;
    }
    for (const k of ["status", "start_date", "end_date", "place", "purpose"]) v[k] = f[k].value.trim();
    return v;
  };
  const before = read();
  form.addEventListener("submit", async (e) => {
    e.preventDefault();
    clearErrors(form);
    const values = read();
    // Comfort checks; the node checks again and names the field.
    if (!id && !/^[A-Za-z0-9._-]+$/.test(f.id.value.trim())) return showError(form, { field: "id", message: t("required") });
    if (!values.title) return showError(form, { field: "title", message: t("required") });
    if (!values.parties.length) return showError(form, { field: "parties", message: t("required") });
    try {
      const patch = id ? changedFields(before, values) : null;
      const saved = !id ? await api("POST", "/api/v1/agreements", { id: f.id.value.trim(), ...presentFields(values) })
        : Object.keys(patch).length ? await api("PATCH", `/api/v1/agreements/${encodeURIComponent(id)}?expected_version=${a.version}`, patch)
        : a;
      ctx.editing = false;
      ctx.go(`#/agreements/${encodeURIComponent(saved.id)}`);
    } catch (err) {
      if (id && await keepEditsOnConflict(form, err, () => get(`/api/v1/agreements/${encodeURIComponent(id)}`),
                                          (latest) => { a.version = latest.version; })) return;
      showError(form, err);
    }
  });
  box.appendChild(form);
}
