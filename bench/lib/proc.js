'use strict';
const fs = require('node:fs');
const { round } = require('./util');
const { pgConnect } = require('./state');

// ---------------------------------------------------------------------------------------------------------------
// /proc sampling: RSS and CPU of the server, CPU of the whole machine
// ---------------------------------------------------------------------------------------------------------------

const CLK_TCK = 100; // Linux USER_HZ

function readRssBytes(pid) {
  try {
    const m = /VmRSS:\s+(\d+)\s+kB/.exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) * 1024 : null;
  } catch {
    return null;
  }
}

function readProcCpuTicks(pid) {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return Number(f[11]) + Number(f[12]); // utime + stime (fields 14, 15)
  } catch {
    return null;
  }
}

function readMachineTicks() {
  try {
    const f = fs.readFileSync('/proc/stat', 'utf8').split('\n')[0].trim().split(/\s+/).slice(1).map(Number);
    const total = f.reduce((a, b) => a + b, 0);
    const idle = f[3] + (f[4] || 0);
    return { total, busy: total - idle };
  } catch {
    return null;
  }
}

/** CPU use over an interval: server and bench process in cores (1.0 = one core busy), machine in % of all cores. */
function cpuMeter(serverPid) {
  const start = {
    server: serverPid ? readProcCpuTicks(serverPid) : null,
    bench: process.cpuUsage(),
    machine: readMachineTicks(),
    at: process.hrtime.bigint(),
  };
  return () => {
    const secs = Number(process.hrtime.bigint() - start.at) / 1e9;
    const server = serverPid ? readProcCpuTicks(serverPid) : null;
    const bench = process.cpuUsage(start.bench);
    const machine = readMachineTicks();
    return {
      server_cpu_ms: server !== null && start.server !== null ? ((server - start.server) * 1000) / CLK_TCK : null,
      server_cpu_cores: server !== null && start.server !== null ? round((server - start.server) / CLK_TCK / secs, 2) : null,
      bench_cpu_cores: round((bench.user + bench.system) / 1e6 / secs, 2),
      machine_busy_pct:
        machine && start.machine
          ? round((100 * (machine.busy - start.machine.busy)) / Math.max(1, machine.total - start.machine.total), 0)
          : null,
    };
  };
}

/**
 * utime + stime of a changing set of processes (the database's backends): per pid the ticks at its first sighting
 * (0 if it appeared after the start) and at its last; the sum of the differences is the CPU spent in the window.
 */
function backendCpu() {
  const seenPids = new Map(); // pid -> { first, last }
  return {
    sample(pidList, initial) {
      for (const pid of pidList) {
        const t = readProcCpuTicks(pid);
        if (t === null) continue;
        const e = seenPids.get(pid);
        if (e) e.last = t;
        else seenPids.set(pid, { first: initial ? t : 0, last: t });
      }
    },
    totalMs() {
      let ticks = 0;
      for (const e of seenPids.values()) ticks += e.last - e.first;
      return (ticks * 1000) / CLK_TCK;
    },
    seen: () => seenPids.size,
  };
}

class RssSampler {
  constructor(pid) {
    this.pid = pid;
    this.peak = 0;
    this.timer = null;
  }
  start() {
    if (!this.pid || this.timer) return;
    this.timer = setInterval(() => {
      const rss = readRssBytes(this.pid);
      if (rss !== null && rss > this.peak) this.peak = rss;
    }, 200);
    this.timer.unref();
  }
  resetPeak() {
    this.peak = readRssBytes(this.pid) ?? 0;
  }
  stop() {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
  }
}

/**
 * What the database is doing during a run: every 200 ms, the bench database's backends by state/wait event
 * (pg_stat_activity; "CPU" = active and not waiting, "idle in transaction" = the server holding a transaction open
 * between statements), averaged per sample; plus the WAL written (cluster-wide, so other databases add noise).
 */
