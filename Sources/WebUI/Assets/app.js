// Skald's explore page: the query editor, the range, the results (lines, volume, charts, tables),
// the live tail, the labels browser and the status view. Plain ES modules; no build step.
import { API, APIError, ns } from '/ui/api.js';
import { highlight, isMetric, offsetOf, context, quoted } from '/ui/logql.js';
import { histogram, timeSeries, formatValue } from '/ui/chart.js';

const $ = (id) => document.getElementById(id);
const el = (tag, attrs = {}, ...children) => {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (k === 'class') e.className = v; else if (k.startsWith('on')) e[k] = v; else e.setAttribute(k, v);
  }
  for (const c of children) e.append(c);
  return e;
};

const state = {
  api: new API(''),
  lines: [],          // [{ ts: BigInt ns, line, labels }]
  lastRun: null,      // { q, startMs, endMs }
  labelNames: null,
  refreshTimer: 0,
  tail: null,         // { socket, paused, buffered, dropped }
  seq: 0,             // the run whose answers may still be shown (an older run's late answers are not)
};

// ---- theme -------------------------------------------------------------------------------------
function applyTheme(t) {
  document.documentElement.dataset.theme = t;
  localStorage.setItem('skald.theme', t);
}
applyTheme(localStorage.getItem('skald.theme') || (matchMedia('(prefers-color-scheme: dark)').matches ? 'dark' : 'light'));
$('theme').onclick = () => applyTheme(document.documentElement.dataset.theme === 'dark' ? 'light' : 'dark');

// ---- tabs --------------------------------------------------------------------------------------
function showTab(name) {
  $('explore').hidden = name !== 'explore';
  $('status').hidden = name !== 'status';
  $('tab-explore').setAttribute('aria-pressed', String(name === 'explore'));
  $('tab-status').setAttribute('aria-pressed', String(name === 'status'));
  if (name === 'status') loadStatus();
}
$('tab-explore').onclick = () => showTab('explore');
$('tab-status').onclick = () => showTab('status');

// ---- the editor --------------------------------------------------------------------------------
const query = $('query');
function paint(errorAt = -1) { $('highlight').innerHTML = highlight(query.value, errorAt); }
query.addEventListener('input', () => { paint(); suggest(); });
query.addEventListener('scroll', () => { $('highlight').scrollTop = query.scrollTop; });
query.addEventListener('keydown', (ev) => {
  const list = $('suggest');
  if (!list.hidden) {
    const items = [...list.children];
    let i = items.findIndex((li) => li.getAttribute('aria-selected') === 'true');
    if (ev.key === 'ArrowDown' || ev.key === 'ArrowUp') {
      ev.preventDefault();
      if (i >= 0) items[i].setAttribute('aria-selected', 'false');
      i = (i + (ev.key === 'ArrowDown' ? 1 : items.length - 1)) % items.length;
      items[i].setAttribute('aria-selected', 'true');
      items[i].scrollIntoView({ block: 'nearest' });
      return;
    }
    if ((ev.key === 'Enter' || ev.key === 'Tab') && i >= 0 && !(ev.ctrlKey || ev.metaKey)) { ev.preventDefault(); items[i].click(); return; }
    if (ev.key === 'Escape') { list.hidden = true; return; }
  }
  if (ev.key === 'Enter' && (ev.ctrlKey || ev.metaKey)) { ev.preventDefault(); run(); }
});
// Leaving the editor closes the list (after a moment, so a click on it lands first); coming back
// cancels that.
let closeSuggest = 0;
query.addEventListener('blur', () => { closeSuggest = setTimeout(() => { $('suggest').hidden = true; }, 150); });
query.addEventListener('focus', () => clearTimeout(closeSuggest));

let suggestSeq = 0;
async function suggest() {
  const list = $('suggest');
  const ctx = context(query.value, query.selectionStart);
  if (!ctx) { list.hidden = true; return; }
  const seq = ++suggestSeq;
  const { startMs, endMs } = range();
  let options = [];
  try {
    if (ctx.kind === 'name') {
      state.labelNames ??= (await state.api.labels(ns(startMs), ns(endMs))).data || [];
      options = state.labelNames;
    } else {
      options = (await state.api.labelValues(ctx.label, ns(startMs), ns(endMs))).data || [];
    }
  } catch { options = []; }
  if (seq !== suggestSeq) return;
  clearTimeout(closeSuggest);
  options = options.filter((o) => o.startsWith(ctx.prefix) && o !== ctx.prefix).slice(0, 50);
  list.textContent = '';
  if (!options.length) { list.hidden = true; return; }
  for (const o of options) {
    list.append(el('li', { role: 'option', 'aria-selected': 'false', onclick: () => complete(ctx, o) }, o));
  }
  list.hidden = false;
}

