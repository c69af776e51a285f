// Fulcrum dashboard: polls /api/stats (and /api/cluster) once a second and draws pools, backends, listeners, a
// traffic chart and, with a cluster, its members.
// Plain JS, no build step, no CDN. Rates and latency quantiles come from differences between samples.
"use strict";

const POLL_MS = 1000;
const HISTORY = 300;        // chart samples (5 minutes at 1 s)
const LATENCY_WINDOW = 10;  // samples for p50/p99 (about 10 s)
const COLORS = ["#2f6fde", "#1f9d55", "#d98a00", "#7b57c2", "#d64545", "#138a8a", "#c2577b", "#5b6b8c", "#8a6d13", "#4f9fd6"];

const state = { bounds: [], samples: new Map(), history: new Map(), listenerPrev: new Map(), lastOk: 0 };

function token() { return sessionStorage.getItem("fulcrum-token") || ""; }

async function api(method, path, body) {
  const headers = {};
  if (token()) headers["Authorization"] = "Bearer " + token();
  if (body !== undefined) headers["Content-Type"] = "application/json";
  // The token travels in a header the page sets itself, never in a cookie, so another site cannot make the browser
  // send it (no CSRF); credentials "omit" keeps any cookie or cached HTTP login for this host out as well.
  const response = await fetch(path, { method, headers, credentials: "omit", body: body === undefined ? undefined : JSON.stringify(body) });
  if (response.status === 401) { askToken(); throw new Error("the admin API wants a token"); }
  const data = await response.json().catch(() => ({}));
  if (!response.ok) throw new Error(data.error || (method + " " + path + " answered " + response.status));
  return data;
}

function askToken() {
  const dialog = document.getElementById("token-dialog");
  if (!dialog.open) { document.getElementById("token-input").value = token(); dialog.showModal(); }
}

function el(tag, attrs, ...children) {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (k === "class") node.className = v; else if (k === "style") node.style.cssText = v; else if (k.startsWith("on")) node.addEventListener(k.slice(2), v); else node.setAttribute(k, v);
  }
  for (const c of children) node.append(c);
  return node;
}

function quantile(counts, q) {
  const total = counts.reduce((a, b) => a + b, 0);
  if (total <= 0) return NaN;
  const rank = q * total;
  let seen = 0;
  for (let i = 0; i < counts.length; i++) {
    if (counts[i] > 0 && seen + counts[i] >= rank) {
      if (i >= state.bounds.length) return state.bounds[state.bounds.length - 1];
      const lower = i === 0 ? 0 : state.bounds[i - 1];
      return lower + (state.bounds[i] - lower) * ((rank - seen) / counts[i]);
    }
    seen += counts[i];
  }
  return state.bounds[state.bounds.length - 1];
}

function ms(seconds) {
  if (!isFinite(seconds)) return "–";
  const v = seconds * 1000;
  return v < 1 ? v.toFixed(2) + " ms" : v < 100 ? v.toFixed(1) + " ms" : Math.round(v) + " ms";
}

function rate(v) { return v < 10 ? v.toFixed(1) : Math.round(v).toString(); }

// Per backend: a short window of samples for rates and quantiles, and a long one for the chart.
function observe(key, backend, now) {
  let window = state.samples.get(key);
  if (!window) { window = []; state.samples.set(key, window); }
  window.push({ t: now, total: backend.total, buckets: backend.latencyBuckets });
  while (window.length > LATENCY_WINDOW + 1) window.shift();
  const first = window[0], last = window[window.length - 1], prev = window[Math.max(0, window.length - 2)];
  const dt = (last.t - prev.t) / 1000;
  const perSecond = dt > 0 ? Math.max(0, (last.total - prev.total) / dt) : 0;
  const delta = last.buckets.map((c, i) => c - (first.buckets[i] || 0));
  let hist = state.history.get(key);
  if (!hist) { hist = []; state.history.set(key, hist); }
  hist.push(perSecond);
  while (hist.length > HISTORY) hist.shift();
  return { perSecond, p50: quantile(delta, 0.5), p99: quantile(delta, 0.99) };
}

