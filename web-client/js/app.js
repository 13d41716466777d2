// The single-page app: a hash router (#/page/id?query), the page shell (navigation,
// language, who is logged in, live-update state), the session recovered on reload
// (GET /api/v1/session) and live refresh of the page on screen when its data changes.
import { api, get, session, onLogout, forgetInstitutions, noteSession } from "./api.js";
import { h, clear } from "./dom.js";
import { t, lang, setLang, tv, errorText } from "./i18n.js";
import { onChange, onLiveState, startLive, endLive } from "./live.js";

const PAGES = {
  login: () => import("./pages/login.js"),
  dashboard: () => import("./pages/dashboard.js"),
  agreements: () => import("./pages/agreements.js"),
  projects: () => import("./pages/projects.js"),
  forums: () => import("./pages/forums.js"),
  qualifications: () => import("./pages/qualifications.js"),
  equivalences: () => import("./pages/equivalences.js"),
  federation: () => import("./pages/federation.js"),
  search: () => import("./pages/search.js"),
};
const NAV = ["dashboard", "agreements", "projects", "forums", "qualifications", "equivalences", "federation", "search"];

const view = document.getElementById("view");
let current = null;  // the page on screen: {mod, ctx, name, seq}
let renderSeq = 0;

function parseHash() {
  const raw = location.hash.replace(/^#\/?/, "");
  const [path, qs] = raw.split("?");
  const parts = path.split("/").filter(Boolean).map(decodeURIComponent);
  return { name: parts[0] || "dashboard", params: parts.slice(1), query: new URLSearchParams(qs || "") };
}

export const go = (hash) => { if (location.hash === hash) route(); else location.hash = hash; };

function shell() {
  document.documentElement.lang = lang();
  document.getElementById("skip").textContent = t("skip");
  document.getElementById("tagline").textContent = t("tagline");
  document.getElementById("lang-label").textContent = t("language");
  document.getElementById("lang-select").value = lang();
  document.getElementById("nav").setAttribute("aria-label", t("main_nav"));
  document.getElementById("menu-toggle").setAttribute("aria-label", t("main_nav"));
  const logged = !!session.user;
  document.getElementById("nav").hidden = !logged;
  const logout = document.getElementById("logout");
  logout.hidden = !logged;
  logout.textContent = t("logout");
  document.getElementById("who").textContent = logged
    ? t("signed_in_as", { user: session.user.username, role: tv("role", session.user.role), node: session.member }) : "";
  showLiveState();  // in the language just chosen
  const list = clear(document.getElementById("nav-list"));
  const { name } = parseHash();
  for (const n of NAV)
    list.appendChild(h("li", {}, h("a", { href: `#/${n}`, "aria-current": n === name ? "page" : null }, t(`nav_${n}`))));
}

// The page's hash, to go back to after a log-in, and the hash on screen (to undo a
// navigation the user cancels).
let returnTo = "", shownHash = location.hash;
export const takeReturnTo = () => { const r = returnTo; returnTo = ""; return r; };

// Unsaved changes: the user typed in the page's form since it was shown.
const dirty = () => !!(current && current.ctx.editing && current.ctx.dirty);
const keepChanges = () => dirty() && !confirm(t("discard_changes"));
// A link within the app asks before it navigates, so declining leaves history as it was;
// the check in route() is for the rest (Back, a typed address).
let leaveConfirmed = false;
document.addEventListener("click", (e) => {
  const a = e.target.closest && e.target.closest('a[href^="#"]');
  if (!a || e.defaultPrevented || e.button !== 0 || e.metaKey || e.ctrlKey || e.shiftKey) return;
  if (!dirty() || a.getAttribute("href") === location.hash) return;
  if (keepChanges()) e.preventDefault();
  else leaveConfirmed = true;
}, true);
view.addEventListener("input", () => { if (current && current.ctx.editing) current.ctx.dirty = true; });
addEventListener("beforeunload", (e) => { if (dirty()) e.preventDefault(); });

async function route() {
  const confirmed = leaveConfirmed;
  leaveConfirmed = false;
  if (location.hash !== shownHash && !confirmed && keepChanges()) {
    history.replaceState(null, "", shownHash || "#/");  // back to the form, no new route
    return;
  }
  // The same page with other parameters (a filter changed): focus goes back to the
  // control the user was on.
  const same = current && parseHash().name === current.name;
  const refocus = same ? focusKey(document.activeElement) : "";
  shownHash = location.hash;
  const seq = ++renderSeq;
  current = null;  // no live refresh of the page being left
  let { name, params, query } = parseHash();
  if (!session.user && name !== "login") { location.hash = "#/login"; return; }
  if (session.user && name === "login") { location.hash = "#/dashboard"; return; }
  if (!PAGES[name]) name = "dashboard";
  shell();
  document.getElementById("nav-list").classList.remove("open");
  const mod = await PAGES[name]();
  if (seq !== renderSeq) return;
  const ctx = { params, query, user: session.user, member: session.member, editing: false, go };
  current = { mod, ctx, name, seq };
  await paint(mod, ctx, seq, true, refocus);
}

// What finds an element again in a re-rendered page: its name, id (not one nextId()
// made up: those change with each render), data-id or link, within the row (data-id)
// that holds it; "" when that does not name it alone.
function focusKey(el) {
  if (!el || el === view || !view.contains(el)) return "";
  const row = el.parentElement && el.parentElement.closest("[data-id]");
  const scope = row && view.contains(row) ? `[data-id="${CSS.escape(row.dataset.id)}"] ` : "";
  for (const a of ["name", "id", "data-id", "href"]) {
    const v = el.getAttribute(a);
    if (!v || (a === "id" && /-\d+$/.test(v))) continue;
    const key = `${scope}${el.tagName}[${a}="${CSS.escape(v)}"]`;
    return view.querySelectorAll(key).length === 1 ? key : "";
  }
  return "";
}

// Renders the page into a fresh container and swaps it in (no flicker on live refresh).
// Live refreshes may overlap: only the last one started is shown. `refocus` (focusKey)
// names the element to give focus back to.
let livePaints = 0;
async function paint(mod, ctx, seq, focus, refocus = "") {
  const mine = focus ? livePaints : ++livePaints;
  const box = h("div", { class: `page page-${mod.name || ""}` });
  if (focus) { clear(view).appendChild(box); }
  try {
    await mod.render(box, ctx);
  } catch (e) {
    box.appendChild(h("p", { class: "bad", role: "alert" }, t("error", { msg: errorText(e) })));
  }
  if (seq !== renderSeq || (!focus && mine !== livePaints)) return;
  if (!focus && ctx.editing) return;  // the user started editing meanwhile: keep their page
  view.dataset.rendered = mod.name || "";
  view.dataset.paints = String(Number(view.dataset.paints || 0) + 1);
  if (!focus) {
    const y = window.scrollY;
    const key = focusKey(document.activeElement);
    clear(view).appendChild(box);
    window.scrollTo(0, y);
    const again = key && box.querySelector(key);
    if (again) again.focus({ preventScroll: true });
  } else {
    const h1 = box.querySelector("h1");
    if (h1) document.title = `${h1.textContent} — Passerelle`;
    const again = refocus && box.querySelector(refocus);
    if (again) again.focus({ preventScroll: true }); else view.focus({ preventScroll: true });
  }
}

onChange((batch) => {
  if (batch.some((c) => c.kind === "institution" || c.kind === "*")) forgetInstitutions();
  if (!current || !current.mod.live || current.ctx.editing) return;
  const kinds = current.mod.live;  // "*": any change
  if (!kinds.includes("*") && !batch.some((c) => c.kind === "*" || kinds.includes(c.kind))) return;
  const last = batch[batch.length - 1];
  document.getElementById("announce").textContent =
    last.kind === "*" ? "" : t("updated_live", { kind: tv("kindname", last.kind), id: last.id });
  paint(current.mod, current.ctx, current.seq, false);
});

let liveState = "";
function showLiveState() {
  const el = document.getElementById("live-state");
  el.textContent = session.user ? { on: t("live_on"), poll: t("live_poll"), off: t("live_off") }[liveState] || "" : "";
  el.className = `live live-${liveState}`;
}
onLiveState((state) => {
  liveState = state;
  showLiveState();
});

export async function loggedIn(answer) {
  session.user = answer.user;
  session.csrf = answer.csrf_token;
  noteSession(answer);
  try { session.member = (await get("/api/v1/node")).member_id; } catch { session.member = ""; }
  startLive();
}

// The session ended (idle timeout, logged out elsewhere). With unsaved changes on
// screen, a log-in dialog opens over the page and the user saves again once logged in;
// otherwise the log-in page, and back to this page after.
let relogging = false;
onLogout(async () => {
  endLive();
  if (dirty()) {
    if (relogging) return;
    relogging = true;
    try { await relogin(); } finally { relogging = false; }
    return;
  }
  session.user = null;
  session.csrf = "";
  if (!location.hash.startsWith("#/login")) returnTo = location.hash;
  location.hash = "#/login";
});

async function relogin() {
  const { loginForm } = await import("./pages/login.js");
  const dialog = h("dialog", { class: "card relogin", "aria-labelledby": "relogin-title" });
  const done = new Promise((resolve) => {
    dialog.appendChild(loginForm(resolve, { title: t("session_ended"), note: t("relogin_note"), id: "relogin-title" }));
  });
  let loggedBackIn = false;
  dialog.addEventListener("cancel", (e) => e.preventDefault());  // Escape would leave no session
  // A browser may close it anyway (a second Escape): it opens again until logged in.
  dialog.addEventListener("close", () => { if (!loggedBackIn) dialog.showModal(); });
  document.body.appendChild(dialog);
  dialog.showModal();
  await done;
  loggedBackIn = true;
  dialog.close();
  dialog.remove();
  document.getElementById("announce").textContent = t("relogged");
  shell();
}

document.getElementById("lang-select").addEventListener("change", (e) => {
  if (keepChanges()) { e.target.value = lang(); return; }
  setLang(e.target.value);
  if (current) current.ctx.dirty = false;
  route();
});
document.getElementById("logout").addEventListener("click", async () => {
  if (keepChanges()) return;
  try {
    await api("DELETE", "/api/v1/session");
  } catch (e) {
    // Still logged in on the node (it did not answer, or failed): say so rather than
    // show a log-in page a reload would skip.
    if (e.status !== 401) { alert(t("logout_failed", { msg: errorText(e) })); return; }
  }
  session.user = null;
  session.csrf = "";
  endLive();
  if (current) current.ctx.dirty = false;
  location.hash = "#/login";
});
document.getElementById("menu-toggle").addEventListener("click", (e) => {
  const list = document.getElementById("nav-list");
  const open = list.classList.toggle("open");
  e.currentTarget.setAttribute("aria-expanded", String(open));
});
window.addEventListener("hashchange", route);

(async () => {
  try { await loggedIn(await get("/api/v1/session")); } catch { /* not logged in */ }
  route();
})();
