'use strict';
const net = require('node:net');
const path = require('node:path');

const REPO = path.resolve(__dirname, '..', '..');
const MB = 1024 * 1024;

// ---------------------------------------------------------------------------------------------------------------
// Small helpers
// ---------------------------------------------------------------------------------------------------------------

const t0 = Date.now();
function log(msg) {
  const s = ((Date.now() - t0) / 1000).toFixed(1).padStart(6);
  process.stderr.write(`[bench ${s}s] ${msg}\n`);
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

function median(values) {
  const v = values.filter((x) => typeof x === 'number' && Number.isFinite(x)).sort((a, b) => a - b);
  if (v.length === 0) return null;
  const mid = v.length >> 1;
  return v.length % 2 ? v[mid] : (v[mid - 1] + v[mid]) / 2;
}

/** Per-metric medians over runs: numbers → median, booleans → all true, counts named in `sums` → summed. */
function medianOfRuns(runs, sums = []) {
  const out = {};
  for (const key of Object.keys(runs[0])) {
    const vals = runs.map((r) => r[key]);
    if (sums.includes(key)) out[key] = vals.reduce((a, b) => a + b, 0);
    else if (typeof vals[0] === 'number') out[key] = median(vals);
    else if (typeof vals[0] === 'boolean') out[key] = vals.every(Boolean);
    else if (key === 'statuses') {
      out[key] = {};
      for (const v of vals) for (const [k, n] of Object.entries(v || {})) out[key][k] = (out[key][k] || 0) + n;
    } else if (vals[0] && typeof vals[0] === 'object') {
      // maps of numbers (db_waits): per-key median, a key missing from a run counting as 0
      const keys = new Set(vals.flatMap((v) => Object.keys(v || {})));
      const m = {};
      for (const k of keys) m[k] = median(vals.map((v) => (v && v[k]) || 0));
      out[key] = Object.fromEntries(Object.entries(m).sort((a, b) => b[1] - a[1]));
    }
  }
  return out;
}

function percentile(sorted, p) {
  if (sorted.length === 0) return null;
  const idx = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[idx];
}

async function mapLimit(items, limit, fn) {
  const out = new Array(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const i = next++;
      out[i] = await fn(items[i], i);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return out;
}

function freePort() {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.unref();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address();
      srv.close(() => resolve(port));
    });
  });
}

const round = (x, d = 0) => (x === null || x === undefined ? null : Number(x.toFixed(d)));

function redact(url) {
  try {
    const u = new URL(url);
    if (u.password) u.password = '***';
    return u.toString();
  } catch {
    return url;
  }
}

module.exports = { REPO, MB, log, sleep, median, medianOfRuns, percentile, mapLimit, freePort, round, redact };
