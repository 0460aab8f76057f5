#!/usr/bin/env node
'use strict';
/*
 * The ingest statement alone, small table vs big table, INTERLEAVED (issue 15, "no decay as history grows").
 * `npm run build && node bench/statement.js [--history N] [--connections C[,C…]] [--seconds S] [--runs R]
 *   [--wal-compression off,lz4]`
 *
 * Creates two databases on DATABASE_URL's server (default postgres://postgres@127.0.0.1:5432/test), migrates both,
 * loads --history events (default 10 000 000, bench/lib/decay.js) into one and VACUUM ANALYZEs both, then alternates
 * runs: C loops each send the real EventsRepository.insertEvents (the server's one ingest statement, from dist/) with
 * 100-row batches of the bench's event mix, after a CHECKPOINT, for S seconds. Prints per run and the medians:
 * events/s, PostgreSQL backend CPU per event, full-page images and WAL bytes per event (pg_stat_wal, cluster-wide).
 * Interleaving is the point: the blocks of `npm run bench -- --only decay` run 12-14 minutes apart on a machine
 * whose speed drifts. With --wal-compression (a comma-separated list of the setting's values: off, pglz, lz4, zstd),
 * every round runs each database once per value, the loops' sessions setting it (`SET wal_compression`, which the
 * superuser the bench connects as may do per session): full-page images compressed or not, on the same data, in the
 * same minutes. Both databases are dropped at the end.
 */
const { parseArgs } = require('node:util');
const path = require('node:path');
const { Client, Pool } = require('pg');
const { DataSource } = require('typeorm');
const { REPO, log, median, round } = require('./lib/util');
const { makeBatchBuilder } = require('./lib/events');
const { readProcCpuTicks } = require('./lib/proc');
const { loadHistory } = require('./lib/decay');

const dist = (p) => path.join(REPO, 'dist', p);
const { EventsRepository } = require(dist('src/modules/events/events.repository.js'));
const { validateEvent } = require(dist('src/modules/events/ingest-validation.js'));
const { partitionsAround } = require(dist('src/modules/events/event-partitions.js'));
const { baseDataSourceOptions } = require(dist('src/database/typeorm-options.js'));

const CLK_TCK = 100;
const APPS = Array.from({ length: 300 }, (_, i) => `00000000-0000-4000-8000-${String(i + 1).padStart(12, '0')}`);

async function createDb(adminUrl, name) {
  const admin = new Client({ connectionString: adminUrl });
  await admin.connect();
  await admin.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
  await admin.query(`CREATE DATABASE "${name}"`);
  await admin.end();
  const u = new URL(adminUrl);
  u.pathname = `/${name}`;
  const url = u.toString();
  const ds = new DataSource(baseDataSourceOptions(url));
  await ds.initialize();
  await ds.runMigrations();
  for (const p of partitionsAround(new Date())) {
    await ds.query(`CREATE TABLE IF NOT EXISTS ${p.name} PARTITION OF events FOR VALUES FROM ('${p.from}') TO ('${p.to}')`);
  }
  await ds.destroy();
  return url;
}

/** One measured run of `connections` loops writing 100-row batches for `seconds` into the database at `url`. */
async function run(url, admin, connections, seconds, walCompression) {
  const pool = new Pool({ connectionString: url, max: connections, application_name: 'owlmetry-bench-statement' });
  // Queued before the first statement of each new connection (a client runs its queries in order).
  if (walCompression) pool.on('connect', (c) => void c.query(`SET wal_compression = ${walCompression}`).catch(() => undefined));
  const repo = new EventsRepository(
    null,
    { connect: async () => pool.connect().then((c) => ({ client: c, release: (e) => c.release(e) })) },
    null,
  );
  const build = makeBatchBuilder(100);
  const rowsOf = (req) => {
    const receivedAt = new Date();
    const appId = APPS[Math.floor(Math.random() * APPS.length)];
    return JSON.parse(build()).events.map((e, i) => {
      const v = validateEvent(e, i, 'backend', receivedAt);
      if (!v.ok) throw new Error(v.message);
      return { req, appId, apiKeyId: appId, receivedAt, event: v.event };
    });
  };
  const loops = (until, counted) =>
    Promise.all(
      Array.from({ length: connections }, async () => {
        let n = 0;
        while (Date.now() < until) {
          const rows = rowsOf(0);
          await repo.insertEvents(rows);
          n += rows.length;
        }
        return counted ? n : 0;
      }),
    );
  await loops(Date.now() + 1000, false); // connections open, statement prepared
  await admin.query('CHECKPOINT');
  const wal = async () => (await admin.query('SELECT wal_fpi::float8 AS fpi, wal_bytes::float8 AS bytes FROM pg_stat_wal')).rows[0];
  const dbName = new URL(url).pathname.slice(1);
  const pids = (await admin.query('SELECT pid FROM pg_stat_activity WHERE datname = $1', [dbName])).rows.map((r) => r.pid);
  const t0 = new Map(pids.map((p) => [p, readProcCpuTicks(p) ?? 0]));
  const w0 = await wal();
  const start = Date.now();
  const events = (await loops(start + seconds * 1000, true)).reduce((a, b) => a + b, 0);
  const wall = (Date.now() - start) / 1000;
  const w1 = await wal();
  let ticks = 0;
  for (const p of pids) ticks += (readProcCpuTicks(p) ?? t0.get(p)) - t0.get(p);
  await pool.end();
  return {
    events_per_s: events / wall,
    pg_ms_per_event: (ticks * 1000) / CLK_TCK / events,
    fpi_per_event: (w1.fpi - w0.fpi) / events,
    wal_bytes_per_event: (w1.bytes - w0.bytes) / events,
  };
}

