'use strict';
const { SetupError } = require('./args');
const { log, mapLimit } = require('./util');

// ---------------------------------------------------------------------------------------------------------------
// Public API client (provisioning only; load goes through autocannon)
// ---------------------------------------------------------------------------------------------------------------

function makeApi(base) {
  return async function api(method, p, { token, body, expect } = {}) {
    const headers = {};
    if (token) headers.authorization = `Bearer ${token}`;
    if (body !== undefined) headers['content-type'] = 'application/json';
    let res;
    try {
      res = await fetch(base + p, {
        method,
        headers,
        body: body === undefined ? undefined : JSON.stringify(body),
        signal: AbortSignal.timeout(20_000),
      });
    } catch (err) {
      throw new SetupError(`${method} ${p} failed: ${err.message}`);
    }
    const text = await res.text();
    let json = null;
    try {
      json = JSON.parse(text);
    } catch {
      json = null;
    }
    if (expect && !expect.includes(res.status)) throw new SetupError(`${method} ${p} → ${res.status} ${text.slice(0, 400)}`);
    return { status: res.status, json, text };
  };
}

async function provision(api, opts, sink) {
  const email = `bench-${process.pid}-${Date.now()}@example.com`;
  let token = opts.token;
  let teamId;
  if (!token) {
    log(`login as ${email} (send-code → SMTP sink → verify-code)`);
    await api('POST', '/v1/auth/send-code', { body: { email }, expect: [200] });
    const code = await sink.codeFor(email);
    const v = await api('POST', '/v1/auth/verify-code', { body: { email, code }, expect: [200, 201] });
    token = v.json.token;
    teamId = v.json.teams?.[0]?.id;
  } else {
    const who = await api('GET', '/v1/auth/whoami', { token, expect: [200] });
    teamId = who.json.teams?.[0]?.id;
  }
  if (!token || !teamId) throw new SetupError('login gave no token or team');

  const slug = `bench-${process.pid}-${Date.now().toString(36)}`;
  const project = await api('POST', '/v1/projects', { token, body: { team_id: teamId, name: 'Benchmark', slug }, expect: [201] });
  const projectId = project.json.id;

  const createApp = async (name) => {
    const r = await api('POST', '/v1/apps', { token, body: { name, platform: 'backend', project_id: projectId }, expect: [201] });
    if (!r.json.client_key) throw new SetupError(`POST /v1/apps gave no client_key: ${r.text.slice(0, 200)}`);
    return { id: r.json.id, clientKey: r.json.client_key };
  };
  const createClientKey = async (appId, name) => {
    const r = await api('POST', '/v1/auth/keys', { token, body: { name, key_type: 'client', app_id: appId }, expect: [201] });
    return r.json.key;
  };

  log(`creating ${opts.apps} backend apps (+${opts.keysPerApp - 1} extra client key each)`);
  const coldApps = await mapLimit(
    Array.from({ length: opts.apps }, (_, i) => i),
    4,
    async (i) => {
      const app = await createApp(`bench-cold-${String(i).padStart(3, '0')}`);
      const keys = [app.clientKey];
      for (let k = 1; k < opts.keysPerApp; k++) keys.push(await createClientKey(app.id, `bench-cold-${i}-k${k}`));
      return { id: app.id, keys };
    },
  );
  // Interleave so that consecutive requests go to different apps (key i of app a at a*K+i → round-robin over apps first).
  const coldKeys = [];
  for (let k = 0; k < opts.keysPerApp; k++) for (const a of coldApps) coldKeys.push(a.keys[k]);

  log(`creating the hot app with ${opts.hotKeys} client keys, two query apps, ${opts.agentKeys} agent keys`);
  const hot = await createApp('bench-hot');
  const hotKeys = [hot.clientKey];
  hotKeys.push(
    ...(await mapLimit(
      Array.from({ length: opts.hotKeys - 1 }, (_, i) => i),
      4,
      (i) => createClientKey(hot.id, `bench-hot-k${i + 1}`),
    )),
  );
  const q200k = await createApp('bench-query-200k');
  const q2m = await createApp('bench-query-2m');
  const agentKeys = await mapLimit(
    Array.from({ length: opts.agentKeys }, (_, i) => i),
    4,
    async (i) => {
      const r = await api('POST', '/v1/auth/keys', {
        token,
        body: { name: `bench-agent-${i}`, key_type: 'agent', team_id: teamId, permissions: ['events:read'] },
        expect: [201],
      });
      return r.json.key;
    },
  );
  return { token, teamId, projectId, coldApps, coldKeys, hot: { id: hot.id, keys: hotKeys }, q200k, q2m, agentKeys };
}

module.exports = { makeApi, provision };
