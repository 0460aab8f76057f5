#!/usr/bin/env node
// Builds dist/ with `nest build` (type-checked) and records a fingerprint of the inputs in dist/.build-inputs.
// `--if-stale` (used by `npm start`) skips the build when the fingerprint still matches, so a restart without
// changes starts at once.
'use strict';
const { createHash } = require('node:crypto');
const { spawnSync } = require('node:child_process');
const { existsSync, readdirSync, readFileSync, statSync, writeFileSync } = require('node:fs');
const { join, relative } = require('node:path');

const root = join(__dirname, '..');
const stampFile = join(root, 'dist', '.build-inputs');
const INPUTS = ['src', 'migrations', 'tsconfig.json', 'tsconfig.build.json', 'nest-cli.json', 'package-lock.json'];

/**
 * Path and content of every input file (a deleted or renamed file changes the list). Contents, not mtimes: a
 * checkout or a copy that touches files without changing them does not force a build. Hashing the sources
 * takes a few tens of milliseconds.
 */
function fingerprint() {
  const hash = createHash('sha256');
  const visit = (path) => {
    if (!existsSync(path)) return;
    const st = statSync(path);
    hash.update(`${relative(root, path)}\0`);
    if (st.isDirectory()) for (const name of readdirSync(path).sort()) visit(join(path, name));
    else hash.update(readFileSync(path)).update('\n');
  };
  for (const input of INPUTS) visit(join(root, input));
  return hash.digest('hex');
}

const ifStale = process.argv.includes('--if-stale');
const before = fingerprint();
if (
  ifStale &&
  existsSync(join(root, 'dist', 'src', 'main.js')) &&
  existsSync(stampFile) &&
  readFileSync(stampFile, 'utf8').trim() === before
) {
  process.exit(0);
}
if (ifStale) console.error('Building the server (dist/ is missing or the sources changed since the last build)…');
const nestCli = (() => {
  try {
    return require.resolve('@nestjs/cli/bin/nest.js', { paths: [root] });
  } catch {
    return null;
  }
})();
if (!nestCli) {
  console.error(
    existsSync(join(root, 'dist', 'src', 'main.js'))
      ? 'The sources changed but the build tools are not installed (npm install --omit=dev?); starting the existing dist/.'
      : 'dist/ is missing and the build tools are not installed: run `npm install` (with dev dependencies) and `npm run build`.',
  );
  process.exit(existsSync(join(root, 'dist', 'src', 'main.js')) ? 0 : 1);
}
const res = spawnSync(process.execPath, [nestCli, 'build'], { cwd: root, stdio: 'inherit' });
if (res.status !== 0) process.exit(res.status ?? 1);
// Sources edited during the build: record the fingerprint taken before it, so the next start rebuilds.
writeFileSync(stampFile, before + '\n');