async function main() {
  const { values } = parseArgs({
    options: {
      history: { type: 'string' },
      connections: { type: 'string' },
      seconds: { type: 'string' },
      runs: { type: 'string' },
      'wal-compression': { type: 'string' },
    },
  });
  const compressions = values['wal-compression'] ? values['wal-compression'].split(',') : [null];
  for (const c of compressions) {
    if (c !== null && !['off', 'pglz', 'lz4', 'zstd', 'on'].includes(c)) throw new Error(`--wal-compression: unknown value ${c}`);
  }
  const history = Number(values.history ?? 10_000_000);
  const connectionCounts = (values.connections ?? '2').split(',').map(Number);
  const seconds = Number(values.seconds ?? 8);
  const runs = Number(values.runs ?? 3);
  const adminUrl = process.env.DATABASE_URL || 'postgres://postgres@127.0.0.1:5432/test';
  const names = [`owlmetry_stmt_small_${process.pid}`, `owlmetry_stmt_big_${process.pid}`];
  const admin = new Client({ connectionString: adminUrl });
  await admin.connect();
  try {
    const small = await createDb(adminUrl, names[0]);
    const big = await createDb(adminUrl, names[1]);
    log(`loading ${history} history events into ${names[1]}`);
    await loadHistory({ dbUrl: big }, APPS, history);
    for (const url of [small, big]) {
      const c = new Client({ connectionString: url });
      await c.connect();
      await c.query('VACUUM (ANALYZE) events, event_dedup, app_users');
      await c.end();
    }
    const variants = connectionCounts.flatMap((connections) =>
      compressions.flatMap((compression) =>
        [
          ['small', small],
          ['big', big],
        ].map(([db, url]) => ({
          db,
          url,
          connections,
          compression,
          label: `${db} c${connections}${compression === null ? '' : ` wal_compression=${compression}`}`,
        })),
      ),
    );
    const results = new Map(variants.map((v) => [v.label, []]));
    for (let i = 0; i < runs; i++) {
      for (const v of variants) {
        const r = await run(v.url, admin, v.connections, seconds, v.compression);
        results.get(v.label).push(r);
        log(`${v.label} run ${i + 1}: ${JSON.stringify(Object.fromEntries(Object.entries(r).map(([k, x]) => [k, round(x, 4)])))}`);
      }
    }
    const med = (label, key) => median(results.get(label).map((r) => r[key]));
    console.log(`\nmedians of ${runs} interleaved runs, ${seconds} s each, ${history} history events:`);
    for (let j = 0; j < variants.length; j += 2) {
      const [sm, bg] = [variants[j], variants[j + 1]];
      console.log(bg.label.replace(/^big /, ''));
      for (const key of ['events_per_s', 'pg_ms_per_event', 'fpi_per_event', 'wal_bytes_per_event']) {
        const [a, b] = [med(sm.label, key), med(bg.label, key)];
        console.log(`  ${key.padEnd(22)} small ${round(a, 4)}  big ${round(b, 4)}  big/small ${round(b / a, 3)}`);
      }
    }
  } finally {
    for (const name of names) await admin.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`).catch(() => undefined);
    await admin.end();
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
