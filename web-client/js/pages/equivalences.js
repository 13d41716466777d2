// Equivalences for mobility officers: pick a qualification (search as you type, GET
// /api/v1/search?kind=qualification), a target country, and get the candidate levels
// (GET /api/v1/equivalences) with the path of mappings drawn, the descriptors of each
// level side by side per dimension, caveats and the disclaimer. The answer is laid out
// as a note in the chosen note language, which the print stylesheet turns into a
// printable equivalence note.
import { get, listAll, localToday } from "../api.js";
import { h, svg, clear } from "../dom.js";
import { t, tr, tv, lang, LANGS, fmtDate, fmtPct, countryName, fieldName, errorText } from "../i18n.js";
import { field, select } from "../forms.js";

export const name = "equivalences";

const fold = (s) => s.normalize("NFD").replace(/\p{M}/gu, "").toLowerCase().replace(/œ/g, "oe").replace(/æ/g, "ae");

async function findQualifications(q) {
  try {
    const res = await get(`/api/v1/search?${new URLSearchParams({ q, kind: "qualification", limit: "10" })}`);
    return res.results.map((r) => ({ id: r.id, title: r.title, snippet: r.snippet }));
  } catch (e) {
    if (e.status !== 404) throw e;
    // A node without the search route: match the qualification list here.
    const words = fold(q).split(/\s+/).filter(Boolean);
    return (await listAll("qualifications")).filter((x) => words.every((w) => fold(`${x.title} ${x.id}`).includes(w)))
      .slice(0, 10).map((x) => ({ id: x.id, title: x.title, snippet: [x.country, x.sector].filter(Boolean).join(" · ") }));
  }
}

export async function render(box, ctx) {
  const fws = await listAll("frameworks");
  const fwIndex = new Map(fws.map((f) => [f.id, f]));
  const countries = [...new Set(fws.flatMap((f) => [f.country, ...(f.countries || [])]).filter(Boolean))]
    .sort((a, b) => countryName(a).localeCompare(countryName(b)));
  let chosen = ctx.query.get("qualification") ? { id: ctx.query.get("qualification"), title: ctx.query.get("qualification") } : null;
  const qInput = h("input", { type: "search", autocomplete: "off", role: "combobox", "aria-autocomplete": "list",
    "aria-expanded": "false", "aria-controls": "q-options", id: "q-search" });
  const options = h("ul", { id: "q-options", class: "options", role: "listbox", "aria-label": t("equiv_qualification") });
  const chosenEl = h("p", { id: "q-chosen", class: "muted", "aria-live": "polite" }, chosen ? t("equiv_selected", { title: chosen.title }) : "");
  const target = select([["", "—"], ...countries.map((c) => [c, countryName(c)])], ctx.query.get("target_country") || "", { id: "target-country" });
  const proposed = h("input", { type: "checkbox", id: "include-proposed", checked: ctx.query.get("include_proposed") === "true" });
  const noteLang = select(LANGS.map((l) => [l, new Intl.DisplayNames([l], { type: "language" }).of(l)]), ctx.query.get("lang") || lang(), { id: "note-lang" });
  const msg = h("p", { class: "form-error", role: "alert" });
  const out = h("div", { id: "equiv-result" });

  let timer = null, seq = 0;
  const choose = (q) => {
    chosen = q;
    qInput.value = q.title;
    chosenEl.textContent = t("equiv_selected", { title: q.title });
    clear(options);
    qInput.setAttribute("aria-expanded", "false");
  };
  qInput.addEventListener("input", () => {
    // Typing drops the previous choice and any answer still on its way.
    clearTimeout(timer);
    chosen = null;
    chosenEl.textContent = "";
    msg.textContent = "";
    seq++;
    const q = qInput.value.trim();
    if (!q) { clear(options); qInput.setAttribute("aria-expanded", "false"); return; }
    timer = setTimeout(async () => {
      const mine = ++seq;
      let found = [];
      try { found = await findQualifications(q); } catch (e) { msg.textContent = t("error", { msg: errorText(e) }); }
      if (mine !== seq) return;
      clear(options);
      for (const f of found)
        options.appendChild(h("li", { role: "option", "aria-selected": "false" },
          h("button", { type: "button", class: "option", onclick: () => choose(f), dataset: { id: f.id } },
            f.title, f.snippet ? h("span", { class: "muted" }, ` — ${f.snippet}`) : null)));
      qInput.setAttribute("aria-expanded", String(found.length > 0));
    }, 150);
  });
  qInput.addEventListener("keydown", (e) => {
    if (e.key === "ArrowDown" && options.querySelector("button")) { e.preventDefault(); options.querySelector("button").focus(); }
  });
  options.addEventListener("keydown", (e) => {
    const buttons = [...options.querySelectorAll("button")];
    const i = buttons.indexOf(document.activeElement);
    if (e.key === "ArrowDown" && i < buttons.length - 1) { e.preventDefault(); buttons[i + 1].focus(); }
    if (e.key === "ArrowUp") { e.preventDefault(); (i > 0 ? buttons[i - 1] : qInput).focus(); }
  });

  const form = h("form", { class: "card no-print", id: "equiv-form", novalidate: true },
    h("p", {}, t("equiv_intro")),
    h("div", { class: "field", dataset: { field: "qualification" } }, h("label", { for: "q-search" }, t("equiv_qualification")), qInput, options, chosenEl),
    field(t("equiv_target"), target, "target_country"),
    h("div", { class: "field check" }, h("label", {}, proposed, " ", t("equiv_proposed"))),
    field(t("equiv_note_lang"), noteLang, "lang"),
    msg,
    h("button", { type: "submit", class: "primary", id: "lookup" }, t("equiv_lookup")));
  form.addEventListener("submit", async (e) => {
    e.preventDefault();
    msg.textContent = "";
    if (!chosen) { msg.textContent = t("equiv_pick"); qInput.focus(); return; }
    if (!target.value) { msg.textContent = `${t("equiv_target")} — ${t("required")}`; target.focus(); return; }
    const params = new URLSearchParams({ qualification: chosen.id, target_country: target.value, lang: noteLang.value });
    if (proposed.checked) params.set("include_proposed", "true");
    clear(out).appendChild(h("p", { class: "muted" }, t("loading")));
    try {
      const ans = await get(`/api/v1/equivalences?${params}`);
      clear(out).appendChild(note(ans, noteLang.value, chosen, target.value, fwIndex));
    } catch (err) {
      clear(out);
      msg.textContent = err.status === 404 && !err.field ? t("unavailable") : `${err.field ? fieldName(err.field) + " : " : ""}${errorText(err)}`;
    }
  });
  box.append(h("h1", { class: "no-print" }, t("equiv_title")), form, out);
  if (chosen && target.value) form.requestSubmit();
}

