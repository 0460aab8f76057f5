'use strict';
const { Client } = require('pg');
const { log, sleep, redact } = require('./util');

// ---------------------------------------------------------------------------------------------------------------
// State shared with cleanup
// ---------------------------------------------------------------------------------------------------------------

const state = {
  server: null, // ChildProcess
  serverExited: null, // Promise
  serverLog: null,
  serverExpectedExit: false,
  sink: null,
  adminUrl: null,
  dbName: null,
  benchDbUrl: null,
  pgClients: new Set(),
  cannon: null,
  sampler: null,
  /** Extra clean-up steps (other servers, throwaway clusters), run last, newest first; each may be async. */
  atCleanup: [],
};

async function pgConnect(url, label) {
  const c = new Client({ connectionString: url, application_name: `owlmetry-bench-${label}` });
  c.on('error', (err) => log(`pg (${label}) error: ${err.message}`));
  await c.connect();
  state.pgClients.add(c);
  return c;
}

async function pgClose(c) {
  state.pgClients.delete(c);
  await c.end().catch(() => undefined);
}

let cleaning = null;
function cleanup() {
  if (cleaning) return cleaning;
  cleaning = (async () => {
    if (state.cannon) {
      try {
        state.cannon.stop();
      } catch {
        /* already stopped */
      }
    }
    if (state.sampler) state.sampler.stop();
    await Promise.all([...state.pgClients].map((c) => pgClose(c)));
    if (state.server && state.server.exitCode === null && state.server.signalCode === null) {
      state.serverExpectedExit = true;
      log(`stopping server (pid ${state.server.pid}, SIGTERM)`);
      state.server.kill('SIGTERM');
      const exited = await Promise.race([state.serverExited.then(() => true), sleep(35_000).then(() => false)]);
      if (!exited) {
        log('server did not exit within 35 s; SIGKILL');
        state.server.kill('SIGKILL');
        await Promise.race([state.serverExited, sleep(5_000)]);
      }
    }
    if (state.sink) await state.sink.stop().catch(() => undefined);
    if (state.dbName && state.keepDb) {
      log(`keeping database ${state.dbName} (--keep-db): ${redact(state.benchDbUrl)}`);
    } else if (state.dbName && state.adminUrl) {
      try {
        const admin = new Client({ connectionString: state.adminUrl });
        await admin.connect();
        await admin.query(`DROP DATABASE IF EXISTS "${state.dbName}" WITH (FORCE)`);
        await admin.end();
        log(`dropped database ${state.dbName}`);
      } catch (err) {
        log(`could not drop database ${state.dbName}: ${err.message}`);
      }
    }
    for (const step of state.atCleanup.splice(0).reverse()) {
      try {
        await step();
      } catch (err) {
        log(`clean-up step failed: ${err.message}`);
      }
    }
  })();
  return cleaning;
}

let interrupted = 0;
for (const sig of ['SIGINT', 'SIGTERM']) {
  process.on(sig, () => {
    interrupted++;
    if (interrupted > 1) process.exit(130);
    log(`${sig}: cleaning up (again to force exit)`);
    cleanup().finally(() => process.exit(130));
  });
}

const isInterrupted = () => interrupted > 0;

module.exports = { state, pgConnect, pgClose, cleanup, isInterrupted };