async function operate(pool, id, action) {
  try {
    if (action === "weight") {
      const input = document.querySelector(`tr[data-backend="${CSS.escape(pool + "/" + id)}"] input`);
      await api("PUT", `/api/pools/${encodeURIComponent(pool)}/backends/${encodeURIComponent(id)}/weight`, { weight: Number(input.value) });
    } else {
      await api("POST", `/api/pools/${encodeURIComponent(pool)}/backends/${encodeURIComponent(id)}/${action}`);
    }
    showError("");
    await refresh();
  } catch (e) { showError(e.message); }
}

function backendRow(pool, b, color) {
  const key = pool + "/" + b.id;
  const weight = el("input", { type: "number", min: "0", value: String(b.weight), "aria-label": "weight of " + b.id });
  return el("tr", { "data-backend": key },
    el("td", {}, el("span", { class: "swatch", style: "background:" + color }), el("b", { "data-field": "id" }, b.id)),
    el("td", { class: "muted", "data-field": "address" }, b.address),
    el("td", {}, el("span", { class: "state", "data-field": "state" })),
    el("td", { "data-field": "health" }),
    el("td", { class: "num", "data-field": "weight" }),
    el("td", { class: "num", "data-field": "active" }),
    el("td", { class: "num", "data-field": "rps" }),
    el("td", { class: "num", "data-field": "p50" }),
    el("td", { class: "num", "data-field": "p99" }),
    el("td", { class: "num", "data-field": "failures" }),
    el("td", {}, el("div", { class: "actions" },
      el("button", { type: "button", "data-action": "drain", onclick: () => operate(pool, b.id, "drain") }, "Drain"),
      el("button", { type: "button", "data-action": "maintenance", onclick: () => operate(pool, b.id, "maintenance") }, "Maint."),
      el("button", { type: "button", "data-action": "ready", onclick: () => operate(pool, b.id, "ready") }, "Ready"),
      weight,
      el("button", { type: "button", "data-action": "weight", onclick: () => operate(pool, b.id, "weight") }, "Set"))));
}

function set(row, field, text, className) {
  const cell = row.querySelector(`[data-field="${field}"]`);
  if (cell.textContent !== text) cell.textContent = text;
  if (className !== undefined && cell.className !== className) cell.className = className;
}

function renderPools(stats, now) {
  const host = document.getElementById("pools");
  const seen = new Set();
  for (const pool of stats.pools) {
    let card = host.querySelector(`[data-pool="${CSS.escape(pool.name)}"]`);
    if (!card) {
      card = el("div", { class: "pool", "data-pool": pool.name },
        el("div", { class: "pool-head" }, el("b", {}, pool.name), el("span", { class: "muted", "data-field": "algorithm" }), el("span", { "data-field": "panic" })),
        el("table", {}, el("thead", {}, el("tr", {}, ...["backend", "address", "state", "health", "weight (eff.)", "active", "req/s", "p50", "p99", "failures", ""]
          .map((h, i) => el("th", { class: i >= 4 && i <= 9 ? "num" : "" }, h)))), el("tbody")));
      host.append(card);
    }
    seen.add(pool.name);
    set(card, "algorithm", pool.algorithm);
    set(card, "panic", pool.panic ? "panic" : "", pool.panic ? "badge-panic" : "");
    const body = card.querySelector("tbody");
    const ids = new Set();
    pool.backends.forEach((b, i) => {
      const key = pool.name + "/" + b.id;
      ids.add(key);
      let row = body.querySelector(`tr[data-backend="${CSS.escape(key)}"]`);
      if (!row) { row = backendRow(pool.name, b, COLORS[i % COLORS.length]); body.append(row); }
      const live = observe(key, b, now);
      set(row, "state", b.state, "state " + b.state);
      set(row, "health", b.health, b.health === "up" ? "" : "health-down");
      set(row, "weight", b.effectiveWeight === b.weight ? String(b.weight) : `${b.weight} (${b.effectiveWeight})`);
      set(row, "active", String(b.active));
      set(row, "rps", rate(live.perSecond));
      set(row, "p50", ms(live.p50));
      set(row, "p99", ms(live.p99));
      set(row, "failures", String(b.failures));
    });
    for (const row of [...body.children]) if (!ids.has(row.dataset.backend)) row.remove();
  }
  for (const card of [...host.children]) if (!seen.has(card.dataset.pool)) card.remove();
}