function complete(ctx, word) {
  const at = query.selectionStart;
  const before = query.value.slice(0, at - ctx.prefix.length);
  let insert = word;
  if (ctx.kind === 'name') insert += '="';
  else insert = quoted(word) + '"';
  query.value = before + insert + query.value.slice(at);
  query.selectionStart = query.selectionEnd = before.length + insert.length;
  $('suggest').hidden = true;
  paint();
  query.focus();
  if (ctx.kind === 'name') suggest();
}

// ---- range and URL -----------------------------------------------------------------------------
const toLocalInput = (ms) => new Date(ms - new Date(ms).getTimezoneOffset() * 60000).toISOString().slice(0, 19);
$('range').onchange = () => {
  const abs = $('range').value === 'absolute';
  $('absolute').hidden = !abs;
  if (abs && !$('from').value) {
    const now = Date.now();
    $('from').value = toLocalInput(now - 3600000);
    $('to').value = toLocalInput(now);
  }
};
function range() {
  if ($('range').value === 'absolute') {
    const startMs = new Date($('from').value).getTime(), endMs = new Date($('to').value).getTime();
    if (Number.isFinite(startMs) && Number.isFinite(endMs) && endMs > startMs) return { startMs, endMs };
  }
  const endMs = Date.now();
  const secs = Number($('range').value) || 3600;
  return { startMs: endMs - secs * 1000, endMs };
}

function saveURL() {
  const p = new URLSearchParams();
  p.set('query', query.value);
  if ($('range').value === 'absolute') { p.set('from', $('from').value); p.set('to', $('to').value); } else p.set('range', $('range').value);
  if ($('tenant').value) p.set('tenant', $('tenant').value);
  p.set('limit', $('limit').value);
  p.set('direction', $('direction').value);
  if ($('instant').checked) p.set('instant', '1');
  history.replaceState(null, '', '?' + p);
}
function loadURL() {
  const p = new URLSearchParams(location.search);
  if (p.has('query')) query.value = p.get('query');
  if (p.has('from') && p.has('to')) { $('range').value = 'absolute'; $('absolute').hidden = false; $('from').value = p.get('from'); $('to').value = p.get('to'); }
  else if (p.has('range')) $('range').value = p.get('range');
  $('tenant').value = p.get('tenant') || localStorage.getItem('skald.tenant') || '';
  if (p.has('limit')) $('limit').value = p.get('limit');
  if (p.has('direction')) $('direction').value = p.get('direction');
  $('instant').checked = p.get('instant') === '1';
  state.api = new API($('tenant').value.trim());
}
$('tenant').onchange = () => {
  localStorage.setItem('skald.tenant', $('tenant').value.trim());
  state.api = new API($('tenant').value.trim());
  state.labelNames = null;
};
$('wrap').onchange = () => document.body.classList.toggle('wrap', $('wrap').checked);
document.body.classList.toggle('wrap', $('wrap').checked);

// ---- history -----------------------------------------------------------------------------------
function history_() { try { return JSON.parse(localStorage.getItem('skald.history') || '[]'); } catch { return []; } }
function remember(q) {
  const h = [q, ...history_().filter((x) => x !== q)].slice(0, 30);
  localStorage.setItem('skald.history', JSON.stringify(h));
  fillHistory();
}
function fillHistory() {
  const s = $('history');
  s.length = 1;
  for (const q of history_()) s.append(el('option', { value: q }, q.length > 80 ? q.slice(0, 77) + '…' : q));
}
$('history').onchange = () => { if ($('history').value) { query.value = $('history').value; paint(); $('history').value = ''; query.focus(); } };

