import { AppConfig } from '../../config/app-config';

/** The JWT secret is resolved at boot (generated and persisted in development when unset). */
export function jwtSecretOf(config: AppConfig): string {
  if (!config.jwtSecret) throw new Error('JWT secret was not resolved at boot');
  return config.jwtSecret;
}