async function makeDbProbe(dbUrl) {
  const c = await pgConnect(dbUrl, 'probe');
  const SQL = `SELECT CASE WHEN state = 'active' THEN coalesce(wait_event_type || ':' || wait_event, 'CPU') ELSE state END AS w,
                      count(*)::int AS n
                 FROM pg_stat_activity
                WHERE datname = current_database() AND pid <> pg_backend_pid() AND backend_type = 'client backend'
                  AND state IN ('active', 'idle in transaction', 'idle in transaction (aborted)')
                  AND application_name NOT LIKE 'owlmetry-bench-prefill%'
                GROUP BY 1`;
  const lsn = async () => (await c.query('SELECT pg_current_wal_lsn()::text AS l')).rows[0].l;
  // Full-page images written to the WAL (cluster-wide, like the WAL bytes; PostgreSQL 14+, else null).
  const fpi = async () => {
    try {
      return (await c.query('SELECT wal_fpi::float8 AS n FROM pg_stat_wal')).rows[0].n;
    } catch {
      return null;
    }
  };
  // Shared-buffer hits and misses of the bench database (a miss is a read from the OS page cache or disk).
  const blocks = async () =>
    (await c.query('SELECT blks_read::float8 AS read, blks_hit::float8 AS hit FROM pg_stat_database WHERE datname = current_database()'))
      .rows[0];
  // Every backend of the bench database (client backends and parallel workers), except this probe's own.
  const PIDS = `SELECT pid FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()`;
  const pids = async () => (await c.query(PIDS)).rows.map((r) => r.pid);
  return {
    async begin() {
      const st = { counts: {}, samples: 0, busy: false, startLsn: await lsn(), startBlocks: await blocks(), startFpi: await fpi() };
      const cpu = backendCpu();
      cpu.sample(await pids(), true);
      // Backends that come and go (parallel workers, new pool connections) are caught by a 100 ms pid poll; a
      // backend first seen mid-window counts from 0 (it started inside the window), one that exits keeps its
      // last sampled value (its last < 100 ms are lost).
      st.pidTimer = setInterval(() => {
        if (st.pidBusy) return;
        st.pidBusy = true;
        pids()
          .then((list) => cpu.sample(list, false))
          .catch(() => undefined)
          .finally(() => {
            st.pidBusy = false;
          });
      }, 100);
      st.timer = setInterval(() => {
        if (st.busy) return;
        st.busy = true;
        c.query(SQL)
          .then((r) => {
            st.samples++;
            for (const { w, n } of r.rows) st.counts[w] = (st.counts[w] || 0) + n;
          })
          .catch(() => undefined)
          .finally(() => {
            st.busy = false;
          });
      }, 200);
      return async () => {
        clearInterval(st.timer);
        clearInterval(st.pidTimer);
        cpu.sample(await pids(), false);
        const endLsn = await lsn();
        const endBlocks = await blocks();
        const endFpi = await fpi();
        const wal = (await c.query('SELECT pg_wal_lsn_diff($1::pg_lsn, $2::pg_lsn)::float8 AS d', [endLsn, st.startLsn])).rows[0].d;
        const waits = {};
        let active = 0;
        for (const [w, n] of Object.entries(st.counts).sort((a, b) => b[1] - a[1])) {
          waits[w] = round(n / Math.max(1, st.samples), 2);
          active += n / Math.max(1, st.samples);
        }
        return {
          db_busy_backends_avg: round(active, 2),
          db_wal_bytes: wal,
          db_wal_fpi: endFpi !== null && st.startFpi !== null ? endFpi - st.startFpi : null,
          db_blks_read: endBlocks.read - st.startBlocks.read,
          db_blks_hit: endBlocks.hit - st.startBlocks.hit,
          db_waits: waits,
          db_cpu_ms: cpu.totalMs(),
          db_backends_seen: cpu.seen(),
        };
      };
    },
  };
}

/** Pids of the direct children of `ppid` (a postmaster's backends and auxiliary processes), by scanning /proc. */
function childPids(ppid) {
  const out = [];
  let names;
  try {
    names = fs.readdirSync('/proc');
  } catch {
    return out;
  }
  for (const name of names) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const stat = fs.readFileSync(`/proc/${name}/stat`, 'utf8');
      if (Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]) === ppid) out.push(Number(name));
    } catch {
      /* gone meanwhile */
    }
  }
  return out;
}

/**
 * CPU of a whole PostgreSQL server (our own cluster): the postmaster and every process it forked — client backends,
 * parallel workers, WAL sender/receiver, the startup process replaying WAL on a standby, checkpointer, WAL writer,
 * autovacuum. Polled every 100 ms like makeDbProbe's backends (a process first seen mid-window counts from 0).
 * `begin()` returns `end()` → CPU ms spent in the window.
 */
function clusterCpu(postmasterPid) {
  return {
    begin() {
      const cpu = backendCpu();
      const all = () => [postmasterPid, ...childPids(postmasterPid)];
      cpu.sample(all(), true);
      const timer = setInterval(() => cpu.sample(all(), false), 100);
      return () => {
        clearInterval(timer);
        cpu.sample(all(), false);
        return { cpu_ms: cpu.totalMs(), processes_seen: cpu.seen() };
      };
    },
  };
}

module.exports = {
  childPids,
  clusterCpu,
  backendCpu,
  CLK_TCK,
  readRssBytes,
  readProcCpuTicks,
  readMachineTicks,
  cpuMeter,
  RssSampler,
  makeDbProbe,
};
