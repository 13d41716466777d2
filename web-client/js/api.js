// The node's REST API: JSON in and out, the session cookie sent by the browser, the CSRF
// token (from the login answer) in X-CSRF-Token on every change. A failure throws an
// ApiError carrying the node's {code, message, field}; a 401 also tells the app (onLogout).
export class ApiError extends Error {
  constructor(status, err = {}) {
    super(err.message || `HTTP ${status}`);
    this.status = status;
    this.code = err.code || "";
    this.field = err.field || "";
    this.retryAfter = 0;
  }
}

export const session = { user: null, csrf: "", member: "" };
let onUnauthenticated = () => {};
export const onLogout = (fn) => { onUnauthenticated = fn; };

// A request is the user's own when they touched the page (a key, a pointer, a navigation)
// in the last few seconds; otherwise it is the client's background work (polling, a live
// re-render) and says so, and the node leaves the session's idle time alone: an
// unattended browser is logged out after the idle timeout.
const USER_WINDOW_MS = 10000;
let lastInput = Date.now();
// Typing in a form sends nothing, so while the user is active the client tells the node
// (GET /api/v1/session) often enough that a long edit outlives the idle timeout: every
// third of the idle time the last session answer left (2 s to 60 s).
let lastUserRequest = Date.now(), keepAliveMs = 60000, keepAliveBusy = false;
export function noteSession(answer) {
  const left = Date.parse(answer && answer.expires_at) - Date.now();
  if (left > 0) keepAliveMs = Math.min(60000, Math.max(2000, left / 3));
}
function keepAlive() {
  if (!session.user || keepAliveBusy || Date.now() - lastUserRequest < keepAliveMs) return;
  keepAliveBusy = true;
  api("GET", "/api/v1/session").then(noteSession, () => {}).finally(() => { keepAliveBusy = false; });
}
for (const ev of ["keydown", "pointerdown", "hashchange", "input"])
  addEventListener(ev, () => { lastInput = Date.now(); keepAlive(); }, { capture: true, passive: true });

// A node that does not answer within this time fails the request (with status 0)
// instead of leaving the page waiting for ever.
const TIMEOUT_MS = 30000;

export async function api(method, path, body) {
  const headers = { Accept: "application/json" };
  if (Date.now() - lastInput > USER_WINDOW_MS) headers["X-Passerelle-Background"] = "1";
  else lastUserRequest = Date.now();
  if (method !== "GET" && session.csrf) headers["X-CSRF-Token"] = session.csrf;
  if (body !== undefined) headers["Content-Type"] = "application/json";
  let res, text;
  try {
    res = await fetch(path, {
      method, headers, credentials: "same-origin", signal: AbortSignal.timeout(TIMEOUT_MS),
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    text = await res.text();
  } catch (err) {
    if (err && err.name === "TimeoutError") throw new ApiError(0, { code: "unavailable", message: `no answer from the node within ${TIMEOUT_MS / 1000} s` });
    throw new ApiError(0, { code: "unavailable", message: `the node cannot be reached (${err && err.message})` });
  }
  let data = null;
  try { data = text ? JSON.parse(text) : null; } catch { data = null; }
  if (!res.ok) {
    const e = new ApiError(res.status, data && data.error);
    e.retryAfter = Number(res.headers.get("Retry-After") || 0);
    if (res.status === 401 && !path.startsWith("/api/v1/session")) onUnauthenticated();
    throw e;
  }
  return data;
}

export const get = (path) => api("GET", path);

// The user's date, YYYY-MM-DD from the local calendar (not toISOString: that is the UTC
// date, already tomorrow on an evening west of Greenwich).
export function localToday(d = new Date()) {
  const two = (n) => String(n).padStart(2, "0");
  return `${d.getFullYear()}-${two(d.getMonth() + 1)}-${two(d.getDate())}`;
}
// The dashboard as of the user's date (without ?today= the node uses its UTC date).
export const getDashboard = () => get(`/api/v1/dashboard?today=${localToday()}`);

// Every record of a family (or of a parent's children), following the pages.
export async function listAll(plural, params = {}, base = `/api/v1/${plural}`) {
  const out = [];
  let token = "";
  do {
    const q = new URLSearchParams({ ...params, page_size: "500" });
    if (token) q.set("page_token", token);
    const page = await get(`${base}?${q}`);
    out.push(...(page[plural] || []));
    token = page.next_page_token || "";
  } while (token);
  return out;
}

// Institutions by id, cached until an institution changes.
let institutions = null;
export async function institutionIndex() {
  if (!institutions) institutions = listAll("institutions").then((l) => new Map(l.map((i) => [i.id, i])));
  try { return await institutions; } catch (e) { institutions = null; throw e; }
}
export const forgetInstitutions = () => { institutions = null; };
export const institutionName = (idx, id) => (idx.get(id) ? idx.get(id).short_name || idx.get(id).name : id);
