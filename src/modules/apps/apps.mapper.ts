import { toIso } from '../../common/http/timestamp';
import { AppUserEntity } from './entities/app-user.entity';
import { AppEntity } from './entities/app.entity';

export interface AppResponse {
  id: string;
  team_id: string;
  project_id: string;
  name: string;
  platform: string;
  bundle_id: string | null;
  /** The app's own client key in full: the one secret kept in plaintext, because it ships inside the app (B4). */
  client_key: string;
  created_at: string;
}

export interface AppUserResponse {
  id: string;
  app_id: string;
  user_id: string;
  is_anonymous: boolean;
  claimed_from: string[] | null;
  first_seen_at: string;
  last_seen_at: string;
}

export const toAppResponse = (a: AppEntity): AppResponse => ({
  id: a.id,
  team_id: a.teamId,
  project_id: a.projectId,
  name: a.name,
  platform: a.platform,
  bundle_id: a.bundleId,
  client_key: a.clientKey,
  created_at: toIso(a.createdAt),
});

export const toAppUserResponse = (u: AppUserEntity): AppUserResponse => ({
  id: u.id,
  app_id: u.appId,
  user_id: u.userId,
  is_anonymous: u.isAnonymous,
  claimed_from: u.claimedFrom,
  first_seen_at: toIso(u.firstSeenAt),
  last_seen_at: toIso(u.lastSeenAt),
});
