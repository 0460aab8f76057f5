import { TestApp } from './create-test-app';

export interface Session {
  token: string;
  userId: string;
  email: string;
  teamId: string;
  /** `authorization` header for this user. */
  headers: { authorization: string };
}

/** Signs in through the public API: send-code, read the code from the SMTP sink, verify-code. */
export async function loginAs(t: TestApp, email: string): Promise<Session> {
  const sent = await t.app.inject({ method: 'POST', url: '/v1/auth/send-code', payload: { email } });
  if (sent.statusCode !== 200) throw new Error(`send-code failed: ${sent.statusCode} ${sent.body}`);
  const code = t.sink.lastCodeFor(email);
  const res = await t.app.inject({ method: 'POST', url: '/v1/auth/verify-code', payload: { email, code } });
  if (res.statusCode !== 200 && res.statusCode !== 201) throw new Error(`verify-code failed: ${res.statusCode} ${res.body}`);
  const body = res.json();
  return {
    token: body.token,
    userId: body.user.id,
    email: body.user.email,
    teamId: body.teams[0]?.id,
    headers: { authorization: `Bearer ${body.token}` },
  };
}

/** Creates an API key through the API and returns the secret. */
export async function postKey(
  t: TestApp,
  owner: Session,
  body: {
    key_type: 'agent' | 'client';
    name?: string;
    team_id?: string;
    app_id?: string;
    permissions?: string[];
    expires_in_days?: number;
  },
): Promise<{ key: string; id: string }> {
  const res = await t.app.inject({
    method: 'POST',
    url: '/v1/auth/keys',
    headers: owner.headers,
    payload: { name: 'test key', team_id: body.app_id ? undefined : owner.teamId, ...body },
  });
  if (res.statusCode !== 201) throw new Error(`create key failed: ${res.statusCode} ${res.body}`);
  return { key: res.json().key, id: res.json().api_key.id };
}

export const bearer = (token: string) => ({ authorization: `Bearer ${token}` });
