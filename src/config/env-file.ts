import { existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { parseEnv } from 'node:util';

export interface EnvFileResult {
  /** Absolute path of the file read, or null when there was none. */
  file: string | null;
  /** Variables taken from the file (those not already in the environment). */
  applied: string[];
  /** Variables in the file that the environment already set (the environment wins). */
  overridden: string[];
}

/**
 * Reads `.env` (dotenv syntax, parsed by Node's own `util.parseEnv`) into `env`. Variables already exported win, so
 * `PORT=5000 npm start` beats `PORT=4000` in the file. A missing file is not an error.
 */
export function loadEnvFile(path = '.env', env: NodeJS.ProcessEnv = process.env): EnvFileResult {
  const file = resolve(path);
  if (!existsSync(file)) return { file: null, applied: [], overridden: [] };
  const parsed = parseEnv(readFileSync(file, 'utf8')) as Record<string, string>;
  const applied: string[] = [];
  const overridden: string[] = [];
  for (const [key, value] of Object.entries(parsed)) {
    if (env[key] !== undefined) overridden.push(key);
    else {
      env[key] = value;
      applied.push(key);
    }
  }
  return { file, applied, overridden };
}
