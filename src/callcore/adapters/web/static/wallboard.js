// The wallboard's script (wallboard.html); a file, not inline, for the CSP.
"use strict";
const POLL_SECONDS = Number(document.body.dataset.pollSeconds) || 5;
const $ = (id) => document.getElementById(id);
const pct = (x) => x === null || x === undefined ? "—" : Math.round(x * 100) + "%";
const num = (x, d = 1) => x === null || x === undefined ? "—" : Number(x).toFixed(d);
const esc = (s) => String(s ?? "").replace(/[&<>"']/g,
  (c) => ({"&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;"}[c]));
const hhmm = (iso) => iso ? iso.slice(11, 16) : "—";

function rows(tbody, items, cells, empty) {
  tbody.innerHTML = items.length ? items.map(cells).join("") :
    `<tr><td class="empty" colspan="9">${empty}</td></tr>`;
}

function hbars(items) {
  // Horizontal bars: [{label, value (0..1 or null), text, colour}]. HTML, not SVG, so a
  // long clock name wraps instead of being cut.
  if (!items.length) return '<p class="empty">nothing yet today</p>';
  return '<div class="bars">' + items.map((it) => {
    const width = Math.round(Math.max(0, Math.min(1, it.value ?? 0)) * 1000) / 10;
    return `<span class="label">${esc(it.label)}</span>` +
      `<span class="track"><span class="fill" data-width="${width}" ` +
      `data-colour="${esc(it.colour)}"></span></span><span class="text">${esc(it.text)}</span>`;
  }).join("") + '</div>';
}

function showBars(element, items) {
  // Widths and colours go through the CSSOM: the Content-Security-Policy refuses style
  // attributes written into markup, but not styles set from this (same-origin) script.
  element.innerHTML = hbars(items);
  for (const fill of element.querySelectorAll(".fill")) {
    fill.style.width = `${fill.dataset.width}%`;
    fill.style.background = fill.dataset.colour;
  }
}

const hm = (seconds) => seconds === null || seconds === undefined ? "—" :
  `${Math.floor(seconds / 3600)}:${String(Math.floor(seconds % 3600 / 60)).padStart(2, "0")}`;

function intervalChart(intervals) {
  if (!intervals.length) return '<p class="empty">no calls yet today</p>';
  const w = 600, h = 160, bottom = 18;
  const peak = Math.max(1, ...intervals.map((i) => i.offered));
  const step = w / 48;
  const bars = intervals.map((i) => {
    const slot = (Number(i.start.slice(11, 13)) * 60 + Number(i.start.slice(14, 16))) / 30;
    const x = slot * step, scale = (h - bottom) / peak;
    const o = i.offered * scale, a = i.answered_within_target * scale, b = i.abandoned * scale;
    return `<rect x="${x}" y="${h - bottom - o}" width="${step - 2}" height="${o}" fill="var(--line)"/>` +
      `<rect x="${x}" y="${h - bottom - a}" width="${(step - 2) / 2}" height="${a}" fill="var(--ok)"/>` +
      `<rect x="${x + (step - 2) / 2}" y="${h - bottom - b}" width="${(step - 2) / 2}" height="${b}" fill="var(--breach)"/>`;
  }).join("");
  const ticks = [0, 6, 12, 18].map((hour) =>
    `<text x="${hour * 2 * step}" y="${h - 4}">${String(hour).padStart(2, "0")}:00</text>`).join("");
  return `<svg viewBox="0 0 ${w} ${h}" role="img" aria-label="calls per half hour">${bars}${ticks}` +
    `<text x="${w - 60}" y="12">peak ${peak}</text></svg>`;
}

function render(p) {
  document.title = `${p.centre} — wallboard`;
  $("centre").textContent = p.centre;
  $("as-of").textContent = p.as_of.replace("T", " ").slice(0, 16);
  $("as-of").dateTime = p.as_of;
  const q = p.queues;
  const offered = q.reduce((s, r) => s + r.offered, 0);
  const inTarget = q.reduce((s, r) => s + r.answered_within_target, 0);
  const answered = q.reduce((s, r) => s + r.answered, 0);
  const abandoned = q.reduce((s, r) => s + r.abandoned, 0);
  const asaTotal = q.reduce((s, r) => s + (r.asa_seconds ?? 0) * r.answered, 0);
  const level = q.length === 1 ? q[0].service_level : (offered ? inTarget / offered : null);
  $("service-level").textContent = pct(level);
  $("abandon-rate").textContent = pct(offered ? abandoned / offered : null);
  $("asa").textContent = answered ? Math.round(asaTotal / answered) + " s" : "—";
  $("at-risk-count").textContent = p.clocks.at_risk;
  $("breached-count").textContent = p.clocks.breached;
  $("rating").textContent = num(p.satisfaction.overall.mean_rating, 2);

  rows($("urgent").tBodies[0], p.clocks.urgent, (c) =>
    `<tr class="${c.state}" data-subject="${esc(c.subject)}" data-clock="${esc(c.clock)}" data-state="${c.state}">` +
    `<td class="state">${c.state === "at-risk" ? "AT RISK" : "BREACHED"}</td><td>${esc(c.clock)}</td>` +
    `<td>${esc(c.subject)}</td><td>${esc(c.branch ?? "")}</td><td>${hhmm(c.due_at)}</td>` +
    `<td class="num">${num(c.minutes_left, 0)}</td></tr>`, "every clock is on time");
  $("intervals").innerHTML = intervalChart(p.intervals);
  rows($("queues").tBodies[0], q, (r) =>
    `<tr><td>${esc(r.queue)}</td><td class="num">${r.offered}</td><td class="num">${r.answered}</td>` +
    `<td class="num">${r.abandoned}</td><td class="num">${pct(r.service_level)}</td>` +
    `<td class="num">${num(r.asa_seconds, 0)}</td></tr>`, "no calls yet today");
  $("queue-formula").textContent = q.length ?
    `service level = ${q[0].formula}; target ${q[0].target_seconds} s` : "";
  showBars($("compliance"), p.clocks.today.map((c) => ({
    label: c.clock, value: c.compliance,
    text: `${pct(c.compliance)} (${c.met}/${c.met + c.breached})`,
    colour: c.compliance === null || c.compliance >= 0.9 ? "var(--ok)" :
            c.compliance >= 0.75 ? "var(--risk)" : "var(--breach)"})));
  showBars($("workers"), p.workers.map((w) => ({
    label: `${w.id} ${w.name}`, value: w.load_share,
    text: `${w.booked}/${w.capacity} (${w.done} done)`,
    colour: (w.load_share ?? 0) > 1 ? "var(--breach)" : (w.load_share ?? 0) >= 0.8 ? "var(--risk)" : "var(--bar)"})));
  const agents = p.agents ?? {rows: [], paused_too_long: 0, paused_too_long_minutes: 15};
  $("paused-too-long").textContent = agents.paused_too_long;
  $("tile-paused").classList.toggle("breach", agents.paused_too_long > 0);
  rows($("agents").tBodies[0], agents.rows, (a) =>
    `<tr class="${a.paused_too_long ? "paused-too-long" : ""}" data-agent="${esc(a.agent)}" ` +
    `data-state="${a.state}"><td>${esc(a.agent)}</td>` +
    `<td class="state">${esc(a.state)}${a.paused_too_long ? " too long" : ""}` +
    `${a.pause_reason ? '<span class="reason">' + esc(a.pause_reason) + "</span>" : ""}</td>` +
    `<td class="num">${hhmm(a.since)}</td>` +
    `<td class="num">${hm(a.logged_in_seconds)}</td><td class="num">${hm(a.paused_seconds)}</td>` +
    `<td class="num">${hm(a.talk_seconds)}</td><td class="num">${a.calls_answered}</td>` +
    `<td class="num">${pct(a.occupancy)}</td></tr>`, "no agent logged in today");
  $("agents-legend").textContent =
    `occupancy = talk ÷ (logged in − paused); paused too long: over ${agents.paused_too_long_minutes} min`;
  rows($("satisfaction").tBodies[0], p.satisfaction.branches, (b) =>
    `<tr><td>${esc(b.id)}</td><td class="num">${b.calls}</td><td class="num">${b.reached}</td>` +
    `<td class="num">${num(b.mean_rating, 2)}</td><td class="num">${pct(b.satisfied_share)}</td>` +
    `<td class="num">${b.complaints}</td></tr>`, "no satisfaction calls yet today");
}

// The board fits the screen: a table with more rows than fit shows its first rows and a
// "+N more" row, so nothing is cut off at the bottom and the board never scrolls. Rows
// are dropped from the longest table first, one at a time, until the page fits.
const FITTED = ["urgent", "agents", "queues", "satisfaction"];

function overflows() {
  return document.documentElement.scrollHeight > window.innerHeight + 1;
}

function dataRows(table) {
  return [...table.tBodies[0].rows].filter(
    (r) => !r.classList.contains("more") && !r.querySelector("td.empty"));
}

const shownRows = (table) => dataRows(table).filter((r) => !r.classList.contains("hidden"));

function showMore(table) {
  const hidden = dataRows(table).length - shownRows(table).length;
  let more = table.tBodies[0].querySelector("tr.more");
  if (!hidden) {
    if (more) more.remove();
    return;
  }
  if (!more) {
    more = table.tBodies[0].insertRow(-1);
    more.className = "more";
    more.insertCell(0).colSpan = 9;
  }
  more.cells[0].textContent = `+${hidden} more`;
  more.dataset.hidden = String(hidden);
}

function fitBoard() {
  if (window.matchMedia("print").matches) return;
  const tables = FITTED.map((id) => $(id));
  // Hide the last shown row of the longest table (below the fold first) until it fits,
  for (let guard = 0; guard < 500 && overflows(); guard++) {
    const candidates = tables.filter((t) => shownRows(t).length > 0);
    if (!candidates.length) break;
    const below = candidates.filter(
      (t) => t.closest("section").getBoundingClientRect().bottom > window.innerHeight);
    const pool = below.length ? below : candidates;
    pool.sort((a, b) => shownRows(b).length - shownRows(a).length);
    const rows = shownRows(pool[0]);
    rows[rows.length - 1].classList.add("hidden");
    showMore(pool[0]);
  }
  // then give rows back where there is room after all (a shorter panel beside a taller).
  for (let changed = true, guard = 0; changed && guard < 500; guard++) {
    changed = false;
    for (const table of [...tables].sort((a, b) => shownRows(a).length - shownRows(b).length)) {
      const next = dataRows(table).find((r) => r.classList.contains("hidden"));
      if (!next) continue;
      next.classList.remove("hidden");
      showMore(table);
      if (overflows()) {
        next.classList.add("hidden");
        showMore(table);
      } else {
        changed = true;
      }
    }
  }
}

function token() {
  const fragment = new URLSearchParams(location.hash.slice(1));
  if (fragment.get("token")) {
    sessionStorage.setItem("callcore-token", fragment.get("token"));
    fragment.delete("token");
    history.replaceState(null, "", location.pathname + location.search +
      (fragment.toString() ? "#" + fragment : ""));
  }
  return sessionStorage.getItem("callcore-token");
}

function every() {
  const fragment = new URLSearchParams(location.hash.slice(1));
  return Number(fragment.get("every")) || POLL_SECONDS;
}

async function poll() {
  const status = $("status");
  try {
    const response = await fetch("/wallboard/data",
      {headers: {"Authorization": "Bearer " + token()}, cache: "no-store"});
    if (response.status === 401 || response.status === 403) {
      sessionStorage.removeItem("callcore-token");
      status.textContent = (await response.json()).detail;
      status.classList.add("stale");
      showLogin();
      return;
    }
    if (!response.ok) throw new Error(`HTTP ${response.status}`);
    render(await response.json());
    fitBoard();
    status.textContent = `live, every ${every()} s`;
    status.classList.remove("stale");
  } catch (error) {
    status.textContent = `not updated: ${error.message}`;
    status.classList.add("stale");
  }
  setTimeout(poll, every() * 1000);
}

function showLogin() {
  $("login").classList.remove("hidden");
  $("board").classList.add("hidden");
}

const embedded = JSON.parse($("embedded").textContent);
if (embedded) {
  $("status").textContent = "report";
  render(embedded);
  fitBoard();
} else {
  $("login-form").addEventListener("submit", (e) => {
    e.preventDefault();
    sessionStorage.setItem("callcore-token", $("token").value.trim());
    $("login").classList.add("hidden");
    $("board").classList.remove("hidden");
    poll();
  });
  if (token()) poll(); else showLogin();
}
