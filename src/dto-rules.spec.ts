import { BadRequestException } from '@nestjs/common';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { getMetadataStorage } from 'class-validator';
import { checkCompiled, checkWithClassValidator } from './common/pipes/validation';

/**
 * Every DTO of every module: the pipe's compiled rules (class-validator's own constraints, called once per rule
 * without class-transformer/validateSync) answer exactly what class-transformer + class-validator answer — the same
 * first problem text, or the same whitelisted fields — for many inputs mixing valid and invalid values.
 */
const modulesDir = join(__dirname, 'modules');
const dtoClasses: [string, new () => object][] = [];
for (const mod of readdirSync(modulesDir)) {
  let files: string[];
  try {
    files = readdirSync(join(modulesDir, mod, 'dto')).filter((f) => f.endsWith('.dto.ts'));
  } catch {
    continue;
  }
  for (const file of files) {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const exported = require(join(modulesDir, mod, 'dto', file)) as Record<string, unknown>;
    for (const [name, value] of Object.entries(exported)) {
      if (typeof value !== 'function') continue;
      const ctor = value as new () => object;
      if (getMetadataStorage().getTargetValidationMetadatas(ctor, '', false, false).length > 0) dtoClasses.push([`${mod}/${name}`, ctor]);
    }
  }
}

const UUID = '0b1c2d3e-4f50-4617-8829-3a4b5c6d7e8f';
const POOL: unknown[] = [
  undefined,
  'x',
  'ios',
  'error',
  'production',
  'all',
  'admin',
  'member',
  'day',
  'app_version',
  'events:read',
  UUID,
  UUID.toUpperCase(),
  '2024-03-08T14:22:05.417Z',
  '2024-02-30',
  'yesterday',
  '50',
  '-1',
  42,
  0,
  -1,
  1.5,
  4000,
  true,
  false,
  {},
  { a: 'b' },
  { message: 'track:x' },
  [],
  ['a'],
  [{ name: 'A', event_filter: { message: 'track:a' } }],
  'a'.repeat(300),
  'ä'.repeat(255),
];

/** Deterministic pseudo-random numbers (mulberry32), so a failure names an input that reproduces. */
function rng(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function outcome(check: () => object | null): { error: string } | { value: Record<string, unknown> } {
  try {
    return { value: { ...(check() as Record<string, unknown>) } };
  } catch (e) {
    expect(e).toBeInstanceOf(BadRequestException);
    return { error: (e as BadRequestException).message };
  }
}

describe('compiled DTO rules answer exactly as class-validator', () => {
  it('finds the DTOs of the modules', () => {
    expect(dtoClasses.length).toBeGreaterThan(15);
  });

  it.each(dtoClasses)('%s', (_name, ctor) => {
    expect(checkCompiled(ctor, {})).not.toBeNull();
    const properties = Object.keys(
      getMetadataStorage().groupByPropertyName(getMetadataStorage().getTargetValidationMetadatas(ctor, '', false, false)),
    );
    const inputs: Record<string, unknown>[] = [{}, { unknown_field: 'x' }];
    // One property at a time with every pool value, then random mixes.
    for (const p of properties) for (const v of POOL) if (v !== undefined) inputs.push({ [p]: v });
    const next = rng(properties.length * 7919 + 1);
    for (let i = 0; i < 300; i++) {
      const input: Record<string, unknown> = {};
      for (const p of properties) {
        const v = POOL[Math.floor(next() * POOL.length)];
        if (v !== undefined) input[p] = v;
      }
      inputs.push(input);
    }
    for (const input of inputs) {
      const compiled = outcome(() => checkCompiled(ctor, structuredClone(input)));
      const reference = outcome(() => checkWithClassValidator(ctor, structuredClone(input)));
      if (JSON.stringify(compiled) !== JSON.stringify(reference)) {
        expect({ input, compiled }).toEqual({ input, compiled: reference });
      }
    }
  });
});
