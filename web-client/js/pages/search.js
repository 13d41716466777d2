// Search: one box across every family (GET /api/v1/search, insensitive to case and
// accents on the node); results link to their page where the family has one.
import { get } from "../api.js";
import { h, nextId } from "../dom.js";
import { t, tv, fieldName, errorText } from "../i18n.js";

// The node's snippet "place: Montréal" with the field named in the user's language.
const snippetText = (s) => s.replace(/^([a-z_]+): /, (_, f) => `${fieldName(f)}: `);

export const name = "search";

export function linkFor(r) {
  const id = encodeURIComponent(r.id);
  switch (r.kind) {
    case "agreement": return `#/agreements/${id}`;
    case "project": return `#/projects/${id}`;
    case "forum": return `#/forums/${id}`;
    case "framework": case "qualification": case "mapping": return "#/qualifications";
    default: return null;
  }
}

export async function render(box, ctx) {
  const q = ctx.query.get("q") || "";
  const id = nextId("q");
  const inputEl = h("input", { type: "search", id, name: "q", value: q, maxlength: 200, autocomplete: "off" });
  const form = h("form", { role: "search", class: "searchbox" }, h("label", { for: id }, t("search_label")), inputEl,
    h("button", { type: "submit", class: "primary" }, t("search_button")));
  form.addEventListener("submit", (e) => {
    e.preventDefault();
    if (inputEl.value.trim()) ctx.go(`#/search?q=${encodeURIComponent(inputEl.value.trim())}`);
  });
  box.append(h("h1", {}, t("search_title")), form);
  if (!q) return;
  let res;
  try {
    res = await get(`/api/v1/search?${new URLSearchParams({ q, limit: "50" })}`);
  } catch (e) {
    box.append(h("p", { class: "bad", role: "alert" }, e.status === 404 ? t("unavailable") : t("error", { msg: errorText(e) })));
    return;
  }
  const results = res.results || [];
  box.append(h("p", { class: "muted", "aria-live": "polite", id: "search-count" }, t("n_results", { n: results.length })),
    h("ol", { class: "results", id: "search-results" }, results.map((r) => {
      const link = linkFor(r);
      return h("li", {}, h("span", { class: "kind" }, tv("kindname", r.kind)), " ",
        link ? h("a", { href: link }, r.title || r.id) : h("strong", {}, r.title || r.id),
        r.snippet ? h("p", { class: "snippet" }, snippetText(r.snippet)) : null);
    })));
}