function renderListeners(stats, now) {
  const body = document.querySelector("#listeners tbody");
  body.replaceChildren(...stats.listeners.map(l => {
    const prev = state.listenerPrev.get(l.name);
    const perSecond = prev && now > prev.t ? Math.max(0, (l.requests - prev.requests) * 1000 / (now - prev.t)) : 0;
    state.listenerPrev.set(l.name, { t: now, requests: l.requests });
    const routes = l.routes.map(r => r.name + " → " + r.target).join(", ");
    return el("tr", { "data-listener": l.name },
      el("td", {}, el("b", {}, l.name)), el("td", {}, l.protocol), el("td", { class: "muted" }, l.bind),
      el("td", {}, routes), el("td", { class: "num" }, String(l.connectionsActive)),
      el("td", { class: "num" }, rate(perSecond)), el("td", { class: "num" }, String(l.requests)));
  }));
}

// A stacked area chart per pool: each backend's requests per second, newest on the right.
function renderCharts(stats) {
  const host = document.getElementById("charts");
  for (const pool of stats.pools) {
    let chart = host.querySelector(`[data-chart="${CSS.escape(pool.name)}"]`);
    if (!chart) {
      chart = el("div", { class: "chart", "data-chart": pool.name }, el("h3", {}, pool.name), el("canvas"), el("div", { class: "legend" }));
      host.append(chart);
    }
    const canvas = chart.querySelector("canvas");
    const ratio = window.devicePixelRatio || 1;
    const width = canvas.clientWidth, height = canvas.clientHeight;
    if (canvas.width !== width * ratio) { canvas.width = width * ratio; canvas.height = height * ratio; }
    const g = canvas.getContext("2d");
    g.setTransform(ratio, 0, 0, ratio, 0, 0);
    g.clearRect(0, 0, width, height);
    const series = pool.backends.map(b => state.history.get(pool.name + "/" + b.id) || []);
    const totals = [];
    for (let i = 0; i < HISTORY; i++) totals.push(series.reduce((sum, s) => sum + (s[s.length - HISTORY + i] || 0), 0));
    const top = Math.max(1, ...totals) * 1.15;
    const left = 40, bottom = height - 18, x = i => left + (width - left - 6) * i / (HISTORY - 1), y = v => bottom - (bottom - 6) * v / top;
    g.strokeStyle = "#e3e6ec"; g.fillStyle = "#6b7385"; g.font = "11px system-ui, sans-serif"; g.lineWidth = 1;
    for (let k = 0; k <= 3; k++) {
      const v = top * k / 3, yy = y(v);
      g.beginPath(); g.moveTo(left, yy); g.lineTo(width - 6, yy); g.stroke();
      g.fillText(rate(v), 4, yy + 4);
    }
    g.fillText("-5 min", left, height - 4); g.fillText("now", width - 28, height - 4);
    const base = new Array(HISTORY).fill(0);
    series.forEach((s, j) => {
      const upper = base.map((v, i) => v + (s[s.length - HISTORY + i] || 0));
      g.beginPath();
      for (let i = 0; i < HISTORY; i++) g.lineTo(x(i), y(upper[i]));
      for (let i = HISTORY - 1; i >= 0; i--) g.lineTo(x(i), y(base[i]));
      g.closePath();
      g.fillStyle = COLORS[j % COLORS.length] + "cc";
      g.fill();
      for (let i = 0; i < HISTORY; i++) base[i] = upper[i];
    });
    const legend = chart.querySelector(".legend");
    legend.replaceChildren(...pool.backends.map((b, j) => {
      const s = series[j]; const share = totals[HISTORY - 1] > 0 ? Math.round(100 * (s[s.length - 1] || 0) / totals[HISTORY - 1]) : 0;
      return el("span", {}, el("span", { class: "swatch", style: "background:" + COLORS[j % COLORS.length] }), `${b.id} ${share}%`);
    }));
  }
}

