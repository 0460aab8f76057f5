import { ApiKeyType } from './permission';

/** Who is calling: a dashboard user (JWT) or an API key. Attached to the request by the auth guard. */
export interface UserPrincipal {
  readonly kind: 'user';
  readonly userId: string;
  readonly email: string;
}

export interface ApiKeyPrincipal {
  readonly kind: 'api_key';
  readonly keyId: string;
  readonly keyType: ApiKeyType;
  readonly teamId: string;
  readonly appId: string | null;
  readonly permissions: readonly string[];
  readonly createdBy: string;
}

export type Principal = UserPrincipal | ApiKeyPrincipal;

/** The audit actor of a principal (SPEC §2.10). */
export const actorOf = (p: Principal): { actorType: 'user' | 'api_key'; actorId: string } =>
  p.kind === 'user' ? { actorType: 'user', actorId: p.userId } : { actorType: 'api_key', actorId: p.keyId };

/** Rate-limit / metrics identity: the key id, else the user id. */
export const identityOf = (p: Principal): string => (p.kind === 'user' ? `user:${p.userId}` : `key:${p.keyId}`);
