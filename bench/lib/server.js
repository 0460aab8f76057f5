'use strict';
const { spawn } = require('node:child_process');
const fs = require('node:fs');
const path = require('node:path');
const { Client } = require('pg');
const { SetupError } = require('./args');
const { REPO, sleep, freePort, log, redact } = require('./util');
const { state } = require('./state');

// ---------------------------------------------------------------------------------------------------------------
// Server and database
// ---------------------------------------------------------------------------------------------------------------

async function createDatabase(adminUrl) {
  const dbName = `owlmetry_bench_${process.pid}`;
  const admin = new Client({ connectionString: adminUrl });
  try {
    await admin.connect();
  } catch (err) {
    throw new SetupError(`cannot connect to PostgreSQL at ${redact(adminUrl)}: ${err.message}`);
  }
  try {
    await admin.query(`DROP DATABASE IF EXISTS "${dbName}" WITH (FORCE)`);
    await admin.query(`CREATE DATABASE "${dbName}"`);
  } finally {
    await admin.end();
  }
  state.adminUrl = adminUrl;
  state.dbName = dbName;
  const u = new URL(adminUrl);
  u.pathname = `/${dbName}`;
  return { dbName, url: u.toString() };
}

/** Spawns dist/src/main.js on a free port and waits for /health/ready; `extraEnv` is added last (the replica part). */
async function spawnServer(dbUrl, smtpPort, logFile, nodeFlags, extraEnv = {}) {
  const main = path.join(REPO, 'dist', 'src', 'main.js');
  if (!fs.existsSync(main)) throw new SetupError(`${main} not found: run npm run build (npm run bench does)`);
  const port = await freePort();
  const env = { ...process.env };
  for (const k of [
    'REDIS_URL',
    'RATE_LIMIT_MAX_TOKENS',
    'RATE_LIMIT_REFILL_PER_SEC',
    'METRICS_TOKEN',
    'OWLMETRY_DATA_DIR',
    'DATABASE_REPLICA_URLS',
    'REPLICA_MAX_LAG_MS',
    'REPLICA_WAIT_MS',
  ])
    delete env[k];
  Object.assign(env, {
    DATABASE_URL: dbUrl,
    SMTP_URL: `smtp://127.0.0.1:${smtpPort}`,
    PORT: String(port),
    HOST: '127.0.0.1',
    JWT_SECRET: 'bench',
    LOG_LEVEL: 'warn',
    ...extraEnv,
  });
  const fd = fs.openSync(logFile, 'w');
  const child = spawn(process.execPath, [...nodeFlags, main], { cwd: REPO, env, stdio: ['ignore', fd, fd] });
  fs.closeSync(fd);
  state.server = child;
  state.serverLog = logFile;
  state.serverExited = new Promise((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })));
  state.serverExited.then(({ code, signal }) => {
    if (!state.serverExpectedExit) log(`!! server exited unexpectedly (code ${code}, signal ${signal}); log: ${logFile}`);
  });
  const base = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 90_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null || child.signalCode !== null) {
      throw new SetupError(`server exited during startup (code ${child.exitCode}):\n${tail(logFile, 20)}`);
    }
    try {
      const res = await fetch(`${base}/health/ready`, { signal: AbortSignal.timeout(2000) });
      if (res.status === 200) return { base, pid: child.pid, port };
    } catch {
      /* not listening yet */
    }
    await sleep(250);
  }
  throw new SetupError(`server not ready within 90 s:\n${tail(logFile, 20)}`);
}

function tail(file, lines) {
  try {
    return fs.readFileSync(file, 'utf8').trimEnd().split('\n').slice(-lines).join('\n');
  } catch {
    return '(no log)';
  }
}

function assertServerAlive() {
  if (state.server && (state.server.exitCode !== null || state.server.signalCode !== null)) {
    throw new SetupError(
      `the server died (code ${state.server.exitCode}, signal ${state.server.signalCode}):\n${tail(state.serverLog, 20)}`,
    );
  }
}

/** Counts pino lines by level in the server log, with a few samples of warn+ lines. */
function summarizeServerLog(file) {
  const out = { file, lines: 0, warn: 0, error: 0, fatal: 0, other: 0, samples: [] };
  let text;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch {
    return null;
  }
  const seen = new Set();
  for (const line of text.split('\n')) {
    if (!line.trim()) continue;
    out.lines++;
    let level = null;
    let msg = line;
    try {
      const j = JSON.parse(line);
      level = j.level;
      msg = j.err?.message ?? j.msg ?? line;
    } catch {
      out.other++;
    }
    if (level === 40) out.warn++;
    else if (level === 50) out.error++;
    else if (level === 60) out.fatal++;
    if (level >= 40 || level === null) {
      const key = String(msg).slice(0, 160);
      if (!seen.has(key) && out.samples.length < 8) {
        seen.add(key);
        out.samples.push(`${level ?? '?'}: ${key}`);
      }
    }
  }
  return out;
}

module.exports = { createDatabase, spawnServer, tail, assertServerAlive, summarizeServerLog };
