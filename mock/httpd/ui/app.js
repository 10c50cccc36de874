// cocmock's dashboard: it reads the same /__admin JSON and event stream a
// script would. No framework: a few DOM helpers and one render per pane.
"use strict";

const A = "/__admin";
const $ = (sel) => document.querySelector(sel);
const state = { token: sessionStorage.getItem("cocmock-token") || "", requests: [], incidents: [], ops: new Set(), stream: null };

// el builds an element: el("td", {class: "x"}, "text", child…).
function el(tag, attrs, ...children) {
  const n = document.createElementNS(tag === "svg" || attrs?.svg ? "http://www.w3.org/2000/svg" : "http://www.w3.org/1999/xhtml", tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (k === "svg") continue;
    if (k.startsWith("on")) n.addEventListener(k.slice(2), v); else n.setAttribute(k, v);
  }
  for (const c of children.flat()) if (c !== null && c !== undefined) n.append(c instanceof Node ? c : String(c));
  return n;
}

async function api(path, opts = {}) {
  // X-Cocmock-Admin marks the page's own calls: the sandbox refuses a call
  // that changes it without it (or a JSON body), as another site's page
  // cannot send it.
  const headers = Object.assign({ "X-Cocmock-Admin": "1" }, opts.headers || {});
  if (state.token) headers.Authorization = "Bearer " + state.token;
  const resp = await fetch(path, Object.assign({}, opts, { headers }));
  if (resp.status === 401) { locked(); throw new Error("locked"); }
  return resp;
}
const json = async (path) => (await api(path)).json();

function locked() {
  $("#app").hidden = true;
  $("#login").hidden = false;
  if (state.token) $("#login-error").textContent = "That token was refused.";
  state.token = "";
  sessionStorage.removeItem("cocmock-token");
}

// Filters live in the URL, so that a link shows the same view.
const filters = ["session", "operation", "status", "incident", "q"];
function readFilters() {
  const q = new URLSearchParams(location.search);
  for (const f of filters) $("#f-" + f).value = q.get(f) || "";
}
function writeFilters() {
  const q = new URLSearchParams();
  for (const f of filters) if ($("#f-" + f).value) q.set(f, $("#f-" + f).value);
  history.replaceState(null, "", location.pathname + (q.toString() ? "?" + q : ""));
}
const session = () => $("#f-session").value;
const sessionQuery = () => "session=" + encodeURIComponent(session());

function shown(x) {
  const op = $("#f-operation").value, st = $("#f-status").value, inc = $("#f-incident").value, q = $("#f-q").value.trim();
  if (op && x.operation !== op) return false;
  if (inc && !(x.incident_num || "").includes(inc)) return false;
  if (q && ![x.request_id, x.incident_num, x.operate_key, x.rule].some((v) => (v || "").includes(q))) return false;
  if (st === "fault") return !!x.fault;
  if (st && String(x.status)[0] !== st) return false;
  return true;
}

// replyCode is the error code a reply's body carries, if any.
function replyCode(x) {
  let body = x.reply?.body;
  if (typeof body === "string") { try { body = JSON.parse(body); } catch { return ""; } }
  return (body && typeof body === "object" && typeof body.error_code === "string") ? body.error_code : "";
}

// gomErrorIn200 is a 200 whose body carries an error code: the official SDK
// returns it without an error, so a client that does not read error_code
// takes it for a success.
const okCodes = ["GOM.00000000", "COC.00000000"];
function gomErrorIn200(x) {
  const code = replyCode(x);
  return x.status === 200 && !x.fault && code !== "" && !okCodes.includes(code);
}