// ---- running a query ---------------------------------------------------------------------------
function showError(err) {
  const box = $('error');
  box.hidden = false;
  if (err instanceof APIError && err.position) {
    const at = offsetOf(query.value, err.position.line, err.position.col);
    paint(at);
    box.textContent = `${err.message}\n${query.value.split('\n')[err.position.line - 1] || ''}\n${' '.repeat(Math.max(err.position.col - 1, 0))}^`;
  } else {
    box.textContent = err.message || String(err);
  }
}
function clearResults() {
  $('error').hidden = true;
  $('histogram').hidden = true;
  $('chart').hidden = true;
  $('table').hidden = true;
  $('more').hidden = true;
  state.lines = [];
  renderLines();
  $('summary').textContent = '';
}

async function run() {
  const q = query.value.trim();
  if (!q) { query.focus(); return; }
  stopTail();
  clearResults();
  paint();
  remember(q);
  saveURL();
  const { startMs, endMs } = range();
  state.lastRun = { q, startMs, endMs };
  const seq = ++state.seq;
  const began = performance.now();
  try {
    if (isMetric(q)) await runMetric(q, startMs, endMs, seq);
    else await runLogs(q, startMs, endMs, { seq });
    if (seq === state.seq) $('summary').textContent += ` · ${Math.round(performance.now() - began)} ms`;
  } catch (err) {
    if (seq === state.seq) showError(err);
  }
}
$('run').onclick = run;

function stepFor(startMs, endMs) { return Math.max(1, Math.ceil((endMs - startMs) / 1000 / 250)); }

async function runMetric(q, startMs, endMs, seq) {
  if ($('instant').checked) {
    const r = await state.api.instant(q, ns(endMs));
    if (seq === state.seq) renderInstant(r.data);
    return;
  }
  const step = stepFor(startMs, endMs);
  const r = await state.api.queryRange(q, ns(startMs), ns(endMs), { step });
  if (seq !== state.seq) return;
  if (r.data.resultType !== 'matrix') { renderInstant(r.data); return; }
  const series = r.data.result.map((s) => ({
    name: labelText(s.metric) || q,
    points: s.values.map(([t, v]) => [Number(t), Number(v)]),
  }));
  $('chart').hidden = false;
  timeSeries($('chart'), series, startMs / 1000, endMs / 1000);
  $('summary').textContent = `${series.length} series, step ${step}s`;
}

function renderInstant(data) {
  const t = $('table');
  t.textContent = '';
  t.hidden = false;
  if (data.resultType === 'scalar' || data.resultType === 'string') {
    t.append(el('tr', {}, el('th', {}, 'value')), el('tr', {}, el('td', {}, String(data.result[1]))));
    $('summary').textContent = data.resultType;
    return;
  }
  const rows = data.result.map((s) => [labelText(s.metric), s.value ? s.value[1] : (s.values?.at(-1)?.[1] ?? '')]);
  t.append(el('tr', {}, el('th', {}, 'series'), el('th', {}, 'value')));
  for (const [name, v] of rows) t.append(el('tr', {}, el('td', {}, name || '{}'), el('td', {}, formatValue(Number(v)))));
  $('summary').textContent = `${rows.length} series`;
}

const labelText = (m) => '{' + Object.entries(m || {}).map(([k, v]) => `${k}="${v}"`).join(', ') + '}';

async function runLogs(q, startMs, endMs, { append = false, endNs, seq = state.seq, extra = 0 } = {}) {
  // (extra: lines already shown that the next page repeats — those at its edge's timestamp.)
  const limit = Math.min(Math.max(Number($('limit').value) || 1000, 1), 5000) + extra;
  const direction = $('direction').value;
  const logs = state.api.queryRange(q, ns(startMs), endNs ?? ns(endMs), { limit, direction });
  if (!append) volume(q, startMs, endMs, seq);
  const r = await logs;
  if (seq !== state.seq) return;
  const got = [];
  for (const s of r.data.result) for (const [t, line] of s.values) got.push({ ts: BigInt(t), line, labels: s.stream });
  got.sort((a, b) => (direction === 'backward' ? (a.ts < b.ts ? 1 : a.ts > b.ts ? -1 : 0) : (a.ts < b.ts ? -1 : a.ts > b.ts ? 1 : 0)));
  const seen = new Set(state.lines.map((l) => l.ts + '\u0000' + l.line));
  const fresh = got.filter((l) => !seen.has(l.ts + '\u0000' + l.line));
  state.lines.push(...fresh);
  renderLines(append);
  $('summary').textContent = `${state.lines.length} lines` + (got.length >= limit ? ` (limit ${limit} reached)` : '');
  $('more').hidden = got.length < limit;
}

