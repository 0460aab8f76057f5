import { PAIR_VAR, PgPair, destroyPair } from './pg-pair';

/** Stops the pair and removes its folder, whatever the tests did (also after failures). */
export default function globalTeardown(): void {
  const raw = process.env[PAIR_VAR];
  if (raw) destroyPair(JSON.parse(raw) as PgPair);
}
