// DOM helpers: every value becomes a text node or an attribute, never HTML. h("a",
// {href, class, onclick}, child, …) builds an element; children are nodes, strings
// (as text), arrays or null. Styles are objects ({style: {width: "40%"}}): the node's
// Content-Security-Policy refuses style attributes written as text. svg() does the same in the SVG namespace.
const SVG_NS = "http://www.w3.org/2000/svg";

function build(el, attrs, children) {
  for (const [k, v] of Object.entries(attrs || {})) {
    if (v === undefined || v === null || v === false) continue;
    if (k.startsWith("on") && typeof v === "function") el.addEventListener(k.slice(2), v);
    else if (k === "dataset") Object.assign(el.dataset, v);
    else if (k === "style" && typeof v === "object") Object.assign(el.style, v);  // CSSOM: allowed by the CSP
    else if (k === "value" && "value" in el) el.value = v;
    else if (k === "checked" || k === "selected" || k === "disabled" || k === "hidden") el[k] = !!v;
    else el.setAttribute(k === "className" ? "class" : k, v === true ? "" : String(v));
  }
  append(el, children);
  return el;
}

export function append(el, children) {
  for (const c of children.flat(Infinity)) {
    if (c === null || c === undefined || c === false) continue;
    el.appendChild(c instanceof Node ? c : document.createTextNode(String(c)));
  }
  return el;
}

export const h = (tag, attrs, ...children) => build(document.createElement(tag), attrs, children);
export const svg = (tag, attrs, ...children) => build(document.createElementNS(SVG_NS, tag), attrs, children);

export function clear(el) {
  while (el.firstChild) el.removeChild(el.firstChild);
  return el;
}

// A definition list of [label, value] pairs, skipping empty values.
export function facts(pairs) {
  return h("dl", { class: "facts" },
    pairs.filter(([, v]) => v !== undefined && v !== null && v !== "" && !(Array.isArray(v) && !v.length))
      .map(([k, v]) => [h("dt", {}, k), h("dd", {}, v)]));
}

let uid = 0;
export const nextId = (prefix = "f") => `${prefix}-${++uid}`;