// The cluster panel (GET /api/cluster): hidden for an instance on its own; red while Redis is away.
function ago(iso, now) {
  const seconds = Math.max(0, (now - Date.parse(iso)) / 1000);
  return seconds < 60 ? seconds.toFixed(1) + " s ago" : Math.floor(seconds / 60) + " min ago";
}

function renderCluster(cluster, now) {
  const section = document.getElementById("cluster");
  section.hidden = !cluster.enabled;
  if (!cluster.enabled) return;
  const summary = document.getElementById("cluster-summary");
  const since = cluster.since ? " since " + new Date(cluster.since).toLocaleTimeString() : "";
  summary.textContent = cluster.redisReachable
    ? `${cluster.instance} · redis ${cluster.redis} reachable${since} · last sync ${cluster.lastSync ? ago(cluster.lastSync, now) : "never"} · ${cluster.outages} outages`
    : `${cluster.instance} · redis ${cluster.redis} UNREACHABLE${since}: serving on the last known state · ${cluster.outages} outages`;
  summary.className = cluster.redisReachable ? "muted" : "health-down";
  summary.dataset.redis = cluster.redisReachable ? "reachable" : "unreachable";
  document.querySelector("#members tbody").replaceChildren(...cluster.members.map(m =>
    el("tr", { "data-member": m.instance },
      el("td", {}, el("b", {}, m.instance), m.self ? el("span", { class: "muted" }, " (this one)") : ""),
      el("td", { "data-field": "heartbeat" }, ago(m.lastHeartbeat, now)),
      el("td", { class: "muted" }, new Date(m.started).toLocaleString()),
      el("td", {}, el("span", { class: "state " + (m.alive ? "up" : "down"), "data-field": "alive" }, m.alive ? "alive" : "silent")))));
}

function showError(message) {
  const p = document.getElementById("error");
  p.textContent = message;
  p.hidden = !message;
}

async function refresh() {
  const stats = await api("GET", "/api/stats");
  const now = Date.now();
  state.bounds = stats.latencyBoundsSeconds;
  state.lastOk = now;
  const backends = stats.pools.reduce((n, p) => n + p.backends.length, 0);
  document.getElementById("summary").textContent =
    `${stats.listeners.length} listeners · ${stats.pools.length} pools · ${backends} backends · config generation ${stats.generation} · up ${Math.floor(stats.uptimeSeconds / 60)} min`;
  renderPools(stats, now);
  renderListeners(stats, now);
  renderCharts(stats);
  renderCluster(await api("GET", "/api/cluster"), now);
}

async function loop() {
  try { await refresh(); showError(""); } catch (e) { showError(e.message); }
  const stale = Date.now() - state.lastOk > 3 * POLL_MS;
  const pill = document.getElementById("status");
  pill.textContent = stale ? "stale" : "live";
  pill.className = stale ? "pill stale" : "pill";
  setTimeout(loop, POLL_MS);
}

document.getElementById("token-button").addEventListener("click", askToken);
document.getElementById("token-dialog").addEventListener("close", () => {
  const dialog = document.getElementById("token-dialog");
  if (dialog.returnValue === "save") sessionStorage.setItem("fulcrum-token", document.getElementById("token-input").value.trim());
});
loop();
