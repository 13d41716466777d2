// The partnership map: a world outline (vendor/world.json, made at build time from the
// world-atlas npm package: {width, height, land: SVG path, centroids: {CC: [x, y]}}),
// institutions as circles per country, agreements as arcs between their parties'
// countries. Without the outline file the map is left out and says so.
import { h, svg } from "./dom.js";
import { t, countryName } from "./i18n.js";

let world = null;
async function loadWorld() {
  if (!world) world = fetch("vendor/world.json").then((r) => (r.ok ? r.json() : null)).catch(() => null);
  return world;
}

export async function partnershipMap(institutions, agreements) {
  const w = await loadWorld();
  if (!w) return h("p", { class: "muted" }, t("map_unavailable"));
  const byCountry = new Map();
  for (const i of institutions) {
    const cc = i.country || (i.countries || [])[0];
    if (cc && w.centroids[cc]) byCountry.set(cc, (byCountry.get(cc) || 0) + 1);
  }
  const instCountry = new Map(institutions.map((i) => [i.id, i.country || (i.countries || [])[0]]));
  const links = new Map();
  for (const a of agreements) {
    const cs = [...new Set((a.parties || []).map((p) => instCountry.get(p)).filter((c) => c && w.centroids[c]))].sort();
    for (let i = 0; i < cs.length; i++)
      for (let j = i + 1; j < cs.length; j++) {
        const key = `${cs[i]}|${cs[j]}`;
        links.set(key, (links.get(key) || 0) + 1);
      }
  }
  const title = t("map_title"), desc = t("map_desc");
  const arcs = [...links].map(([key, n]) => {
    const [a, b] = key.split("|");
    const [x1, y1] = w.centroids[a], [x2, y2] = w.centroids[b];
    const mx = (x1 + x2) / 2, my = (y1 + y2) / 2 - Math.hypot(x2 - x1, y2 - y1) / 4;
    return svg("path", { class: "arc", d: `M${x1},${y1} Q${mx},${my} ${x2},${y2}`, "stroke-width": Math.min(1 + n, 6) },
      svg("title", {}, t("agreements_between", { n, a: countryName(a), b: countryName(b) })));
  });
  const dots = [...byCountry].map(([cc, n]) => {
    const [x, y] = w.centroids[cc];
    return svg("g", { class: "place", tabindex: 0, role: "img", "aria-label": t("institutions_in", { n, country: countryName(cc) }) },
      svg("circle", { cx: x, cy: y, r: Math.min(3 + Math.sqrt(n) * 2, 14) }),
      svg("title", {}, t("institutions_in", { n, country: countryName(cc) })));
  });
  return svg("svg", { class: "map", viewBox: `0 0 ${w.width} ${w.height}`, role: "img", "aria-labelledby": "map-t map-d" },
    svg("title", { id: "map-t" }, title), svg("desc", { id: "map-d" }, desc),
    svg("path", { class: "land", d: w.land }), arcs, dots);
}
