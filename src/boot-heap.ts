import { setFlagsFromString } from 'node:v8';

/**
 * Idle memory (issue 15): loading the modules and building Nest's metadata allocates tens of MB that mostly
 * survive, and V8 answers a high survival rate by doubling the young generation, up to 2 × 16 MB, which then
 * stays committed (and resident) for the life of the process although requests need little of it. While the
 * application boots, the young generation is therefore not grown (growth factor 1: the survivors go to the old
 * generation, where they belong anyway); `endBootHeapMode()` restores V8's default factor (2) once the server
 * listens, so under load the young generation grows as before. Imported first by main.ts.
 */
setFlagsFromString('--semi-space-growth-factor=1');

export function endBootHeapMode(): void {
  setFlagsFromString('--semi-space-growth-factor=2');
}
