import { toIso, toIsoOrNull } from '../../common/http/timestamp';
import { ApiKeyView } from './keys.types';

export interface ApiKeyResponse {
  id: string;
  key_prefix: string;
  key_type: string;
  app_id: string | null;
  app_name: string | null;
  team_id: string;
  name: string;
  created_by: string;
  created_by_email: string;
  permissions: string[];
  created_at: string;
  updated_at: string;
  last_used_at: string | null;
  expires_at: string | null;
}

/** Never carries the secret or its hash (B4). */
export const toApiKeyResponse = (k: ApiKeyView): ApiKeyResponse => ({
  id: k.id,
  key_prefix: k.keyPrefix,
  key_type: k.keyType,
  app_id: k.appId,
  app_name: k.appName,
  team_id: k.teamId,
  name: k.name,
  created_by: k.createdBy,
  created_by_email: k.createdByEmail,
  permissions: k.permissions,
  created_at: toIso(k.createdAt),
  updated_at: toIso(k.updatedAt),
  last_used_at: toIsoOrNull(k.lastUsedAt),
  expires_at: toIsoOrNull(k.expiresAt),
});
