// Live updates: an EventSource on /api/v1/events ("change" events {kind, id, origin,
// generation}). Where the node has no event stream, it falls back to polling
// /api/v1/node every 2 s and reports a change (kind "*") when the version vector moves.
// Listeners get changes in bursts, at most every 250 ms. A hidden tab holds no stream.
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

// Polling: one request at a time, every 2 s, up to 30 s apart while the node does not
// answer; every minute it tries the event stream again.
const POLL_MS = 2000, POLL_MAX_MS = 30000, RETRY_STREAM_MS = 60000;
let pollDelay = POLL_MS, pollingSince = 0, pollGen = 0;

async function poll(gen) {
  pollTimer = null;
  try {
    const node = await get("/api/v1/node");
    if (gen !== pollGen) return;  // stopped (or restarted) meanwhile: nothing of it counts
    const v = JSON.stringify(node.version_vector);
    if (lastVector && v !== lastVector) emit({ kind: "*", id: "", origin: "" });
    lastVector = v;
    pollDelay = POLL_MS;
    stateListener("poll");
  } catch {
    if (gen !== pollGen) return;
    pollDelay = Math.min(POLL_MAX_MS, pollDelay * 2);
    stateListener("off");
  }
  if (gen !== pollGen) return;  // stopped (or restarted) meanwhile
  if (Date.now() - pollingSince >= RETRY_STREAM_MS && !document.hidden) return openStream();
  pollTimer = setTimeout(() => poll(gen), pollDelay);
}

let polling = false;
function startPolling() {
  if (polling) return;
  polling = true;
  pollingSince = Date.now();
  pollDelay = POLL_MS;
  poll(++pollGen);
}

// The stream, or polling where it cannot open. After a break, the page is refreshed
// (kind "*") once the stream is open again: what changed meanwhile was not announced.
function openStream() {
  // From polling (or a hidden tab), what changed since the last poll was not announced.
  const wasPolling = polling;
  stopLive();
  let opened = false, broken = wasPolling;
  try {
    source = new EventSource("/api/v1/events");
  } catch {
    startPolling();
    return;
  }
  source.onopen = () => {
    if (broken) emit({ kind: "*", id: "", origin: "" });
    opened = true;
    broken = false;
    stateListener("on");
  };
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
      broken = true;
      stateListener("off");
    }
  };
}

// A browser keeps at most 6 connections to one node for all its tabs, and each open
// stream holds one: a hidden tab lets its stream go and catches up when shown again.
let live = false;
export function startLive() {
  live = true;
  if (document.hidden) stopLive(); else openStream();
}

document.addEventListener("visibilitychange", () => {
  if (!live) return;
  if (document.hidden) {
    stopLive();
  } else if (!source && !polling) {
    openStream();
    emit({ kind: "*", id: "", origin: "" });
  }
});

export function stopLive() {
  if (source) source.close();
  source = null;
  clearTimeout(pollTimer);
  pollTimer = null;
  polling = false;
  pollGen++;
}

// Logged out: no stream, no polling, not even when the tab is shown again.
export function endLive() {
  live = false;
  stopLive();
  lastVector = "";
}
