import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { permissionsMarkdown } from '../cli.js';

const SERVER = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const ROOT = path.resolve(SERVER, '../..');

describe('schema and generated artefacts', () => {
  it('the committed migrations match the Drizzle schema (drizzle-kit finds nothing to generate)', () => {
    // drizzle-kit resolves --out relative to the working directory, so the copy lives beside the schema.
    const out = `.tmp-drift-${process.pid}`;
    fs.cpSync(path.join(SERVER, 'drizzle'), path.join(SERVER, out), { recursive: true });
    try {
      const before = fs.readdirSync(path.join(SERVER, out)).length;
      const run = spawnSync(
        'npx',
        ['drizzle-kit', 'generate', '--dialect', 'postgresql', '--schema', './src/modules/*/schema.ts', '--out', out],
        { cwd: SERVER, encoding: 'utf8', timeout: 60_000 },
      );
      expect(`${run.stdout}${run.stderr}`).toMatch(/No schema changes/);
      expect(fs.readdirSync(path.join(SERVER, out)).length).toBe(before);
    } finally {
      fs.rmSync(path.join(SERVER, out), { recursive: true, force: true });
    }
  }, 90_000);

  it('docs/permissions.md is generated from the current matrix', () => {
    expect(fs.readFileSync(path.join(ROOT, 'docs/permissions.md'), 'utf8')).toBe(permissionsMarkdown());
  });
});