function marks(x) {
  const m = [];
  if (gomErrorIn200(x)) m.push(el("span", { class: "mark gom", title: "HTTP 200 carrying " + replyCode(x) + ": the SDK returns no error; check error_code" }, "⚠ error in a 200"));
  if (x.violations?.length) m.push(el("span", { class: "mark violation", title: x.violations.join("\n") }, "⚠ breaks the contract"));
  if (x.auth) m.push(el("span", { class: "mark auth", title: x.auth.reason }, "✖ signature refused"));
  if (x.fault) m.push(el("span", { class: "mark fault", title: x.client_saw || "" }, "⚡ " + x.fault));
  if (x.delay_ms > 0) m.push(el("span", { class: "mark delay" }, "⏱ +" + Math.round(x.delay_ms) + " ms"));
  return m;
}

// why says, in plain words, what decided the reply.
function why(x) {
  if (x.rule) return "rule " + x.rule;
  if (x.violations?.length && !x.request_valid) return "refused: breaks the contract";
  if (x.auth) return "refused by the gateway: " + x.auth.reason;
  if (!x.operation) return "no such API (gateway)";
  if (x.status >= 400) return "refused by the gateway";
  return "default answer";
}

// localTime shows a journal time in the browser's zone, to the millisecond.
function localTime(t) {
  const d = new Date(t);
  if (isNaN(d)) return "";
  return d.toLocaleTimeString([], { hour12: false }) + "." + String(d.getMilliseconds()).padStart(3, "0");
}

// statusText is the status, and the error code where it says more.
function statusText(x) {
  if (x.fault) return "no reply";
  const code = replyCode(x);
  return code && !okCodes.includes(code) ? x.status + " " + code : String(x.status);
}

function row(x) {
  const cls = (x.fault ? "fault" : "s" + String(x.status)[0]) + (gomErrorIn200(x) ? " gom" : "");
  const open = () => detail(x);
  const td = (col, text, title) => el("td", title ? { class: col, title } : { class: col }, text);
  return el("tr", { tabindex: "0", class: cls, "data-request-id": x.request_id, onclick: open, onkeydown: (e) => { if (e.key === "Enter" || e.key === " ") { e.preventDefault(); open(); } } },
    td("col-time", localTime(x.time), x.time), td("col-status status", statusText(x)), td("col-why", why(x)), td("col-marks", marks(x)),
    td("col-incident", x.incident_num || "", x.incident_num), td("col-op", x.operation || "—"), td("col-key", x.operate_key || ""),
    td("col-session", x.session || "(default)"), td("col-id", (x.request_id || "").slice(0, 8), x.request_id),
    td("col-ms", (x.duration_ms ?? 0).toFixed(2)));
}

function renderRequests() {
  for (const x of state.requests) if (x.operation) state.ops.add(x.operation);
  const sel = $("#f-operation"), cur = sel.value;
  sel.replaceChildren(el("option", { value: "" }, "any"), ...[...state.ops].sort().map((o) => el("option", { value: o }, o)));
  sel.value = cur;
  // Rows are rebuilt as events arrive: keep the keyboard's place.
  const focused = document.activeElement?.dataset?.requestId;
  $("#requests tbody").replaceChildren(...state.requests.filter(shown).map(row));
  if (focused) document.querySelector(`#requests tr[data-request-id="${CSS.escape(focused)}"]`)?.focus();
}

