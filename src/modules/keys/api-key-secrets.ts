import { createHash, randomBytes } from 'node:crypto';
import { API_KEY_PREFIX, ApiKeyType } from '../../common/auth/permission';

/** `owl_client_`/`owl_agent_` + 48 lower-case hex characters from 24 CSPRNG bytes (§1.7). */
export function generateApiKey(type: ApiKeyType): { key: string; hash: string; prefix: string } {
  const key = API_KEY_PREFIX[type] + randomBytes(24).toString('hex');
  return { key, hash: hashApiKey(key), prefix: key.slice(0, 16) };
}

export const hashApiKey = (key: string): string => createHash('sha256').update(key).digest('hex');
