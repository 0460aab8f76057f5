import { AppErrors } from './apps.errors';
import { AppPlatform, BACKEND_PLATFORM, isAppPlatform } from './entities/app.entity';

/** User ids with this prefix are anonymous (SDK-generated) until claimed (SPEC §2.7, §2.9). */
export const ANONYMOUS_USER_PREFIX = 'owl_anon_';

export const MAX_NAME_CHARS = 255;

/**
 * The platform and bundle_id rules of `POST /v1/apps`, checked after the DTO's type/length errors and
 * in the contract's order: platform value, then bundle_id presence (a backend app needs none).
 */
export function createAppProblem(platform: string, bundleId: string | undefined): string | null {
  if (!isAppPlatform(platform)) return AppErrors.invalidPlatform;
  if (platform !== BACKEND_PLATFORM && bundleId === undefined) return AppErrors.bundleIdRequired;
  return null;
}

/** The stored bundle id: exactly as sent, or null for backend apps (which ignore it). */
export const storedBundleId = (platform: AppPlatform, bundleId: string | undefined): string | null =>
  platform === BACKEND_PLATFORM ? null : (bundleId ?? null);

/** Name of an app's auto-created client key, cut to the 255-character name limit (code points, not UTF-16 units). */
export const clientKeyName = (appName: string): string => Array.from(`${appName} Client Key`).slice(0, MAX_NAME_CHARS).join('');