// The lifecycle diagram: statuses and transitions, the ticket's highlighted.
const nodes = {
  INCIDENT_STATUS_TRIGGERED: [55, 30, "TRIGGERED"], INCIDENT_STATUS_ACKNOWLEDGED: [225, 30, "ACKNOWLEDGED"],
  INCIDENT_STATUS_RESOLVED: [395, 30, "RESOLVED"], INCIDENT_STATUS_COMPLETED: [565, 30, "COMPLETED"], INCIDENT_STATUS_REJECTED: [55, 110, "REJECTED"],
};
// Each arrow is labelled with what moves a ticket along it.
const edges = [
  ["INCIDENT_STATUS_TRIGGERED", "INCIDENT_STATUS_ACKNOWLEDGED", "accept"], ["INCIDENT_STATUS_ACKNOWLEDGED", "INCIDENT_STATUS_RESOLVED", "commit solution"],
  ["INCIDENT_STATUS_RESOLVED", "INCIDENT_STATUS_COMPLETED", "confirm: yes"], ["INCIDENT_STATUS_TRIGGERED", "INCIDENT_STATUS_REJECTED", "reject"],
];
function diagram(inc) {
  const svg = el("svg", { class: "lifecycle", viewBox: "0 0 620 150", role: "img", "aria-label": "lifecycle, now " + inc.status });
  svg.append(el("defs", { svg: 1 }, el("marker", { svg: 1, id: "arrow", viewBox: "0 0 10 10", refX: "10", refY: "5", markerWidth: "6", markerHeight: "6", orient: "auto" }, el("path", { svg: 1, d: "M0,0 L10,5 L0,10 z" }))));
  const line = (a, b, label, curve) => {
    const [x1, y1] = nodes[a], [x2, y2] = nodes[b];
    let d, lx, ly;
    if (curve) { d = `M${x1},${y1 + 12} Q${(x1 + x2) / 2},${y1 + 55} ${x2},${y2 + 12}`; lx = (x1 + x2) / 2; ly = y1 + 44; }
    else if (x1 === x2) { d = `M${x1},${y1 + 12} L${x2},${y2 - 12}`; lx = x1 + 6; ly = (y1 + y2) / 2; }
    else { d = `M${x1 + 50},${y1} L${x2 - 50},${y2}`; lx = (x1 + x2) / 2; ly = y1 - 8; }
    svg.append(el("path", { svg: 1, d }), el("text", { svg: 1, class: "edge", x: lx, y: ly, "text-anchor": x1 === x2 ? "start" : "middle" }, label));
  };
  for (const [a, b, label] of edges) line(a, b, label);
  line("INCIDENT_STATUS_RESOLVED", "INCIDENT_STATUS_ACKNOWLEDGED", "confirm: no", true);
  for (const [key, [x, y, label]] of Object.entries(nodes)) {
    const g = el("g", { svg: 1, class: key === inc.status ? "current" : "", "data-status": key });
    g.append(el("rect", { svg: 1, x: x - 50, y: y - 12, width: 100, height: 24, rx: 4 }), el("text", { svg: 1, x, y }, label));
    svg.append(g);
  }
  if (inc.pending_approval && nodes[inc.status]) {
    const [x, y] = nodes[inc.status];
    svg.append(el("text", { svg: 1, class: "pending", x, y: y + 24 }, "waiting for a " + inc.pending_approval + " approval" + (inc.pending_level ? " (" + inc.pending_level + ")" : "")));
  }
  return svg;
}

function renderIncidents() {
  const list = state.incidents.map((inc) => {
    const d = inc.detail || {};
    const fields = el("dl", {}, ...Object.entries(d).filter(([k]) => k !== "enum_data_list").flatMap(([k, v]) => [el("dt", {}, k), el("dd", {}, Array.isArray(v) ? v.join(", ") : String(v))]));
    const timeline = el("ol", { class: "timeline" }, ...(inc.history || []).map((h) =>
      el("li", {}, localTime(h.time), " ", el("strong", {}, h.action), " → ", h.status_after, h.operator ? " by " + h.operator : "", h.comment ? " — " + h.comment : "")));
    return el("article", { class: "incident", "data-incident": inc.incident_num }, el("h3", {}, inc.incident_num), diagram(inc), fields, el("h4", {}, "History"), timeline);
  });
  $("#incidents").replaceChildren(...(list.length ? list : [el("p", { class: "muted" }, "No tickets in this session yet.")]));
}

