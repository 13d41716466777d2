// Federation: this node's peers, their last contact and lag, and the refused ops
// (GET /api/v1/federation/status).
import { get } from "../api.js";
import { h, facts } from "../dom.js";
import { t, fmtNum, fmtDuration } from "../i18n.js";

export const name = "federation";
export const live = ["*"];

export async function render(box) {
  const st = await get("/api/v1/federation/status");
  box.append(h("h1", {}, t("federation_title")), h("p", {}, t("this_node", { id: st.member_id })),
    facts([[t("digest"), h("code", {}, st.digest || "")], [t("refused"), fmtNum(st.refused_total || 0)]]),
    h("h2", {}, t("peers")),
    h("table", { id: "peers" }, h("thead", {}, h("tr", {}, [t("peer"), t("address"), t("connected"), t("last_contact"), t("lag"), t("ops_received")].map((x) => h("th", { scope: "col" }, x)))),
      h("tbody", {}, (st.peers || []).map((p) => h("tr", {}, h("td", {}, p.member_id), h("td", {}, p.address || "—"),
        h("td", {}, p.connected ? t("yes") : t("no")),
        h("td", {}, typeof p.last_contact_ms_ago === "number" ? t("ago", { d: fmtDuration(p.last_contact_ms_ago) }) : "—"),
        h("td", { class: "num" }, fmtNum(p.behind ?? 0)), h("td", { class: "num" }, fmtNum(p.ops_received ?? 0)))))));
  const refused = Object.entries(st.refused || {});
  if (refused.length)
    box.append(h("h2", {}, t("refused")), h("ul", {}, refused.map(([reason, n]) => h("li", {}, `${reason}: ${typeof n === "object" ? JSON.stringify(n) : fmtNum(n)}`))));
}
