import { randomUUID } from 'node:crypto';
import { TestApp } from '../utils/create-test-app';
import { AppFixture } from './apps.factory';

export type RawEvent = Record<string, unknown>;

export const SESSION_ID = 'c7d1e9a2-4b6f-4f38-9e20-1a5c7b3d8e64';

/** A minimal valid event (add or override fields with `over`). */
export const anEvent = (over: RawEvent = {}): RawEvent => ({
  message: 'checkout_started',
  level: 'info',
  session_id: SESSION_ID,
  ...over,
});

/** Every field of §2.7, valid for an apple app. */
export const aFullEvent = (over: RawEvent = {}): RawEvent => ({
  client_event_id: randomUUID(),
  session_id: SESSION_ID,
  user_id: 'owl_anon_7QkP2v',
  level: 'info',
  message: 'checkout_started',
  source_module: 'CartScreen',
  screen_name: 'Cart',
  custom_attributes: { cart_items: '3' },
  environment: 'ios',
  os_version: '18.1',
  app_version: '3.4.1',
  build_number: '311',
  device_model: 'iPhone16,1',
  locale: 'de_DE',
  is_dev: false,
  experiments: { paywall: 'b' },
  timestamp: new Date(Date.now() - 60_000).toISOString(),
  ...over,
});

/** POST /v1/ingest with the app's client key and bundle id. */
export function ingest(
  t: TestApp,
  app: AppFixture,
  events: unknown,
  extra: { bundle_id?: unknown; headers?: Record<string, string> } = {},
) {
  const payload: Record<string, unknown> = { events };
  const bundleId = 'bundle_id' in extra ? extra.bundle_id : app.bundleId;
  if (bundleId !== undefined && bundleId !== null) payload.bundle_id = bundleId;
  return t.app.inject({ method: 'POST', url: '/v1/ingest', headers: { ...app.headers, ...extra.headers }, payload });
}

/** Ingests and insists on a 200 with nothing rejected; returns `accepted`. */
export async function ingestOk(t: TestApp, app: AppFixture, events: RawEvent[]): Promise<number> {
  const res = await ingest(t, app, events);
  if (res.statusCode !== 200 || res.json().rejected !== 0) throw new Error(`ingest failed: ${res.statusCode} ${res.body}`);
  return res.json().accepted;
}

/** Rows of the events table (all columns as stored), oldest timestamp first — for checks the API cannot make. */
export async function storedEvents(t: TestApp, appId?: string): Promise<Record<string, unknown>[]> {
  return appId
    ? t.ds.query(`SELECT * FROM events WHERE app_id = $1 ORDER BY "timestamp", id`, [appId])
    : t.ds.query(`SELECT * FROM events ORDER BY "timestamp", id`);
}

/** GET /v1/events with a query string built from `query`. */
export function listEvents(t: TestApp, headers: Record<string, string>, query: Record<string, string> = {}, host?: string) {
  const qs = new URLSearchParams(query).toString();
  return t.app.inject({
    method: 'GET',
    url: `/v1/events${qs ? `?${qs}` : ''}`,
    headers: host ? { ...headers, host } : headers,
  });
}