// pretty prints a JSON body, marking the lines of the keys that violations
// name. Each line is a block of its own, so that a mark's background covers
// its own line only, never the underscores of the line above.
function pretty(body, fields) {
  let text;
  try { text = JSON.stringify(typeof body === "string" ? JSON.parse(body) : body, null, 2); } catch { text = String(body ?? ""); }
  const pre = el("pre", { class: "lines" });
  const keys = fields.map((f) => '"' + f.split(".").pop() + '"');
  for (const line of (text || "").split("\n")) {
    const hit = keys.find((k) => line.trimStart().startsWith(k + ":"));
    pre.append(el(hit ? "mark" : "span", { class: "line" }, line));
  }
  return pre;
}

function detail(x) {
  const fields = (x.violations || []).map((v) => v.split(":")[0]);
  const headers = (h) => el("pre", {}, Object.entries(h || {}).map(([k, v]) => k + ": " + v.join(", ")).join("\n"));
  const facts = el("dl", { class: "facts" },
    el("dt", {}, "request"), el("dd", {}, el("strong", {}, x.request.method + " " + x.request.path), " — ", x.operation || "no operation"),
    el("dt", {}, "why this reply"), el("dd", {}, why(x), x.scenario ? " (scenario " + x.scenario + ")" : ""),
    el("dt", {}, "status"), el("dd", {}, statusText(x), gomErrorIn200(x) ? " — a 200 carrying an error code: the official SDK returns no error, so check error_code" : ""),
    el("dt", {}, "time"), el("dd", {}, localTime(x.time), " (", x.time, ")"),
    el("dt", {}, "request id"), el("dd", {}, el("code", {}, x.request_id || "")),
    el("dt", {}, "session"), el("dd", {}, x.session || "(default)"),
    x.status_before ? [el("dt", {}, "ticket"), el("dd", {}, x.status_before + " → " + (x.status_after || x.status_before))] : null);
  const parts = [facts];
  if (x.violations?.length) parts.push(el("h3", {}, "Contract violations"), el("ul", { class: "violations" }, x.violations.map((v) => {
    const [field, ...rest] = v.split(":");
    return el("li", {}, el("code", {}, field), ":", rest.join(":"));
  })));
  if (x.near_misses?.length) parts.push(el("h3", {}, "Near misses"), el("ul", { class: "nearmisses" }, x.near_misses.map((n) => el("li", {}, n.text))));
  if (x.auth) parts.push(el("h3", {}, "Authentication failed: " + x.auth.reason), el("p", {}, "The canonical request cocmock computed:"), el("pre", {}, x.auth.canonical_request || ""), el("pre", {}, x.auth.string_to_sign || ""));
  parts.push(el("h3", {}, "Request"), headers(x.request.headers), pretty(x.request.body, fields));
  parts.push(el("h3", {}, "Reply " + (x.fault ? "— fault " + x.fault + ": " + (x.client_saw || "") : statusText(x))), headers(x.reply.headers), pretty(x.reply.body, []));
  $("#detail").replaceChildren(...parts);
  $("#detail-pane").hidden = false;
  $("#detail-pane").scrollIntoView({ block: "nearest" });
}

async function renderScenarios() {
  const [list, info] = await Promise.all([json(A + "/scenarios?" + sessionQuery()), json(A + "/info")]);
  $("#active-scenario").textContent = list.active;
  $("#server-info").textContent = `seed ${info.seed} · auth ${info.auth || "none"} · validation ${info.validation}`;
  const last = info.last_reload;
  $("#reload-status").textContent = last && !last.ok ? "Last reload refused: " + last.error : "";
  $("#scenarios tbody").replaceChildren(...list.scenarios.map((sc) => el("tr", {},
    el("td", {}, sc.name), el("td", {}, sc.rules), el("td", { class: "wrap" }, sc.description),
    el("td", {}, sc.name === list.active ? el("strong", {}, "active") : el("button", { type: "button", "data-scenario": sc.name, onclick: () => use(sc.name) }, "Use")))));
}

