// LogQL as the page needs it: tokens for highlighting, whether a query is a metric query, and
// what the cursor is in (for completion). The server parses; this only colours and guesses.

const FUNCTIONS = new Set([
  'rate', 'count_over_time', 'bytes_rate', 'bytes_over_time', 'absent_over_time', 'sum_over_time', 'avg_over_time',
  'min_over_time', 'max_over_time', 'stddev_over_time', 'stdvar_over_time', 'quantile_over_time', 'first_over_time',
  'last_over_time', 'rate_counter', 'sum', 'avg', 'min', 'max', 'count', 'stddev', 'stdvar', 'topk', 'bottomk',
  'sort', 'sort_desc', 'vector', 'label_replace', 'by', 'without', 'on', 'ignoring', 'group_left', 'group_right',
  'bool', 'and', 'or', 'unless', 'offset', 'json', 'logfmt', 'regexp', 'pattern', 'unpack', 'line_format',
  'label_format', 'drop', 'keep', 'decolorize', 'distinct', 'unwrap', 'duration', 'duration_seconds', 'bytes', 'ip',
]);

const escapeHTML = (s) => s.replace(/[&<>"]/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' }[c]));

// Splits text into [kind, text] tokens: string, op, brace, num, fn, label, space, other.
export function tokens(text) {
  const out = [];
  const re = /("(?:[^"\\]|\\.)*"?|`[^`]*`?)|(\|=|!=|\|~|!~|=~|\|>|!>|==|>=|<=|[|=<>!+\-*/%^,])|([{}()[\]])|(\d+(?:\.\d+)?(?:ns|us|µs|ms|s|m|h|d|w|y|b|kb|mb|gb|kib|mib|gib)?\b)|([A-Za-z_][A-Za-z0-9_]*)|(\s+)|(.)/gsi;
  let m;
  while ((m = re.exec(text)) !== null) {
    if (m[1] !== undefined) out.push(['string', m[1]]);
    else if (m[2] !== undefined) out.push(['op', m[2]]);
    else if (m[3] !== undefined) out.push(['brace', m[3]]);
    else if (m[4] !== undefined) out.push(['num', m[4]]);
    else if (m[5] !== undefined) out.push([FUNCTIONS.has(m[5]) ? 'fn' : 'label', m[5]]);
    else if (m[6] !== undefined) out.push(['space', m[6]]);
    else out.push(['other', m[7]]);
  }
  return out;
}

// The query as highlighted HTML; `errorAt` (an offset) marks the character the server complained about.
export function highlight(text, errorAt = -1) {
  let html = '';
  let offset = 0;
  for (const [kind, t] of tokens(text)) {
    let body = escapeHTML(t);
    if (errorAt >= offset && errorAt < offset + t.length) {
      const k = errorAt - offset;
      body = escapeHTML(t.slice(0, k)) + '<span class="tok-err">' + escapeHTML(t[k]) + '</span>' + escapeHTML(t.slice(k + 1));
    }
    html += kind === 'space' || kind === 'other' ? body : `<span class="tok-${kind}">${body}</span>`;
    offset += t.length;
  }
  // (A trailing newline needs a character after it to take its height in a <pre>.)
  return html + (errorAt >= text.length ? '<span class="tok-err"> </span>' : ' ');
}

// A metric query starts with a function or a number, not with a stream selector.
export const isMetric = (q) => !/^\s*\{/.test(q);

// The offset of line:col (both 1-based, as the server reports them) in text.
export function offsetOf(text, line, col) {
  const lines = text.split('\n');
  let off = 0;
  for (let i = 0; i < line - 1 && i < lines.length; i++) off += lines[i].length + 1;
  return Math.min(off + Math.max(col - 1, 0), text.length);
}

// What the cursor is in: a label name to complete inside a selector, a label's value, or nothing.
export function context(text, cursor) {
  const before = text.slice(0, cursor);
  const open = before.lastIndexOf('{');
  if (open < 0 || before.lastIndexOf('}') > open) return null;
  const inside = before.slice(open + 1);
  const value = /([A-Za-z_][A-Za-z0-9_]*)\s*(=~|!~|!=|=)\s*"([^"]*)$/.exec(inside);
  if (value) return { kind: 'value', label: value[1], prefix: value[3] };
  const name = /(?:^|,)\s*([A-Za-z_][A-Za-z0-9_]*)?$/.exec(inside);
  if (name) return { kind: 'name', prefix: name[1] || '' };
  return null;
}

// A value as the inside of a double-quoted LogQL string.
export const quoted = (v) => v.replace(/\\/g, '\\\\').replace(/"/g, '\\"');
