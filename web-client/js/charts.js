// SVG charts of an indicator: one bar per period (stacked women / men when the split is
// given), a dashed line at the target and a dotted one at the baseline. Labels are text
// nodes; every bar has a <title> for screen readers and hover.
import { svg, h } from "./dom.js";
import { t, fmtNum } from "./i18n.js";

export function indicatorChart(ind) {
  const ms = (ind.measurements || []).slice().sort((a, b) => String(a.period).localeCompare(String(b.period)));
  if (!ms.length && typeof ind.value !== "number") return null;
  const bars = ms.length ? ms : [{ period: ind.period ? [ind.period.start, ind.period.end].filter(Boolean).join("–") : "", value: ind.value }];
  const max = Math.max(...bars.map((m) => m.value || 0), ind.target || 0, ind.baseline || 0, 1);
  // Bars share the width (at least 1 px each); past 12 periods only every k-th is labelled.
  const W = 320, H = 160, pad = 28, slot = (W - pad * 2) / bars.length, bw = Math.max(1, Math.min(40, slot * 0.8));
  const every = Math.ceil(bars.length / 12);
  const y = (v) => H - pad - (v / max) * (H - pad * 2);
  const items = bars.map((m, i) => {
    const x = pad + i * slot + (slot - bw) / 2;
    const split = typeof m.women === "number" || typeof m.men === "number";
    const label = `${m.period}: ${fmtNum(m.value)}` + (split ? ` (${t("f_women")} ${fmtNum(m.women ?? 0)}, ${t("f_men")} ${fmtNum(m.men ?? 0)})` : "");
    const parts = split
      ? [svg("rect", { class: "bar-women", x, y: y(m.women || 0), width: bw, height: H - pad - y(m.women || 0) }),
         svg("rect", { class: "bar-men", x, y: y((m.women || 0) + (m.men || 0)), width: bw, height: y(m.women || 0) - y((m.women || 0) + (m.men || 0)) }),
         svg("rect", { class: "bar-rest", x, y: y(m.value || 0), width: bw, height: Math.max(0, y((m.women || 0) + (m.men || 0)) - y(m.value || 0)) })]
      : [svg("rect", { class: "bar", x, y: y(m.value || 0), width: bw, height: H - pad - y(m.value || 0) })];
    return svg("g", {}, svg("title", {}, label), parts,
      i % every ? null : svg("text", { x: x + bw / 2, y: H - pad + 14, "text-anchor": "middle", class: "axis" }, String(m.period || "")));
  });
  const line = (v, cls, name) => typeof v === "number"
    ? svg("g", {}, svg("line", { class: cls, x1: pad, x2: W - pad, y1: y(v), y2: y(v) }),
        svg("text", { x: W - pad, y: y(v) - 3, "text-anchor": "end", class: "axis" }, `${name} ${fmtNum(v)}`)) : null;
  const legend = ms.some((m) => typeof m.women === "number")
    ? h("p", { class: "legend" }, h("span", { class: "key women" }), t("f_women"), " ", h("span", { class: "key men" }), t("f_men")) : null;
  return h("figure", { class: "chart" },
    svg("svg", { viewBox: `0 0 ${W} ${H}`, role: "img", "aria-label": t("chart_of", { name: ind.description }) },
      svg("line", { class: "axis-line", x1: pad, x2: W - pad, y1: H - pad, y2: H - pad }), items,
      line(ind.target, "target", t("f_target")), line(ind.baseline, "baseline", t("f_baseline"))),
    legend);
}