// The volume histogram: Grafana's query for it — lines per level over the range.
async function volume(q, startMs, endMs, seq) {
  const step = stepFor(startMs, endMs);
  try {
    const r = await state.api.queryRange(`sum by (level) (count_over_time(${q} [${step}s]))`, ns(startMs), ns(endMs), { step });
    if (seq !== state.seq) return;
    const series = r.data.result.map((s) => ({ level: s.metric.level || '', points: s.values.map(([t, v]) => [Number(t), Number(v)]) }));
    $('histogram').hidden = false;
    histogram($('histogram'), series, startMs / 1000, endMs / 1000, step, (from, to) => {
      $('range').value = 'absolute';
      $('absolute').hidden = false;
      $('from').value = toLocalInput(from * 1000);
      $('to').value = toLocalInput(to * 1000);
      run();
    });
  } catch { /* the histogram is a bonus: the lines' own error is what the user needs */ }
}

$('more').onclick = async () => {
  if (!state.lastRun || !state.lines.length) return;
  const { q, startMs, endMs } = state.lastRun;
  const edge = state.lines.at(-1).ts;
  const extra = state.lines.filter((l) => l.ts === edge).length;
  try {
    if ($('direction').value === 'backward') await runLogs(q, startMs, endMs, { append: true, endNs: (edge + 1n).toString(), extra });
    else await runLogs(q, Number(edge / 1000000n), endMs, { append: true, extra });
  } catch (err) { showError(err); }
};

function levelOf(l) {
  const v = (l.labels.level || l.labels.lvl || l.labels.severity || '').toLowerCase();
  const m = v || (/\blevel"?[=:]\s*"?(\w+)/i.exec(l.line)?.[1] || /\b(ERROR|WARN|INFO|DEBUG)\b/.exec(l.line)?.[1] || '').toLowerCase();
  if (m.startsWith('err') || m === 'fatal' || m === 'critical') return 'error';
  if (m.startsWith('warn')) return 'warn';
  if (m === 'info') return 'info';
  if (m === 'debug' || m === 'trace') return 'debug';
  return '';
}

