// The page's charts, drawn by hand: the log volume histogram (canvas, stacked by level) and the
// metric time series (SVG, with a legend and values on hover).

const LEVEL_COLOURS = { error: '--err', warn: '--warn', warning: '--warn', info: '--info', debug: '--debug' };
const PALETTE = ['#1f77b4', '#ff7f0e', '#2ca02c', '#d62728', '#9467bd', '#8c564b', '#e377c2', '#7f7f7f', '#bcbd22', '#17becf'];

const css = (name) => getComputedStyle(document.documentElement).getPropertyValue(name).trim();
export const colour = (i) => PALETTE[i % PALETTE.length];

function tooltip() {
  let t = document.querySelector('.tip');
  if (!t) { t = document.createElement('div'); t.className = 'tip'; t.hidden = true; document.body.append(t); }
  return t;
}

// Shows `text` in the tooltip beside the pointer.
function showTip(tip, ev, text) {
  tip.textContent = text;
  tip.style.left = ev.clientX + 12 + 'px';
  tip.style.top = ev.clientY + 12 + 'px';
  tip.hidden = false;
}

// series: [{ level, points: [[seconds, value], …] }] over [startS, endS] in buckets of stepS.
export function histogram(canvas, series, startS, endS, stepS, onPick) {
  const dpr = window.devicePixelRatio || 1;
  const w = canvas.clientWidth || 800, h = canvas.clientHeight || 110;
  canvas.width = w * dpr; canvas.height = h * dpr;
  const g = canvas.getContext('2d');
  g.scale(dpr, dpr);
  g.clearRect(0, 0, w, h);
  const buckets = Math.max(1, Math.ceil((endS - startS) / stepS));
  const stacks = Array.from({ length: buckets }, () => []);
  for (const s of series) {
    for (const [t, v] of s.points) {
      const i = Math.floor((t - startS) / stepS);
      if (i >= 0 && i < buckets) stacks[i].push([s.level, v]);
    }
  }
  const max = Math.max(1, ...stacks.map((st) => st.reduce((a, [, v]) => a + v, 0)));
  const bw = w / buckets;
  for (let i = 0; i < buckets; i++) {
    let y = h - 14;
    for (const [level, v] of stacks[i]) {
      const bh = (v / max) * (h - 20);
      g.fillStyle = css(LEVEL_COLOURS[level] || '--muted') || '#888';
      g.fillRect(i * bw + 0.5, y - bh, Math.max(bw - 1, 1), bh);
      y -= bh;
    }
  }
  g.fillStyle = css('--muted');
  g.font = '11px system-ui';
  g.fillText(new Date(startS * 1000).toLocaleString(), 2, h - 2);
  const endLabel = new Date(endS * 1000).toLocaleString();
  g.fillText(endLabel, w - g.measureText(endLabel).width - 2, h - 2);
  g.fillText(`max ${max}`, 2, 10);
  const tip = tooltip();
  canvas.onmousemove = (ev) => {
    const i = Math.floor(ev.offsetX / bw);
    if (i < 0 || i >= buckets) { tip.hidden = true; return; }
    const parts = stacks[i].map(([l, v]) => `${l || '(no level)'}: ${v}`);
    showTip(tip, ev, `${new Date((startS + i * stepS) * 1000).toLocaleString()}\n${parts.join('\n') || 'no lines'}`);
  };
  canvas.onmouseleave = () => { tip.hidden = true; };
  canvas.onclick = (ev) => {
    const i = Math.floor(ev.offsetX / bw);
    if (onPick && i >= 0 && i < buckets) onPick(startS + i * stepS, startS + (i + 1) * stepS);
  };
}