const levelName = (fw, level, title) => `${fw} · ${level}${title ? ` — ${title}` : ""}`;

function pathDrawing(path, l) {
  if (!path || !path.length) return null;
  const nodes = [path[0].from, ...path.map((s) => s.to)];
  const W = 150, gap = 60, H = 70;
  const width = nodes.length * W + (nodes.length - 1) * gap;
  return svg("svg", { class: "path", viewBox: `0 0 ${width} ${H}`, role: "img",
      "aria-label": nodes.map((n) => `${n.framework_id} ${n.level}`).join(" → ") },
    svg("defs", {}, svg("marker", { id: "arrow", viewBox: "0 0 10 10", refX: 9, refY: 5, markerWidth: 6, markerHeight: 6, orient: "auto" },
      svg("path", { d: "M0,0 L10,5 L0,10 z" }))),
    nodes.map((n, i) => svg("g", {}, svg("rect", { x: i * (W + gap), y: 15, width: W, height: 36, rx: 6 }),
      svg("text", { x: i * (W + gap) + W / 2, y: 38, "text-anchor": "middle" }, `${n.framework_id} · ${n.level}`))),
    path.map((s, i) => {
      const x1 = i * (W + gap) + W, x2 = x1 + gap;
      return svg("g", { class: `step step-${s.strength}` },
        svg("line", { x1: x1 + 2, x2: x2 - 2, y1: 33, y2: 33, "marker-end": "url(#arrow)" }),
        svg("text", { x: (x1 + x2) / 2, y: 12, "text-anchor": "middle", class: "axis" }, tv("strength", s.strength, l)),
        svg("title", {}, `${tv("strength", s.strength, l)} — ${s.basis || ""}`));
    }));
}

