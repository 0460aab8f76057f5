import { AppFixture, insertApp } from '../factories/apps.factory';
import { listEvents } from '../factories/events.factory';
import { Session, loginAs } from './auth';
import { TestApp } from './create-test-app';

/** What the ingest suites (ingest-validation, ingest-dedup, ingest-group-commit) start each test from. */
export interface IngestWorld {
  owner: Session;
  /** An apple app of the owner's team with its client key. */
  apple: AppFixture;
}

/** Fresh database, a signed-in owner and an apple app with its client key. */
export async function freshIngestWorld(t: TestApp): Promise<IngestWorld> {
  await t.reset();
  const owner = await loginAs(t, 'owner@example.com');
  const apple = await insertApp(t, { teamId: owner.teamId, createdBy: owner.userId, platform: 'apple' });
  return { owner, apple };
}

/** Every stored event of the owner's apps through the API (data_mode=all, up to 200), newest first. */
export async function ownerEventsViaApi(
  t: TestApp,
  owner: Session,
  query: Record<string, string> = {},
): Promise<Record<string, unknown>[]> {
  const res = await listEvents(t, owner.headers, { data_mode: 'all', limit: '200', ...query });
  expect(res.statusCode).toBe(200);
  return res.json().events;
}