// series: [{ name, points: [[seconds, value], …] }].
export function timeSeries(container, series, startS, endS) {
  container.textContent = '';
  const w = Math.max(container.clientWidth, 400), h = 280, left = 56, bottom = 22;
  const values = series.flatMap((s) => s.points.map(([, v]) => v)).filter(Number.isFinite);
  let lo = Math.min(0, ...values), hi = Math.max(...values, 1);
  if (hi === lo) hi = lo + 1;
  const x = (t) => left + ((t - startS) / Math.max(endS - startS, 1)) * (w - left - 8);
  const y = (v) => 6 + (1 - (v - lo) / (hi - lo)) * (h - bottom - 6);
  const ns = 'http://www.w3.org/2000/svg';
  const svg = document.createElementNS(ns, 'svg');
  svg.setAttribute('viewBox', `0 0 ${w} ${h}`);
  svg.setAttribute('role', 'img');
  svg.setAttribute('aria-label', `${series.length} series`);
  const add = (tag, attrs, text) => {
    const e = document.createElementNS(ns, tag);
    for (const [k, v] of Object.entries(attrs)) e.setAttribute(k, v);
    if (text !== undefined) e.textContent = text;
    svg.append(e);
    return e;
  };
  for (let k = 0; k <= 4; k++) {
    const v = lo + ((hi - lo) * k) / 4;
    add('line', { x1: left, x2: w - 8, y1: y(v), y2: y(v), stroke: css('--line') });
    add('text', { x: left - 4, y: y(v) + 4, 'text-anchor': 'end', 'font-size': 11, fill: css('--muted') }, formatValue(v));
  }
  add('text', { x: left, y: h - 4, 'font-size': 11, fill: css('--muted') }, new Date(startS * 1000).toLocaleString());
  add('text', { x: w - 8, y: h - 4, 'font-size': 11, 'text-anchor': 'end', fill: css('--muted') }, new Date(endS * 1000).toLocaleString());
  series.forEach((s, i) => {
    const d = s.points.filter(([, v]) => Number.isFinite(v)).map(([t, v], k) => `${k ? 'L' : 'M'}${x(t).toFixed(1)},${y(v).toFixed(1)}`).join('');
    add('path', { d, fill: 'none', stroke: colour(i), 'stroke-width': 1.5 });
  });
  const cursor = add('line', { x1: 0, x2: 0, y1: 6, y2: h - bottom, stroke: css('--muted'), visibility: 'hidden' });
  container.append(svg);
  const legend = document.createElement('div');
  legend.className = 'legend';
  series.forEach((s, i) => {
    const item = document.createElement('span');
    item.style.setProperty('--c', colour(i));
    item.textContent = s.name;
    legend.append(item);
  });
  container.append(legend);
  const tip = tooltip();
  svg.onmousemove = (ev) => {
    const r = svg.getBoundingClientRect();
    const px = ((ev.clientX - r.left) / r.width) * w;
    const t = startS + ((px - left) / (w - left - 8)) * (endS - startS);
    const lines = [];
    series.forEach((s) => {
      let best = null;
      for (const p of s.points) if (best === null || Math.abs(p[0] - t) < Math.abs(best[0] - t)) best = p;
      if (best) lines.push(`${s.name}: ${formatValue(best[1])}`);
    });
    cursor.setAttribute('x1', px); cursor.setAttribute('x2', px); cursor.setAttribute('visibility', 'visible');
    showTip(tip, ev, `${new Date(t * 1000).toLocaleString()}\n${lines.slice(0, 20).join('\n')}`);
  };
  svg.onmouseleave = () => { tip.hidden = true; cursor.setAttribute('visibility', 'hidden'); };
}

export function formatValue(v) {
  if (!Number.isFinite(v)) return String(v);
  const a = Math.abs(v);
  if (a >= 1e9) return (v / 1e9).toFixed(2) + 'G';
  if (a >= 1e6) return (v / 1e6).toFixed(2) + 'M';
  if (a >= 1e4) return (v / 1e3).toFixed(1) + 'k';
  return Number.isInteger(v) ? String(v) : v.toPrecision(4);
}
