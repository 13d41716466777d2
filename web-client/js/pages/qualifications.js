// Qualifications: each framework with its levels and their descriptors per dimension,
// and the qualifications placed at each level.
import { listAll } from "../api.js";
import { h } from "../dom.js";
import { t, countryName } from "../i18n.js";

export const name = "qualifications";
export const live = ["framework", "qualification"];

export async function render(box) {
  const [fws, quals] = await Promise.all([listAll("frameworks"), listAll("qualifications")]);
  box.append(h("h1", {}, t("nav_qualifications")), h("h2", {}, t("frameworks")));
  for (const fw of fws.sort((a, b) => a.name.localeCompare(b.name))) {
    const levels = (fw.levels || []).slice().sort((a, b) => a.level - b.level);
    const dims = [...new Set(levels.flatMap((l) => Object.keys(l.descriptors || {})))];
    const inFw = quals.filter((q) => q.framework_id === fw.id);
    box.append(h("details", { class: "card framework", id: `fw-${fw.id}` },
      h("summary", {}, fw.name, fw.country ? ` — ${countryName(fw.country)}` : "", ` · ${levels.length || fw.levels_count || 0} ${t("f_levels").toLowerCase()}`),
      levels.length ? h("div", { class: "scroll" }, h("table", {},
        h("thead", {}, h("tr", {}, h("th", { scope: "col" }, t("f_level")), dims.map((d) => h("th", { scope: "col" }, d)))),
        h("tbody", {}, levels.map((l) => h("tr", {}, h("th", { scope: "row" }, `${l.level}${l.title ? ` — ${l.title}` : ""}`),
          dims.map((d) => h("td", {}, (l.descriptors || {})[d] || "—"))))))) : null,
      inFw.length ? [h("h3", {}, t("qualifications_by_level")), levelGroups(inFw)] : null));
  }
  const loose = quals.filter((q) => !q.framework_id);
  if (loose.length) box.append(h("h2", {}, t("nav_qualifications")), qualList(loose));
}

function levelGroups(quals) {
  const byLevel = new Map();
  for (const q of quals) {
    const k = q.level ?? 0;
    if (!byLevel.has(k)) byLevel.set(k, []);
    byLevel.get(k).push(q);
  }
  return [...byLevel].sort((a, b) => a[0] - b[0]).map(([l, qs]) =>
    h("div", {}, h("h4", {}, l ? `${t("f_level")} ${l}` : t("no_level")), qualList(qs)));
}

const qualList = (qs) => h("ul", {}, qs.sort((a, b) => a.title.localeCompare(b.title)).map((q) =>
  h("li", { id: `q-${q.id}` }, q.title, q.country ? ` (${q.country})` : "", q.sector ? ` · ${q.sector}` : "")));
