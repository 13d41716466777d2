// Makes the web client's world outline at build time: reads world-atlas (Natural Earth
// 1:110m TopoJSON) with topojson-client and writes a small JSON for the dashboard map:
// {width, height, land: one SVG path (equirectangular, whole pixels), centroids: {alpha-2:
// [x, y]}} (centroid of each country's largest polygon). Usage:
//   node build-map.mjs NODE_MODULES_DIR OUT.json
import fs from "node:fs";
import path from "node:path";
import { createRequire } from "node:module";

const [modules, outFile] = process.argv.slice(2);
if (!modules || !outFile) { console.error("usage: build-map.mjs NODE_MODULES_DIR OUT.json"); process.exit(2); }
const require = createRequire(path.join(path.resolve(modules), "x.js"));
const topojson = require("topojson-client");
const countries = require("i18n-iso-countries");
const read = (f) => JSON.parse(fs.readFileSync(path.join(modules, "world-atlas", f), "utf8"));

const W = 960, TOP = 84, BOTTOM = -58;
const H = Math.round(((TOP - BOTTOM) / 360) * W);
const px = ([lon, lat]) => [Math.round(((lon + 180) / 360) * W), Math.round(((TOP - lat) / 360) * W)];

// A ring as a path; a jump across the antimeridian starts a new subpath instead of a
// line across the whole map (such a ring is then left open).
function ringPath(ring) {
  let d = "", last = "", lastX = null, broken = false;
  for (const p of ring) {
    const [x, y] = px(p);
    const s = `${x},${y}`;
    if (s === last) continue;
    const jump = lastX !== null && Math.abs(x - lastX) > W / 2;
    broken ||= jump;
    d += (!d || jump ? "M" : "L") + s;
    last = s;
    lastX = x;
  }
  return broken ? d : d + "Z";
}
const polygons = (g) => (g.type === "Polygon" ? [g.coordinates] : g.type === "MultiPolygon" ? g.coordinates : []);

const landTopo = read("land-110m.json");
const land = topojson.feature(landTopo, landTopo.objects.land);
const landPath = (land.features || [land]).flatMap((f) => polygons(f.geometry)).flatMap((poly) => poly.map(ringPath)).join("");

function areaCentroid(ring) {
  let a = 0, cx = 0, cy = 0;
  for (let i = 0, j = ring.length - 1; i < ring.length; j = i++) {
    const [x0, y0] = ring[j], [x1, y1] = ring[i];
    const f = x0 * y1 - x1 * y0;
    a += f; cx += (x0 + x1) * f; cy += (y0 + y1) * f;
  }
  return a ? { area: Math.abs(a / 2), c: [cx / (3 * a), cy / (3 * a)] } : { area: 0, c: ring[0] };
}
const countriesTopo = read("countries-110m.json");
const centroids = {};
for (const f of topojson.feature(countriesTopo, countriesTopo.objects.countries).features) {
  const cc = f.id && countries.numericToAlpha2(f.id);
  if (!cc) continue;
  const best = polygons(f.geometry).map((p) => areaCentroid(p[0])).sort((a, b) => b.area - a.area)[0];
  if (best) centroids[cc] = px(best.c);
}
fs.mkdirSync(path.dirname(outFile), { recursive: true });
fs.writeFileSync(outFile, JSON.stringify({ width: W, height: H, land: landPath, centroids }));
console.log(`build-map: ${outFile}: ${Object.keys(centroids).length} countries, ${Math.round(fs.statSync(outFile).size / 1024)} KB`);
