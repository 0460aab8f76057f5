'use strict';
const { randomUUID } = require('node:crypto');
const { Readable } = require('node:stream');
const { pipeline } = require('node:stream/promises');
const { from: copyFrom } = require('pg-copy-streams');
const { SetupError } = require('./args');
const { round, percentile } = require('./util');
const { cpuMeter } = require('./proc');
const { perUnit } = require('./load');
const { GROUP, eventStatics, pickUser } = require('./events');
const { pgConnect, pgClose } = require('./state');

/** One value in COPY's text format: \N for null, backslash, tab, newline and carriage return escaped. */
function copyText(v) {
  if (v === null || v === undefined) return '\\N';
  const s = typeof v === 'boolean' ? (v ? 't' : 'f') : String(v);
  return /[\\\t\n\r]/.test(s) ? s.replace(/[\\\t\n\r]/g, (c) => ({ '\\': '\\\\', '\t': '\\t', '\n': '\\n', '\r': '\\r' })[c]) : s;
}

/**
 * The ceilings: bare pg clients writing the same rows as ingest straight into `events` (same table, same indexes).
 * - mode 'insert': one prepared `rows`-row multi-row INSERT … VALUES per statement (ids by gen_random_uuid());
 * - mode 'copy': one `COPY events (…) FROM STDIN` (text format, pg-copy-streams) of `rows` rows per statement
 *   (ids by randomUUID() in the bench process, as COPY cannot call a function and `events.id` has no default).
 */
async function makeCeiling(ctx, { connections, appIds, mode = 'insert', rows: ROWS = 100 }) {
  const COLS = [
    'app_id',
    'client_event_id',
    'session_id',
    'user_id',
    'api_key_id',
    'level',
    'source_module',
    'message',
    'screen_name',
    'custom_attributes',
    'environment',
    'os_version',
    'app_version',
    'build_number',
    'device_model',
    'locale',
    'is_dev',
    'experiments',
    '"timestamp"',
    'received_at',
  ];
  const tuples = [];
  for (let r = 0; r < ROWS; r++) {
    tuples.push(`(gen_random_uuid(), ${COLS.map((_, c) => `$${r * COLS.length + c + 1}`).join(', ')})`);
  }
  const sql = `INSERT INTO events (id, ${COLS.join(', ')}) VALUES ${tuples.join(', ')}`;
  const copySql = `COPY events (id, ${COLS.join(', ')}) FROM STDIN`;
  // Static values as ingest stores them (custom_attributes normalised to strings).
  const statics = [];
  for (let r = 0; r < ROWS; r++) {
    const s = eventStatics(r);
    const attrs = {};
    for (const [k, v] of Object.entries(s.custom_attributes)) attrs[k] = String(v);
    statics.push([
      s.level,
      s.source_module,
      s.message,
      s.screen_name,
      JSON.stringify(attrs),
      s.environment,
      s.os_version,
      s.app_version,
      s.build_number,
      s.device_model,
      s.locale,
      s.is_dev,
      JSON.stringify(s.experiments),
    ]);
  }
  const keyId = randomUUID();
  const clients = [];
  for (let i = 0; i < connections; i++) clients.push(await pgConnect(ctx.dbUrl, `ceiling-${i}`));
  let appRr = 0;
  const params = () => {
    const now = new Date().toISOString();
    const appId = appIds[appRr++ % appIds.length];
    const values = new Array(ROWS * COLS.length);
    let sid;
    let uid;
    for (let r = 0; r < ROWS; r++) {
      if (r % GROUP === 0) {
        sid = randomUUID();
        uid = pickUser();
      }
      const s = statics[r];
      const o = r * COLS.length;
      values[o] = appId;
      values[o + 1] = randomUUID();
      values[o + 2] = sid;
      values[o + 3] = uid;
      values[o + 4] = keyId;
      for (let c = 0; c < s.length; c++) values[o + 5 + c] = s[c];
      values[o + 18] = now;
      values[o + 19] = now;
    }
    return values;
  };
  /** The same rows as `params()`, as one COPY text-format buffer. */
  const copyBuffer = () => {
    const v = params();
    const lines = new Array(ROWS);
    for (let r = 0; r < ROWS; r++) {
      const o = r * COLS.length;
      const cells = [randomUUID()];
      for (let c = 0; c < COLS.length; c++) cells.push(copyText(v[o + c]));
      lines[r] = cells.join('\t');
    }
    return Buffer.from(lines.join('\n') + '\n');
  };
  const write =
    mode === 'copy'
      ? (c) => pipeline(Readable.from([copyBuffer()]), c.query(copyFrom(copySql)))
      : (c) => c.query({ name: 'bench_ceiling_insert', text: sql, values: params() });
  const once = async (seconds) => {
    const probeEnd = ctx.probe ? await ctx.probe.begin() : null;
    const meter = cpuMeter(ctx.serverPid);
    const start = process.hrtime.bigint();
    const deadline = Date.now() + seconds * 1000;
    const lat = [];
    let rows = 0;
    let errors = 0;
    let firstError = null;
    await Promise.all(
      clients.map(async (c) => {
        while (Date.now() < deadline) {
          const s = process.hrtime.bigint();
          try {
            await write(c);
            rows += ROWS;
            lat.push(Number(process.hrtime.bigint() - s) / 1e6);
          } catch (err) {
            errors++;
            firstError = firstError || err.message;
            if (errors > 20) throw new SetupError(`ceiling ${mode === 'copy' ? 'COPYs' : 'INSERTs'} keep failing: ${firstError}`);
          }
        }
      }),
    );
    const dur = Number(process.hrtime.bigint() - start) / 1e9;
    const cpu = meter();
    const db = probeEnd ? await probeEnd() : {};
    lat.sort((a, b) => a - b);
    return {
      ...(db.db_wal_bytes !== undefined ? { db_wal_bytes_per_event: rows ? db.db_wal_bytes / rows : null } : {}),
      rows_per_s: rows / dur,
      ...perUnit(cpu, db, rows),
      statements_per_s: lat.length / dur,
      p50_ms: round(percentile(lat, 50), 1),
      p99_ms: round(percentile(lat, 99), 1),
      rows,
      errors,
      duration_s: round(dur, 2),
      ...cpu,
      ...db,
    };
  };
  const close = async () => {
    for (const c of clients) await pgClose(c);
  };
  return { once, close };
}

module.exports = { makeCeiling };
