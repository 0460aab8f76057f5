import { ApiKeyType } from '../../src/common/auth/permission';
import { Session, loginAs } from '../utils/auth';
import { HttpMethod, useTestApp } from '../utils/create-test-app';
import { Crew as TeamCrew, buildCrew, invite, mailedInviteToken } from '../utils/team-fixtures';
import { aUuid, anIsoTimestamp } from '../utils/matchers';
import { insertKey } from '../factories/keys.factory';

const ISO = anIsoTimestamp();
const UUID = aUuid();
const WEEK_MS = 7 * 24 * 60 * 60 * 1000;
const NOT_FOUND = { error: 'Invitation not found' };
const ACCEPTED = { error: 'This invitation has already been accepted' };
const EXPIRED = { error: 'This invitation has expired' };

describe('invitations (e2e)', () => {
  const t = useTestApp();

  beforeEach(async () => {
    await t.reset();
  });

  const call = (method: HttpMethod, url: string, headers?: Record<string, string>, body?: unknown) =>
    t.call(method, url, { headers, body });

  /** The shared crew plus the path of its team's invitations. */
  type Crew = TeamCrew & { invitations: string };
  async function crew(): Promise<Crew> {
    const c = await buildCrew(t);
    return { ...c, invitations: `/v1/teams/${c.teamId}/invitations` };
  }

  const send = (c: Crew, who: Session, payload: unknown) => call('POST', c.invitations, who.headers, payload);
  const accept = (who: Session, token: unknown) => call('POST', '/v1/invites/accept', who.headers, { token });
  const pending = async (c: Crew) => (await call('GET', c.invitations, c.member.headers)).body.invitations;
  const expire = (id: string) => t.ds.query(`UPDATE team_invitations SET expires_at = now() - interval '1 second' WHERE id = $1`, [id]);
  const auditOf = async (c: Crew, query: string) =>
    (await call('GET', `/v1/teams/${c.teamId}/audit-logs${query}`, c.owner.headers)).body.audit_logs;

  describe('POST /v1/teams/:teamId/invitations', () => {
    it('creates an invitation, mails the link and lists it', async () => {
      const c = await crew();
      const before = Date.now();
      const res = await send(c, c.admin, { email: 'bob@example.com' });
      expect(res).toEqual({
        status: 201,
        body: {
          id: UUID,
          team_id: c.teamId,
          email: 'bob@example.com',
          role: 'member',
          invited_by: { user_id: c.admin.userId, name: 'Admin', email: 'admin@example.com' },
          expires_at: ISO,
          accepted_at: null,
          created_at: ISO,
        },
      });
      const expiresIn = Date.parse(res.body.expires_at) - Date.parse(res.body.created_at);
      expect(Math.abs(expiresIn - WEEK_MS)).toBeLessThan(1000);
      expect(Date.parse(res.body.created_at)).toBeGreaterThanOrEqual(before - 5);

      const mail = t.sink.lastTo('bob@example.com');
      const token = mailedInviteToken(t, 'bob@example.com');
      expect(mail.text).toContain(`http://dashboard.test/invite/accept?token=${token}`);
      expect(mail.text).toContain('Acme');
      expect(mail.text).toContain('Admin');

      expect(await call('GET', c.invitations, c.member.headers)).toEqual({ status: 200, body: { invitations: [res.body] } });
      expect(await call('GET', `/v1/invites/${token}`)).toEqual({
        status: 200,
        body: {
          team_name: 'Acme',
          team_slug: 'acme',
          role: 'member',
          email: 'bob@example.com',
          invited_by_name: 'Admin',
          expires_at: res.body.expires_at,
        },
      });
      expect(await auditOf(c, `?resource_type=invitation&resource_id=${res.body.id}`)).toEqual([
        {
          id: UUID,
          team_id: c.teamId,
          actor_type: 'user',
          actor_id: c.admin.userId,
          action: 'create',
          resource_type: 'invitation',
          resource_id: res.body.id,
          changes: null,
          metadata: { email: 'bob@example.com', role: 'member' },
          timestamp: ISO,
        },
      ]);
    });

    it('trims and lower-cases the email and takes a role', async () => {
      const c = await crew();
      const res = await send(c, c.owner, { email: '  Bob.Smith@Example.COM ', role: 'owner' });
      expect(res.status).toBe(201);
      expect([res.body.email, res.body.role]).toEqual(['bob.smith@example.com', 'owner']);
      expect(t.sink.lastTo('bob.smith@example.com').to).toEqual(['bob.smith@example.com']);
      const admin = await send(c, c.admin, { email: 'carl@example.com', role: 'admin' });
      expect([admin.status, admin.body.role]).toEqual([201, 'admin']);
      const defaulted = await send(c, c.admin, { email: 'dora@example.com', role: null });
      expect([defaulted.status, defaulted.body.role]).toEqual([201, 'member']);
    });

    it.each([
      [{}, 'email is required'],
      [{ email: null }, 'email is required'],
      [{ email: '' }, 'email is required'],
      [{ role: 'admin' }, 'email is required'],
      [{ email: 5 }, 'Valid email is required'],
      [{ email: ['bob@example.com'] }, 'Valid email is required'],
      [{ email: 'bob.example.com' }, 'Valid email is required'],
      [{ email: '   ' }, 'Valid email is required'],
      [{ email: `${'b'.repeat(244)}@example.com` }, 'Valid email is required'],
      [{ email: 'nope', role: 'boss' }, 'Valid email is required'],
      [{ email: 'bob@example.com', role: 'boss' }, 'Invalid role'],
      [{ email: 'bob@example.com', role: 'Admin' }, 'Invalid role'],
      [{ email: 'bob@example.com', role: 3 }, 'Invalid role'],
    ])('answers 400 for %j', async (payload, error) => {
      const c = await crew();
      expect(await send(c, c.owner, payload)).toEqual({ status: 400, body: { error } });
      expect(await pending(c)).toEqual([]);
    });

    it('checks role and validation in the contract order', async () => {
      const c = await crew();
      expect(await send(c, c.member, {})).toEqual({ status: 403, body: { error: 'Requires admin role or higher' } });
      expect(await send(c, c.admin, { email: 'bob@example.com', role: 'boss' })).toEqual({ status: 400, body: { error: 'Invalid role' } });
      expect(await send(c, c.admin, { email: 'bob@example.com', role: 'owner' })).toEqual({
        status: 403,
        body: { error: 'Only owners can invite members as owner' },
      });
      // "Only owners…" comes before the membership conflict.
      expect(await send(c, c.admin, { email: 'member@example.com', role: 'owner' })).toEqual({
        status: 403,
        body: { error: 'Only owners can invite members as owner' },
      });
      expect(await call('POST', '/v1/teams/nope/invitations', c.owner.headers, {})).toEqual({
        status: 403,
        body: { error: 'Not a member of this team' },
      });
    });

    it('answers 409 for someone who is already a member', async () => {
      const c = await crew();
      for (const email of ['member@example.com', ' MEMBER@example.com', 'owner@example.com']) {
        expect(await send(c, c.admin, { email })).toEqual({ status: 409, body: { error: 'User is already a member of this team' } });
      }
      expect(await pending(c)).toEqual([]);
    });

    it('resends a pending invitation: same id and created_at, new token, role, inviter and expiry', async () => {
      const c = await crew();
      const first = await send(c, c.owner, { email: 'bob@example.com' });
      const oldToken = mailedInviteToken(t, 'bob@example.com');
      await t.ds.query(`UPDATE team_invitations SET expires_at = expires_at - interval '1 day' WHERE id = $1`, [first.body.id]);

      const again = await send(c, c.admin, { email: 'BOB@example.com', role: 'admin' });
      expect(again).toEqual({
        status: 201,
        body: {
          ...first.body,
          role: 'admin',
          invited_by: { user_id: c.admin.userId, name: 'Admin', email: 'admin@example.com' },
          expires_at: ISO,
        },
      });
      expect(Date.parse(again.body.expires_at)).toBeGreaterThan(Date.parse(first.body.expires_at) - 1000);
      const newToken = mailedInviteToken(t, 'bob@example.com');
      expect(newToken).not.toBe(oldToken);
      expect(await pending(c)).toEqual([again.body]);

      expect(await call('GET', `/v1/invites/${oldToken}`)).toEqual({ status: 404, body: NOT_FOUND });
      const bob = await loginAs(t, 'bob@example.com');
      expect(await accept(bob, oldToken)).toEqual({ status: 404, body: NOT_FOUND });
      expect(await accept(bob, newToken)).toEqual({ status: 200, body: { team_id: c.teamId, team_name: 'Acme', role: 'admin' } });

      const creates = await auditOf(c, `?resource_type=invitation&action=create&resource_id=${first.body.id}`);
      expect(
        creates.map((e: { actor_id: string; resource_id: string; metadata: unknown }) => [e.actor_id, e.resource_id, e.metadata]),
      ).toEqual([
        [c.admin.userId, first.body.id, { email: 'bob@example.com', role: 'admin' }],
        [c.owner.userId, first.body.id, { email: 'bob@example.com', role: 'member' }],
      ]);
    });

    it('renews an expired invitation on resend', async () => {
      const c = await crew();
      const first = await send(c, c.owner, { email: 'bob@example.com' });
      await expire(first.body.id);
      expect(await pending(c)).toEqual([]);
      const again = await send(c, c.owner, { email: 'bob@example.com' });
      expect([again.status, again.body.id, again.body.created_at]).toEqual([201, first.body.id, first.body.created_at]);
      expect(Date.parse(again.body.expires_at)).toBeGreaterThan(Date.now() + WEEK_MS - 60_000);
      expect(await pending(c)).toEqual([again.body]);
    });

    it('replaces an accepted invitation with a brand-new one', async () => {
      const c = await crew();
      const bob = await loginAs(t, 'bob@example.com');
      const first = await invite(t, c.owner, c.teamId, bob.email);
      expect((await accept(bob, first.token)).status).toBe(200);
      await call('DELETE', `/v1/teams/${c.teamId}/members/${bob.userId}`, bob.headers);

      const again = await send(c, c.owner, { email: bob.email });
      expect(again.status).toBe(201);
      expect(again.body.id).not.toBe(first.id);
      expect(again.body.accepted_at).toBeNull();
      const rows = await t.ds.query(`SELECT id FROM team_invitations WHERE team_id = $1 AND email = $2`, [c.teamId, bob.email]);
      expect(rows).toEqual([{ id: again.body.id }]);
      expect(await call('GET', `/v1/invites/${first.token}`)).toEqual({ status: 404, body: NOT_FOUND });
    });

    it('answers 502 when the mail cannot be delivered, keeping the invitation; a resend retries', async () => {
      const c = await crew();
      t.sink.failDeliveries = true;
      expect(await send(c, c.admin, { email: 'bob@example.com' })).toEqual({ status: 502, body: { error: 'Failed to send email' } });
      const saved = await pending(c);
      expect(saved).toEqual([expect.objectContaining({ email: 'bob@example.com', role: 'member' })]);
      expect(await auditOf(c, `?resource_type=invitation&resource_id=${saved[0].id}`)).toHaveLength(1);

      t.sink.failDeliveries = false;
      const retry = await send(c, c.admin, { email: 'bob@example.com' });
      expect([retry.status, retry.body.id]).toEqual([201, saved[0].id]);
      expect(mailedInviteToken(t, 'bob@example.com')).toEqual(UUID);
    });

    it('answers 409 "An invitation for this email already exists" to the loser of a create race', async () => {
      const c = await crew();
      const qr = t.ds.createQueryRunner();
      await qr.connect();
      await qr.startTransaction();
      try {
        await qr.query(
          `INSERT INTO team_invitations (team_id, email, role, token, invited_by_user_id, expires_at)
           VALUES ($1, 'bob@example.com', 'member', gen_random_uuid(), $2, now() + interval '7 days')`,
          [c.teamId, c.owner.userId],
        );
        const racing = send(c, c.admin, { email: 'bob@example.com' });
        // Wait until the request's insert is blocked on our uncommitted row, then let it fail.
        for (let i = 0; i < 200; i++) {
          const [{ n }] = await t.ds.query(
            `SELECT count(*)::int AS n FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'`,
          );
          if (n > 0) break;
          await new Promise((r) => setTimeout(r, 25));
        }
        await qr.commitTransaction();
        expect(await racing).toEqual({ status: 409, body: { error: 'An invitation for this email already exists' } });
      } finally {
        await qr.release();
      }
      expect(() => t.sink.lastTo('bob@example.com')).toThrow('no mail for bob@example.com');
    });

    it('lists only pending invitations, oldest first', async () => {
      const c = await crew();
      const a = await send(c, c.owner, { email: 'a@example.com' });
      const b = await send(c, c.owner, { email: 'b@example.com', role: 'admin' });
      const gone = await send(c, c.owner, { email: 'gone@example.com' });
      const late = await send(c, c.owner, { email: 'late@example.com' });
      await expire(late.body.id);
      const bob = await loginAs(t, 'bob@example.com');
      const taken = await invite(t, c.owner, c.teamId, bob.email);
      await accept(bob, taken.token);
      await t.ds.query(`UPDATE team_invitations SET created_at = created_at - interval '1 hour' WHERE id = $1`, [b.body.id]);
      await call('DELETE', `${c.invitations}/${gone.body.id}`, c.owner.headers);

      const list = await call('GET', c.invitations, c.member.headers);
      expect(list.status).toBe(200);
      expect(list.body.invitations.map((i: { email: string }) => i.email)).toEqual(['b@example.com', 'a@example.com']);
      expect(list.body.invitations[1]).toEqual(a.body);
      const team = await call('GET', `/v1/teams/${c.teamId}`, c.member.headers);
      expect(team.body.pending_invitations).toEqual(list.body.invitations);
    });
  });

  describe('DELETE /v1/teams/:teamId/invitations/:invitationId', () => {
    it('revokes an invitation: its token dies and the revocation is logged', async () => {
      const c = await crew();
      const inv = await invite(t, c.owner, c.teamId, 'bob@example.com');
      expect(await call('DELETE', `${c.invitations}/${inv.id.toUpperCase()}`, c.admin.headers)).toEqual({
        status: 200,
        body: { deleted: true },
      });
      expect(await pending(c)).toEqual([]);
      expect(await call('GET', `/v1/invites/${inv.token}`)).toEqual({ status: 404, body: NOT_FOUND });
      const bob = await loginAs(t, 'bob@example.com');
      expect(await accept(bob, inv.token)).toEqual({ status: 404, body: NOT_FOUND });
      expect(await call('DELETE', `${c.invitations}/${inv.id}`, c.admin.headers)).toEqual({ status: 404, body: NOT_FOUND });
      expect(await auditOf(c, `?resource_type=invitation&action=delete`)).toEqual([
        {
          id: UUID,
          team_id: c.teamId,
          actor_type: 'user',
          actor_id: c.admin.userId,
          action: 'delete',
          resource_type: 'invitation',
          resource_id: inv.id,
          changes: null,
          metadata: null,
          timestamp: ISO,
        },
      ]);
    });

    it('answers 404 for unknown, malformed and foreign invitations', async () => {
      const c = await crew();
      const other = await loginAs(t, 'other@example.com');
      const foreign = await invite(t, other, other.teamId, 'bob@example.com');
      for (const id of ['00000000-0000-0000-0000-000000000001', 'nope', foreign.id]) {
        expect(await call('DELETE', `${c.invitations}/${id}`, c.owner.headers)).toEqual({ status: 404, body: NOT_FOUND });
      }
      expect((await call('GET', `/v1/invites/${foreign.token}`)).status).toBe(200);
    });

    it('is for admins and owners', async () => {
      const c = await crew();
      const inv = await invite(t, c.owner, c.teamId, 'bob@example.com');
      expect(await call('DELETE', `${c.invitations}/${inv.id}`, c.member.headers)).toEqual({
        status: 403,
        body: { error: 'Requires admin role or higher' },
      });
      expect(await call('DELETE', `${c.invitations}/${inv.id}`, c.owner.headers)).toEqual({ status: 200, body: { deleted: true } });
    });
  });

  describe('GET /v1/invites/:token', () => {
    it('answers 404 for unknown or malformed tokens and 410 for accepted or expired ones, without authentication', async () => {
      const c = await crew();
      for (const token of ['00000000-0000-0000-0000-000000000001', 'not-a-token', '%20']) {
        expect(await call('GET', `/v1/invites/${token}`)).toEqual({ status: 404, body: NOT_FOUND });
      }
      const bob = await loginAs(t, 'bob@example.com');
      const taken = await invite(t, c.owner, c.teamId, bob.email);
      await accept(bob, taken.token);
      expect(await call('GET', `/v1/invites/${taken.token}`)).toEqual({ status: 410, body: ACCEPTED });
      const late = await invite(t, c.owner, c.teamId, 'late@example.com');
      await expire(late.id);
      expect(await call('GET', `/v1/invites/${late.token}`)).toEqual({ status: 410, body: EXPIRED });
      expect(await call('GET', `/v1/invites/${late.token.toUpperCase()}`)).toEqual({ status: 410, body: EXPIRED });
    });
  });

  describe('POST /v1/invites/accept', () => {
    it('adds the caller with the invited role and logs both entries', async () => {
      const c = await crew();
      const bob = await loginAs(t, 'bob@example.com');
      const inv = await invite(t, c.admin, c.teamId, bob.email, 'admin');
      expect(await accept(bob, inv.token)).toEqual({ status: 200, body: { team_id: c.teamId, team_name: 'Acme', role: 'admin' } });

      const members = (await call('GET', `/v1/teams/${c.teamId}/members`, bob.headers)).body.members;
      expect(members[members.length - 1]).toEqual({ user_id: bob.userId, email: bob.email, name: 'Bob', role: 'admin', joined_at: ISO });
      expect((await call('GET', '/v1/auth/teams', bob.headers)).body.teams.map((x: { id: string }) => x.id)).toEqual([
        bob.teamId,
        c.teamId,
      ]);
      expect(await pending(c)).toEqual([]);

      const entries = await auditOf(c, `?actor_id=${bob.userId}`);
      expect(entries).toHaveLength(2);
      expect(entries).toEqual(
        expect.arrayContaining([
          {
            id: UUID,
            team_id: c.teamId,
            actor_type: 'user',
            actor_id: bob.userId,
            action: 'create',
            resource_type: 'team_member',
            resource_id: bob.userId,
            changes: null,
            metadata: { role: 'admin', via: 'invitation' },
            timestamp: ISO,
          },
          {
            id: UUID,
            team_id: c.teamId,
            actor_type: 'user',
            actor_id: bob.userId,
            action: 'update',
            resource_type: 'invitation',
            resource_id: inv.id,
            changes: { accepted_at: { before: null, after: ISO } },
            metadata: null,
            timestamp: ISO,
          },
        ]),
      );
      const [{ accepted_at }] = await t.ds.query(`SELECT accepted_at FROM team_invitations WHERE id = $1`, [inv.id]);
      const update = entries.find((e: { action: string }) => e.action === 'update');
      expect(update.changes.accepted_at.after).toBe(accepted_at.toISOString());

      expect(await accept(bob, inv.token)).toEqual({ status: 410, body: ACCEPTED });
    });

    it('marks the invitation accepted but keeps the role of someone already a member', async () => {
      const c = await crew();
      const bob = await loginAs(t, 'bob@example.com');
      const inv = await invite(t, c.owner, c.teamId, bob.email, 'admin');
      await t.ds.query(`INSERT INTO team_members (team_id, user_id, role) VALUES ($1, $2, 'member')`, [c.teamId, bob.userId]);
      expect(await accept(bob, inv.token)).toEqual({ status: 200, body: { team_id: c.teamId, team_name: 'Acme', role: 'member' } });
      expect(await call('GET', `/v1/invites/${inv.token}`)).toEqual({ status: 410, body: ACCEPTED });
      const entries = await auditOf(c, `?actor_id=${bob.userId}`);
      expect(entries.map((e: { resource_type: string; action: string }) => [e.resource_type, e.action])).toEqual([
        ['invitation', 'update'],
      ]);
    });

    it.each([
      [{}, 400, { error: 'token is required' }],
      [{ token: '' }, 400, { error: 'token is required' }],
      [{ token: null }, 400, { error: 'token is required' }],
      [{ token: 42 }, 400, { error: 'token must be a string' }],
      [{ token: 'not-a-uuid' }, 404, NOT_FOUND],
      [{ token: '00000000-0000-0000-0000-000000000001' }, 404, NOT_FOUND],
    ])('answers %j with %i', async (payload, status, body) => {
      const bob = await loginAs(t, 'bob@example.com');
      expect(await call('POST', '/v1/invites/accept', bob.headers, payload)).toEqual({ status, body });
    });

    it('answers 410 for expired invitations before checking the recipient', async () => {
      const c = await crew();
      const eve = await loginAs(t, 'eve@example.com');
      const inv = await invite(t, c.owner, c.teamId, 'bob@example.com');
      await expire(inv.id);
      expect(await accept(eve, inv.token)).toEqual({ status: 410, body: EXPIRED });
      const bob = await loginAs(t, 'bob@example.com');
      expect(await accept(bob, inv.token)).toEqual({ status: 410, body: EXPIRED });
      expect((await call('GET', `/v1/teams/${c.teamId}`, bob.headers)).status).toBe(403);
    });

    it('answers 403 naming both emails when someone else accepts', async () => {
      const c = await crew();
      const eve = await loginAs(t, 'eve@example.com');
      const inv = await invite(t, c.owner, c.teamId, 'Bob@Example.com');
      expect(await accept(eve, inv.token)).toEqual({
        status: 403,
        body: { error: 'This invitation was sent to bob@example.com. You are signed in as eve@example.com.' },
      });
      expect((await call('GET', `/v1/invites/${inv.token}`)).status).toBe(200);
      expect((await call('GET', `/v1/teams/${c.teamId}`, eve.headers)).status).toBe(403);
    });

    it('lets exactly one of several concurrent accepts succeed (B8)', async () => {
      const c = await crew();
      const bob = await loginAs(t, 'bob@example.com');
      const inv = await invite(t, c.owner, c.teamId, bob.email, 'admin');
      const results = await Promise.all(Array.from({ length: 5 }, () => accept(bob, inv.token)));
      const ok = results.filter((r) => r.status === 200);
      expect(ok).toEqual([{ status: 200, body: { team_id: c.teamId, team_name: 'Acme', role: 'admin' } }]);
      expect(results.filter((r) => r.status !== 200)).toEqual(Array.from({ length: 4 }, () => ({ status: 410, body: ACCEPTED })));
      const rows = await t.ds.query(`SELECT role FROM team_members WHERE team_id = $1 AND user_id = $2`, [c.teamId, bob.userId]);
      expect(rows).toEqual([{ role: 'admin' }]);
      const entries = await auditOf(c, `?actor_id=${bob.userId}`);
      expect(entries.map((e: { resource_type: string }) => e.resource_type).sort()).toEqual(['invitation', 'team_member']);
    });

    it('answers 404 once the team is deleted', async () => {
      const c = await crew();
      const bob = await loginAs(t, 'bob@example.com');
      const inv = await invite(t, c.owner, c.teamId, bob.email);
      expect((await call('DELETE', `/v1/teams/${c.teamId}`, c.owner.headers)).status).toBe(200);
      expect(await accept(bob, inv.token)).toEqual({ status: 404, body: NOT_FOUND });
    });
  });

  describe('API keys', () => {
    it('get each invitation route\'s "Only users can …" text', async () => {
      const c = await crew();
      const inv = await invite(t, c.owner, c.teamId, 'bob@example.com');
      const agent = await insertKey(t, { teamId: c.teamId, createdBy: c.owner.userId });
      const client = await insertKey(t, { teamId: c.teamId, createdBy: c.owner.userId, type: ApiKeyType.Client });
      const cases: [HttpMethod, string, unknown, string][] = [
        ['POST', c.invitations, { email: 'x@example.com' }, 'Only users can send invitations'],
        ['GET', c.invitations, undefined, 'Only users can list invitations'],
        ['DELETE', `${c.invitations}/${inv.id}`, undefined, 'Only users can revoke invitations'],
        ['POST', '/v1/invites/accept', { token: inv.token }, 'Only users can accept invitations'],
        ['POST', '/v1/invites/accept', {}, 'Only users can accept invitations'],
      ];
      for (const key of [agent, client]) {
        for (const [method, url, payload, error] of cases) {
          expect([method, url, await call(method, url, key.headers, payload)]).toEqual([method, url, { status: 403, body: { error } }]);
        }
      }
      expect(await pending(c)).toHaveLength(1);
    });

    it('need no credentials for the public lookup', async () => {
      const c = await crew();
      const inv = await invite(t, c.owner, c.teamId, 'bob@example.com');
      const key = await insertKey(t, { teamId: c.teamId, createdBy: c.owner.userId });
      expect((await call('GET', `/v1/invites/${inv.token}`, key.headers)).status).toBe(200);
      expect(await call('POST', '/v1/invites/accept', undefined, { token: inv.token })).toEqual({
        status: 401,
        body: { error: 'Missing authorization' },
      });
    });
  });
});
