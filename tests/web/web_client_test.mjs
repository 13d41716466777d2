// Browser tests of the web client (ctest `web_client`): Debian's chromium driven by
// playwright-core against three real `passerelle node` processes (federation.mjs: mutual
// TLS, demo data, admin/viewer/officer accounts). Screenshots go to OUT_DIR; the first
// render of the dashboard and the page weight are measured and printed. Prints
// "N passed, M failed" last and exits non-zero on any failure.
//   env: PASSERELLE_BIN, WEB_ROOT, SEED_DIR, NPM_DIR (playwright-core), OUT_DIR, CHROMIUM
import fs from "node:fs";
import path from "node:path";
import { createRequire } from "node:module";
import { startFederation, login, until } from "./federation.mjs";

const root = path.resolve(path.dirname(new URL(import.meta.url).pathname), "../..");
const env = (k, d) => process.env[k] || d;
const build = path.join(root, "build");
const OUT = env("OUT_DIR", path.join(build, "web-test"));
const require = createRequire(path.join(env("NPM_DIR", path.join(build, "web-npm")), "node_modules", "x.js"));
const { chromium } = require("playwright-core");

const results = [];
const diagnosed = new Set();  // pages whose state a failure prints
async function scenario(name, fn) {
  const t0 = Date.now();
  try {
    await fn();
    results.push([name, true]);
    console.log(`ok   ${name} (${Date.now() - t0} ms)`);
  } catch (e) {
    results.push([name, false]);
    console.log(`FAIL ${name} (${Date.now() - t0} ms): ${e.stack || e}`);
    for (const page of diagnosed) {  // where the pages were, to tell a flake from a bug
      try {
        console.log(`     page ${page.url()}: ${(await page.textContent("#view", { timeout: 2000 })).slice(0, 400)}`);
      } catch { /* closed */ }
    }
  }
}
function expect(cond, what) { if (!cond) throw new Error(`expected ${what}`); }

