// A three-node federation for the browser tests: the demo spec (deploy/demo/federation.json)
// on free loopback ports, keys and certificates from deploy/federation/new-federation.sh
// (mutual TLS between peers), the demo data imported, and on each node the accounts
// `admin` (admin), `viewer` (viewer), `officer` (mobility_officer), password `passerelle`. Awaits, with a deadline,
// every node's health and the three holding the same state. Run alone
// (`node federation.mjs --serve`) it keeps the nodes up for manual work until Ctrl-C.
import { spawn, execFileSync } from "node:child_process";
import fs from "node:fs";
import net from "node:net";
import path from "node:path";

export const PASSWORD = "passerelle";

// A port free now, below the kernel's ephemeral range (32768 and up by default, where
// the nodes' own outgoing connections take theirs) and not handed out before by this
// process: between the pick and the node's bind, nothing else should take it.
const handedOut = new Set();
async function freePort() {
  const bindable = (port) => new Promise((resolve) => {
    const srv = net.createServer();
    srv.once("error", () => resolve(false));
    srv.listen(port, "127.0.0.1", () => srv.close(() => resolve(true)));
  });
  for (let tries = 0; tries < 200; tries++) {
    const port = 20000 + Math.floor(Math.random() * 12000);
    if (handedOut.has(port) || !(await bindable(port))) continue;
    handedOut.add(port);
    return port;
  }
  throw new Error("no free port found in 20000-31999");
}

// Requests time out, so a node that accepts and never answers fails the wait that
// polls it instead of hanging the test.
const REQUEST_TIMEOUT_MS = 15000;

export async function until(what, fn, timeoutMs = 60000, everyMs = 100) {
  const deadline = Date.now() + timeoutMs;
  let last;
  for (;;) {
    try {
      const v = await fn();
      if (v) return v;
    } catch (e) {
      last = e;
    }
    if (Date.now() > deadline)
      throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}${last ? ": " + last.message : ""}`);
    await new Promise((r) => setTimeout(r, everyMs));
  }
}

export async function startFederation({ root, bin, seedDir, webRoot, workDir, log = () => {} }) {
  fs.rmSync(workDir, { recursive: true, force: true });
  fs.mkdirSync(workDir, { recursive: true });
  const spec = JSON.parse(fs.readFileSync(path.join(root, "deploy/demo/federation.json"), "utf8"));
  spec.node_defaults = { web_root: webRoot };
  for (const m of spec.members) {
    m.http = `127.0.0.1:${await freePort()}`;
    m.grpc = `127.0.0.1:${await freePort()}`;
    m.peer = `127.0.0.1:${await freePort()}`;
  }
  const specFile = path.join(workDir, "spec.json");
  fs.writeFileSync(specFile, JSON.stringify(spec, null, 2));
  const fed = path.join(workDir, "federation");
  execFileSync(path.join(root, "deploy/federation/new-federation.sh"), [specFile, fed, "--passerelle", bin],
               { stdio: ["ignore", "ignore", "inherit"] });
  // The demo's examples (deploy/demo/seed-extra: framework levels, descriptors, proposed
  // level mappings) merged into a copy of the seed data, as deploy/demo.sh does.
  const merge = path.join(root, "deploy/demo/merge-seed.sh");
  if (fs.existsSync(merge)) {
    const merged = path.join(workDir, "seed");
    execFileSync(merge, [seedDir, path.join(root, "deploy/demo/seed-extra"), merged], { stdio: ["ignore", "ignore", "inherit"] });
    seedDir = merged;
  }
  const nodes = [];
  for (const m of spec.members) {
    const config = path.join(fed, `${m.id}.json`);
    for (const [user, role] of [["admin", "admin"], ["viewer", "viewer"], ["officer", "mobility_officer"]])
      execFileSync(bin, ["users", "add", user, "--role", role, "--password", PASSWORD, "--config", config],
                   { stdio: ["ignore", "ignore", "inherit"] });
    const logFile = path.join(workDir, `${m.id}.log`);
    const out = fs.openSync(logFile, "a");
    // setpriv: the node dies with this process, however this process ends.
    const child = spawn("setpriv", ["--pdeathsig", "KILL", "--", bin, "node", "--config", config, "--web-root", webRoot,
                                    "--import", seedDir], { stdio: ["ignore", out, out] });
    nodes.push({ id: m.id, url: `http://${m.http}`, child, logFile, exited: null });
    const node = nodes.at(-1);
    child.on("exit", (code, sig) => { node.exited = code ?? sig; });
  }
  // SIGTERM, then SIGKILL for a node still running 20 s later.
  const stop = async () => {
    await Promise.all(nodes.map((n) => n.exited !== null ? null : new Promise((r) => {
      const kill = setTimeout(() => n.child.kill("SIGKILL"), 20000);
      n.child.once("exit", () => { clearTimeout(kill); r(); });
      n.child.kill("SIGTERM");
    })));
  };
  try {
    const alive = () => { for (const n of nodes) if (n.exited !== null)
      throw new Error(`node ${n.id} exited (${n.exited}); see ${n.logFile}`); };
    for (const n of nodes)
      await until(`${n.id} /healthz`, async () => { alive(); return (await fetch(n.url + "/healthz", { signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS) })).ok; }, 30000);
    for (const n of nodes) n.api = await login(n.url, "admin");
    log("nodes up; awaiting import and convergence");
    const t0 = Date.now();
    await until("the three nodes to import and converge", async () => {
      alive();
      for (const n of nodes)
        if (!fs.readFileSync(n.logFile, "utf8").includes(`passerelle node ${n.id}: imported`)) return false;
      const states = [];
      for (const n of nodes) {
        const st = await n.api("GET", "/api/v1/federation/status");
        if (st.status !== 200) return false;
        states.push(JSON.stringify([st.body.version_vector, st.body.digest]));
      }
      return new Set(states).size === 1;
    }, 120000, 300);
    log(`converged in ${Date.now() - t0} ms`);
  } catch (e) {
    await stop();
    throw e;
  }
  return { nodes, stop, byId: Object.fromEntries(nodes.map((n) => [n.id, n])) };
}

