import { ApiKeyType } from './permission';

/** Who is calling: a dashboard user (JWT) or an API key. Attached to the request by the auth guard. */
export interface UserPrincipal {
  readonly kind: 'user';
  readonly userId: string;
  readonly email: string;
}

/**
 * The app of an app-scoped key as ingest checks it (§2.7), read in the same lookup as the key and cached
 * with it, so one cache serves both.
 */
export interface ApiKeyApp {
  /** SPEC §2.6 platforms (the apps module's AppPlatform; common cannot import it). */
  readonly platform: 'apple' | 'android' | 'web' | 'backend';
  readonly bundleId: string | null;
  /** The app row is soft-deleted while the key is not (deleting an app through the API revokes its keys). */
  readonly deleted: boolean;
}

export interface ApiKeyPrincipal {
  readonly kind: 'api_key';
  readonly keyId: string;
  readonly keyType: ApiKeyType;
  readonly teamId: string;
  readonly appId: string | null;
  /** The key's app; null when the key is not scoped to an app (or its app row no longer exists). */
  readonly app: ApiKeyApp | null;
  readonly permissions: readonly string[];
  readonly createdBy: string;
}

export type Principal = UserPrincipal | ApiKeyPrincipal;

/** The audit actor of a principal (SPEC §2.10). */
export const actorOf = (p: Principal): { actorType: 'user' | 'api_key'; actorId: string } =>
  p.kind === 'user' ? { actorType: 'user', actorId: p.userId } : { actorType: 'api_key', actorId: p.keyId };

/** Rate-limit / metrics identity: the key id, else the user id. */
export const identityOf = (p: Principal): string => (p.kind === 'user' ? `user:${p.userId}` : `key:${p.keyId}`);
