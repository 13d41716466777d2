// Live updates: an EventSource on /api/v1/events ("change" events {kind, id, origin,
// generation}). Where the node has no event stream, it falls back to polling
// /api/v1/node every 2 s and reports a change (kind "*") when the version vector moves.
// Listeners get changes in bursts, at most every 250 ms.
import { get } from "./api.js";

const listeners = new Set();
let source = null, pollTimer = null, lastVector = "", pending = [], flushTimer = null;
let stateListener = () => {};

export const onChange = (fn) => { listeners.add(fn); return () => listeners.delete(fn); };
export const onLiveState = (fn) => { stateListener = fn; };

function emit(change) {
  pending.push(change);
  if (flushTimer) return;
  flushTimer = setTimeout(() => {
    const batch = pending;
    pending = [];
    flushTimer = null;
    for (const fn of [...listeners]) fn(batch);
  }, 250);
}

async function poll() {
  try {
    const node = await get("/api/v1/node");
    const v = JSON.stringify(node.version_vector);
    if (lastVector && v !== lastVector) emit({ kind: "*", id: "", origin: "" });
    lastVector = v;
    stateListener("poll");
  } catch {
    stateListener("off");
  }
}

function startPolling() {
  if (pollTimer) return;
  poll();
  pollTimer = setInterval(poll, 2000);
}

export function startLive() {
  stopLive();
  let opened = false;
  try {
    source = new EventSource("/api/v1/events");
  } catch {
    startPolling();
    return;
  }
  source.onopen = () => { opened = true; stateListener("on"); };
  source.addEventListener("change", (ev) => {
    try { emit(JSON.parse(ev.data)); } catch { /* not ours */ }
  });
  source.onerror = () => {
    // Never opened (no stream on this node, or refused): poll instead. Once open, the
    // browser reconnects by itself.
    if (!opened || source.readyState === EventSource.CLOSED) {
      source.close();
      source = null;
      startPolling();
    } else {
      stateListener("off");
    }
  };
}

export function stopLive() {
  if (source) source.close();
  source = null;
  clearInterval(pollTimer);
  pollTimer = null;
  lastVector = "";
}