function formatTs(ts) {
  const ms = Number(ts / 1000000n);
  const d = new Date(ms);
  const pad = (n, w = 2) => String(n).padStart(w, '0');
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())} ${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}.${pad(d.getMilliseconds(), 3)}`;
}

// The lines as a windowed list: blocks of BLOCK rows, of which only those near the viewport hold
// their rows; the others are empty boxes of the height they had (or an estimate), so 5,000 lines
// scroll like a few hundred. Heights are kept per block while blocks keep their lines (appending
// with "load more"); a new answer or tailed lines rebuild the blocks.
const BLOCK = 200;
const ROW_ESTIMATE = 18;
const windowing = new IntersectionObserver((entries) => {
  for (const e of entries) {
    const b = e.target;
    if (e.isIntersecting && !b.filled) fillBlock(b);
    else if (!e.isIntersecting && b.filled) emptyBlock(b);
  }
}, { rootMargin: '1200px 0px' });

function row(l) {
  const li = el('li', { class: 'row l-' + (levelOf(l) || 'none'), tabindex: '0' }, el('time', {}, formatTs(l.ts)), el('span', { class: 'msg' }, l.line));
  li.onclick = (ev) => { if (!ev.target.closest('.details')) toggleDetails(li, l); };
  li.onkeydown = (ev) => { if (ev.key === 'Enter' && ev.target === li) toggleDetails(li, l); };
  // Opened details stay open when the row is built again (a tailed line rebuilds the list; a block
  // scrolled away and back is filled again).
  if (l.open) li.append(details(l));
  return li;
}
function fillBlock(b) {
  const list = el('ol');
  for (let i = b.start; i < b.end && i < state.lines.length; i++) list.append(row(state.lines[i]));
  b.replaceChildren(list);
  b.style.height = '';
  b.filled = true;
}
function emptyBlock(b) {
  b.style.height = b.offsetHeight + 'px';
  b.replaceChildren();
  b.filled = false;
}
function newBlock(start) {
  const b = el('li', { class: 'block' });
  b.start = start;
  b.end = Math.min(start + BLOCK, state.lines.length);
  b.filled = false;
  b.style.height = (b.end - b.start) * ROW_ESTIMATE + 'px';
  windowing.observe(b);
  return b;
}
// Shows state.lines: all of them anew, or (append) only what was added at the end.
function renderLines(append = false) {
  const list = $('lines');
  if (!append) {
    for (const b of list.children) windowing.unobserve(b);
    list.replaceChildren();
  }
  let start = 0;
  const last = list.lastElementChild;
  if (last) {
    start = last.end;
    if (last.end - last.start < BLOCK && start < state.lines.length) {
      // The last block takes lines until it is full.
      last.end = Math.min(last.start + BLOCK, state.lines.length);
      if (last.filled) fillBlock(last); else last.style.height = (last.end - last.start) * ROW_ESTIMATE + 'px';
      start = last.end;
    }
  }
  for (; start < state.lines.length; start += BLOCK) list.append(newBlock(start));
}

// Fields of the line itself: a JSON object's (flattened) or logfmt pairs.
function parsedFields(line) {
  const out = {};
  const t = line.trim();
  if (t.startsWith('{')) {
    try {
      const walk = (o, p) => { for (const [k, v] of Object.entries(o)) { if (v && typeof v === 'object' && !Array.isArray(v)) walk(v, p + k + '_'); else out[p + k] = typeof v === 'string' ? v : JSON.stringify(v); } };
      walk(JSON.parse(t), '');
      return out;
    } catch { /* not JSON after all */ }
  }
  for (const m of t.matchAll(/([A-Za-z_][\w.\-]*)=("(?:[^"\\]|\\.)*"|\S*)/g)) out[m[1]] = m[2].startsWith('"') ? m[2].slice(1, -1).replace(/\\"/g, '"') : m[2];
  return out;
}

function toggleDetails(li, l) {
  const open = li.querySelector('.details');
  l.open = !open;
  if (open) open.remove(); else li.append(details(l));
}

// A line's labels and parsed fields, with filter-for/out buttons, and a copy button.
function details(l) {
  const box = el('div', { class: 'details' });
  const table = el('table');
  const row = (name, value, kind) => {
    const forB = el('button', { type: 'button', title: 'Show only lines with this value', onclick: () => addFilter(name, value, '=') }, '+');
    const outB = el('button', { type: 'button', title: 'Hide lines with this value', onclick: () => addFilter(name, value, '!=') }, '−');
    table.append(el('tr', {}, el('td', {}, kind), el('td', {}, name), el('td', {}, value), el('td', {}, forB, ' ', outB)));
  };
  for (const [k, v] of Object.entries(l.labels)) row(k, v, 'label');
  for (const [k, v] of Object.entries(parsedFields(l.line))) if (!(k in l.labels)) row(k, v, 'field');
  box.append(table, el('button', { type: 'button', onclick: () => navigator.clipboard?.writeText(l.line) }, 'Copy line'));
  return box;
}

// Filter for (=) or out (!=) a label's value: a label filter after the query's stages (it applies
// to stream labels and parsed fields alike).
function addFilter(name, value, op) {
  query.value = `${query.value.trim()} | ${name}${op}"${quoted(value)}"`;
  paint();
  run();
}

// ---- live tail ---------------------------------------------------------------------------------
function stopTail() {
  if (!state.tail) return;
  state.tail.socket.close();
  state.tail = null;
  $('tail').setAttribute('aria-pressed', 'false');
  $('tail').textContent = 'Live tail';
}
$('tail').onclick = () => {
  if (state.tail) {
    // Pause / resume while the socket stays open: lines that arrive meanwhile are kept.
    state.tail.paused = !state.tail.paused;
    $('tail').textContent = state.tail.paused ? 'Resume' : 'Pause';
    if (!state.tail.paused) flushTail();
    return;
  }
  const q = query.value.trim();
  if (!q || isMetric(q)) { showError(new Error('live tail needs a log query ({…} and its filters)')); return; }
  state.seq++;
  clearResults();
  saveURL();
  const socket = state.api.tail(q, ns(Date.now() - 60000), 100);
  state.tail = { socket, paused: false, buffered: [], dropped: 0, received: 0 };
  $('tail').setAttribute('aria-pressed', 'true');
  $('tail').textContent = 'Pause';
  $('summary').textContent = 'tailing…';
  socket.onmessage = (ev) => {
    const msg = JSON.parse(ev.data);
    const t = state.tail;
    if (!t) return;
    for (const s of msg.streams || []) for (const [ts, line] of s.values) t.buffered.push({ ts: BigInt(ts), line, labels: s.stream });
    t.dropped += (msg.dropped_entries || []).length;
    if (!t.paused) flushTail();
    else $('summary').textContent = `paused · ${t.buffered.length} new lines waiting` + (t.dropped ? ` · ${t.dropped} dropped by the server` : '');
  };
  socket.onerror = () => showError(new Error('the live tail connection failed'));
  socket.onclose = (ev) => {
    if (state.tail?.socket === socket) {
      if (ev.reason) showError(new Error(ev.reason));
      stopTail();
    }
  };
};
function flushTail() {
  const t = state.tail;
  const fresh = t.buffered.sort((a, b) => (a.ts < b.ts ? 1 : a.ts > b.ts ? -1 : 0));
  t.buffered = [];
  t.received += fresh.length;
  state.lines.unshift(...fresh);
  if (state.lines.length > 5000) state.lines.length = 5000;
  renderLines();
  $('summary').textContent = `tailing · ${t.received} lines` + (t.dropped ? ` · ${t.dropped} dropped by the server` : '');
}

// ---- labels browser ----------------------------------------------------------------------------
$('labels-toggle').onclick = async () => {
  const box = $('labels');
  box.hidden = !box.hidden;
  $('labels-toggle').setAttribute('aria-expanded', String(!box.hidden));
  if (box.hidden) return;
  const { startMs, endMs } = range();
  const names = $('label-names');
  names.textContent = '';
  $('label-values').textContent = '';
  try {
    for (const n of (await state.api.labels(ns(startMs), ns(endMs))).data || []) {
      const li = el('li', { tabindex: '0' }, n);
      li.onclick = li.onkeydown = async (ev) => {
        if (ev.type === 'keydown' && ev.key !== 'Enter') return;
        for (const x of names.children) x.classList.toggle('sel', x === li);
        const values = $('label-values');
        values.textContent = '';
        for (const v of (await state.api.labelValues(n, ns(startMs), ns(endMs))).data || []) {
          const vi = el('li', { tabindex: '0', title: 'Add to the query' }, v);
          vi.onclick = vi.onkeydown = (e) => { if (e.type === 'click' || e.key === 'Enter') addToSelector(n, v); };
          values.append(vi);
        }
      };
      names.append(li);
    }
  } catch (err) { showError(err); }
};
function addToSelector(name, value) {
  const m = `${name}="${quoted(value)}"`;
  const q = query.value;
  const sel = /^(\s*\{)([^}]*)(\})/.exec(q);
  if (!sel) query.value = `{${m}}` + q;
  else query.value = sel[1] + (sel[2].trim() ? sel[2].trimEnd() + ', ' : '') + m + sel[3] + q.slice(sel[0].length);
  paint();
  query.focus();
}

// ---- status ------------------------------------------------------------------------------------
async function loadStatus() {
  const dl = $('status-list');
  dl.textContent = '';
  const add = (k, v) => dl.append(el('dt', {}, k), el('dd', {}, String(v)));
  try {
    const [b, ready, metrics] = await Promise.all([state.api.buildinfo(), state.api.ready(), state.api.metrics()]);
    add('version', `${b.version} (${b.revision || 'dev'})`);
    add('ready', ready.ok ? 'yes' : `no — ${ready.text}`);
    const wanted = /^(skald_wal_[a-z_]+|skald_index_[a-z_]+|loki_ingester_memory_streams|loki_ingester_memory_chunks|loki_distributor_lines_received_total|loki_distributor_bytes_received_total|skald_allocator_bytes)(\{[^}]*\})? (\S+)$/;
    for (const line of metrics.split('\n')) {
      const m = wanted.exec(line);
      if (m) add(m[1] + (m[2] || ''), formatValue(Number(m[3])));
    }
  } catch (err) { add('error', err.message); }
}

// ---- auto-refresh ------------------------------------------------------------------------------
$('refresh').onchange = () => {
  clearInterval(state.refreshTimer);
  const s = Number($('refresh').value);
  if (s > 0) state.refreshTimer = setInterval(() => { if (!state.tail && document.visibilityState === 'visible') run(); }, s * 1000);
};

// What the page shows, for the browser tests and the console: window.skald.lines().
window.skald = { lines: () => state.lines.map((l) => `${l.ts} ${l.line}`) };

// ---- start -------------------------------------------------------------------------------------
loadURL();
fillHistory();
paint();
if (query.value.trim()) run();
else query.focus();
