// Placeholder web client: node health and the list of forums. Every value from the
// server is inserted with textContent, never as HTML. No external resources.
"use strict";

function cell(row, text) {
  const td = document.createElement("td");
  td.textContent = text;
  row.appendChild(td);
  return td;
}

function dates(forum) {
  if (forum.start_date && forum.end_date && forum.start_date !== forum.end_date)
    return forum.start_date + " – " + forum.end_date;
  return forum.start_date || forum.end_date || "—";
}

function place(forum) {
  return [forum.location, forum.country].filter(Boolean).join(", ") || "—";
}

function participants(forum) {
  if (forum.participants_total === undefined) return "—";
  let text = String(forum.participants_total);
  if (forum.participants_women !== undefined || forum.participants_men !== undefined)
    text += " (" + (forum.participants_women ?? "?") + " femmes, " +
            (forum.participants_men ?? "?") + " hommes)";
  return text;
}

async function showHealth() {
  const el = document.getElementById("health");
  try {
    const res = await fetch("/healthz");
    const body = await res.json();
    el.textContent = "Nœud : " + (body.status === "ok" ? "en ligne" : String(body.status));
    el.classList.add(body.status === "ok" ? "ok" : "bad");
  } catch (e) {
    el.textContent = "Nœud : injoignable";
    el.classList.add("bad");
  }
}

async function showForums() {
  const status = document.getElementById("forums-status");
  const table = document.getElementById("forums");
  const tbody = table.querySelector("tbody");
  try {
    const forums = [];
    let token = "";
    do {
      const url = "/api/v1/forums?page_size=100" +
                  (token ? "&page_token=" + encodeURIComponent(token) : "");
      const res = await fetch(url);
      const body = await res.json();
      if (!res.ok) throw new Error(body.error ? body.error.message : res.statusText);
      forums.push(...body.forums);
      token = body.next_page_token || "";
    } while (token);
    forums.sort((a, b) => (a.start_date || "").localeCompare(b.start_date || ""));
    for (const forum of forums) {
      const row = document.createElement("tr");
      cell(row, forum.title || forum.id);
      cell(row, dates(forum));
      cell(row, place(forum));
      cell(row, participants(forum)).className = "num";
      tbody.appendChild(row);
    }
    status.textContent = forums.length ? forums.length + " forum(s)" : "Aucun forum.";
    table.hidden = forums.length === 0;
  } catch (e) {
    status.textContent = "Impossible de charger les forums : " + e.message;
    status.classList.add("bad");
  }
}

showHealth();
showForums();
