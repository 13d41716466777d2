// Form building blocks: a labelled control with a place for its error, and the display
// of a node refusal ({field, message}) next to the field it names.
import { h, nextId, clear } from "./dom.js";
import { t, errorText } from "./i18n.js";

// A labelled control; `name` is the record field the node names in its errors.
export function field(label, control, name, help) {
  const id = control.id || nextId(name || "f");
  control.id = id;
  if (name) control.name = name;
  const err = h("p", { class: "field-error", id: `${id}-error`, "aria-live": "polite" });
  const helpEl = help ? h("p", { class: "help", id: `${id}-help` }, help) : null;
  control.setAttribute("aria-describedby", [helpEl ? `${id}-help` : "", `${id}-error`].filter(Boolean).join(" "));
  return h("div", { class: "field", dataset: { field: name || "" } }, h("label", { for: id }, label), control, helpEl, err);
}

export const input = (attrs = {}) => h("input", { type: "text", ...attrs });
export const textarea = (attrs = {}) => h("textarea", { rows: 3, ...attrs });
export function select(options, value, attrs = {}) {
  return h("select", attrs, options.map(([v, label]) =>
    h("option", { value: v, selected: String(v) === String(value ?? "") }, label)));
}

export function clearErrors(form) {
  for (const p of form.querySelectorAll(".field-error")) clear(p);
  for (const c of form.querySelectorAll("[aria-invalid]")) c.removeAttribute("aria-invalid");
  const top = form.querySelector(".form-error");
  if (top) clear(top);
}

// Shows the node's error next to its field ("parties[1]" and "documents[0].url" land on
// "parties" and "documents"), or at the top of the form when no field matches.
export function showError(form, err) {
  clearErrors(form);
  const name = (err.field || "").replace(/\[.*$/, "").replace(/\..*$/, "");
  const box = name && [...form.querySelectorAll(".field")].find((f) => f.dataset.field === name);
  const top = form.querySelector(".form-error");
  if (box) {
    box.querySelector(".field-error").textContent = errorText(err);
    const control = box.querySelector("input, select, textarea");
    control.setAttribute("aria-invalid", "true");
    control.focus();
    if (top) top.textContent = t("fix_fields");
  } else if (top) {
    top.textContent = t("error", { msg: errorText(err) });
  }
}

// A save refused because the record changed meanwhile (412): what the user typed stays
// and the record's new version is taken, so saving again applies the fields the user
// changed over it (the others keep their new values). `reload` fetches the record;
// `adopt(latest)` takes its version. Returns whether it handled `err`.
export async function adoptOnConflict(err, reload, adopt) {
  if (err.status !== 412) return false;
  try {
    adopt(await reload());
    return true;
  } catch {
    return false;
  }
}

// The same for a form, saying so at its top.
export async function keepEditsOnConflict(form, err, reload, adopt) {
  if (!(await adoptOnConflict(err, reload, adopt))) return false;
  clearErrors(form);
  const top = form.querySelector(".form-error");
  if (top) top.textContent = t("conflict_kept");
  return true;
}

// Lines of a textarea, trimmed, empty ones dropped.
export const lines = (s) => s.split("\n").map((x) => x.trim()).filter(Boolean);

const isEmpty = (v) => v === undefined || v === null || v === "" || (Array.isArray(v) && !v.length);

// A create form's body: the fields that have a value.
export const presentFields = (values) => Object.fromEntries(Object.entries(values).filter(([, v]) => !isEmpty(v)));

// An edit form's PATCH body: the fields whose value changed since the form was filled
// (compared as JSON), a cleared one as null so the node erases it. Untouched fields are
// not sent, so a save cannot write back what the form only shows (an agreement's computed
// status, its parties' order, a document's hash) and so undo approvals.
export function changedFields(before, after) {
  const patch = {};
  for (const [k, v] of Object.entries(after))
    if (JSON.stringify(isEmpty(v) ? null : v) !== JSON.stringify(isEmpty(before[k]) ? null : before[k])) patch[k] = isEmpty(v) ? null : v;
  return patch;
}