async function use(name) {
  await api(A + "/scenario?" + sessionQuery(), { method: "PUT", body: JSON.stringify({ name }), headers: { "Content-Type": "application/json" } });
  await renderScenarios();
}

async function loadIncidents() {
  state.incidents = (await json(A + "/incidents?" + sessionQuery())).incidents;
  renderIncidents();
  await loadCoverage();
}

// The coverage panel: met of total by kind, and what was never met with how
// to meet it (the first 200; the sandbox API has them all).
async function loadCoverage() {
  const r = await json(A + "/coverage?" + sessionQuery());
  $("#coverage-summary").textContent = `${r.met} of ${r.total} items met (${r.percent}%)`;
  $("#coverage-kinds tbody").replaceChildren(...r.kinds.map((k) => el("tr", { "data-kind": k.kind }, el("td", {}, k.kind), el("td", {}, k.met), el("td", {}, k.total))));
  const missing = r.items.filter((it) => it.count === 0);
  $("#coverage-missing summary").textContent = `Not met yet (${missing.length}), and how to meet each`;
  $("#coverage-missing ul").replaceChildren(...missing.slice(0, 200).map((it) => el("li", {}, el("code", {}, it.id), " — ", it.how)));
}

async function load() {
  const r = await json(A + "/requests?limit=200&" + sessionQuery());
  state.requests = r.requests;
  renderRequests();
  await Promise.all([loadIncidents(), renderScenarios()]);
}

// stream reads /__admin/events with fetch (EventSource cannot send the
// token) and adds each exchange as it comes.
async function stream() {
  if (state.stream) state.stream.abort();
  const ctl = new AbortController();
  state.stream = ctl;
  let refresh = null;
  try {
    const resp = await api(A + "/events?" + sessionQuery(), { signal: ctl.signal });
    if (!resp.ok) {
      $("#live").textContent = "no live updates (" + resp.status + "); retrying";
      setTimeout(stream, 5000);
      return;
    }
    $("#live").textContent = "live";
    const reader = resp.body.pipeThrough(new TextDecoderStream()).getReader();
    let buf = "";
    for (;;) {
      const { value, done } = await reader.read();
      if (done) break;
      buf += value;
      let i;
      while ((i = buf.indexOf("\n\n")) >= 0) {
        const ev = buf.slice(0, i); buf = buf.slice(i + 2);
        const data = ev.split("\n").filter((l) => l.startsWith("data: ")).map((l) => l.slice(6)).join("\n");
        if (ev.startsWith("event: missed")) { load(); continue; } // fell behind: read the journal again
        if (!ev.startsWith("event: exchange") || !data) continue;
        state.requests.unshift(JSON.parse(data));
        state.requests.length = Math.min(state.requests.length, 500);
        renderRequests();
        clearTimeout(refresh);
        refresh = setTimeout(loadIncidents, 100);
      }
    }
  } catch (e) {
    if (ctl.signal.aborted || e.message === "locked") return; // locked: the token form is up
  }
  $("#live").textContent = "reconnecting…";
  setTimeout(stream, 1000);
}

async function start() {
  $("#login").hidden = true;
  $("#app").hidden = false;
  try {
    await load();
    stream();
  } catch (e) { /* locked() has shown the form */ }
}

$("#login").addEventListener("submit", (e) => {
  e.preventDefault();
  state.token = $("#token").value;
  sessionStorage.setItem("cocmock-token", state.token);
  start();
});
for (const f of filters) $("#f-" + f).addEventListener("change", () => {
  writeFilters();
  if (f === "session") { load(); stream(); } else renderRequests();
});
for (const f of ["incident", "q"]) $("#f-" + f).addEventListener("input", () => { writeFilters(); renderRequests(); });
$("#detail-close").addEventListener("click", () => { $("#detail-pane").hidden = true; });
$("#reset").addEventListener("click", async () => { await api(A + "/reset?" + sessionQuery(), { method: "POST" }); await load(); });
readFilters();
start();