// A minimal REST client with a session (cookie + CSRF token) per node and user.
export async function login(url, username, password = PASSWORD) {
  const res = await fetch(url + "/api/v1/session", {
    method: "POST", headers: { "Content-Type": "application/json" },
    body: JSON.stringify({ username, password }), signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
  });
  if (res.status !== 200) throw new Error(`login ${username} at ${url}: ${res.status} ${await res.text()}`);
  const body = await res.json();
  const cookie = (res.headers.get("set-cookie") || "").split(";")[0];
  return async (method, p, json) => {
    const headers = { Cookie: cookie };
    if (method !== "GET") headers["X-CSRF-Token"] = body.csrf_token;
    if (json !== undefined) headers["Content-Type"] = "application/json";
    const r = await fetch(url + p, { method, headers, body: json === undefined ? undefined : JSON.stringify(json),
                                     signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS) });
    const text = await r.text();
    let parsed = null;
    try { parsed = text ? JSON.parse(text) : null; } catch { parsed = text; }
    return { status: r.status, body: parsed, headers: r.headers };
  };
}

if (process.argv.includes("--serve")) {
  const root = path.resolve(path.dirname(new URL(import.meta.url).pathname), "../..");
  const build = process.env.BUILD_DIR || path.join(root, "build");
  const fedn = await startFederation({
    root, bin: path.join(build, "node/cli/passerelle"), seedDir: path.resolve(root, "../shared/seed-data"),
    webRoot: process.env.WEB_ROOT || path.join(build, "web-root"), workDir: path.join(build, "web-serve"),
    log: console.log,
  });
  for (const n of fedn.nodes) console.log(`${n.id}: ${n.url}/  (admin / viewer / officer, password ${PASSWORD})`);
  process.on("SIGINT", async () => { await fedn.stop(); process.exit(0); });
  process.on("SIGTERM", async () => { await fedn.stop(); process.exit(0); });
}