// The descriptors of a framework's level, from the answer when it has them, else from the
// replicated framework record.
function descriptorsOf(fwIndex, fwId, level, given) {
  if (given && Object.keys(given).length) return given;
  const fw = fwIndex.get(fwId);
  const lv = fw && (fw.levels || []).find((x) => x.level === level);
  return (lv && lv.descriptors) || {};
}

function note(ans, l, chosen, cc, fwIndex) {
  const T = (k, v) => tr(l, k, v);
  const src = ans.source || {};
  const q = src.qualification || chosen;
  const art = h("article", { class: "note", lang: l, id: "equiv-note" },
    h("header", {}, h("h2", {}, T("equiv_note")),
      h("p", {}, T("printed_on", { date: fmtDate(localToday(), l) }))),
    h("section", {}, h("h3", {}, T("equiv_source")),
      h("p", { class: "source" }, q.title || q.id, q.country ? ` (${countryName(q.country, l)})` : "", q.sector ? ` · ${q.sector}` : ""),
      src.framework_id ? h("p", {}, levelName(src.framework_id, src.level, src.level_title)) : null),
    h("h3", {}, `${T("equiv_candidates")} — ${countryName(cc, l)}`));
  const cands = ans.candidates || [];
  if (!cands.length) art.appendChild(h("p", { class: "muted", id: "equiv-none" }, T("equiv_none")));
  for (const c of cands) {
    // Every level along the path, source first, candidate last, side by side per dimension.
    const stops = c.path && c.path.length ? [c.path[0].from, ...c.path.map((p) => p.to)]
      : [{ framework_id: src.framework_id, level: src.level }, { framework_id: c.framework_id, level: c.level }];
    const cols = stops.map((st, i) => ({ ...st, d: descriptorsOf(fwIndex, st.framework_id, st.level,
      i === 0 ? src.descriptors : i === stops.length - 1 ? c.descriptors : null) }));
    const dims = [...new Set(cols.flatMap((x) => Object.keys(x.d)))];
    art.appendChild(h("section", { class: "candidate card" },
      h("h4", {}, levelName(c.framework_name || c.framework_id, c.level, c.level_title)),
      h("p", { class: `confidence conf-${c.confidence_label}` },
        T("equiv_confidence", { label: tv("conf", c.confidence_label, l), pct: fmtPct(c.confidence || 0, l) })),
      h("h5", {}, T("equiv_path")), pathDrawing(c.path, l),
      h("ul", { class: "steps" }, (c.path || []).map((s) => h("li", {},
        `${s.from.framework_id} ${s.from.level} → ${s.to.framework_id} ${s.to.level}: ${tv("strength", s.strength, l)} (${tv("mstatus", s.status, l)}). `,
        T("equiv_decided", { who: (s.decided_by || []).join(", ") || "—", basis: s.basis || "—" }),
        s.sector ? ` ${T("equiv_sector_only", { sector: s.sector })}` : ""))),
      dims.length ? [h("h5", {}, T("equiv_side")), h("table", { class: "side-by-side" },
        h("thead", {}, h("tr", {}, h("th", { scope: "col" }, T("equiv_dimension")),
          cols.map((x) => h("th", { scope: "col" }, levelName(x.framework_id || "", x.level ?? "", ""))))),
        h("tbody", {}, dims.map((d) => h("tr", {}, h("th", { scope: "row" }, d), cols.map((x) => h("td", {}, x.d[d] || "—"))))))] : null,
      (c.qualifications || []).length ? [h("h5", {}, T("equiv_quals_there")),
        h("ul", {}, c.qualifications.map((x) => h("li", {}, x.title, x.country ? ` (${x.country})` : "", x.sector ? ` · ${x.sector}` : "")))] : null,
      (c.caveats || []).length ? [h("h5", {}, T("equiv_caveats")), h("ul", { class: "caveats" }, c.caveats.map((x) => h("li", {}, x.message || x.code)))] : null));
  }
  if ((ans.problems || []).length)
    art.appendChild(h("section", {}, h("h3", {}, T("equiv_problems")), h("ul", {}, ans.problems.map((p) => h("li", {}, p.message || p.kind)))));
  art.appendChild(h("p", { class: "disclaimer", id: "disclaimer" }, ans.disclaimer || ""));
  const print = h("button", { type: "button", class: "no-print", id: "print" }, t("print"));
  print.addEventListener("click", () => window.print());
  art.appendChild(print);
  return art;
}
