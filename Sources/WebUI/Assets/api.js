// The page's calls to the server: Loki's HTTP API, the tenant sent as X-Scope-OrgID.

export class APIError extends Error {
  constructor(status, text) {
    super(text.trim() || `HTTP ${status}`);
    this.status = status;
    // "parse error at line 1, col 12: …" — where the server says the query went wrong.
    const m = /line (\d+), col (\d+)/.exec(text);
    this.position = m ? { line: Number(m[1]), col: Number(m[2]) } : null;
  }
}

export class API {
  constructor(tenant) { this.tenant = tenant; }

  headers() {
    const h = {};
    if (this.tenant) h['X-Scope-OrgID'] = this.tenant;
    return h;
  }

  async get(path, params = {}) {
    const q = new URLSearchParams();
    for (const [k, v] of Object.entries(params)) if (v !== undefined && v !== null && v !== '') q.set(k, String(v));
    const url = path + (q.toString() ? '?' + q : '');
    const r = await fetch(url, { headers: this.headers() });
    const text = await r.text();
    if (!r.ok) throw new APIError(r.status, text);
    try { return JSON.parse(text); } catch { return text; }
  }

  queryRange(query, startNs, endNs, { limit, direction, step } = {}) {
    return this.get('/loki/api/v1/query_range', { query, start: startNs, end: endNs, limit, direction, step });
  }
  instant(query, timeNs, limit) { return this.get('/loki/api/v1/query', { query, time: timeNs, limit }); }
  labels(startNs, endNs) { return this.get('/loki/api/v1/labels', { start: startNs, end: endNs }); }
  labelValues(name, startNs, endNs, query) {
    return this.get(`/loki/api/v1/label/${encodeURIComponent(name)}/values`, { start: startNs, end: endNs, query });
  }
  buildinfo() { return this.get('/loki/api/v1/status/buildinfo'); }
  async ready() {
    const r = await fetch('/ready');
    return { ok: r.ok, text: (await r.text()).trim() };
  }
  async metrics() {
    const r = await fetch('/metrics');
    return r.ok ? r.text() : '';
  }

  // The live tail: Loki's websocket endpoint. The tenant goes as a query parameter as well, since a
  // browser's websocket cannot set headers (Skald reads X-Scope-OrgID from either).
  tail(query, startNs, limit) {
    const proto = location.protocol === 'https:' ? 'wss:' : 'ws:';
    const q = new URLSearchParams({ query, start: String(startNs), limit: String(limit) });
    if (this.tenant) q.set('orgId', this.tenant);
    return new WebSocket(`${proto}//${location.host}/loki/api/v1/tail?${q}`);
  }
}

// Nanoseconds since the epoch as a string (BigInt keeps every digit).
export const ns = (ms) => (BigInt(Math.round(ms)) * 1000000n).toString();