const t0 = Date.now();
const fed = await startFederation({
  root, bin: env("PASSERELLE_BIN", path.join(build, "node/cli/passerelle")),
  seedDir: env("SEED_DIR", path.resolve(root, "../shared/seed-data")),
  webRoot: env("WEB_ROOT", path.join(build, "web-root")), workDir: path.join(OUT, "federation"),
  log: (m) => console.log(`federation: ${m}`),
});
const Q = fed.byId["quebec-consortium"], M = fed.byId.morocco, P = fed.byId["pacific-alliance"];
fs.mkdirSync(path.join(OUT, "screenshots"), { recursive: true });
let browser;
try {  // the nodes are stopped however the test ends (see the finally at the end)
browser = await chromium.launch({
  executablePath: env("CHROMIUM", "/usr/bin/chromium"),
  args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"],
});
const dialogs = [];
const cspViolations = [];  // the browser's reports of anything the node's CSP blocked
async function newPage(node, user, { locale = "en-US", viewport = { width: 1280, height: 900 } } = {}) {
  const context = await browser.newContext({ locale, viewport });
  context.setDefaultTimeout(45000);  // a loaded CI machine; every wait is for a condition
  const page = await context.newPage();
  page.on("dialog", async (d) => { dialogs.push(d.message()); await d.dismiss(); });
  page.on("pageerror", (e) => console.log(`page error (${node.id}): ${e.message}`));
  page.on("console", (m) => {
    if (m.type() === "error") console.log(`console error (${node.id}): ${m.text()}`);
    if (/Content Security Policy/i.test(m.text())) cspViolations.push(`${node.id}: ${m.text()}`);
  });
  diagnosed.add(page);
  page.on("close", () => diagnosed.delete(page));
  if (user) {
    await page.goto(`${node.url}/#/login`);
    await page.fill("#view input[name=username]", user);
    await page.fill("#view input[name=password]", "passerelle");
    await page.click("#view button[type=submit]");
    await page.waitForSelector('#view[data-rendered="dashboard"]');
  }
  return page;
}
const shot = (page, name) => page.screenshot({ path: path.join(OUT, "screenshots", `${name}.png`), fullPage: true });
const AGR = "web-test-agreement";

  let q, m;
  await scenario("log in (wrong password refused, then admin)", async () => {
    q = await newPage(Q);
    await q.goto(`${Q.url}/`);
    await q.fill("#view input[name=username]", "admin");
    await q.fill("#view input[name=password]", "wrong");
    await q.click("#view button[type=submit]");
    await q.waitForSelector("#view .form-error:not(:empty)");
    await q.fill("#view input[name=password]", "passerelle");
    await q.click("#view button[type=submit]");
    await q.waitForSelector('#view[data-rendered="dashboard"]');
    expect(await q.isVisible("#nav"), "the navigation after login");
  });

  // Measured and printed only: speed targets are checked by bench/, not by tests.
  await scenario("dashboard first render (median of 3 fresh loads), page weight", async () => {
    const runs = [];
    let page;
    for (let i = 0; i < 3; i++) {
      if (page) await page.close();
      page = await q.context().newPage();
      await page.goto(`${Q.url}/#/dashboard`);
      await page.waitForSelector('#view[data-rendered="dashboard"]');
      await page.waitForLoadState("load");  // not networkidle: the event stream stays open
      // Transferred bytes (headers and bodies) of the document and every resource, split
      // into the app's files and the API's data.
      runs.push(await page.evaluate(() => {
        const nav = performance.getEntriesByType("navigation")[0];
        let files = nav.transferSize, data = 0;
        for (const r of performance.getEntriesByType("resource")) {
          if (new URL(r.name).pathname.startsWith("/api/")) data += r.transferSize; else files += r.transferSize;
        }
        return { ms: window.passerelleDashboardMs, files, data };
      }));
    }
    const ms = runs.map((r) => r.ms).sort((a, b) => a - b)[1];
    const { files, data } = runs[0];
    const kb = (n) => (n / 1024).toFixed(1);
    console.log(`MEASURE dashboard first render: median ${Math.round(ms)} ms (${runs.map((r) => Math.round(r.ms)).join(", ")}); ` +
                `page weight: ${kb(files + data)} KB (app files ${kb(files)} KB, API data ${kb(data)} KB)`);
    fs.writeFileSync(path.join(OUT, "measures.json"), JSON.stringify({ dashboard_first_render_ms: ms,
      runs_ms: runs.map((r) => r.ms), page_weight_kb: (files + data) / 1024, app_files_kb: files / 1024, api_data_kb: data / 1024 }));
    expect(await page.locator(".map .land").count() === 1, "the world outline on the map");
    expect(await page.locator(".map circle").count() > 3, "institutions on the map");
    await shot(page, "dashboard");
    await page.close();
    expect(ms > 0, `a first render time was recorded (${ms})`);
  });

  await scenario("main pages render (screenshots)", async () => {
    for (const [hash, name, sel] of [["#/agreements", "agreements", "#agreements-table"], ["#/projects", "projects", ".group"],
      ["#/projects/B02", "project-B02", ".deliverables"], ["#/forums", "forums", "#forums-table"],
      ["#/qualifications", "qualifications", ".framework"], ["#/federation", "federation", "#peers"],
      ["#/equivalences", "equivalences", "#equiv-form"]]) {
      const t = Date.now();
      await q.goto(`${Q.url}/${hash}`);
      await q.waitForSelector(`#view[data-rendered="${hash.split("/")[1]}"] ${sel}`);
      const rendered = Date.now() - t;
      await shot(q, name);
      console.log(`     ${hash}: rendered in ${rendered} ms, screenshot ${Date.now() - t - rendered} ms`);
    }
    const phone = await newPage(Q, "admin", { viewport: { width: 390, height: 844 } });
    await shot(phone, "dashboard-phone");
    await phone.context().close();
  });

  await scenario("agreement created on Québec appears on Morocco's page without reload", async () => {
    m = await newPage(M, "admin");
    await m.goto(`${M.url}/#/agreements`);
    await m.waitForSelector("#agreements-table");
    const paints = await m.evaluate(() => performance.getEntriesByType("navigation").length);
    await q.goto(`${Q.url}/#/agreements/new`);
    await q.waitForSelector("#agreement-form");
    await q.fill("#agreement-form [name=id]", AGR);
    await q.fill("#agreement-form [name=title]", "Accord d'essai Québec – Maroc (navigateur)");
    await q.selectOption("#agreement-form [name=parties]", ["inmq", "maroc-ministere-energie-mines"]);
    await q.selectOption("#agreement-form [name=kind]", "cooperation");
    await q.selectOption("#agreement-form [name=status]", "proposed");
    await q.fill("#agreement-form [name=end_date]", "2030-12-31");
    await q.click("#agreement-form button[type=submit]");
    await q.waitForSelector("#agreement-status");
    await m.waitForSelector(`#agreements-table tr[data-id="${AGR}"]`, { timeout: 20000 });
    expect(await m.evaluate(() => performance.getEntriesByType("navigation").length) === paints, "no reload");
    await shot(m, "morocco-agreements-live");
  });

  await scenario("approved from each party's own node, signed everywhere", async () => {
    await q.click("#approve");
    await q.waitForSelector('#approvals li[data-member="quebec-consortium"]');
    await m.goto(`${M.url}/#/agreements/${AGR}`);
    await m.waitForSelector("#approve");
    expect(await m.locator("#approve").textContent().then((s) => s.includes("morocco")), "morocco's approve button");
    await m.click("#approve");
    for (const page of [q, m]) await page.waitForFunction(() => {
      const s = document.querySelector("#agreement-status");
      return s && s.classList.contains("status-signed");
    }, null, { timeout: 20000 });
    await until("signed on the three nodes", async () => {
      for (const n of [Q, M, P]) if ((await n.api("GET", `/api/v1/agreements/${AGR}`)).body?.status !== "signed") return false;
      return true;
    }, 20000);
    const p = await newPage(P, "admin");
    await p.goto(`${P.url}/#/agreements/${AGR}`);
    await p.waitForSelector("#agreement-status.status-signed");
    expect(await p.locator("#approve").count() === 0, "no approve button on a non-party's node");
    await shot(m, "agreement-signed");
    await p.context().close();
  });

  await scenario("edit forms send only what changed: a save keeps approvals, a cleared field is erased", async () => {
    const id = "web-test-unchanged";
    const made = await Q.api("POST", "/api/v1/agreements", { id, title: "Accord (formulaire inchangé)", kind: "cooperation",
      parties: ["inmq"], documents: [{ title: "Texte signé", url: "https://example.org/accord.pdf", sha256: "ab".repeat(32) }] });
    expect(made.status === 201, `agreement created (${made.status} ${JSON.stringify(made.body)})`);
    const approved = await Q.api("POST", `/api/v1/agreements/${id}/approve`, { terms_hash: made.body.terms_hash });
    expect(approved.body?.status === "signed", `signed by its one party (${JSON.stringify(approved.body)})`);
    await q.goto(`${Q.url}/#/agreements/${id}/edit`);
    await q.waitForSelector("#agreement-form");
    await q.click("#agreement-form button[type=submit]");
    await q.waitForSelector('#view[data-rendered="agreements"] #agreement-status');
    const after = (await Q.api("GET", `/api/v1/agreements/${id}`)).body;
    expect(after.status === "signed" && after.version === approved.body.version && after.documents[0].sha256 === "ab".repeat(32),
      `saved unchanged: still signed at v${approved.body.version} (now ${after.status}, v${after.version})`);
    const forum = await Q.api("POST", "/api/v1/forums", { id: "web-test-forum-clear", title: "Forum (test navigateur)", location: "Lima", country: "PE" });
    expect(forum.status === 201, `forum created (${forum.status} ${JSON.stringify(forum.body)})`);
    await q.goto(`${Q.url}/#/forums/web-test-forum-clear/edit`);
    await q.waitForSelector("#forum-form");
    await q.fill("#forum-form [name=location]", "");
    await q.click("#forum-form button[type=submit]");
    await q.waitForFunction(() => location.hash === "#/forums/web-test-forum-clear" && !document.querySelector("#forum-form") &&
      document.querySelector('#view[data-rendered="forums"] h1'));
    await until("the cleared location erased", async () => {
      const f = (await Q.api("GET", "/api/v1/forums/web-test-forum-clear")).body;
      return f.version === forum.body.version + 1 && !("location" in f) && f.country === "PE";
    }, 10000);
  });

  await scenario("deliverable status change moves the dashboard's late count", async () => {
    const r = await Q.api("PATCH", "/api/v1/deliverables/B02-d1", { due_date: "2020-01-01", status: "in_progress" });
    expect(r.status === 200, `deliverable set late (${r.status} ${JSON.stringify(r.body)})`);
    await q.goto(`${Q.url}/#/dashboard`);
    await q.waitForSelector('#view[data-rendered="dashboard"] #late-count');
    const before = Number(await q.textContent("#late-count"));
    expect(before >= 1, `a late deliverable (${before})`);
    await q.goto(`${Q.url}/#/projects/B02`);
    const row = q.locator('tr[data-id="B02-d1"]');
    await row.locator("select[name=status]").selectOption("delivered");
    await row.locator("input[name=evidence]").fill("Programme livré (test navigateur)");
    await row.locator("button.save-deliverable").click();
    await row.locator(".field-error:not(:empty)").waitFor();  // the page has the node's answer
    await until("the deliverable delivered", async () => (await Q.api("GET", "/api/v1/deliverables/B02-d1")).body.status === "delivered", 20000);
    await q.goto(`${Q.url}/#/dashboard`);
    await q.waitForFunction((b) => {
      const el = document.querySelector('#view[data-rendered="dashboard"] #late-count');
      return el && Number(el.textContent) === b - 1;
    }, before, { timeout: 10000 });
  });

  await scenario("indicator: baseline, target, actuals per period, women/men split charted", async () => {
    const r = await Q.api("POST", "/api/v1/indicators", {
      id: "web-test-indicator", project: "B02", description: "Personnes formées (test navigateur)", unit: "personnes",
      baseline: 0, target: 120, measurements: [{ period: "2021", value: 40, women: 25, men: 15 },
                                               { period: "2022", value: 85, women: 50, men: 35 }] });
    expect(r.status === 201, `indicator created (${r.status} ${JSON.stringify(r.body)})`);
    await q.goto(`${Q.url}/#/projects/B02`);
    await q.waitForSelector(".chart .bar-women");
    expect(await q.locator(".chart .bar-women").count() === 2 && await q.locator(".chart .bar-men").count() === 2, "two stacked bars");
    expect(await q.locator(".chart line.target").count() === 1, "the target line");
    await shot(q, "project-B02-indicators");
    await q.goto(`${Q.url}/#/dashboard`);
    await q.waitForSelector('#view[data-rendered="dashboard"] #behind-count');
    expect(Number(await q.textContent("#behind-count")) >= 1, "the indicator behind its target on the dashboard");
  });

  await scenario("switch to Spanish (remembered after reload)", async () => {
    await q.selectOption("#lang-select", "es");
    await q.waitForSelector('#nav-list a[href="#/agreements"]:text("Acuerdos")');
    await q.waitForSelector('#view h1:text("Panel")');
    expect(/vivo|periódica/.test(await q.textContent("#live-state")), "the live-update state in Spanish");
    await q.reload();
    await q.waitForSelector('#view[data-rendered="dashboard"] h1:text("Panel")');
    expect(await q.evaluate(() => document.documentElement.lang) === "es", "lang=es");
    await shot(q, "dashboard-es");
    await q.selectOption("#lang-select", "fr");
    await q.waitForSelector('#view h1:text("Tableau de bord")');
  });

  await scenario("a viewer changes nothing (no buttons, the API refuses)", async () => {
    const v = await newPage(Q, "viewer");
    await v.goto(`${Q.url}/#/agreements`);
    await v.waitForSelector("#agreements-table");
    expect(await v.locator("#new-agreement").count() === 0, "no new-agreement button");
    await v.goto(`${Q.url}/#/agreements/${AGR}`);
    await v.waitForSelector("#agreement-status");
    expect(await v.locator("#approve, #edit").count() === 0, "no approve or edit button");
    await v.goto(`${Q.url}/#/projects/B02`);
    await v.waitForSelector(".deliverables");
    expect(await v.locator("button.save-deliverable").count() === 0, "no deliverable save button");
    await v.goto(`${Q.url}/#/forums`);
    await v.waitForSelector("#forums-table");
    expect(await v.locator("#new-forum").count() === 0, "no new-forum button");
    const status = await v.evaluate(async () => {
      const s = await (await fetch("/api/v1/session")).json();
      const r = await fetch("/api/v1/forums", { method: "POST", headers: { "Content-Type": "application/json", "X-CSRF-Token": s.csrf_token },
        body: JSON.stringify({ id: "viewer-forum", title: "x" }) });
      return r.status;
    });
    expect(status === 403, `403 for a viewer's write (got ${status})`);
    await v.context().close();
  });

  await scenario("forum titled <img src=x onerror=alert(1)> shown literally", async () => {
    const title = "<img src=x onerror=alert(1)>";
    await q.goto(`${Q.url}/#/forums/new`);
    await q.waitForSelector("#forum-form");
    await q.fill("#forum-form [name=id]", "web-test-xss");
    await q.fill("#forum-form [name=title]", title);
    await q.fill("#forum-form [name=participants_total]", "3");
    await q.fill("#forum-form [name=participants_women]", "2");
    await q.fill("#forum-form [name=participants_men]", "2");
    await q.click("#forum-form button[type=submit]");
    await q.waitForSelector("#forum-form .field[data-field=participants_women] .field-error:not(:empty)");
    const refusal = await q.textContent("#forum-form .field[data-field=participants_women] .field-error");
    expect(refusal.startsWith("Valeur refusée — "), `the refusal summarised in French (${refusal})`);
    await q.fill("#forum-form [name=participants_men]", "1");
    await q.click("#forum-form button[type=submit]");
    await q.waitForSelector("#forum-title");
    expect(await q.textContent("#forum-title") === title, "the title as text");
    await q.goto(`${Q.url}/#/forums`);
    await q.waitForSelector('#forums-table tr[data-id="web-test-xss"]');
    expect(await q.locator("#view img").count() === 0, "no <img> element in the page");
    await shot(q, "forum-xss");
    expect(dialogs.length === 0, `no dialog (got ${dialogs.join(", ")})`);
  });

  {
    await scenario("accented search: cegep finds Cégep, energie finds Énergie, cég (prefix) finds Cégep", async () => {
      await q.goto(`${Q.url}/#/search?q=cegep`);
      await q.waitForSelector("#search-results li");
      expect((await q.textContent("#search-results")).includes("Cégep"), "Cégep in the results");
      await shot(q, "search");
      await q.goto(`${Q.url}/#/search?q=energie`);
      await q.waitForSelector('#search-results:has-text("Énergie")');
      await q.goto(`${Q.url}/#/`);
      await q.goto(`${Q.url}/#/search`);
      await q.fill("#view input[type=search]", "cég");
      await q.press("#view input[type=search]", "Enter");
      await q.waitForSelector('#search-results:has-text("Cégep")');
    });
  }

  {
    await scenario("equivalence lookup page (issue 5): pick by keyboard, path, descriptors, caveats, note in Spanish", async () => {
      const o = await newPage(M, "officer");
      await o.goto(`${M.url}/#/equivalences`);
      await o.waitForSelector("#equiv-form");
      await o.fill("#q-search", "supervision trav");
      await o.waitForSelector('#q-options button[data-id="q-co-supervision-travaux-miniers"]');
      await o.press("#q-search", "ArrowDown");
      await o.keyboard.press("Enter");
      await o.waitForSelector("#q-chosen:not(:empty)");
      await o.selectOption("#target-country", "PE");
      await o.click("#lookup");
      await o.waitForSelector("#equiv-note #equiv-none");  // approved mappings only: none in the demo
      await o.check("#include-proposed");
      await o.selectOption("#note-lang", "es");
      await o.click("#lookup");
      await o.waitForSelector("#equiv-note .candidate svg.path");
      expect(await o.getAttribute("#equiv-note", "lang") === "es", "the note in Spanish");
      expect((await o.textContent("#equiv-note h2")) === "Nota de equivalencia", "the note's heading in Spanish");
      expect(await o.locator("#equiv-note .side-by-side tbody tr").count() >= 1, "descriptors side by side");
      expect(await o.locator("#equiv-note .caveats li").count() >= 1, "caveats of a proposed path");
      expect((await o.textContent("#disclaimer")).trim().length > 20, "the disclaimer");
      await shot(o, "equivalences-answer");
      await o.emulateMedia({ media: "print" });
      expect(!(await o.isVisible("#equiv-form")) && !(await o.isVisible("header.top")), "the print view shows only the note");
      await shot(o, "equivalence-note-print");
      await o.context().close();
    });
  }

  await scenario("a count typed wrong is refused on its field, not erased", async () => {
    await q.goto(`${Q.url}/#/forums/web-test-xss/edit`);
    await q.waitForSelector("#forum-form");
    await q.click("#forum-form [name=participants_total]");
    await q.keyboard.press("Control+A");
    await q.keyboard.type("12-");
    await q.click("#forum-form button[type=submit]");
    await q.waitForSelector("#forum-form .field[data-field=participants_total] .field-error:not(:empty)");
    const stored = await Q.api("GET", "/api/v1/forums/web-test-xss");
    expect(stored.body.participants_total === 3, `the stored total kept (got ${stored.body.participants_total})`);
    // Leaving the form with unsaved changes asks first (the test's dialog handler says no).
    const asked = dialogs.length;
    await q.click("#forum-form a.button");  // Cancel
    await until("the confirmation", async () => dialogs.length > asked, 10000);
    expect(await q.locator("#forum-form").count() === 1, "still on the form after declining to leave");
    dialogs.length = asked;  // expected: not counted as the XSS scenario's alert
    // Corrected, the form saves (nothing changed) and leaves.
    await q.click("#forum-form [name=participants_total]");
    await q.keyboard.press("Control+A");
    await q.keyboard.type("3");
    await q.click("#forum-form button[type=submit]");
    await q.waitForSelector("#forum-title");
  });

  await scenario("session ended while editing: a log-in dialog over the form, then the save goes through", async () => {
    await q.goto(`${Q.url}/#/forums/web-test-xss/edit`);
    await q.waitForSelector("#forum-form");
    await q.fill("#forum-form [name=location]", "Lévis, édition gardée");
    await q.context().clearCookies();  // the session is gone, as after the idle timeout
    await q.click("#forum-form button[type=submit]");
    await q.waitForSelector("dialog.relogin[open]");
    await q.fill("dialog.relogin input[name=username]", "admin");
    await q.fill("dialog.relogin input[name=password]", "passerelle");
    await q.click("dialog.relogin button[type=submit]");
    await q.waitForSelector("dialog.relogin", { state: "detached" });
    expect(await q.inputValue("#forum-form [name=location]") === "Lévis, édition gardée", "the typed text kept");
    await q.click("#forum-form button[type=submit]");
    await q.waitForSelector("#forum-title");
    const stored = await Q.api("GET", "/api/v1/forums/web-test-xss");
    expect(stored.body.location === "Lévis, édition gardée", `the edit saved (got ${stored.body.location})`);
  });

  await scenario("a save after someone else's change keeps the user's edits; saving again merges both", async () => {
    await q.goto(`${Q.url}/#/forums/web-test-xss/edit`);
    await q.waitForSelector("#forum-form");
    const other = await Q.api("PATCH", "/api/v1/forums/web-test-xss", { policies_shared: 4 });  // someone else
    expect(other.status === 200, `the other change (${other.status})`);
    await q.fill("#forum-form [name=location]", "Lévis, après conflit");
    await q.click("#forum-form button[type=submit]");
    await q.waitForSelector("#forum-form .form-error:not(:empty)");
    expect(await q.inputValue("#forum-form [name=location]") === "Lévis, après conflit", "the typed text kept after the 412");
    await q.click("#forum-form button[type=submit]");
    await q.waitForSelector("#forum-title");
    const stored = (await Q.api("GET", "/api/v1/forums/web-test-xss")).body;
    expect(stored.location === "Lévis, après conflit" && stored.policies_shared === 4,
           `both changes kept (location ${stored.location}, policies_shared ${stored.policies_shared})`);
  });

  await scenario("a filter chosen by keyboard keeps the focus on its control", async () => {
    await q.goto(`${Q.url}/#/agreements`);
    await q.waitForSelector("#agreements-table");
    await q.focus("#view select[name=kind]");
    const paints = Number(await q.getAttribute("#view", "data-paints"));
    await q.keyboard.press("ArrowDown");
    await until("the filtered page", async () => Number(await q.getAttribute("#view", "data-paints")) > paints, 20000);
    expect(await q.evaluate(() => document.activeElement && document.activeElement.name) === "kind",
           "the kind filter still focused after the page re-rendered");
  });

  await scenario("every page above ran under the node's Content-Security-Policy, nothing blocked", async () => {
    const res = await fetch(`${Q.url}/`);
    expect((res.headers.get("content-security-policy") || "").includes("default-src 'self'"), "a CSP on /");
    expect(res.headers.get("x-frame-options") === "DENY", "X-Frame-Options: DENY");
    expect(cspViolations.length === 0, `no CSP violation (${cspViolations.join(" | ")})`);
  });
} finally {
  try { if (browser) await browser.close(); } catch (e) { console.log(`closing the browser: ${e.message}`); }
  await fed.stop();
}
const passed = results.filter((r) => r[1]).length, failed = results.length - passed;
console.log(`web_client: ${results.length} scenarios in ${((Date.now() - t0) / 1000).toFixed(1)} s; screenshots in ${path.join(OUT, "screenshots")}`);
console.log(`${passed} passed, ${failed} failed`);
process.exit(failed ? 1 : 0);
